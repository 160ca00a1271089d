"""Restaurant tables under real concurrent requests: the tables' row locks let exactly one party through; with the
lock off several pass the check and the slot rows' primary key refuses all but one; never both of two overlapping
sittings on one table; the losers get a clean 409."""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from datetime import time, timedelta

from travelgo import db
from travelgo.bookings.integrity import check_inventory
from travelgo.dates import today_in

from .. import factories
from ..bookings.helpers import as_user, scalar
from ..inapp import service
from .test_booking_races import make_buyers, race


def table_body(restaurant_id: int, at: str = "20:00", party_size: int = 2, day=None) -> dict:
    return {
        "type": "restaurant",
        "restaurant_id": restaurant_id,
        "date": (day or today_in() + timedelta(days=2)).isoformat(),
        "time": at,
        "party_size": party_size,
        "guest_name": "Racing Guest",
    }


async def restaurant_with_last_table() -> dict:
    """Three tables for two, two of them already taken at 20:00: one left."""
    async with db.transaction() as cur:
        restaurant = await factories.make_restaurant(cur, tables=[2, 2, 2])
        owner = await factories.make_user(cur)
    day = today_in() + timedelta(days=2)
    for _ in range(2):
        await service.book_table(as_user(owner), restaurant["id"], day, time(20, 0), 2, "Early Bird")
    return restaurant


async def assert_exactly_one(responses) -> dict:
    statuses = Counter(r.status_code for r in responses)
    assert statuses[201] == 1 and statuses[409] == len(responses) - 1, statuses
    for r in responses:
        if r.status_code == 409:
            body = await r.get_json()
            assert r.mimetype == "application/problem+json" and body["restaurant_id"], body
    return await next(r for r in responses if r.status_code == 201).get_json()


async def test_sixty_parties_for_the_last_table_at_eight_exactly_one_wins(client, count_checks):
    restaurant = await restaurant_with_last_table()
    count_checks.clear()  # the two bookings made beforehand passed it too
    buyers = await make_buyers(client, 12)
    responses = await race(client, [(table_body(restaurant["id"]), buyers[i % 12]) for i in range(60)])
    winner = await assert_exactly_one(responses)
    assert [t["label"] for t in winner["tables"]] == ["T3"]
    assert count_checks["n"] == 1  # the lock did the work: nobody else got past the check
    assert await scalar("SELECT COUNT(*) FROM bookings WHERE type = 'restaurant'") == 3
    assert await check_inventory() == []


async def test_with_the_tables_unlocked_the_slot_key_still_refuses_all_but_one(client, lock_off, count_checks):
    restaurant = await restaurant_with_last_table()
    count_checks.clear()  # the two bookings made beforehand passed it too
    buyers = await make_buyers(client, 12)
    responses = await race(client, [(table_body(restaurant["id"]), buyers[i % 12]) for i in range(60)])
    await assert_exactly_one(responses)
    assert count_checks["n"] > 1  # the control: without the lock several passed the check ...
    assert await scalar("SELECT COUNT(*) FROM bookings WHERE type = 'restaurant'") == 3  # ... the key said no
    assert await check_inventory() == []


async def test_overlapping_sittings_on_one_table_are_never_both_booked(client, many_holds):
    async with db.transaction() as cur:
        restaurant = await factories.make_restaurant(cur, tables=[4], hours=("17:00", "23:30"))
    buyers = await make_buyers(client, 8)
    rng = random.Random(17)
    starts = [f"{h:02d}:{m:02d}" for h in range(17, 22) for m in (0, 15, 30, 45)]
    requests = [(table_body(restaurant["id"], rng.choice(starts)), buyers[i % 8]) for i in range(60)]
    responses = await race(client, requests)
    statuses = Counter(r.status_code for r in responses)
    assert set(statuses) <= {201, 409} and statuses[201] >= 1, statuses
    bodies = [await r.get_json() for r in responses if r.status_code == 201]
    won = sorted((b["starts_at"], b["ends_at"]) for b in bodies)
    assert len(won) >= 2  # 60 parties over five hours of one table: several sittings fit one after another
    for (_, end), (start, _) in zip(won, won[1:], strict=False):
        assert end <= start, won  # one table: each sitting ends before the next begins
    assert await check_inventory() == []


async def test_overlapping_sittings_with_the_tables_unlocked_are_still_never_both_booked(client, lock_off, many_holds):
    async with db.transaction() as cur:
        restaurant = await factories.make_restaurant(cur, tables=[4])
    buyers = await make_buyers(client, 8)
    times = ["19:00", "19:15", "19:30", "19:45", "20:00", "20:15"]  # every pair overlaps (90-min sittings)
    responses = await race(client, [(table_body(restaurant["id"], times[i % 6]), buyers[i % 8]) for i in range(48)])
    statuses = Counter(r.status_code for r in responses)
    assert statuses[201] == 1 and statuses[409] == 47, statuses
    assert await check_inventory() == []


async def test_a_released_table_is_taken_by_exactly_one_of_the_racers(client):
    day = today_in() + timedelta(days=3)
    async with db.transaction() as cur:
        restaurant = await factories.make_restaurant(cur, tables=[2])
    buyers = await make_buyers(client, 6)
    first = await client.post("/api/v1/bookings", json=table_body(restaurant["id"], day=day), headers=buyers[0])
    reference = (await first.get_json())["reference"]
    cancel = client.post(f"/api/v1/bookings/{reference}/cancel", json={}, headers=buyers[0])
    racers = [
        client.post("/api/v1/bookings", json=table_body(restaurant["id"], day=day), headers=buyers[1 + i % 5])
        for i in range(30)
    ]
    results = await asyncio.gather(cancel, *racers)
    assert results[0].status_code == 200
    statuses = Counter(r.status_code for r in results[1:])
    assert statuses[201] <= 1 and statuses[201] + statuses[409] == 30, statuses
    assert await check_inventory() == []
