"""Train holds run out like bus holds: the sweeper releases every leg of the segment in one go per trip, the
counters follow, and a later booking of an overlapping segment gets the berth."""

from __future__ import annotations

from travelgo import db
from travelgo.bookings import engine
from travelgo.bookings.integrity import check_inventory

from .. import factories
from ..bookings.helpers import as_user, passengers, scalar
from ..inapp import service
from .helpers import train


async def test_expired_segment_holds_are_released_per_leg(app, many_holds):
    trip = await train(stops=5)
    async with db.transaction() as cur:
        user = await factories.make_user(cur)
    city = [c["id"] for c in trip["cities"]]
    first = await service.book_segment(as_user(user), trip["id"], city[0], city[2], ["A1-1", "A1-2"], passengers(2))
    second = await service.book_segment(as_user(user), trip["id"], city[1], city[4], ["A1-3"], passengers(1))
    kept = await service.book_segment(as_user(user), trip["id"], city[2], city[3], ["A1-1"], passengers(1))
    async with db.transaction() as cur:
        await cur.execute(
            "UPDATE bookings SET expires_at = UTC_TIMESTAMP(6) - INTERVAL 1 SECOND WHERE reference IN (%s, %s)",
            (first["reference"], second["reference"]),
        )
    assert await engine.expire_due_holds() == 2
    async with db.reading() as cur:
        await cur.execute(
            "SELECT leg_no, seats_booked FROM trip_legs WHERE trip_id = %s ORDER BY leg_no", (trip["id"],)
        )
        assert [r["seats_booked"] for r in await cur.fetchall()] == [0, 0, 1, 0]  # only the kept hold on leg 2
    assert await scalar("SELECT COUNT(*) FROM bookings WHERE status = 'expired'") == 2
    assert (await service.get_booking(user["id"], kept["reference"]))["status"] == "pending_payment"
    again = await service.book_segment(as_user(user), trip["id"], city[0], city[2], ["A1-1"], passengers(1))
    assert again["status"] == "pending_payment"
    assert await check_inventory() == []
