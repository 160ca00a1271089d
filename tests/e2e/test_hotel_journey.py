"""Journey 3: search hotels for dates, filter by stars, open a hotel, book a room type, see it in My bookings."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.async_api import expect

from travelgo.dates import today_in

from .. import factories
from .helpers import htmx_settled, log_in, pay_at_checkout, search_hotels

pytestmark = pytest.mark.e2e


async def make_city_with_hotels(arrange, city_name: str) -> dict:
    async with arrange() as cur:
        city = await factories.make_city(cur, city_name)
        grand = await factories.make_hotel(cur, city=city, name=f"{city_name} Grand Palace", stars=5, rating=9.1)
        deluxe = await factories.make_room_type(cur, grand["id"], name="Deluxe king room", price_minor=1200000)
        await factories.make_room_type(cur, grand["id"], name="Garden suite", price_minor=2400000, rooms=2)
        inn = await factories.make_hotel(cur, city=city, name=f"{city_name} Budget Inn", stars=2, rating=7.2)
        await factories.make_room_type(cur, inn["id"], name="Twin room", price_minor=300000)
        user = await factories.make_user(cur, full_name="Lena Fischer")
    return {"city": city, "grand": grand, "deluxe": deluxe, "inn": inn, "user": user}


async def test_search_filter_by_stars_book_a_room_and_see_it(page, arrange):
    data = await make_city_with_hotels(arrange, "Madikeri")
    check_in, check_out = today_in() + timedelta(days=6), today_in() + timedelta(days=8)

    await page.goto("/")
    await page.get_by_role("navigation", name="Main").get_by_role("link", name="Hotels").click()
    await search_hotels(page, "Madikeri", check_in, check_out)
    results = page.get_by_role("list", name="Hotels")
    await expect(page.get_by_role("heading", name=re.compile(r"^2 hotels in Madikeri"))).to_be_visible()
    await expect(page.get_by_role("heading", name=re.compile(r"\(2 nights\)"))).to_be_visible()
    await expect(results.get_by_role("listitem")).to_have_count(2)

    await page.get_by_label("Stars", exact=True).select_option(label="4★ or more")
    await expect(page.get_by_role("heading", name=re.compile(r"^1 hotel in Madikeri"))).to_be_visible()
    await expect(results).not_to_contain_text("Madikeri Budget Inn")
    await htmx_settled(page)
    assert "min_stars=4" in page.url

    await results.get_by_role("link", name="See rooms at Madikeri Grand Palace").click()
    await expect(page.get_by_role("heading", level=1, name=re.compile("Madikeri Grand Palace"))).to_be_visible()
    await expect(page.get_by_label("5 stars").first).to_be_visible()
    room = page.locator(f"#room-type-{data['deluxe']['id']}")
    await expect(room).to_contain_text("€24,000 for 2 nights")
    await room.get_by_role("link", name="Book Deluxe king room").click()

    # Logging in on the way keeps the chosen room and dates.
    await expect(page).to_have_url(re.compile(r"/login\?next="))
    await page.get_by_label("Email").fill(data["user"]["email"])
    await page.get_by_label("Password").fill(data["user"]["password"])
    await page.get_by_role("button", name="Log in").click()
    await expect(page.get_by_role("heading", name="Your stay")).to_be_visible()
    await expect(page.get_by_label("Room type")).to_have_value(str(data["deluxe"]["id"]))
    await expect(page.get_by_role("row", name=re.compile(r"2 nights × 1 room"))).to_contain_text("€24,000")

    await page.get_by_label("Lead guest's full name").fill("Lena Fischer")
    await expect(page.get_by_label("Email for the voucher")).to_have_value(data["user"]["email"])
    await page.get_by_role("button", name="Confirm and book").click()
    reference = await pay_at_checkout(page)
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Hotel voucher")
    await expect(page.get_by_role("table", name="Nights and prices").get_by_role("row")).to_have_count(3)

    await page.get_by_role("navigation", name="Main").get_by_role("link", name="My bookings").click()
    row = page.get_by_role("listitem").filter(has=page.get_by_role("link", name=reference))  # a booking card
    await expect(row).to_contain_text("Madikeri Grand Palace")
    await expect(row).to_contain_text("1 room, 2 guests")
    await expect(row).to_contain_text("€24,000")

    # The room-nights are taken: the hotel page shows one room fewer for those nights.
    await page.goto(f"/hotels/{data['grand']['id']}?check_in={check_in}&check_out={check_out}")
    await expect(page.locator(f"#room-type-{data['deluxe']['id']}")).to_contain_text("4 rooms left")


async def test_the_stay_booked_is_the_stay_on_screen_at_the_price_on_screen(page, arrange):
    """Issue 14, items 7 and 8: an edited stay or a changed price is priced again; Confirm books only what is shown."""
    data = await make_city_with_hotels(arrange, "Kushalnagar")
    check_in, check_out = today_in() + timedelta(days=12), today_in() + timedelta(days=14)
    await log_in(page, data["user"]["email"], data["user"]["password"])
    await page.goto(
        f"/hotels/{data['grand']['id']}/book?room_type_id={data['deluxe']['id']}"
        f"&check_in={check_in}&check_out={check_out}&rooms=1&guests=2"
    )
    total = page.locator("#booking tr.total")
    await expect(total).to_contain_text("€24,000")
    await page.get_by_label("Lead guest's full name").fill("Lena Fischer")

    # Another room type chosen on screen, "Check price" skipped: nothing is booked, the suite is priced.
    await page.get_by_label("Room type").select_option(label="Garden suite (sleeps 2)")
    await page.get_by_role("button", name="Confirm and book").click()
    await expect(page.get_by_role("alert")).to_contain_text("You changed your stay")
    await expect(total).to_contain_text("€48,000")

    # One more night, priced with "Check price" (htmx sends the pressed button).
    await page.get_by_label("Check-out").fill((check_out + timedelta(days=1)).isoformat())
    await page.get_by_role("button", name="Check price and availability").click()
    await expect(total).to_contain_text("3 nights")
    await expect(total).to_contain_text("€72,000")
    await expect(page.get_by_role("alert")).to_have_count(0)

    # An admin raises the price before Confirm: refused with the new total, then confirmed at it.
    async with arrange() as cur:
        await cur.execute(
            "UPDATE room_inventory ri JOIN room_types rt ON rt.id = ri.room_type_id "
            "SET ri.price_minor = 2500000 WHERE rt.hotel_id = %s AND rt.name = 'Garden suite'",
            (data["grand"]["id"],),
        )
    await page.get_by_role("button", name="Confirm and book").click()
    await expect(page.get_by_role("alert")).to_contain_text("The price has changed")
    await expect(total).to_contain_text("€75,000")
    await expect(page.get_by_label("Lead guest's full name")).to_have_value("Lena Fischer")
    await page.get_by_role("button", name="Confirm and book").click()
    await pay_at_checkout(page)
    ticket = page.locator(".ticket")
    await expect(ticket).to_contain_text("Garden suite")
    await expect(ticket).to_contain_text("€75,000")
