"""Real concurrent requests (asyncio.gather on the Quart test client) against the real database.

Each layer is proven on its own: the row lock makes exactly one racer pass the availability check; with the lock
switched off several pass it and the schema's UNIQUE key / CHECK constraint is what stops the oversell; either way
the losers get a clean 409, never a 500 or the busy 503.
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from datetime import timedelta

import pytest

from travelgo import db
from travelgo.bookings import admission
from travelgo.bookings.integrity import check_inventory
from travelgo.dates import today_in

from .. import factories
from ..bookings.helpers import as_user, passengers, scalar
from ..conftest import api_token
from ..inapp import service


async def make_buyers(client, n: int) -> list[dict[str, str]]:
    async with db.transaction() as cur:
        users = [await factories.make_user(cur) for _ in range(n)]
    return [await api_token(client, u["email"]) for u in users]


async def make_trip(seats: int = 40) -> dict:
    async with db.transaction() as cur:
        return await factories.make_trip(cur, seats=seats)


def bus_body(trip_id: int, seats: list[str]) -> dict:
    return {"type": "bus", "trip_id": trip_id, "seats": seats, "passengers": passengers(len(seats))}


async def race(client, requests: list[tuple[dict, dict]]) -> list:
    """Fire every (json, headers) POST /api/v1/bookings at once; return the responses in order."""
    return await asyncio.gather(
        *(client.post("/api/v1/bookings", json=body, headers=headers) for body, headers in requests)
    )


async def assert_one_winner(responses, conflict_key: str) -> dict:
    statuses = Counter(r.status_code for r in responses)
    assert statuses[201] == 1 and statuses[409] == len(responses) - 1, statuses
    for r in responses:
        if r.status_code == 409:
            body = await r.get_json()
            assert r.mimetype == "application/problem+json" and body[conflict_key], body
    return await next(r for r in responses if r.status_code == 201).get_json()


async def test_sixty_buyers_one_seat_exactly_one_wins(client, count_checks):
    trip = await make_trip()
    buyers = await make_buyers(client, 12)
    responses = await race(client, [(bus_body(trip["id"], ["7"]), buyers[i % 12]) for i in range(60)])
    winner = await assert_one_winner(responses, "unavailable_seats")
    assert {tuple((await r.get_json())["unavailable_seats"]) for r in responses if r.status_code == 409} == {("7",)}
    assert count_checks["n"] == 1  # the lock did the work: nobody else even got past the check
    assert winner["seats"][0]["label"] == "7"
    assert await scalar("SELECT COUNT(*) FROM booking_seats WHERE held = 1") == 1
    assert await check_inventory() == []


async def test_random_seats_on_a_nearly_full_trip_never_sell_a_seat_twice(client, many_holds):
    trip = await make_trip(seats=40)
    buyers = await make_buyers(client, 8)
    async with db.transaction() as cur:
        owner = await factories.make_user(cur)
    for first in range(1, 31, 3):  # 30 of 40 seats already sold
        await service.book_trip(as_user(owner), trip["id"], [str(s) for s in range(first, first + 3)], passengers(3))
    rng = random.Random(4)
    wanted = [rng.sample([str(s) for s in range(25, 41)], rng.randint(1, 3)) for _ in range(60)]
    responses = await race(client, [(bus_body(trip["id"], seats), buyers[i % 8]) for i, seats in enumerate(wanted)])

    statuses = Counter(r.status_code for r in responses)
    assert set(statuses) <= {201, 409} and statuses[201] >= 1, statuses
    sold = [s["label"] for r in responses if r.status_code == 201 for s in (await r.get_json())["seats"]]
    assert len(sold) == len(set(sold)) and not set(sold) & {str(s) for s in range(1, 31)}
    held = await scalar("SELECT COUNT(*) FROM booking_seats WHERE trip_id = %(t)s AND held = 1", {"t": trip["id"]})
    assert held == 30 + len(sold)
    left = await scalar("SELECT seats_total - seats_booked FROM trips WHERE id = %(t)s", {"t": trip["id"]})
    assert left == 40 - held
    assert await check_inventory() == []


async def test_overlapping_stays_racing_for_the_last_room_never_oversell_a_night(client):
    async with db.transaction() as cur:
        hotel = await factories.make_hotel(cur)
        room_type = await factories.make_room_type(cur, hotel["id"], rooms=1)
    buyers = await make_buyers(client, 8)
    rng = random.Random(7)
    base = today_in() + timedelta(days=3)
    requests = []
    for i in range(50):
        check_in = base + timedelta(days=rng.randint(0, 5))
        check_out = check_in + timedelta(days=rng.randint(1, 3))
        requests.append(
            (
                {
                    "type": "hotel",
                    "room_type_id": room_type["id"],
                    "check_in": check_in.isoformat(),
                    "check_out": check_out.isoformat(),
                    "rooms": 1,
                    "guests": 1,
                    "guest_name": f"Guest {i}",
                },
                buyers[i % 8],
            )
        )
    responses = await race(client, requests)

    statuses = Counter(r.status_code for r in responses)
    assert set(statuses) <= {201, 409} and statuses[201] >= 1, statuses
    nights = [n["night"] for r in responses if r.status_code == 201 for n in (await r.get_json())["nights"]]
    assert len(nights) == len(set(nights))  # the winners' stays do not overlap
    assert await scalar("SELECT MAX(rooms_booked) FROM room_inventory") == 1
    assert await scalar("SELECT SUM(rooms_booked) FROM room_inventory") == len(nights)
    assert await check_inventory() == []


async def test_cancel_racing_a_new_booking_of_the_same_seat(client, many_holds):
    trip = await make_trip()
    buyers = await make_buyers(client, 6)
    holder = buyers[0]
    outcomes = Counter()
    for round_ in range(8):
        seat = str(round_ + 1)
        booked = await client.post("/api/v1/bookings", json=bus_body(trip["id"], [seat]), headers=holder)
        reference = (await booked.get_json())["reference"]
        cancel, *grabs = await asyncio.gather(
            client.post(f"/api/v1/bookings/{reference}/cancel", headers=holder),
            *(client.post("/api/v1/bookings", json=bus_body(trip["id"], [seat]), headers=b) for b in buyers[1:]),
        )
        assert cancel.status_code == 200
        codes = Counter(g.status_code for g in grabs)
        assert set(codes) <= {201, 409} and codes[201] <= 1, codes
        outcomes["regrabbed" if codes[201] else "missed"] += 1
        if not codes[201]:  # every grab ran before the cancel: the seat is free now, at once
            again = await client.post("/api/v1/bookings", json=bus_body(trip["id"], [seat]), headers=buyers[1])
            assert again.status_code == 201, await again.get_data(as_text=True)
        assert (
            await scalar(
                "SELECT COUNT(*) FROM booking_seats WHERE trip_id = %(t)s AND seat_label = %(s)s AND held = 1",
                {"t": trip["id"], "s": seat},
            )
            == 1
        )
    assert sum(outcomes.values()) == 8
    assert await check_inventory() == []


@pytest.mark.parametrize("admission_on", [False, True], ids=["engine", "with-admission"])
async def test_double_submit_with_one_idempotency_key_makes_one_booking(app, client, monkeypatch, admission_on):
    """Twenty submits of one key: one 201 and nineteen replays, whether or not the admission layer (per-worker
    queue and known-held-seat refusal, on in production) stands in front of the engine."""
    monkeypatch.setitem(app.extensions, admission.EXTENSION, admission.Admission(enabled=admission_on))
    trip = await make_trip()
    [buyer] = await make_buyers(client, 1)
    headers = {**buyer, "Idempotency-Key": "double-click-1"}
    responses = await race(client, [(bus_body(trip["id"], ["3", "4"]), headers)] * 20)
    statuses = Counter(r.status_code for r in responses)
    refusals = [await r.get_json() for r in responses if r.status_code >= 300]
    assert statuses == Counter({201: 1, 200: 19}), (statuses, refusals)  # a refusal's body says which check refused
    assert len({(await r.get_json())["reference"] for r in responses}) == 1
    assert await scalar("SELECT COUNT(*) FROM bookings") == 1
    assert await check_inventory() == []


async def test_control_without_the_lock_the_race_is_real_and_the_unique_key_stops_it(client, lock_off, count_checks):
    trip = await make_trip()
    buyers = await make_buyers(client, 10)
    responses = await race(client, [(bus_body(trip["id"], ["9"]), buyers[i % 10]) for i in range(50)])
    assert count_checks["n"] > 1, "without the lock several buyers should pass the availability check together"
    await assert_one_winner(responses, "unavailable_seats")  # 409s from the UNIQUE key: never a 500 or a 503
    assert await scalar("SELECT COUNT(*) FROM booking_seats WHERE held = 1") == 1
    assert await check_inventory() == []


async def test_control_without_the_lock_the_check_constraint_stops_a_hotel_oversell(client, lock_off, count_checks):
    async with db.transaction() as cur:
        hotel = await factories.make_hotel(cur)
        room_type = await factories.make_room_type(cur, hotel["id"], rooms=1)
    buyers = await make_buyers(client, 10)
    check_in = today_in() + timedelta(days=4)
    body = {
        "type": "hotel",
        "room_type_id": room_type["id"],
        "check_in": check_in.isoformat(),
        "check_out": (check_in + timedelta(days=2)).isoformat(),
        "rooms": 1,
        "guests": 1,
        "guest_name": "Racer",
    }
    responses = await race(client, [(body, buyers[i % 10]) for i in range(30)])
    assert count_checks["n"] > 1
    await assert_one_winner(responses, "unavailable_nights")
    assert await scalar("SELECT MAX(rooms_booked) FROM room_inventory") == 1
    assert await check_inventory() == []
