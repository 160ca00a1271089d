"""A partner's day: the hotel group's owner signs in, sees the group's own bookings (and only those), changes a
night's rooms and price, stops sales, and the dashboard shows today's movements and the charts."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.async_api import expect

from travelgo.dates import today_in
from travelgo.seed.partners import PARTNER_PASSWORD

from .helpers import assert_accessible, assert_no_sideways_scroll, log_in

pytestmark = pytest.mark.e2e


async def _group_hotels(arrange) -> list[str]:
    async with arrange() as cur:
        await cur.execute(
            "SELECT h.name FROM hotels h JOIN partners p ON p.id = h.partner_id WHERE p.name = 'Lotus Hotels Group'"
            " ORDER BY h.id"
        )
        return [r["name"] for r in await cur.fetchall()]


async def test_hotel_group_owner_manages_own_inventory_and_bookings(new_context, arrange):
    hotels = await _group_hotels(arrange)
    assert len(hotels) >= 2
    page = await (await new_context()).new_page()
    await log_in(page, "hotels@travelgo.example", PARTNER_PASSWORD)
    await page.get_by_role("navigation", name="Main").get_by_role("link", name="Partner").click()
    await expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()
    await expect(page.get_by_role("heading", name="Today and the latest bookings")).to_be_visible()
    await expect(page.locator("figure svg[role=img]").first).to_be_visible()
    await assert_accessible(page)

    nav = page.get_by_role("navigation", name="Partner")
    await nav.get_by_role("link", name="Bookings").click()
    rows = page.locator("table tbody tr")
    await expect(rows.first).to_be_visible()
    services = await page.locator("table tbody tr td:nth-child(3)").all_inner_texts()
    assert services and all(any(h in s for h in hotels) for s in services if s != "No bookings."), services
    assert not any(s.startswith("Bus:") for s in services)  # a hotel group has no buses

    await nav.get_by_role("link", name="Hotels").click()
    listed = await page.locator("table tbody tr td:first-child").all_inner_texts()
    assert sorted(listed) == sorted(hotels)
    await page.get_by_role("link", name=hotels[0]).first.click()
    await expect(page).to_have_url(re.compile(r"/partner/hotels/\d+$"))

    night = (today_in() + timedelta(days=3)).isoformat()
    inventory = page.locator("#inventory-set")
    await inventory.get_by_label("First night").fill(night)
    await inventory.get_by_label("Last night").fill(night)
    await inventory.get_by_label("Rooms each night").fill("40")
    await inventory.get_by_label("Price a night").fill("4321")
    await inventory.get_by_role("button", name="Set inventory").click()
    await expect(page.get_by_role("status")).to_contain_text("Inventory set for 1 night(s).")
    await expect(page.locator("table.inventory")).to_contain_text("/40")
    await expect(page.locator("table.inventory")).to_contain_text("4,321")

    stop = page.locator("#stop-sell")  # (its fields share ids with the inventory form's: the admin page's, as is)
    await stop.locator("input[name=start]").fill(night)
    await stop.locator("input[name=end]").fill(night)
    await stop.get_by_role("button", name="Apply").click()
    await expect(page.get_by_role("status")).to_contain_text("Sales stopped on 1 night(s).")
    # the night just set (its price is the only 4,321 on the page) is stopped; the seed stops a few nights of its own
    await expect(page.locator("table.inventory td.stop-sell", has_text="4,321")).to_have_count(1)
    await assert_accessible(page)

    # Another business's hotel is not there to be found by changing the id.
    async with arrange() as cur:
        await cur.execute("SELECT id FROM hotels WHERE partner_id IS NULL ORDER BY id LIMIT 1")
        other = (await cur.fetchone())["id"]
    response = await page.goto(f"/partner/hotels/{other}")
    assert response.status == 404


async def test_partner_pages_fit_a_phone(new_context):
    from tests.e2e import harness

    page = await (await new_context(viewport=harness.PHONE, is_mobile=True, has_touch=True)).new_page()
    await log_in(page, "frontdesk@travelgo.example", PARTNER_PASSWORD)
    for path in ("/partner/", "/partner/bookings", "/partner/hotels"):
        await page.goto(path)
        await assert_no_sideways_scroll(page)
    # staff see stop-sell but not the price forms
    await page.goto("/partner/hotels")
    await page.locator("table tbody tr td:first-child a").first.click()
    await expect(page.locator("#stop-sell")).to_be_visible()
    await expect(page.locator("#inventory-set")).to_have_count(0)


async def test_restaurant_owner_manages_tables_and_hours(new_context, arrange):
    async with arrange() as cur:
        await cur.execute(
            """SELECT r.id, r.name FROM restaurants r JOIN partners p ON p.id = r.partner_id
                WHERE p.name = 'Spice Route Restaurants' ORDER BY r.id LIMIT 1"""
        )
        restaurant = await cur.fetchone()
        await cur.execute("SELECT id FROM restaurants WHERE partner_id IS NULL ORDER BY id LIMIT 1")
        other = (await cur.fetchone())["id"]
    page = await (await new_context()).new_page()
    await log_in(page, "restaurants@travelgo.example", PARTNER_PASSWORD)
    await page.goto("/partner/")
    await page.get_by_role("navigation", name="Partner").get_by_role("link", name="Restaurants").click()
    await page.get_by_role("link", name=restaurant["name"]).first.click()
    await expect(page).to_have_url(re.compile(rf"/partner/restaurants/{restaurant['id']}$"))

    add = page.locator("#table-new")
    await add.get_by_label("Label").fill("T99")
    await add.get_by_label("Seats").fill("6")
    await add.get_by_role("button", name="Add table").click()
    await expect(page.get_by_role("status")).to_contain_text("Table T99 is added.")
    await expect(page.get_by_label("Label of table T99")).to_have_value("T99")

    hours = page.locator("#hours-form")
    await hours.get_by_label("Monday, service 1 opens").fill("")
    await hours.get_by_label("Monday, service 1 closes").fill("")
    await hours.get_by_label("Monday, service 2 opens").fill("")
    await hours.get_by_label("Monday, service 2 closes").fill("")
    await hours.get_by_role("button", name="Save hours").click()
    await expect(page.get_by_role("status")).to_contain_text("The opening hours are saved.")
    await expect(page.get_by_label("Monday, service 1 opens")).to_have_value("")
    await assert_accessible(page)

    await page.goto("/partner/restaurant-requests")
    await expect(page.get_by_role("heading", name="Table requests", level=1)).to_be_visible()
    await assert_accessible(page)
    response = await page.goto(f"/partner/restaurants/{other}")
    assert response.status == 404

    from tests.e2e import harness

    phone = await (await new_context(viewport=harness.PHONE, is_mobile=True, has_touch=True)).new_page()
    await log_in(phone, "restaurants@travelgo.example", PARTNER_PASSWORD)
    for path in ("/partner/restaurants", f"/partner/restaurants/{restaurant['id']}", "/partner/restaurant-requests"):
        await phone.goto(path)
        await assert_no_sideways_scroll(phone)
