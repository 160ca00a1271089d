"""Round trips to the database, counted (the `statements` fixture, registered in tests/conftest.py, and counted()):
how tests/bookings/test_round_trips.py and the sender's tests hold the number of trips a piece of work makes."""

from __future__ import annotations

import asyncio
import contextvars
import re

import aiomysql.cursors
import pytest

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
