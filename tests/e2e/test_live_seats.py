"""Live availability in a real browser: the trip page's seats-left and seat map follow other travellers'
bookings, and a seat this traveller chose that someone else books is deselected with a visible note."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import expect

from .. import factories
from ..live.helpers import book_seats
from .helpers import log_in

pytestmark = pytest.mark.e2e


async def test_trip_page_follows_bookings_and_drops_a_taken_choice(page, arrange):
    async with arrange() as cur:
        trip = await factories.make_trip(cur, seats=8)
        other = await factories.make_user(cur)
    trip_id = trip["id"]
    await page.goto(f"/buses/{trip_id}?passengers=1")
    seats_left = page.locator(f"#seats-left-{trip_id}")
    await expect(seats_left).to_have_text("8")

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
