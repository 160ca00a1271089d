"""Journey 5: an admin schedules a trip for tomorrow, a traveller finds it, the admin views the dashboard chart."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.async_api import expect

from travelgo.dates import today_in

from .. import factories
from . import harness
from .helpers import log_in, search_buses

pytestmark = pytest.mark.e2e


async def choose(select, text: str) -> None:
    """Pick the option whose visible text contains `text` (labels carry extra detail such as the country)."""
    value = await select.locator("option", has_text=text).first.get_attribute("value")
    await select.select_option(value)


async def test_admin_creates_a_trip_traveller_finds_it_dashboard_chart(new_context, arrange):
    async with arrange() as cur:
        await factories.make_city(cur, "Wayanad")
        await factories.make_city(cur, "Kabini")
        operator = await factories.make_operator(cur, "Nilgiri Coaches", rating=4.4)
        await factories.make_vehicle(cur, operator["id"], seats=32)
    tomorrow = today_in() + timedelta(days=1)  # the form's default: tomorrow on the home zone's clock, not the host's

    admin = await (await new_context()).new_page()
    await log_in(admin, harness.ADMIN_EMAIL, harness.ADMIN_PASSWORD)
    await admin.get_by_role("navigation", name="Main").get_by_role("link", name="Admin", exact=True).click()
    await admin.get_by_role("navigation", name="Admin").get_by_role("link", name="Trips").click()
    await admin.get_by_role("link", name="Schedule trips").click()
    form = admin.locator("#trip-single")
    await choose(form.get_by_label("Vehicle"), "Nilgiri Coaches")
    await choose(form.get_by_label("From"), "Wayanad")
    await choose(form.get_by_label("To", exact=True), "Kabini")
    await form.get_by_label("Seat price").fill("650")
    await expect(form.get_by_label("Departure date")).to_have_value(tomorrow.isoformat())
    await form.get_by_label("Departure time").fill("10:15")
    await form.get_by_role("button", name="Create trip").click()
    await expect(admin.get_by_role("status")).to_contain_text("The trip is scheduled.")
    await expect(admin).to_have_url(re.compile(r"/admin/trips/\d+$"))

    traveller = await (await new_context()).new_page()
    await search_buses(traveller, "Wayanad", "Kabini", tomorrow)
    results = traveller.get_by_role("list", name="Buses")
    await expect(results.get_by_role("listitem")).to_have_count(1)
    await expect(results).to_contain_text("Nilgiri Coaches")
    await expect(results).to_contain_text("10:15")
    await expect(results).to_contain_text("₹650")  # an empty catalogue defaults to rupees, as seeded
    await expect(results).to_contain_text("32 seats left")

    await admin.get_by_role("navigation", name="Admin").get_by_role("link", name="Dashboard").click()
    await expect(admin.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()
    charts = admin.locator("figure svg[role=img]")
    assert await charts.count() >= 2
    await expect(admin.get_by_role("img", name=re.compile("bookings", re.I)).first).to_be_visible()
    box = await charts.first.bounding_box()
    assert box and box["width"] > 200 and box["height"] > 80, box
    # The chart's numbers are also in a table beside it, for people who cannot see it.
    await expect(admin.locator("#table-days")).to_be_visible()
