"""Journey 7: with JavaScript disabled, search and booking still work through full page loads."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.async_api import expect

from travelgo.dates import today_in

from .. import factories
from .helpers import pay_at_checkout
from .test_bus_journey import make_route
from .test_hotel_journey import make_city_with_hotels

pytestmark = pytest.mark.e2e


@pytest.fixture
async def nojs_page(new_context):
    context = await new_context(java_script_enabled=False)
    page = await context.new_page()
    requests = []
    page.on("request", lambda r: requests.append(r) if r.resource_type in ("xhr", "fetch", "eventsource") else None)
    page.script_requests = requests
    return page


async def log_in_without_js(page, email: str, password: str) -> None:
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill(password)
    await page.get_by_role("button", name="Log in").click()


async def test_bus_search_filter_seats_and_booking_without_javascript(nojs_page, arrange):
    page = nojs_page
    day = today_in() + timedelta(days=6)
    trips = await make_route(arrange, "Udupi", "Murudeshwar", day)
    async with arrange() as cur:
        user = await factories.make_user(cur)

    await page.goto("/")
    assert await page.evaluate("1 + 1") == 2  # Playwright's own evaluation still works; the page's scripts don't
    await page.goto("/buses")
    await page.get_by_label("From").fill("Udupi")
    await page.get_by_label("To", exact=True).fill("Murudeshwar")
    await page.get_by_label("Date").fill(day.isoformat())
    await page.get_by_role("button", name="Search buses").click()
    await expect(page.get_by_role("heading", name=re.compile(r"^3 buses from Udupi to Murudeshwar"))).to_be_visible()

    # Filters apply through the <noscript> button.
    await page.get_by_role("group", name="Bus type").get_by_label("Non-AC seater", exact=True).check()
    await page.get_by_role("button", name="Apply filters").click()
    await expect(page.get_by_role("heading", name=re.compile(r"^1 bus from Udupi"))).to_be_visible()
    await page.get_by_role("group", name="Bus type").get_by_label("Non-AC seater", exact=True).uncheck()
    await page.get_by_role("button", name="Apply filters").click()
    await expect(page.get_by_role("heading", name=re.compile(r"^3 buses"))).to_be_visible()

    await page.get_by_role("link", name="Select seats on Udupi Express at 08:00").click()
    seat_map = page.locator("#seat-map")
    await seat_map.get_by_role("button", name=re.compile(r"^Seat 6, ")).click()  # a plain GET form submit
    await expect(page).to_have_url(re.compile(r"toggle=6"))
    await expect(seat_map.get_by_role("button", name=re.compile(r"^Seat 6, .*selected"))).to_be_visible()
    await seat_map.get_by_role("link", name="Continue to book").click()

    await expect(page).to_have_url(re.compile(r"/login\?next="))
    await log_in_without_js(page, user["email"], user["password"])
    passenger = page.get_by_role("group", name="Seat 6")
    await passenger.get_by_label("Full name").fill("Ravi Shetty")
    await passenger.get_by_label("Age").fill("52")
    await page.get_by_role("button", name="Confirm and book 1 seat").click()
    reference = await pay_at_checkout(page)

    # Server-side validation without JS: the whole page comes back with the message beside the field.
    await page.goto(f"/buses/{trips['seater']['id']}/book?seats=9&passengers=1")
    await page.locator("#bus-booking-form").evaluate("f => f.noValidate = true")
    await page.get_by_role("button", name="Confirm and book 1 seat").click()
    await expect(page.get_by_role("group", name="Seat 9").get_by_label("Full name")).to_have_attribute(
        "aria-invalid", "true"
    )
    await expect(page.get_by_role("heading", level=1)).to_be_visible()  # a full page, not a bare fragment

    # Cancel also works as a plain form.
    await page.goto(f"/bookings/{reference}")
    await page.get_by_role("link", name="Cancel booking").click()
    await page.get_by_role("button", name=re.compile(r"^Yes, cancel and refund")).click()
    await expect(page.locator("#messages")).to_contain_text(f"Booking {reference} is cancelled.")
    assert page.script_requests == [], [r.url for r in page.script_requests]


async def test_hotel_search_and_booking_without_javascript(nojs_page, arrange):
    page = nojs_page
    data = await make_city_with_hotels(arrange, "Chikmagalur")
    check_in, check_out = today_in() + timedelta(days=10), today_in() + timedelta(days=11)
    await page.goto("/hotels")
    await page.get_by_label("City").fill("Chikmagalur")
    await page.get_by_label("Check-in").fill(check_in.isoformat())
    await page.get_by_label("Check-out").fill(check_out.isoformat())
    await page.get_by_role("button", name="Search hotels").click()
    await expect(page.get_by_role("heading", name=re.compile(r"^2 hotels in Chikmagalur"))).to_be_visible()
    await page.get_by_label("Stars", exact=True).select_option(label="4★ or more")
    await page.get_by_role("button", name="Apply filters").click()
    await expect(page.get_by_role("heading", name=re.compile(r"^1 hotel in Chikmagalur"))).to_be_visible()
    await page.get_by_role("link", name="See rooms at Chikmagalur Grand Palace").click()
    await page.get_by_role("link", name="Book Garden suite").click()
    await log_in_without_js(page, data["user"]["email"], data["user"]["password"])
    await expect(page.get_by_label("Room type")).to_have_value(re.compile(r"\d+"))
    await page.get_by_label("Lead guest's full name").fill("Lena Fischer")
    await page.get_by_role("button", name="Confirm and book").click()
    await pay_at_checkout(page)
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Hotel voucher")
    await expect(page.locator(".ticket")).to_contain_text("Garden suite")
    assert page.script_requests == [], [r.url for r in page.script_requests]


async def test_hotel_stay_edited_on_screen_is_priced_again_without_javascript(nojs_page, arrange):
    """Issue 14, item 7, with full page loads: Confirm after an edit re-prices; "Check price" is the same form."""
    page = nojs_page
    data = await make_city_with_hotels(arrange, "Somwarpet")
    check_in, check_out = today_in() + timedelta(days=15), today_in() + timedelta(days=16)
    await page.goto(
        f"/hotels/{data['grand']['id']}/book?room_type_id={data['deluxe']['id']}"
        f"&check_in={check_in}&check_out={check_out}&rooms=1&guests=2"
    )
    await log_in_without_js(page, data["user"]["email"], data["user"]["password"])
    total = page.locator("#booking tr.total")
    await expect(total).to_contain_text("€12,000")
    await page.get_by_label("Lead guest's full name").fill("Lena Fischer")
    await page.get_by_label("Room type").select_option(label="Garden suite (sleeps 2)")
    await page.get_by_role("button", name="Confirm and book").click()
    await expect(page.get_by_role("alert")).to_contain_text("You changed your stay")
    await expect(total).to_contain_text("€24,000")
    await page.get_by_label("Check-out").fill((check_out + timedelta(days=1)).isoformat())
    await page.get_by_role("button", name="Check price and availability").click()
    await expect(total).to_contain_text("€48,000")
    await expect(page.get_by_label("Lead guest's full name")).to_have_value("Lena Fischer")
    await page.get_by_role("button", name="Confirm and book").click()
    await pay_at_checkout(page)
    await expect(page.locator(".ticket")).to_contain_text("Garden suite")
    await expect(page.locator(".ticket")).to_contain_text("€48,000")
    assert page.script_requests == [], [r.url for r in page.script_requests]
