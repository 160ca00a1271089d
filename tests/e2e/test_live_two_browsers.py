"""Journey 4: two browsers on one trip; a booking in one shows the seat taken in the other within two seconds."""

from __future__ import annotations

import re
import time
from datetime import datetime, timedelta

import pytest
from playwright.async_api import expect

from travelgo.dates import today_in

from .. import factories
from .helpers import htmx_settled, log_in

pytestmark = pytest.mark.e2e


async def test_booking_in_one_browser_turns_the_seat_taken_in_the_other(new_context, arrange):
    day = today_in() + timedelta(days=2)
    async with arrange() as cur:
        trip = await factories.make_trip(
            cur,
            origin=await factories.make_city(cur, "Sirsi"),
            destination=await factories.make_city(cur, "Karwar"),
            departs_at=datetime.combine(day, datetime.min.time()).replace(hour=14),
            seats=12,
        )
        booker = await factories.make_user(cur, full_name="Nisha Kulkarni")
    trip_url = f"/buses/{trip['id']}?passengers=1"

    watcher = await (await new_context()).new_page()
    script_errors = []
    watcher.on("pageerror", lambda error: script_errors.append(str(error)))
    await watcher.goto(trip_url)
    watcher_map = watcher.locator("#seat-map")
    await expect(watcher_map.get_by_role("button", name=re.compile(r"^Seat 7, .*free"))).to_be_visible()
    # The watcher has chosen seat 7 too, but has not booked it.
    await watcher_map.get_by_role("button", name=re.compile(r"^Seat 7, ")).click()
    await expect(watcher_map.get_by_role("button", name=re.compile(r"^Seat 7, .*selected"))).to_be_visible()
    await htmx_settled(watcher)
    await watcher.evaluate("window.__sameDocument = true")  # gone if the page reloads

    buyer = await (await new_context()).new_page()
    await log_in(buyer, booker["email"], booker["password"])
    await buyer.goto(trip_url)
    await buyer.locator("#seat-map").get_by_role("button", name=re.compile(r"^Seat 7, ")).click()
    await buyer.locator("#seat-map").get_by_role("link", name="Continue to book").click()
    await buyer.get_by_role("group", name="Seat 7").get_by_label("Full name").fill("Nisha Kulkarni")
    await buyer.get_by_role("group", name="Seat 7").get_by_label("Age").fill("41")
    async with buyer.expect_response(lambda r: r.request.method == "POST" and "/book" in r.url) as booked:
        await buyer.get_by_role("button", name="Confirm and book 1 seat").click()
    assert (await booked.value).ok
    confirmed_at = time.monotonic()

    # Within two seconds, with no reload: seat 7 is taken, the count drops, and the loss is announced.
    taken = watcher_map.get_by_role("img", name=re.compile(r"^Seat 7, .*taken"))
    await expect(taken).to_be_visible(timeout=2_000)
    elapsed = time.monotonic() - confirmed_at
    assert elapsed < 2.0, f"seat 7 turned taken after {elapsed:.2f}s"
    await expect(watcher.locator(f"#seats-left-{trip['id']}")).to_have_text("11")
    assert script_errors == []  # live updates swapped in without a script error (app.js once threw on each)
    await expect(watcher.locator("#messages")).to_contain_text("Seat 7")
    assert await watcher.get_by_role("status").filter(has_text="Seat 7").count() >= 1  # announced via a live region
    assert await watcher.evaluate("window.__sameDocument === true"), "the watcher's page reloaded"
    await expect(watcher_map.get_by_role("link", name="Continue to book")).to_have_count(0)

    await expect(buyer).to_have_url(re.compile(r"/checkout/TG-[A-Z0-9]{6}$"))  # held: the seat is taken at once
