"""Races for seats sold per segment (trains and flights): real concurrent requests through the API, exact outcomes.

A berth is one row per leg in booking_seat_legs while held: overlapping segments share a leg, so the engine's leg
locks let exactly one through and the UNIQUE key would refuse the rest anyway (the control shows both layers);
disjoint segments share no leg, so all of them are sold."""

from __future__ import annotations

import random
from collections import Counter

from travelgo import db
from travelgo.bookings.integrity import check_inventory

from .. import factories
from ..bookings.helpers import as_user, passengers, scalar
from ..inapp import service
from ..segments.helpers import segment_body, train
from .test_booking_races import assert_one_winner, make_buyers, race


def overlapping_segments(stops: int, leg: int, n: int, rng: random.Random) -> list[tuple[int, int]]:
    """n random segments (a, b) that all contain `leg` (a <= leg < b), so every two of them overlap."""
    return [(rng.randint(0, leg), rng.randint(leg + 1, stops - 1)) for _ in range(n)]


async def test_sixty_buyers_one_berth_on_overlapping_segments_exactly_one_wins(client, count_checks):
    trip = await train(stops=8)
    buyers = await make_buyers(client, 12)
    segments = overlapping_segments(8, 3, 60, random.Random(18))
    responses = await race(
        client, [(segment_body(trip, a, b, ["A1-7"]), buyers[i % 12]) for i, (a, b) in enumerate(segments)]
    )
    winner = await assert_one_winner(responses, "unavailable_seats")
    assert count_checks["n"] == 1  # the leg locks did it: nobody else even got past the check
    assert winner["seats"][0]["label"] == "A1-7"
    a, b = segments[next(i for i, r in enumerate(responses) if r.status_code == 201)]
    held = await scalar("SELECT COUNT(*) FROM booking_seat_legs WHERE held = 1")
    assert held == b - a  # one row per leg of the winner's segment
    assert await check_inventory() == []


async def test_disjoint_segments_of_one_berth_all_succeed(client, count_checks):
    trip = await train(stops=12)
    buyers = await make_buyers(client, 11)
    responses = await race(client, [(segment_body(trip, i, i + 1, ["A1-3"]), buyers[i]) for i in range(11)])
    assert Counter(r.status_code for r in responses) == {201: 11}
    assert count_checks["n"] == 11
    legs = await scalar("SELECT COUNT(DISTINCT leg_no) FROM booking_seat_legs WHERE seat_label = 'A1-3' AND held = 1")
    assert legs == 11
    assert await scalar("SELECT MIN(seats_booked) FROM trip_legs WHERE trip_id = %(t)s", {"t": trip["id"]}) == 1
    assert await check_inventory() == []


async def test_random_segments_on_a_nearly_full_train_never_share_a_seat_leg(client, many_holds):
    trip = await train(stops=7, size=12)  # one 1A coach cut to 12 berths, 6 legs
    berths = [f"A1-{n}" for n in range(1, 13)]
    rng = random.Random(5)
    async with db.transaction() as cur:
        owner = await factories.make_user(cur)
    for berth in berths[:9]:  # most berths already sold on some segment
        a = rng.randint(0, 4)
        await service.book_segment(
            as_user(owner), trip["id"], trip["cities"][a]["id"], trip["cities"][a + 2]["id"], [berth], passengers(1)
        )
    buyers = await make_buyers(client, 10)
    wanted = []
    for _ in range(60):
        a = rng.randint(0, 5)
        b = rng.randint(a + 1, 6)
        wanted.append((a, b, rng.sample(berths, rng.randint(1, 2))))
    responses = await race(
        client, [(segment_body(trip, a, b, seats), buyers[i % 10]) for i, (a, b, seats) in enumerate(wanted)]
    )
    statuses = Counter(r.status_code for r in responses)
    assert set(statuses) <= {201, 409} and statuses[201] >= 1, statuses

    async with db.reading() as cur:
        await cur.execute(
            "SELECT seat_label, leg_no FROM booking_seat_legs WHERE trip_id = %(t)s AND held = 1", {"t": trip["id"]}
        )
        held = [(r["seat_label"], r["leg_no"]) for r in await cur.fetchall()]
    assert len(held) == len(set(held))  # never one seat on one leg twice
    taken = set(held)
    for (a, b, seats), response in zip(wanted, responses, strict=True):
        asked = {(s, leg) for s in seats for leg in range(a, b)}
        if response.status_code == 201:
            assert asked <= taken
        else:  # a refusal is real: something it asked for is held by someone else now
            assert asked & taken, (a, b, seats)
    assert await check_inventory() == []


async def test_control_without_the_lock_the_unique_key_stops_a_segment_oversell(client, lock_off, count_checks):
    trip = await train(stops=6)
    buyers = await make_buyers(client, 10)
    segments = overlapping_segments(6, 2, 40, random.Random(3))
    responses = await race(
        client, [(segment_body(trip, a, b, ["A1-9"]), buyers[i % 10]) for i, (a, b) in enumerate(segments)]
    )
    assert count_checks["n"] > 1, "without the lock several buyers should pass the availability check together"
    await assert_one_winner(responses, "unavailable_seats")  # 409s from the UNIQUE key: never a 500 or a 503
    assert await scalar("SELECT COUNT(DISTINCT booking_id) FROM booking_seat_legs WHERE held = 1") == 1
    assert await check_inventory() == []
