"""Live availability per segment: a stream watching stops a -> b hears of every booking that shares a leg with it,
with that segment's seats, and nothing of bookings of disjoint segments."""

from __future__ import annotations

from travelgo import db

from .. import factories
from ..bookings.helpers import as_user, passengers
from ..inapp import service
from ..live.sse import InProcessStream
from .helpers import train


async def test_a_segment_stream_hears_overlapping_bookings_only(app):
    trip = await train(stops=5, size=6)
    async with db.transaction() as cur:
        user = await factories.make_user(cur)
    city = [c["id"] for c in trip["cities"]]
    path = f"/api/v1/trips/{trip['id']}/events?origin={city[2]}&destination={city[4]}"
    async with InProcessStream(app, path) as stream:
        first = await stream.next_message()
        assert stream.status_code == 200 and first.event == "availability"
        assert first.json() == {
            "trip_id": trip["id"],
            "mode": "train",
            "origin_id": city[2],
            "destination_id": city[4],
            "seats_left": 6,
            "unavailable_seats": [],
        }
        # stops 0 -> 2 hold legs 0 and 1: no leg shared with 2 -> 4, so no message for it
        await service.book_segment(as_user(user), trip["id"], city[0], city[2], ["A1-1"], passengers(1))
        # stops 1 -> 3 hold legs 1 and 2: leg 2 is shared
        await service.book_segment(as_user(user), trip["id"], city[1], city[3], ["A1-2", "A1-3"], passengers(2))
        update = await stream.next_message()
        assert update.json()["unavailable_seats"] == ["A1-2", "A1-3"] and update.json()["seats_left"] == 4

    whole = await (
        await app.test_client().get(f"/api/v1/trips/{trip['id']}/events?origin={city[3]}&destination={city[1]}")
    ).get_json()
    assert whole["status"] == 422  # destination before origin: a problem, not a stream
