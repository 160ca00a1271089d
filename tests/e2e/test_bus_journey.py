"""Journey 2: search, filter, sort, pick two seats, book, find it under upcoming bookings, cancel it."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

import pytest
from playwright.async_api import expect

from travelgo.dates import today_in

from .. import factories
from .helpers import htmx_settled, log_in, pay_at_checkout, search_buses

pytestmark = pytest.mark.e2e


async def make_route(arrange, origin: str, destination: str, day: date) -> dict:
    """Three buses on one route and day: an AC seater, an AC sleeper (dearer) and a cheap non-AC seater."""
    async with arrange() as cur:
        a = await factories.make_city(cur, origin)
        b = await factories.make_city(cur, destination)
        trips = {}
        for key, operator, rating, hour, price, berth, is_ac in [
            ("seater", f"{origin} Express", 3.9, time(8, 0), 90000, "seater", True),
            ("sleeper", f"{origin} Sleepers", 4.6, time(21, 30), 150000, "sleeper", True),
            ("budget", f"{origin} Budget Lines", 4.0, time(6, 30), 50000, "seater", False),
        ]:
            op = await factories.make_operator(cur, operator, rating=rating)
            trips[key] = await factories.make_trip(
                cur,
                origin=a,
                destination=b,
                operator=op,
                departs_at=datetime.combine(day, hour),
                price_minor=price,
                seats=20,
                berth=berth,
                is_ac=is_ac,
            )
    return trips


async def test_search_filter_sort_book_two_seats_then_cancel(page, arrange):
    day = today_in() + timedelta(days=3)
    trips = await make_route(arrange, "Hampi", "Gokarna", day)
    async with arrange() as cur:
        traveller = await factories.make_user(cur, full_name="Meera Rao")

    await page.goto("/")
    await page.get_by_role("navigation", name="Main").get_by_role("link", name="Buses").click()
    await search_buses(page, "Hampi", "Gokarna", day, passengers=2)
    results = page.get_by_role("list", name="Buses")
    await expect(page.get_by_role("heading", name=re.compile(r"^3 buses from Hampi to Gokarna"))).to_be_visible()
    await expect(results.get_by_role("listitem")).to_have_count(3)

    # Filter: AC buses only (the non-AC one disappears), without a full page load.
    await page.get_by_role("group", name="Bus type").get_by_label("AC seater", exact=True).check()
    await expect(page.get_by_role("heading", name=re.compile(r"^1 bus "))).to_be_visible()
    await htmx_settled(page)
    await page.get_by_role("group", name="Bus type").get_by_label("AC sleeper", exact=True).check()
    await expect(page.get_by_role("heading", name=re.compile(r"^2 buses"))).to_be_visible()
    await expect(results.get_by_role("listitem")).to_have_count(2)
    await expect(results).not_to_contain_text("Hampi Budget Lines")
    await htmx_settled(page)
    assert "bus_type=ac_seater" in page.url  # the filtered search has its own shareable URL

    # Sort: by operator rating the sleeper (4.6) leads; by price the seater (cheaper) does.
    titles = results.get_by_role("heading", level=3)
    await page.get_by_label("Sort by").select_option(label="Operator rating (best first)")
    await expect(titles.first).to_contain_text("Hampi Sleepers")
    await htmx_settled(page)
    await page.get_by_label("Sort by").select_option(label="Price (lowest first)")
    await expect(titles.first).to_contain_text("Hampi Express")
    await expect(titles.last).to_contain_text("Hampi Sleepers")
    assert "sort=price" in page.url

    # Open the AC seater and choose seats 1 and 2 on the seat map.
    await results.get_by_role("link", name="Select seats on Hampi Express at 08:00").click()
    await expect(page.get_by_role("heading", name="Hampi → Gokarna")).to_be_visible()
    seat_map = page.locator("#seat-map")
    await seat_map.get_by_role("button", name=re.compile(r"^Seat 1, .*free")).click()
    await expect(seat_map.get_by_role("button", name=re.compile(r"^Seat 1, .*selected"))).to_have_attribute(
        "aria-pressed", "true"
    )
    await expect(seat_map.get_by_role("status")).to_contain_text("1 of 2 chosen")
    await htmx_settled(page)
    await seat_map.get_by_role("button", name=re.compile(r"^Seat 2, .*free")).click()
    await expect(seat_map.get_by_role("status")).to_contain_text("Seats 1, 2")
    await expect(seat_map.get_by_role("status")).to_contain_text("2 of 2 chosen")

    # Continue: not logged in yet, so log in and come straight back to the booking form.
    await seat_map.get_by_role("link", name="Continue to book").click()
    await expect(page).to_have_url(re.compile(r"/login\?next="))
    await page.get_by_label("Email").fill(traveller["email"])
    await page.get_by_label("Password").fill(traveller["password"])
    await page.get_by_role("button", name="Log in").click()
    await expect(page.get_by_role("heading", name="Passengers")).to_be_visible()

    for seat, name, age in (("1", "Meera Rao", "34"), ("2", "Arjun Rao", "9")):
        passenger = page.get_by_role("group", name=f"Seat {seat}")
        await passenger.get_by_label("Full name").fill(name)
        await passenger.get_by_label("Age").fill(age)
    await expect(page.get_by_label("Email for the e-ticket")).to_have_value(traveller["email"])
    await page.get_by_role("button", name="Confirm and book 2 seats").click()

    reference = await pay_at_checkout(page)
    await expect(page.locator(".ticket-ref")).to_have_text(reference)
    await expect(page.get_by_role("table", name="Passengers and seats")).to_contain_text("Arjun Rao")

    # My bookings → Upcoming lists it.
    await page.get_by_role("navigation", name="Main").get_by_role("link", name="My bookings").click()
    await expect(page.get_by_role("link", name="Upcoming")).to_have_attribute("aria-current", "page")
    row = page.get_by_role("listitem").filter(has=page.get_by_role("link", name=reference))  # a booking card
    await expect(row).to_contain_text("Hampi → Gokarna")
    await expect(row).to_contain_text("2 seats")
    await expect(row).to_contain_text("confirmed")

    # Cancel: the refund is quoted, then confirmed; the seats are free again.
    await row.get_by_role("link", name=reference).click()
    await page.get_by_role("link", name="Cancel booking").click()
    await expect(page.get_by_role("status").filter(has_text="You will get back")).to_contain_text("€1,800 (100%)")
    await page.get_by_label("Reason").fill("Plans changed")
    await page.get_by_role("button", name=re.compile(r"^Yes, cancel and refund")).click()
    await expect(page.get_by_role("status").filter(has_text="is cancelled")).to_contain_text(
        f"Booking {reference} is cancelled. Refund: €1,800 (100%)."
    )
    await expect(page.locator(".ticket .badge-cancelled")).to_have_text("cancelled")
    await expect(page.locator(".ticket").get_by_role("status")).to_contain_text("Refund: €1,800")

    await page.goto("/bookings?tab=cancelled")
    await expect(page.get_by_role("link", name=reference)).to_be_visible()
    await page.goto("/bookings?tab=upcoming")
    await expect(page.get_by_role("link", name=reference)).to_have_count(0)

    await page.goto(f"/buses/{trips['seater']['id']}?passengers=2")
    seat_map = page.locator("#seat-map")
    for seat in ("1", "2"):
        await expect(seat_map.get_by_role("button", name=re.compile(rf"^Seat {seat}, .*free"))).to_be_enabled()
    await expect(page.locator(f"#seats-left-{trips['seater']['id']}")).to_have_text("20")


async def test_seat_map_keeps_keyboard_focus_after_each_choice(page, arrange):
    """A keyboard user picks seats with Enter/Space; after each htmx swap focus stays on the seat just toggled."""
    day = today_in() + timedelta(days=4)
    trips = await make_route(arrange, "Badami", "Bijapur", day)
    await page.goto(f"/buses/{trips['seater']['id']}?passengers=2")
    seat_map = page.locator("#seat-map")
    seat3 = seat_map.get_by_role("button", name=re.compile(r"^Seat 3, "))
    await seat3.focus()
    await page.keyboard.press("Enter")
    await expect(seat_map.get_by_role("button", name=re.compile(r"^Seat 3, .*selected"))).to_be_focused()
    await htmx_settled(page)
    await page.keyboard.press("Tab")
    await page.keyboard.press("Space")
    await expect(seat_map.get_by_role("button", name=re.compile(r"^Seat 4, .*selected"))).to_be_focused()
    await expect(seat_map.get_by_role("status")).to_contain_text("Seats 3, 4")


async def test_logged_in_traveller_sees_own_name_prefilled(page, arrange):
    """The first passenger defaults to nothing, the contact email to the account's email (checked above);
    a 422 from the server keeps what was typed and puts the message beside the field."""
    day = today_in() + timedelta(days=5)
    trips = await make_route(arrange, "Hassan", "Sakleshpur", day)
    async with arrange() as cur:
        traveller = await factories.make_user(cur)
    await log_in(page, traveller["email"], traveller["password"])
    await page.goto(f"/buses/{trips['seater']['id']}/book?seats=5&passengers=1")
    passenger = page.get_by_role("group", name="Seat 5")
    await passenger.get_by_label("Full name").fill("Kiran")
    await passenger.get_by_label("Age").fill("130")  # HTML5 max=120 stops it first
    await page.get_by_role("button", name="Confirm and book 1 seat").click()
    assert await passenger.get_by_label("Age").evaluate("e => e.validity.rangeOverflow")
    # Past the browser's check, the server says the same thing beside the field.
    await page.locator("#bus-booking-form").evaluate("f => f.noValidate = true")
    async with page.expect_response(lambda r: r.request.method == "POST") as info:
        await page.get_by_role("button", name="Confirm and book 1 seat").click()
    assert (await info.value).status == 422
    age = page.get_by_role("group", name="Seat 5").get_by_label("Age")
    await expect(age).to_have_attribute("aria-invalid", "true")
    await expect(age).to_be_focused()
    await expect(page.get_by_role("group", name="Seat 5").get_by_label("Full name")).to_have_value("Kiran")


async def test_seat_map_is_usable_on_a_375px_phone(phone_page, arrange):
    """Every seat is on screen (no sideways scrolling), big enough to tap, and tapping two seats works."""
    page = phone_page
    day = today_in() + timedelta(days=4)
    trips = await make_route(arrange, "Dandeli", "Yellapur", day)
    for kind in ("seater", "sleeper"):
        await page.goto(f"/buses/{trips[kind]['id']}?passengers=2")
        seats = page.locator("#seat-map").get_by_role("button", name=re.compile(r"^Seat "))
        assert await seats.count() == 20
        boxes = [await seats.nth(i).bounding_box() for i in range(await seats.count())]
        for box in boxes:
            assert box["x"] >= 0 and box["x"] + box["width"] <= 375, box
            assert box["width"] >= 32 and box["height"] >= 32, f"seat too small to tap: {box}"
        assert await page.evaluate("document.documentElement.scrollWidth") <= 375
    seat_map = page.locator("#seat-map")
    await seat_map.get_by_role("button", name=re.compile(r"^Seat 9, ")).tap()
    await expect(seat_map.get_by_role("status")).to_contain_text("1 of 2 chosen")
    await htmx_settled(page)
    await seat_map.get_by_role("button", name=re.compile(r"^Seat 10, ")).tap()
    await expect(seat_map.get_by_role("status")).to_contain_text("Seats 9, 10")
    continue_link = seat_map.get_by_role("link", name="Continue to book")
    await continue_link.scroll_into_view_if_needed()
    box = await continue_link.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 375 and box["height"] >= 40, box


async def test_a_fare_raised_between_review_and_confirm_is_shown_and_confirmed_again(page, arrange):
    """Issue 14, item 8: the review's total travels with Confirm; a new fare books nothing until confirmed."""
    day = today_in() + timedelta(days=7)
    trips = await make_route(arrange, "Arsikere", "Tiptur", day)
    async with arrange() as cur:
        traveller = await factories.make_user(cur)
    await log_in(page, traveller["email"], traveller["password"])
    await page.goto(f"/buses/{trips['budget']['id']}/book?seats=7&passengers=1")
    total = page.get_by_role("row", name="Total")
    await expect(total).to_contain_text("€500")
    passenger = page.get_by_role("group", name="Seat 7")
    await passenger.get_by_label("Full name").fill("Kiran Rao")
    await passenger.get_by_label("Age").fill("34")
    async with arrange() as cur:  # what the admin's fare change does
        await cur.execute("UPDATE trips SET price_minor = 99900 WHERE id = %s", (trips["budget"]["id"],))
    async with page.expect_response(lambda r: r.request.method == "POST") as info:
        await page.get_by_role("button", name="Confirm and book 1 seat").click()
    assert (await info.value).status == 409
    await expect(page.get_by_role("alert")).to_contain_text("The price has changed")
    await expect(total).to_contain_text("€999")
    await expect(page.get_by_role("group", name="Seat 7").get_by_label("Full name")).to_have_value("Kiran Rao")
    await page.get_by_role("button", name="Confirm and book 1 seat").click()
    await pay_at_checkout(page)
    await expect(page.locator(".ticket")).to_contain_text("€999")
