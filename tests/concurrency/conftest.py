import asyncio
import dataclasses
from collections import Counter

import pytest

from travelgo.bookings import admission, engine


@pytest.fixture(autouse=True)
def _uses_database(app):
    """Every test here needs the open pools and empty tables (the root conftest's clean_tables)."""


@pytest.fixture(autouse=True)
def _admission_off(app, monkeypatch):
    """Races prove the engine's row locks and the schema's keys, not the per-worker queue in front of them."""
    monkeypatch.setitem(app.extensions, admission.EXTENSION, admission.Admission(enabled=False))


@pytest.fixture
def locking(app, monkeypatch):
    """Change the engine's Locking on the app for one test: locking(rows=False), locking(after_check=hook)."""

    def change(**changes) -> None:
        how = dataclasses.replace(app.extensions.get(engine.EXTENSION) or engine.Locking(), **changes)
        monkeypatch.setitem(app.extensions, engine.EXTENSION, how)

    return change


@pytest.fixture
def count_checks(locking):
    """Counts bookings (or checkouts) that passed the availability check; a tiny pause there widens the race."""
    passed = Counter()

    async def hook():
        passed["n"] += 1
        await asyncio.sleep(0.02)

    locking(after_check=hook)
    return passed


@pytest.fixture
def lock_off(locking):
    """The race control: the engine takes no row locks, so only the schema's keys stand in the way."""
    locking(rows=False)
