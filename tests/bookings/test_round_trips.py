"""How many round trips one booking costs the database, counted (issue 24; BENCHMARKS.md has the history).

A count, not a timing: each round trip wakes the server and the worker, which on a shared machine is most of what a
short statement costs, so a change that adds one shows here. A transaction's cursor batches the statements nobody
waits on (db.PipelineCursor), so one round trip may carry several statements; both are counted. The limits are
today's counts; lower them when a change saves one, and say in BENCHMARKS.md what it bought."""

from __future__ import annotations

import asyncio
import contextvars
import re
from unittest.mock import patch

import aiomysql.cursors
import pytest

from travelgo import db, ratelimit

from .. import factories
from ..conftest import api_token
from ..segments.helpers import segment_body, train
from .helpers import passengers, trip_and_user

COUNTING: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar("counting", default=None)


@pytest.fixture
def statements(monkeypatch):
    """The round trips made by the code under `with counted(log)`, each as the statements it carried; other tasks
    (the event poller) are not counted."""
    real = aiomysql.cursors.Cursor.execute

    async def execute(self, query, args=None):
        log = COUNTING.get()
        if log is not None:
            log.append([re.sub(r"\s+", " ", part).strip()[:70] for part in str(query).split(";\n")])
        return await real(self, query, args)

    async def commit(self):
        log = COUNTING.get()
        if log is not None:
            log.append(["COMMIT"])
        return await real_commit(self)

    real_commit = aiomysql.Connection.commit
    monkeypatch.setattr(aiomysql.cursors.Cursor, "execute", execute)
    monkeypatch.setattr(aiomysql.Connection, "commit", commit)
    return COUNTING


async def counted(call) -> tuple[object, list[list[str]]]:
    log: list[list[str]] = []
    token = COUNTING.set(log)
    try:
        result = await call()
    finally:
        COUNTING.reset(token)
    await asyncio.sleep(0)
    return result, log


async def test_a_bus_booking_over_the_api_costs_at_most_this_many_round_trips(client, statements):
    trip, user = await trip_and_user(price_minor=2500)
    headers = await api_token(client, user["email"])
    body = {"type": "bus", "trip_id": trip["id"], "seats": ["3"], "passengers": passengers(1)}
    # A first booking opens the pool's connections (each new one runs its set-up statements once).
    warm_up = await client.post("/api/v1/bookings", json={**body, "seats": ["4"]}, headers=headers)
    assert warm_up.status_code == 201, await warm_up.get_data(as_text=True)
    with patch.object(ratelimit, "PRUNE_PROBABILITY", 0):  # the now-and-then sweep of expired windows
        response, log = await counted(lambda: client.post("/api/v1/bookings", json=body, headers=headers))
    assert response.status_code == 201, await response.get_data(as_text=True)
    print(f"\n{len(log)} round trips:\n  " + "\n  ".join(" | ".join(trip) for trip in log))
    begin = next(i for i, trip in enumerate(log) if trip[0] == "BEGIN")
    commit = next(i for i, trip in enumerate(log) if trip[-1] == "COMMIT")
    hold = log[begin : commit + 1]
    # BEGIN, the traveller's and the trip's locks, the open-holds count and the seat check; the counter with the
    # booking row (its id is read); the seats, the availability event and the traveller's message with COMMIT
    assert len(hold) <= 3, hold
    assert sum(len(trip) for trip in hold) <= 12, hold  # statements: BEGIN, 10, COMMIT
    # + the token, both rate-limit windows (one statement), the provider order (TestPay's own insert, a remote call
    # with a real provider), and our payment row with the booking read back: its row (with the payment and refund
    # count), its seats and its boarding and dropping points
    assert len(log) <= 7, log


async def test_a_train_segment_hold_costs_at_most_this_many_round_trips(client, statements):
    trip = await train(stops=5)
    async with db.transaction() as cur:
        user = await factories.make_user(cur)
    headers = await api_token(client, user["email"])
    warm_up = await client.post("/api/v1/bookings", json=segment_body(trip, 0, 1, ["A1-9"]), headers=headers)
    assert warm_up.status_code == 201, await warm_up.get_data(as_text=True)
    with patch.object(ratelimit, "PRUNE_PROBABILITY", 0):
        body = segment_body(trip, 1, 3, ["A1-1", "A1-2"])
        response, log = await counted(lambda: client.post("/api/v1/bookings", json=body, headers=headers))
    assert response.status_code == 201, await response.get_data(as_text=True)
    print(f"\n{len(log)} round trips:\n  " + "\n  ".join(" | ".join(trip) for trip in log))
    begin = next(i for i, trip in enumerate(log) if trip[0] == "BEGIN")
    commit = next(i for i, trip in enumerate(log) if trip[-1] == "COMMIT")
    # BEGIN, the traveller's and the legs' locks, the open-holds count, the run, its stops, seats, fares and held
    # seats; the pricing rules of the segment's cities; the legs' counters with the booking row; the segment's seats
    # and seat-legs, the availability event and the message with COMMIT
    assert len(log[begin : commit + 1]) <= 4, log[begin : commit + 1]
    # + the token, the rate limits, the run with its stops to place the asked cities (before the hold), the provider
    # order, and our payment row with the booking read back: its row, the segment's run, stops, seats and coaches
    assert len(log) <= 9, log
