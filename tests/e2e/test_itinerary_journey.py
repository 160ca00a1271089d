"""Journey: plan a trip (start it, add a bus and a hotel from their booking forms), read it day by day, hold the
whole trip, pay once on TestPay, see it confirmed and grouped under My bookings."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

import pytest
from playwright.async_api import expect

from travelgo.dates import today_in

from .. import factories
from .helpers import assert_accessible, assert_no_sideways_scroll, htmx_settled, log_in

pytestmark = pytest.mark.e2e


async def test_plan_a_trip_hold_it_whole_and_pay_once(page, arrange):
    day = today_in() + timedelta(days=6)
    async with arrange() as cur:
        udupi = await factories.make_city(cur, "Agumbe")
        coorg = await factories.make_city(cur, "Kodachadri")
        bus = await factories.make_trip(
            cur, origin=udupi, destination=coorg, departs_at=datetime.combine(day, time(7, 0)), minutes=300,
            price_minor=80000, seats=20,
        )  # fmt: skip
        hotel = await factories.make_hotel(cur, city=coorg, name="Kodachadri Hill Lodge")
        room_type = await factories.make_room_type(cur, hotel["id"], price_minor=500000, name="Garden room")
        traveller = await factories.make_user(cur, full_name="Kavya Shetty")
    await log_in(page, traveller["email"], traveller["password"])

    await page.get_by_role("navigation", name="Main").get_by_role("link", name="My trips").click()
    await page.get_by_label("Trip name").fill("Kodachadri weekend")
    await page.get_by_role("button", name="Create trip").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Kodachadri weekend")
    await assert_accessible(page)

    # The bus: the usual booking form, but "Add to trip" instead of booking it now.
    await page.goto(f"/buses/{bus['id']}/book?seats=3")
    passenger = page.get_by_role("group", name="Seat 3")
    await passenger.get_by_label("Full name").fill("Kavya Shetty")
    await passenger.get_by_label("Age").fill("31")
    await expect(page.get_by_label("Trip", exact=True)).to_have_value(re.compile(r"\d+"))
    await page.get_by_role("button", name="Add to trip").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Kodachadri weekend")
    await expect(page.locator("#messages")).to_contain_text("Added to your trip")

    # The hotel for two nights from the arrival day.
    check_in, check_out = day, day + timedelta(days=2)
    await page.goto(
        f"/hotels/{hotel['id']}/book?room_type_id={room_type['id']}&check_in={check_in.isoformat()}"
        f"&check_out={check_out.isoformat()}&rooms=1&guests=1"
    )
    await page.get_by_label("Lead guest's full name").fill("Kavya Shetty")
    await htmx_settled(page)
    await page.get_by_role("button", name="Add to trip").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Kodachadri weekend")

    # Day by day: when you leave, where you sleep.
    days = page.get_by_role("list", name="Day by day")
    await expect(days).to_contain_text("Leave Agumbe")
    await expect(days).to_contain_text("Arrive in Kodachadri")
    await expect(days).to_contain_text("Night at Kodachadri Hill Lodge")
    await expect(page.get_by_text("Total €10,800")).to_be_visible()
    await assert_accessible(page)
    trip_url = page.url
    await page.set_viewport_size({"width": 375, "height": 800})  # a phone: nothing scrolls sideways
    await assert_no_sideways_scroll(page)
    await page.set_viewport_size({"width": 1280, "height": 900})

    # Hold the whole trip, then one payment for both.
    await page.get_by_role("button", name="Hold the whole trip and pay").click()
    await expect(page).to_have_url(re.compile(r"/itineraries/\d+/pay$"))
    await expect(page.get_by_role("heading", name="2 bookings, one payment")).to_be_visible()
    await page.get_by_role("link", name="Pay €10,800").click()
    await expect(page.get_by_text("TestPay - test gateway, no real money")).to_be_visible()
    await page.get_by_role("button", name=re.compile(r"^Pay ")).click()
    await expect(page.get_by_text("Paid and confirmed")).to_be_visible()

    await page.get_by_role("navigation", name="Main").get_by_role("link", name="My bookings").click()
    await expect(page.get_by_role("heading", name="Trip: Kodachadri weekend")).to_be_visible()
    await expect(page.locator("li.in-trip")).to_have_count(2)
    await expect(page.locator("li.in-trip").first).to_contain_text("confirmed")
    printable = trip_url + "/print"
    await page.goto(printable)
    await expect(page.get_by_role("heading", level=2).first).to_contain_text(day.strftime("%A"))
    await assert_accessible(page)
