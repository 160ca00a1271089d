"""Issue 22, the traveller's side, in a real Chromium: phone-first search pages (the first result in the first
screen, filters in a sheet, removable chips), city names people type (aliases with and without JavaScript),
Indian money, the e-ticket (QR code of the reference, a real PDF), and no script errors on any public page."""

from __future__ import annotations

import io
import re
from datetime import date, datetime, time, timedelta

import pytest
from playwright.async_api import expect

from travelgo.bookings.kinds import publish_hotel
from travelgo.dates import today_in
from travelgo.tickets.qr import qr_svg

from .. import factories
from ..live.helpers import book_seats
from . import harness
from .helpers import htmx_settled, log_in

pytestmark = pytest.mark.e2e

PHONE_SCREEN = {"width": 375, "height": 667}  # an iPhone SE: the first screen the issue measures
ASHA = "asha@travelgo.example"


async def seeded_city(cur, name: str) -> dict:
    await cur.execute("SELECT id, name, timezone FROM cities WHERE name = %s", (name,))
    return await cur.fetchone()


@pytest.fixture(scope="module")
async def ux(e2e_server):
    """Mumbai → Pune buses in rupees (₹250 and ₹1,80,000 fares) and a Pune hotel, on a day a few days ahead."""
    day = today_in() + timedelta(days=4)
    async with harness.cursor(e2e_server.database) as cur:
        mumbai, pune = await seeded_city(cur, "Mumbai"), await seeded_city(cur, "Pune")
        operator = await factories.make_operator(cur, "Sahyadri Express")
        trips = [
            await factories.make_trip(
                cur,
                origin=mumbai,
                destination=pune,
                operator=operator,
                departs_at=datetime.combine(day, time(hour)),
                price_minor=price,
                seats=seats,
                berth=berth,
            )
            for hour, price, seats, berth in ((5, 25000, 40, "seater"), (6, 18000000, 30, "sleeper"))
        ]
        hotel = await factories.make_hotel(cur, city=pune, name="Koregaon Courtyard", stars=4)
        room = await factories.make_room_type(cur, hotel["id"], name="Garden room", price_minor=18000000)
        ids = [t["id"] for t in trips]
        await cur.execute(f"UPDATE trips SET currency = 'INR' WHERE id IN ({ids[0]}, {ids[1]})")
        await cur.execute("UPDATE room_types SET currency = 'INR' WHERE id = %s", (room["id"],))
        other = await factories.make_user(cur)
    return {"day": day, "mumbai": mumbai, "pune": pune, "trips": trips, "hotel": hotel, "room": room, "other": other}


def stay(day: date) -> str:
    return f"check_in={day}&check_out={day + timedelta(days=1)}"


# --- phone first -------------------------------------------------------------------------------------------


async def first_result_fits(page, selector: str) -> None:
    first = page.locator(selector).first
    await expect(first).to_be_visible()
    box = await first.bounding_box()
    screen = page.viewport_size["height"]
    scrolled = await page.evaluate("window.scrollY")
    assert scrolled == 0 and box["y"] >= 0 and box["y"] + box["height"] <= screen, (
        f"first result at y={box['y']:.0f}..{box['y'] + box['height']:.0f}, screen {screen} px"
    )


async def test_phone_bus_results_come_first_with_filters_in_a_sheet_and_chips(new_context, ux):
    context = await new_context(viewport=PHONE_SCREEN, is_mobile=True, has_touch=True)
    page = await context.new_page()
    await page.goto(
        f"/buses?origin=Mumbai&destination=Pune&date={ux['day']}&bus_type=ac_seater&departure=early_morning"
    )
    await first_result_fits(page, "ol.results > li")

    # the filters are one line until opened; the active ones show as chips
    sheet = page.locator("#bus-filter-sheet")
    await expect(sheet.get_by_role("checkbox", name="AC seater", exact=True)).to_be_hidden()
    chips = page.get_by_role("list", name="Active filters")
    await expect(chips.get_by_role("link")).to_have_text(
        [re.compile(r"Early morning"), re.compile(r"AC seater"), "Clear all filters"]
    )
    await sheet.locator("summary").click()
    await expect(sheet.get_by_role("checkbox", name="AC seater", exact=True)).to_be_checked()

    # a chip is a link to the same search without that one filter
    await chips.get_by_role("link", name=re.compile("AC seater")).click()
    await expect(page).not_to_have_url(re.compile("bus_type"))
    await expect(page).to_have_url(re.compile("departure=early_morning"))
    await expect(page.get_by_role("list", name="Active filters").get_by_role("link")).to_have_text(
        [re.compile("Early morning")]
    )


async def test_phone_hotel_results_come_first(new_context, ux):
    context = await new_context(viewport=PHONE_SCREEN, is_mobile=True, has_touch=True)
    page = await context.new_page()
    await page.goto(f"/hotels?city=Pune&{stay(ux['day'])}&min_stars=4")
    await first_result_fits(page, "ol.results > li")
    await expect(page.get_by_role("list", name="Active filters")).to_contain_text("4★ or more")


async def test_phone_travel_and_restaurant_results_come_first(new_context, ux, arrange):
    context = await new_context(viewport=PHONE_SCREEN, is_mobile=True, has_touch=True)
    page = await context.new_page()
    for path in ("/travel", "/trains"):
        await page.goto(f"{path}?origin=Mumbai&destination=Pune&date={ux['day']}")
        if path == "/travel":
            await first_result_fits(page, "ol.result-list > li")
            await page.get_by_label("Sort by").select_option("price")  # beside the heading; htmx swaps the results
            await expect(page).to_have_url(re.compile("sort=price"))
            await htmx_settled(page)
            fares = [int(re.sub(r"\D", "", f)) for f in await page.locator("ol.result-list .price").all_inner_texts()]
            assert fares == sorted(fares) and len(fares) > 1, fares
            await first_result_fits(page, "ol.result-list > li")
        # the search is one line naming it; "Change" opens the form in place
        sheet = page.locator("#travel-search-sheet")
        await expect(sheet.locator("summary")).to_contain_text("Mumbai → Pune")
        await expect(page.get_by_label("From", exact=True)).to_be_hidden()
    await sheet.locator("summary").click()
    await expect(page.get_by_label("From", exact=True)).to_have_value("Mumbai")

    async with arrange() as cur:
        for name, cuisine in (("Vaishali Garden", "Udupi"), ("Malaka Spice", "Pan-Asian")):
            await factories.make_restaurant(cur, city=ux["pune"], name=name, cuisine=cuisine, rating=4.9)
    await page.goto(f"/restaurants?city=Pune&date={ux['day']}&time=20:00&party_size=2&cuisine=Udupi")
    await first_result_fits(page, "ol.results > li")
    await expect(page.locator("ol.results > li").first).to_contain_text("Vaishali Garden")
    await expect(page.get_by_label("City")).to_be_hidden()
    await page.get_by_role("list", name="Active filters").get_by_role("link", name=re.compile("Udupi")).click()
    await expect(page).not_to_have_url(re.compile("cuisine"))
    await expect(page.locator("ol.results")).to_contain_text("Malaka Spice")
    await first_result_fits(page, "ol.results > li")


async def test_filter_sheet_and_chips_work_without_javascript(new_context, ux):
    context = await new_context(viewport=PHONE_SCREEN, java_script_enabled=False)
    page = await context.new_page()
    await page.goto(f"/buses?origin=Mumbai&destination=Pune&date={ux['day']}")
    sheet = page.locator("#bus-filter-sheet")
    await sheet.locator("summary").click()  # <details> opens without a script
    await sheet.get_by_role("checkbox", name="AC sleeper", exact=True).check()
    await sheet.get_by_role("button", name="Apply filters").click()
    await expect(page).to_have_url(re.compile("bus_type=ac_sleeper"))
    seater, sleeper = (page.locator(f"#trip-{t['id']}") for t in ux["trips"])
    await expect(sleeper).to_have_count(1)
    await expect(seater).to_have_count(0)
    await page.get_by_role("list", name="Active filters").get_by_role("link", name=re.compile("AC sleeper")).click()
    await expect(page).not_to_have_url(re.compile("bus_type"))
    await expect(seater).to_have_count(1)


async def test_seat_summary_stays_in_view_while_choosing(new_context, ux):
    context = await new_context(viewport=PHONE_SCREEN, is_mobile=True, has_touch=True)
    page = await context.new_page()
    await page.goto(f"/buses/{ux['trips'][0]['id']}?passengers=1")
    seat_map = page.locator("#seat-map")
    await seat_map.get_by_role("button", name=re.compile(r"^Seat 37, ")).click()
    await expect(seat_map.get_by_role("link", name="Continue to book")).to_be_attached()
    # back up to the front of the bus: the summary and Continue stay at the bottom of the screen
    await seat_map.get_by_role("button", name=re.compile(r"^Seat 1, ")).scroll_into_view_if_needed()
    summary = await page.locator(".seat-summary").bounding_box()
    assert summary["y"] + summary["height"] <= PHONE_SCREEN["height"] + 1, summary
    await expect(seat_map.get_by_role("link", name="Continue to book")).to_be_in_viewport()


async def test_my_bookings_are_cards_with_status_and_total_on_a_phone(new_context):
    context = await new_context(viewport=PHONE_SCREEN, is_mobile=True, has_touch=True)
    page = await context.new_page()
    await log_in(page, ASHA)
    await page.goto("/bookings?tab=upcoming")
    cards = page.locator(".booking-card")
    await expect(cards.first).to_be_visible()
    await expect(cards.first.locator(".booking-card-total")).to_be_in_viewport()
    for card in (await cards.all())[:3]:
        for part in (card.locator(".booking-card-foot .badge"), card.locator(".booking-card-total")):
            box = await part.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE_SCREEN["width"], box
    # sorted by travel date, soonest first
    whens = await page.locator(".booking-card-when").all_inner_texts()
    days = [datetime.strptime(re.search(r"\w{3} \d{2} \w{3} \d{4}", w).group(0), "%a %d %b %Y") for w in whens]
    assert days == sorted(days) and days


# --- city names people type --------------------------------------------------------------------------------


async def test_old_names_resolve_without_javascript(new_context, ux):
    context = await new_context(java_script_enabled=False)
    page = await context.new_page()
    await page.goto("/buses")
    await page.get_by_label("From").fill("bombay")
    await page.get_by_label("To", exact=True).fill("POONA")
    await page.get_by_label("Date").fill(ux["day"].isoformat())
    await page.get_by_role("button", name="Search buses").click()
    await expect(page.get_by_role("heading", name=re.compile("from Mumbai to Pune"))).to_be_visible()
    await expect(page.get_by_role("combobox", name="From")).to_have_value("Mumbai")

    # an unknown name: a message beside its field with the closest names
    await page.goto(f"/hotels?city=Bangalor&{stay(ux['day'])}")
    error = page.locator("#e-city")
    await expect(error).to_have_text(re.compile(r"We don't know a city called “Bangalor”\. Did you mean Bengaluru"))
    await expect(page.get_by_role("combobox", name="City")).to_have_attribute("aria-describedby", "e-city")

    # accents and case do not matter; Goa is the region's city
    await page.goto(f"/hotels?city=PUNÉ&{stay(ux['day'])}")
    await expect(page.get_by_role("heading", name=re.compile("in Pune"))).to_be_visible()
    await page.goto(f"/hotels?city=goa&{stay(ux['day'])}")
    await expect(page.get_by_role("heading", name=re.compile("in Panaji"))).to_be_visible()


async def test_type_ahead_offers_cities_by_their_old_names(page, ux):
    await page.goto("/buses")
    origin = page.get_by_label("From")
    await origin.press_sequentially("Bangal")
    suggestion = page.locator("#origin-suggestions").get_by_role("button", name=re.compile("Bengaluru"))
    await expect(suggestion).to_contain_text("Bangalore")
    await suggestion.click()

    # straight on to the destination, on the same page, while the picked From comes back: the keys stay in To (the
    # picker once came back with `autofocus`, and htmx's settle step, ~20 ms after the swap, took focus back to From)
    destination = page.get_by_label("To", exact=True)
    await destination.press_sequentially("madras")
    await expect(origin).to_have_value("Bengaluru")
    await page.locator("#destination-suggestions").get_by_role("button", name=re.compile("Chennai")).click()
    await expect(destination).to_have_value("Chennai")
    await expect(destination).to_be_focused()  # focus comes back to the field whose suggestion was clicked
    await expect(origin).to_have_value("Bengaluru")

    await origin.fill("")
    await origin.press_sequentially("Chenai")
    await expect(page.locator("#origin-suggestions")).to_contain_text("Did you mean Chennai?")


# --- money -------------------------------------------------------------------------------------------------


async def test_rupees_are_written_the_indian_way(page, ux):
    await page.goto(f"/buses?origin={ux['mumbai']['id']}&destination={ux['pune']['id']}&date={ux['day']}")
    for trip, fare in zip(ux["trips"], ("₹250", "₹1,80,000"), strict=True):
        await expect(page.locator(f"#trip-{trip['id']} .price")).to_have_text(fare)
    await page.goto(f"/hotels/{ux['hotel']['id']}?{stay(ux['day'])}&guests=2")
    await expect(page.locator("main")).to_contain_text("₹1,80,000")
    assert "₹1,80,000.00" not in await page.content() and "₹180,000" not in await page.content()


# --- the e-ticket ------------------------------------------------------------------------------------------


async def confirmed_booking(page) -> str:
    await page.goto("/bookings?tab=upcoming")
    card = page.locator(".booking-card").filter(has=page.locator(".badge-confirmed")).first
    return (await card.locator(".booking-card-ref").inner_text()).strip()


async def test_ticket_leads_with_reference_and_qr_then_print_and_pdf(new_context):
    context = await new_context(accept_downloads=True)
    page = await context.new_page()
    await log_in(page, ASHA)
    reference = await confirmed_booking(page)
    await page.goto(f"/bookings/{reference}")
    ticket = page.locator(".ticket")
    await expect(ticket.locator(".ticket-ref")).to_have_text(reference)

    # the QR code is the reference itself: the same modules segno draws for it
    qr = ticket.get_by_role("img", name=f"QR code of booking {reference}")
    await expect(qr).to_be_visible()
    drawn = await qr.locator("path").get_attribute("d")
    assert drawn == re.search(r' d="([^"]+)"', str(qr_svg(reference))).group(1)

    # Print (a script button) and Download PDF come before Cancel, which is quiet
    await expect(page.get_by_role("button", name="Print")).to_be_visible()
    order = await page.evaluate(
        """() => ['.ticket-ref', '.ticket-qr', '.ticket-actions', '.actions']
            .map(s => document.querySelector(s)).map(e => e ? e.getBoundingClientRect().top : null)"""
    )
    assert order[0] < order[2] and (order[3] is None or order[2] < order[3]), order

    async with page.expect_download() as download_info:
        await page.get_by_role("link", name="Download PDF").click()
    download = await download_info.value
    assert download.suggested_filename == f"travelgo-{reference}.pdf"
    data = (await download.path()).read_bytes()
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    from pypdf import PdfReader

    text = PdfReader(io.BytesIO(data)).pages[0].extract_text()
    assert reference in text and "₹" in text

    # another traveller's reference is not found
    stranger = await (await new_context()).new_page()
    response = await stranger.request.get(f"/bookings/{reference}/ticket.pdf", max_redirects=0)
    assert response.status in (302, 303, 401, 404)


async def test_a_cancelled_booking_is_titled_cancelled(new_context):
    context = await new_context()
    page = await context.new_page()
    await log_in(page, ASHA)
    await page.goto("/bookings?tab=cancelled")
    cards = page.locator(".booking-card-ref")
    if await cards.count() == 0:
        pytest.fail("the seeded traveller has no cancelled booking to look at")
    reference = (await cards.first.inner_text()).strip()
    await page.goto(f"/bookings/{reference}")
    await expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Cancelled booking: "))
    await expect(page).to_have_title(re.compile(rf"^Cancelled booking {reference}"))
    await expect(page.get_by_role("img", name=re.compile("QR code"))).to_have_count(0)


# --- no script errors, a description, unique ids -----------------------------------------------------------

PUBLIC_PAGES = [
    "/",
    "/buses",
    "/hotels",
    "/login",
    "/register",
    "/password/forgot",
    "/docs",
]


def watch_errors(page) -> list[str]:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(f"pageerror: {error}"))
    page.on("console", lambda m: errors.append(f"console.{m.type}: {m.text}") if m.type == "error" else None)
    return errors


async def assert_page_basics(page) -> None:
    description = await page.locator('meta[name="description"]').get_attribute("content")
    assert description and len(description) > 40, (page.url, description)
    duplicates = await page.evaluate(
        """() => { const seen = {}; const dup = [];
            document.querySelectorAll('[id]').forEach(e => { if (seen[e.id]) dup.push(e.id); seen[e.id] = 1; });
            return dup; }"""
    )
    assert not duplicates, (page.url, duplicates)


async def test_public_pages_have_no_script_errors_a_description_and_unique_ids(page, ux, arrange):
    page.set_default_timeout(15_000)  # the API docs page runs Swagger UI's large bundle: slow on a busy machine
    errors = watch_errors(page)
    day = ux["day"]
    trip = ux["trips"][0]["id"]
    pages = PUBLIC_PAGES + [
        f"/buses?origin=Mumbai&destination=Pune&date={day}",
        f"/buses/{trip}?passengers=2",
        f"/hotels?city=Pune&{stay(day)}",
        f"/hotels/{ux['hotel']['id']}?{stay(day)}",
    ]
    for path in pages:
        await page.goto(path)
        await page.wait_for_load_state("networkidle") if path == "/docs" else None
        await assert_page_basics(page)

    # live updates on the results page, the trip page and the hotel page run without a script error
    await page.goto(f"/buses?origin=Mumbai&destination=Pune&date={day}")
    await page.wait_for_timeout(300)  # the event stream connects
    async with arrange() as cur:
        await book_seats(cur, trip, ux["other"]["id"], ["2"])
    await expect(page.locator(f"#seats-left-{trip}")).to_have_text(re.compile(r"\b39\b"))

    await page.goto(f"/buses/{trip}?passengers=1")
    await page.locator("#seat-map").get_by_role("button", name=re.compile(r"^Seat 3, ")).click()
    async with arrange() as cur:
        await book_seats(cur, trip, ux["other"]["id"], ["3"])
    await expect(page.locator("#seat-map").get_by_role("img", name=re.compile(r"^Seat 3, .*taken"))).to_be_visible()

    room = ux["room"]
    await page.goto(f"/hotels/{ux['hotel']['id']}?{stay(day)}")
    badge = page.locator(f"#rooms-left-{room['id']}")
    await expect(badge).to_be_visible()
    await page.wait_for_timeout(300)
    async with arrange() as cur:
        await publish_hotel(
            cur,
            {"id": room["id"], "hotel_id": ux["hotel"]["id"], "city_id": ux["pune"]["id"]},
            {day: 1},
        )
    await expect(badge).to_have_text("1 room left")

    # a JavaScript-enhanced form round trip: an invalid search comes back as a fragment
    await page.goto("/buses")
    await page.get_by_label("From").fill("Atlantis")
    await page.get_by_role("button", name="Search buses").click()
    await expect(page.locator("#e-origin")).to_be_visible()
    await assert_page_basics(page)
    # Chromium logs every 4xx answer as "Failed to load resource"; a form's 422 is the app working as designed
    script_errors = [e for e in errors if "the server responded with a status of 422" not in e]
    assert not script_errors, "\n".join(script_errors)
