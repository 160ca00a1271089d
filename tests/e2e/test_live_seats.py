"""Live availability in a real browser: the trip page's seats-left and seat map follow other travellers'
bookings, and a seat this traveller chose that someone else books is deselected with a visible note."""

from __future__ import annotations

import asyncio
import re

import pytest
from playwright.async_api import expect

from travelgo.bookings import queries as booking_queries
from travelgo.bookings.kinds import publish_trip
from travelgo.dates import wall_now

from .. import factories
from ..live.helpers import book_seats
from .helpers import log_in

pytestmark = pytest.mark.e2e


async def open_trip_page(page, arrange):
    """A trip with 8 seats open in the browser, and another traveller to book against it."""
    async with arrange() as cur:
        trip = await factories.make_trip(cur, seats=8)
        other = await factories.make_user(cur)
    await page.goto(f"/buses/{trip['id']}?passengers=1")
    seats_left = page.locator(f"#seats-left-{trip['id']}")
    await expect(seats_left).to_have_text("8")
    return trip["id"], other, seats_left


async def test_trip_page_follows_bookings_and_drops_a_taken_choice(page, arrange):
    trip_id, other, seats_left = await open_trip_page(page, arrange)

    # Someone else books seat 1: the number and the map change without a reload.
    async with arrange() as cur:
        await book_seats(cur, trip_id, other["id"], ["1"])
    await expect(seats_left).to_have_text("7")
    seat_map = page.locator("#seat-map")
    await expect(seat_map.get_by_role("img", name=re.compile(r"^Seat 1, .*taken"))).to_be_visible()

    # This traveller chooses seat 5, then someone else books it first.
    await seat_map.get_by_role("button", name=re.compile(r"^Seat 5, ")).click()
    await expect(seat_map.get_by_role("button", name=re.compile(r"^Seat 5, .*selected"))).to_have_attribute(
        "aria-pressed", "true"
    )
    async with arrange() as cur:
        await book_seats(cur, trip_id, other["id"], ["5"])
    await expect(seats_left).to_have_text("6")
    await expect(seat_map.get_by_role("img", name=re.compile(r"^Seat 5, .*taken"))).to_be_visible()
    await expect(seat_map).to_contain_text("Seat 5 was just taken by someone else.")
    await expect(page.locator("#messages")).to_contain_text("Seat 5 was just booked by another traveller")
    await expect(seat_map.get_by_role("link", name="Continue to book")).to_have_count(0)


async def test_booking_form_warns_when_a_chosen_seat_is_taken_before_book(page, arrange):
    async with arrange() as cur:
        trip = await factories.make_trip(cur, seats=8)
        traveller = await factories.make_user(cur)
        other = await factories.make_user(cur)
    await log_in(page, traveller["email"], factories.PASSWORD)
    await page.goto(f"/buses/{trip['id']}/book?seats=5&seats=6")
    await expect(page.locator("#bus-booking-form")).to_be_visible()
    async with arrange() as cur:
        await book_seats(cur, trip["id"], other["id"], ["6"])
    await expect(page.locator("#messages")).to_contain_text("Seat 6 was just booked by another traveller")


async def test_a_map_drawn_before_a_booking_it_missed_fetches_itself_again(page, arrange):
    """The race behind a rare miss: the seat press's map is drawn, then a booking takes that seat and its event
    arrives while the map is still on its way (no map in the page to trigger). The badge takes the event; the
    stale map, once swapped in, sees the badge disagree and fetches itself again."""
    trip_id, other, seats_left = await open_trip_page(page, arrange)
    stale: asyncio.Future = asyncio.get_running_loop().create_future()
    release = asyncio.Event()

    async def hold_the_drawn_map(route):
        if stale.done():  # only the seat press's own map is held
            await route.continue_()
            return
        drawn = await route.fetch()  # the server draws the map now, before the booking below
        stale.set_result(True)
        await release.wait()
        await route.fulfill(response=drawn)

    await page.route(re.compile(rf"/buses/{trip_id}\?.*toggle=5"), hold_the_drawn_map)
    seat_map = page.locator("#seat-map")
    await seat_map.get_by_role("button", name=re.compile(r"^Seat 5, ")).click()
    await stale
    async with arrange() as cur:
        await book_seats(cur, trip_id, other["id"], ["5"])
    await expect(seats_left).to_have_text("7")  # the event has arrived while the press's map is held
    release.set()
    await expect(seat_map.get_by_role("img", name=re.compile(r"^Seat 5, .*taken"))).to_be_visible()
    await expect(page.locator("#messages")).to_contain_text("Seat 5 was just booked by another traveller")


async def test_booking_form_says_sold_out_when_the_last_seat_for_sale_goes(page, arrange):
    """Issue 14 item 10: when the bus's seats for sale run out, the chosen seats were not "booked by another
    traveller" (an admin may offer fewer seats than the vehicle has): the note says the bus is sold out."""
    async with arrange() as cur:
        trip = await factories.make_trip(cur, seats=8)
        traveller = await factories.make_user(cur)
        other = await factories.make_user(cur)
        await cur.execute("UPDATE trips SET seats_total = 1 WHERE id = %s", (trip["id"],))
    await log_in(page, traveller["email"], factories.PASSWORD)
    await page.goto(f"/buses/{trip['id']}/book?seats=5")
    await expect(page.locator("#bus-booking-form")).to_be_visible()
    async with arrange() as cur:  # the one seat for sale goes (not seat 5), announced as the engine announces it
        await book_seats(cur, trip["id"], other["id"], ["2"])
        row = await booking_queries.lock_trip(cur, trip["id"])
        await publish_trip(cur, row, row["seats_total"] - row["seats_booked"], ["2"])
    await expect(page.locator("#messages")).to_contain_text("This bus has no seats left for sale now")
    await expect(page.locator("#messages")).not_to_contain_text("booked by another traveller")


async def test_an_open_trip_page_closes_its_seat_map_when_the_bus_departs(page, arrange):
    """Issue 14 item 10: nothing is written when a bus leaves, so no event says so; the page still learns it."""
    from datetime import timedelta

    async with arrange() as cur:
        trip = await factories.make_trip(cur, seats=8, departs_at=wall_now() + timedelta(seconds=4))
    await page.goto(f"/buses/{trip['id']}?passengers=1")
    await page.evaluate("window.__sameDocument = true")
    seat_map = page.locator("#seat-map")
    await expect(seat_map.get_by_role("button", name=re.compile(r"^Seat 1, "))).to_be_visible()
    await expect(seat_map).to_contain_text("This bus has already departed.", timeout=12_000)
    assert await page.evaluate("window.__sameDocument === true"), "the page reloaded"
