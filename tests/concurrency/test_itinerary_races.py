"""Two travellers check out itineraries that share the last seat and the last room, in opposite item orders.

The engine takes every lock of a checkout in the global order (kinds.lock_order), whatever the item order, so the
two queue on the first shared row: exactly one itinerary is held whole and the other refused whole, never a partial
hold and never a deadlock loop. The control turns the row locks off: both pass the availability check, and the
schema's keys and CHECKs (and InnoDB's deadlock detection) still leave no partial hold and no oversell.
"""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest

from travelgo import db
from travelgo.bookings.integrity import check_inventory

from .. import factories
from ..bookings.helpers import scalar
from ..conftest import api_token
from ..itineraries.helpers import add, bus_body, hotel_body, new_itinerary, trip_plan

ROUNDS = 50


@pytest.fixture
def unlimited(app, monkeypatch):
    """Fifty rounds of holds by the same two travellers: no open-holds cap, no booking rate limit."""
    settings = app.config["TRAVELGO"].model_copy(update=dict(max_open_holds=10_000, rate_limits=False))
    monkeypatch.setitem(app.config, "TRAVELGO", settings)


async def two_travellers(client) -> list[dict]:
    async with db.transaction() as cur:
        users = [await factories.make_user(cur) for _ in range(2)]
    return [await api_token(client, u["email"]) for u in users]


async def one_round(client, travellers: list[dict], n: int) -> tuple[list[int], list[int]]:
    """A fresh last seat and last room; A plans bus then hotel, B hotel then bus; both check out at once.
    Returns (statuses, bookings each traveller now holds in this round's inventory)."""
    plan = await trip_plan(seats=1, rooms=1, suffix=f" {n}")
    bus, hotel = bus_body(plan["out"]["id"], ["1"]), hotel_body(plan["room_type"]["id"], plan["day"], nights=2)
    ids = []
    for headers, items in zip(travellers, [(bus, hotel), (hotel, bus)], strict=True):
        itinerary_id = await new_itinerary(client, headers)
        for body in items:
            await add(client, headers, itinerary_id, body)
        ids.append(itinerary_id)
    responses = await asyncio.gather(
        *(client.post(f"/api/v1/itineraries/{i}/checkout", headers=h) for i, h in zip(ids, travellers, strict=True))
    )
    held = []
    for itinerary_id in ids:
        held.append(
            await scalar(
                """SELECT COUNT(*) FROM itinerary_items it JOIN bookings b ON b.id = it.booking_id
                    WHERE it.itinerary_id = %(id)s AND b.status = 'pending_payment'""",
                {"id": itinerary_id},
            )
        )
    for response in responses:
        if response.status_code == 409:
            problem = await response.get_json()
            assert problem["unavailable_items"], problem  # the refusal names the items
    return [r.status_code for r in responses], held


async def test_fifty_races_one_itinerary_held_whole_the_other_refused_whole(client, unlimited, count_checks):
    travellers = await two_travellers(client)
    outcomes = Counter()
    for n in range(ROUNDS):
        statuses, held = await one_round(client, travellers, n)
        assert sorted(statuses) == [201, 409], statuses
        assert sorted(held) == [0, 2], held  # all or nothing, for each traveller
        outcomes[statuses.index(201)] += 1
    assert count_checks["n"] == ROUNDS  # with the locks, only the winner ever passed the check
    assert await scalar("SELECT MAX(seats_booked) FROM trips") == 1
    assert await scalar("SELECT MAX(rooms_booked) FROM room_inventory") == 1
    assert await check_inventory() == []


async def test_control_without_the_lock_both_pass_the_check_and_still_no_partial_hold(
    client, unlimited, lock_off, count_checks
):
    travellers = await two_travellers(client)
    for n in range(ROUNDS // 5):
        statuses, held = await one_round(client, travellers, n)
        assert 500 not in statuses and 503 not in statuses, statuses
        assert all(h in (0, 2) for h in held), held  # never a partial hold
        assert statuses.count(201) <= 1 and sum(held) <= 2
    assert count_checks["n"] > ROUNDS // 5, "without the lock both travellers should pass the check together"
    assert await scalar("SELECT MAX(seats_booked) FROM trips") <= 1
    assert await scalar("SELECT MAX(rooms_booked) FROM room_inventory") <= 1
    assert await check_inventory() == []
