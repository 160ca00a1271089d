"""check-inventory covers restaurant tables: it passes on honest bookings and names each kind of corruption."""

from __future__ import annotations

from datetime import time

from travelgo import db
from travelgo.bookings.integrity import check_inventory

from ..bookings.helpers import as_user
from ..inapp import service
from .helpers import restaurant_and_user, tomorrow


async def book(restaurant: dict, user: dict, party: int = 2, at: str = "20:00") -> dict:
    return await service.book_table(as_user(user), restaurant["id"], tomorrow(), time.fromisoformat(at), party, "Guest")


async def test_each_restaurant_invariant_is_checked():
    restaurant, user = await restaurant_and_user(tables=[2, 4])
    booking = await book(restaurant, user)
    assert await check_inventory() == []
    async with db.transaction() as cur:
        await cur.execute("DELETE FROM restaurant_table_slots WHERE booking_id = %s LIMIT 1", (booking["id"],))
    assert any(p.startswith("table slots differ from the booking's sitting") for p in await check_inventory())
    async with db.transaction() as cur:
        await cur.execute("UPDATE bookings SET status = 'cancelled' WHERE id = %s", (booking["id"],))
    assert any(p.startswith("table slot held by an inactive booking") for p in await check_inventory())
    async with db.transaction() as cur:
        await cur.execute("DELETE FROM restaurant_table_slots")
        await cur.execute("DELETE FROM booking_tables")
        await cur.execute("DELETE FROM bookings")
    booking = await book(restaurant, user, party=3)
    async with db.transaction() as cur:
        await cur.execute("UPDATE bookings SET guests = 9 WHERE id = %s", (booking["id"],))
        await cur.execute(
            "UPDATE restaurant_table_slots SET slot_at = slot_at + INTERVAL 1 DAY WHERE booking_id = %s ORDER BY slot_at DESC LIMIT 1",
            (booking["id"],),
        )
    problems = await check_inventory()
    assert any(p.startswith("party larger than its tables") for p in problems), problems
    assert any(p.startswith("table slot outside its booking's sitting") for p in problems), problems
