"""A transaction the engine retries (a deadlock, a Galera conflict) runs every step again on fresh reads: nothing a
failed attempt read may decide the next one (the hold's reads are queued, so this is worth a test of its own)."""

from __future__ import annotations

import json

import pymysql

from travelgo import db
from travelgo.bookings import engine
from travelgo.bookings.kinds import BusSeats

from ..conftest import TEST_URL
from .helpers import passengers, trip_and_user


async def test_a_retried_hold_reads_the_trip_again(app, monkeypatch):
    trip, user = await trip_and_user(seats=40)
    attempts = []
    real_consume = BusSeats.consume

    async def consume_deadlocking_once(self, cur):
        attempts.append(dict(self.trip))
        if len(attempts) == 1:
            raise pymysql.err.OperationalError(db.DEADLOCK, "Deadlock found when trying to get lock")
        return await real_consume(self, cur)

    def another_booking_meanwhile(attempt: int) -> float:
        # Between the attempts (the first one rolled back, its lock is gone) someone else takes a seat.
        conn = pymysql.connect(autocommit=True, **TEST_URL.connect_kwargs())
        with conn.cursor() as cur:
            cur.execute("UPDATE trips SET seats_booked = seats_booked + 1 WHERE id = %s", (trip["id"],))
        conn.close()
        return 0

    monkeypatch.setattr(BusSeats, "consume", consume_deadlocking_once)
    monkeypatch.setattr(db, "retry_pause", another_booking_meanwhile)
    new = engine.NewBooking(user["id"], BusSeats(trip["id"], ["3"], passengers(1)), user["email"], max_open_holds=5)
    made = await engine.create(new)

    assert made.created and [a["seats_booked"] for a in attempts] == [0, 1]
    async with db.reading() as cur:
        await cur.execute("SELECT seats_booked FROM trips WHERE id = %s", (trip["id"],))
        assert (await cur.fetchone())["seats_booked"] == 2
        await cur.execute(
            "SELECT payload FROM events WHERE topic = %s ORDER BY id DESC LIMIT 1", (f"trip:{trip['id']}",)
        )
        assert json.loads((await cur.fetchone())["payload"])["seats_left"] == 38
