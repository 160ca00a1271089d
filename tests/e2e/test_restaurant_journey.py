"""Restaurants in the browser: search a city for a time, pick a bookable time, book a table, see it in My bookings;
a second browser on the restaurant page sees the time go without reloading; the pages fit a 375 px phone."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.async_api import expect

from travelgo.dates import today_in

from .. import factories
from .helpers import assert_accessible, assert_no_sideways_scroll, htmx_settled, log_in

pytestmark = pytest.mark.e2e


async def make_city_with_restaurants(arrange, city_name: str) -> dict:
    async with arrange() as cur:
        city = await factories.make_city(cur, city_name)
        saffron = await factories.make_restaurant(
            cur, city=city, name=f"{city_name} Saffron House", tables=[2, 4], hours=("18:00", "23:00"), rating=4.7
        )
        await factories.make_restaurant(cur, city=city, name=f"{city_name} Dosa Corner", cuisine="South Indian")
        user = await factories.make_user(cur, full_name="Meera Iyer")
    return {"city": city, "saffron": saffron, "user": user}


async def test_search_book_a_table_and_watch_the_time_go_live(new_context, arrange):
    data = await make_city_with_restaurants(arrange, "Kemmangundi")
    day = today_in() + timedelta(days=3)
    page = await (await new_context()).new_page()
    await log_in(page, data["user"]["email"], data["user"]["password"])
    watcher = await (await new_context()).new_page()
    await watcher.goto(f"/restaurants/{data['saffron']['id']}?date={day.isoformat()}&party_size=4")
    await expect(watcher.locator('a[data-slot="20:00"]')).to_be_visible()

    await page.get_by_role("navigation", name="Main").get_by_role("link", name="Restaurants").click()
    await page.get_by_label("City").fill("Kemmangundi")
    await page.get_by_label("Date").fill(day.isoformat())
    await page.get_by_label("Time").fill("20:00")
    await page.get_by_label("Guests").fill("4")
    await page.get_by_role("button", name="Find a table").click()
    await expect(page.get_by_role("heading", name=re.compile(r"^2 restaurants in Kemmangundi"))).to_be_visible()
    times = page.get_by_role("list", name="Bookable times at Kemmangundi Saffron House")
    await expect(times.get_by_role("link")).to_have_count(6)
    await htmx_settled(page)
    await times.get_by_role("link", name=re.compile("^20:00")).click()

    await expect(page.get_by_role("heading", name="Book a table at Kemmangundi Saffron House")).to_be_visible()
    await expect(page.get_by_label("Name for the booking")).to_have_value("Meera Iyer")
    await page.get_by_label("Notes for the restaurant (optional)").fill("A high chair, please")
    await page.get_by_role("button", name="Book table").click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Table booking: Kemmangundi Saffron House")
    await expect(page.locator("main")).to_contain_text("T2 (4 seats)")
    await expect(page.locator("main")).to_contain_text("A high chair, please")

    # The other browser's page lost 20:00 (and every sitting overlapping it) for four without a reload.
    await expect(watcher.locator('span[data-slot="20:00"]')).to_be_visible()
    await expect(watcher.locator('span[data-slot="19:00"]')).to_be_visible()
    await expect(watcher.locator('a[data-slot="21:30"]')).to_be_visible()

    await page.get_by_role("navigation", name="Main").get_by_role("link", name="My bookings").click()
    row = page.locator(".booking-card").filter(has_text="Kemmangundi Saffron House")
    await expect(row).to_contain_text("4 guests")
    await expect(row).to_contain_text("confirmed")


async def test_restaurant_pages_fit_a_phone_and_pass_axe(phone_page, arrange):
    data = await make_city_with_restaurants(arrange, "Yercaud")
    day = today_in() + timedelta(days=2)
    await phone_page.goto(f"/restaurants?city={data['city']['id']}&date={day.isoformat()}&time=20:00&party_size=2")
    await expect(phone_page.locator("li.result")).to_have_count(2)
    await assert_no_sideways_scroll(phone_page)
    await assert_accessible(phone_page)
    await phone_page.goto(f"/restaurants/{data['saffron']['id']}?date={day.isoformat()}&party_size=2")
    await expect(phone_page.locator('a[data-slot="18:00"]')).to_be_visible()
    await assert_no_sideways_scroll(phone_page)
    await assert_accessible(phone_page)
