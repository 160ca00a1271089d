"""Reading a booking back (issue 24): a booking reads its own kind's fields only, and every way of reading it gives
the same answer: the POST that made it (the kind known: one statement for its row), the same POST replayed with its
Idempotency-Key, GET by reference and the messages' read by id (the kind read with the row)."""

from __future__ import annotations

import asyncio
from contextlib import contextmanager

import aiomysql.connection
import pytest

from travelgo import db
from travelgo.bookings import queries, service
from travelgo.bookings.forms import BookingCreate

from .. import factories
from ..conftest import api_token
from ..itineraries.helpers import held_trip, trip_plan
from ..restaurants.helpers import restaurant_and_user, table_body
from ..segments.helpers import segment_body, train
from ..stops.helpers import trip_with_points
from .helpers import hotel_and_user, passengers, stay_body


async def bus(_):
    trip, user, points = await trip_with_points()
    body = {"type": "bus", "trip_id": trip["id"], "seats": ["3", "4"], "passengers": passengers(2)}
    return user, {**body, "boarding_point_id": points["boarding"][1]["id"]}


async def segment(mode: str):
    async with db.transaction() as cur:
        user = await factories.make_user(cur)
    if mode == "flight":
        trip = await train(stops=2, mode="flight", coaches=[("J", "J")], size=4)
        async with db.reading() as cur:
            await cur.execute("SELECT label FROM coach_seats WHERE vehicle_id = %s ORDER BY id", (trip["vehicle_id"],))
            seat = (await cur.fetchone())["label"]
        return user, segment_body(trip, 0, 1, [seat], mode="flight")
    return user, segment_body(await train(stops=4), 1, 3, ["A1-1", "A1-2"])


async def hotel(_):
    _, room_type, user = await hotel_and_user(rooms=3)
    return user, stay_body(room_type["id"])


async def restaurant(kw: dict):
    place, user = await restaurant_and_user(**kw)
    return user, table_body(place["id"], notes='Window "by the sea", please \\ 窓側')


# (how to arrange it, its argument, the most column descriptions its read back may parse: the row with its kind's
# fields, their plain values packed in one column, and the items' reads; when every booking read every kind's 63
# columns, 66 to 102)
KINDS = {
    "bus": (bus, None, 24),
    "train": (segment, "train", 48),
    "flight": (segment, "flight", 48),
    "hotel": (hotel, None, 11),
    "restaurant (instant)": (restaurant, {"name": 'Café "Zürich" \\ 東京 → ✓'}, 11),
    "restaurant (deposit)": (restaurant, {"deposit_minor": 50000}, 11),
    "restaurant (on request)": (restaurant, {"confirmation": "request"}, 11),
}


@contextmanager
def columns_parsed():
    """How many column descriptions the driver parses for this task inside the block (one packet per column per
    result set; other tasks, such as the event poller, are not counted)."""
    counted, task = [0], asyncio.current_task()
    real = aiomysql.connection.MySQLResult._get_descriptions

    async def describe(self):
        if asyncio.current_task() is task:
            counted[0] += self.field_count
        return await real(self)

    aiomysql.connection.MySQLResult._get_descriptions = describe
    try:
        yield counted
    finally:
        aiomysql.connection.MySQLResult._get_descriptions = real


@pytest.mark.parametrize("kind", KINDS)
async def test_every_read_of_a_booking_gives_the_answer_its_post_gave(app, client, kind):
    arrange, argument, most_columns = KINDS[kind]
    user, body = await arrange(argument)
    headers = {**await api_token(client, user["email"]), "Idempotency-Key": "read-back-1"}
    made = await client.post("/api/v1/bookings", json=body, headers=headers)
    assert made.status_code == 201, await made.get_data(as_text=True)
    answer = await made.get_json()
    replayed = await client.post("/api/v1/bookings", json=body, headers=headers)
    assert replayed.status_code == 200
    shown = await client.get(f"/api/v1/bookings/{answer['reference']}", headers=headers)
    assert await replayed.get_json() == answer
    assert await shown.get_json() == answer
    if body["type"] == "restaurant":  # text read back packed in JSON comes back as it was written
        assert answer["notes"] == body["notes"]
        assert answer["restaurant"]["name"] == argument.get("name", answer["restaurant"]["name"])

    # The service's two reads (the kind known from the unit just made, or read with the row) build the same booking,
    # with every kind's keys (another kind's are None), and the first parses few column descriptions.
    async with app.app_context():
        unit = await service.unit_of(BookingCreate.model_validate(body).root)
        async with db.batch() as cur:
            booking_id = (await service.get_booking(user["id"], answer["reference"]))["id"]
            with columns_parsed() as counted:
                read_back = await service._detail(cur, booking_id, unit)
        by_id = await service.booking_detail(booking_id)
    assert read_back == by_id
    fields = queries.SHOWN[read_back["type"]]
    own = {*fields.columns, *fields.packed, "end_timezone"}
    if read_back["type"] in ("train", "flight"):
        own |= {"origin", "destination", "departs_at", "arrives_at", "operator", "trip_status"}  # the segment's
    others = set(queries.SHOWN_KEYS) - own
    assert {key: read_back[key] for key in others} == dict.fromkeys(others)
    assert counted[0] <= most_columns, counted[0]


async def test_an_itinerary_checkout_shows_each_booking_as_its_get_does(client):
    checkout, headers = await held_trip(client, await trip_plan())
    held = checkout["bookings"]
    assert [b["type"] for b in held] == ["bus", "hotel"]
    for booking in held:
        shown = await client.get(f"/api/v1/bookings/{booking['reference']}", headers=headers)
        assert await shown.get_json() == booking
