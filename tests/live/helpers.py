"""Arrange inventory changes the way the booking engine does: change rows and publish in one transaction."""

from __future__ import annotations

import asyncio
import time

from travelgo import db, events
from travelgo.text import natural_key

from .. import factories


async def trip_state(cur, trip_id: int) -> dict:
    """The trip's availability computed straight from trips/booking_seats."""
    await cur.execute(
        "SELECT CAST(seats_total AS SIGNED) - CAST(seats_booked AS SIGNED) AS left_ FROM trips WHERE id = %s",
        (trip_id,),
    )
    seats_left = int((await cur.fetchone())["left_"])
    await cur.execute(
        "SELECT seat_label FROM booking_seats WHERE trip_id = %s AND held = 1 ORDER BY seat_label", (trip_id,)
    )
    labels = sorted((row["seat_label"] for row in await cur.fetchall()), key=natural_key)
    return {"trip_id": trip_id, "seats_left": seats_left, "unavailable_seats": labels}


async def last_event_id(cur) -> int:
    await cur.execute("SELECT LAST_INSERT_ID() AS id")
    return int((await cur.fetchone())["id"])


async def book_seats(cur, trip_id: int, user_id: int, labels: list[str]) -> int:
    """Hold seats on a trip and publish the new availability; returns the event id."""
    await cur.execute("SELECT id FROM trips WHERE id = %s FOR UPDATE", (trip_id,))
    await cur.execute(
        """INSERT INTO bookings (reference, user_id, type, total_minor, currency, contact_email, trip_id, starts_at, ends_at)
           VALUES (%s, %s, 'bus', 1000, 'EUR', 'x@example.com', %s, NOW(), NOW() + INTERVAL 3 HOUR)""",
        (f"TG-{factories._seq.__next__():06d}", user_id, trip_id),
    )
    booking_id = cur.lastrowid
    await cur.executemany(
        "INSERT INTO booking_seats (booking_id, trip_id, seat_label, passenger_name, passenger_age, price_minor)"
        " VALUES (%s, %s, %s, 'P', 30, 1000)",
        [(booking_id, trip_id, label) for label in labels],
    )
    await cur.execute("UPDATE trips SET seats_booked = seats_booked + %s WHERE id = %s", (len(labels), trip_id))
    await events.publish(cur, f"trip:{trip_id}", "availability", await trip_state(cur, trip_id))
    return await last_event_id(cur)


async def publish_trip(trip_id: int, seats_left: int, labels: list[str] | None = None) -> int:
    """Commit one trip availability event (payload as the booking engine writes it); returns its id."""
    async with db.transaction() as cur:
        payload = {"trip_id": trip_id, "seats_left": seats_left, "unavailable_seats": labels or []}
        await events.publish(cur, f"trip:{trip_id}", "availability", payload)
        return await last_event_id(cur)


async def make_trip(**kw) -> dict:
    async with db.transaction() as cur:
        return await factories.make_trip(cur, **kw)


async def wait_until(predicate, timeout: float = 5.0, what: str = "condition") -> None:
    """Poll a condition (not a sleep-as-assertion: fails loudly if it never holds)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.01)
