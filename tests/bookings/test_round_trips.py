"""How many statements one booking costs the database, counted (issue 24; BENCHMARKS.md has the history).

A count, not a timing: each statement is a round trip on the primary that every booking pays, so a change that adds
one shows here. The limits are today's counts; lower them when a change saves one, and say in BENCHMARKS.md what it
bought."""

from __future__ import annotations

import asyncio
import contextvars
import re

import aiomysql.cursors
import pytest

from ..conftest import api_token
from .helpers import passengers, trip_and_user

COUNTING: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar("counting", default=None)


@pytest.fixture
def statements(monkeypatch):
    """The statements run by the code under `with counted(log)`; other tasks (the event poller) are not counted."""
    real = aiomysql.cursors.Cursor.execute

    async def execute(self, query, args=None):
        log = COUNTING.get()
        if log is not None:
            log.append(re.sub(r"\s+", " ", str(query)).strip()[:70])
        return await real(self, query, args)

    async def commit(self):
        log = COUNTING.get()
        if log is not None:
            log.append("COMMIT")
        return await real_commit(self)

    real_commit = aiomysql.Connection.commit
    monkeypatch.setattr(aiomysql.cursors.Cursor, "execute", execute)
    monkeypatch.setattr(aiomysql.Connection, "commit", commit)
    return COUNTING


async def counted(call) -> tuple[object, list[str]]:
    log: list[str] = []
    token = COUNTING.set(log)
    try:
        result = await call()
    finally:
        COUNTING.reset(token)
    await asyncio.sleep(0)
    return result, log


async def test_a_bus_booking_over_the_api_costs_at_most_this_many_statements(client, statements):
    trip, user = await trip_and_user(price_minor=2500)
    headers = await api_token(client, user["email"])
    body = {"type": "bus", "trip_id": trip["id"], "seats": ["3"], "passengers": passengers(1)}
    response, log = await counted(lambda: client.post("/api/v1/bookings", json=body, headers=headers))
    assert response.status_code == 201, await response.get_data(as_text=True)
    print(f"\n{len(log)} statements:\n  " + "\n  ".join(log))
    hold = log[log.index("BEGIN") : log.index("COMMIT")]
    assert len(hold) <= 11, hold  # BEGIN and 10 statements (COMMIT is the connection's own call)
    # + the token, both rate-limit windows (one statement), the provider order and our payment row, and reading the
    # booking back (the booking with its payment and refund count, its seats, its boarding and dropping points)
    assert len(log) <= 19, log
