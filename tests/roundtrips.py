"""Round trips to the database, counted (the `statements` fixture, registered in tests/conftest.py, and counted()):
how tests/bookings/test_round_trips.py and the sender's tests hold the number of trips a piece of work makes."""

from __future__ import annotations

import asyncio
import contextvars
import re
from unittest.mock import patch

import aiomysql.cursors
import pytest

from travelgo import ratelimit

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


async def booked(client, headers: dict, warm_up: dict, body: dict):
    """POST /api/v1/bookings `warm_up` (a first booking opens the pool's connections, and each new one runs its set-up
    statements once), then `body`, counted: (its response, every round trip, the hold's from BEGIN to COMMIT)."""
    first = await client.post("/api/v1/bookings", json=warm_up, headers=headers)
    assert first.status_code == 201, await first.get_data(as_text=True)
    with patch.object(ratelimit, "PRUNE_PROBABILITY", 0):  # the now-and-then sweep of expired windows
        response, log = await counted(lambda: client.post("/api/v1/bookings", json=body, headers=headers))
    assert response.status_code == 201, await response.get_data(as_text=True)
    print(f"\n{len(log)} round trips:\n  " + "\n  ".join(" | ".join(trip) for trip in log))
    begin = next(i for i, trip in enumerate(log) if trip[0] == "BEGIN")
    commit = next(i for i, trip in enumerate(log) if trip[-1] == "COMMIT")
    return response, log, log[begin : commit + 1]
