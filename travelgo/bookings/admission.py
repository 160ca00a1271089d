"""Admission: the one speed layer in front of the booking engine (TRAVELGO_BOOKING_ADMISSION, on by default).

When a crowd wants the last seats of one bus, every loser would otherwise take a pooled connection and wait its
turn for the trip's row lock only to learn the seat is gone. Admission queues this worker's requests for one trip
(holding no connection while they wait) and, when a crowd is waiting, refuses a seat it already knows is held
before the request reaches the database. It never decides a sale: the engine's locked check does, so a stale
answer here can only refuse a seat that was freed a moment ago (as if someone else had just taken it), never sell
one twice. Off (`TRAVELGO_BOOKING_ADMISSION=off`), requests go straight to the engine; the race tests run that way
so they prove the row locks and the schema's keys, not an asyncio lock.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from quart import current_app, has_app_context

from .. import db, searchcache
from . import queries
from .errors import SeatsUnavailable
from .kinds import BusSeats, Inventory

EXTENSION = "travelgo.bookings.admission"


class Admission:
    """Per-worker queues per trip, and the held seats known since the trip's last availability event."""

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled
        self._queues: dict[int, tuple[asyncio.Lock, int]] = {}

    @asynccontextmanager
    async def admit(self, unit: Inventory, user_id: int, key: str | None) -> AsyncIterator[None]:
        """Wait for this unit's turn in this worker, then refuse at once a seat known to be held."""
        if not self.enabled or not isinstance(unit, BusSeats):
            yield
            return
        async with self._turn(unit.trip_id) as crowd:
            await self._refuse_known_held(unit, user_id, key, crowd)
            yield

    @asynccontextmanager
    async def _turn(self, trip_id: int) -> AsyncIterator[int]:
        """This worker's bookings of one trip take turns; yields how many wanted it on arrival (itself included)."""
        lock, waiting = self._queues.get(trip_id) or (asyncio.Lock(), 0)
        self._queues[trip_id] = (lock, waiting + 1)
        try:
            try:  # as long as a request may wait for a pooled connection, then "busy, try again" (503)
                async with asyncio.timeout(db.acquire_timeout()):
                    await lock.acquire()
            except TimeoutError:
                raise db.Busy("too many bookings of this trip are waiting") from None
            try:
                yield waiting + 1
            finally:
                lock.release()
        finally:
            lock, waiting = self._queues[trip_id]
            if waiting == 1:
                del self._queues[trip_id]
            else:
                self._queues[trip_id] = (lock, waiting - 1)

    async def _refuse_known_held(self, unit: BusSeats, user_id: int, key: str | None, crowd: int) -> None:
        """A 409 at once for a seat already held. Alone for the trip, only what is already known is used (no
        query: the locked check decides anyway); in a crowd the held seats are read once and kept until the trip's
        next availability event. A repeated idempotency key is never refused here: its own first submit may be
        what holds the seats, and the engine replays that booking."""

        async def load_held() -> frozenset[str]:
            async with db.reading() as cur:
                return frozenset(await queries.select_held_seats(cur, unit.trip_id))

        cache = searchcache.current()
        if crowd > 1:
            held = await cache.get_or_compute(("held", unit.trip_id), [searchcache.trip_tag(unit.trip_id)], load_held)
        else:
            held = cache.peek(("held", unit.trip_id)) or frozenset()
        taken = [seat for seat in unit.seats if seat in held]
        if not taken:
            return
        if key:
            async with db.reading() as cur:
                if await queries.select_booking_id_by_key(cur, user_id, key) is not None:
                    return
        raise SeatsUnavailable(taken, unit.trip_id)


_OFF = Admission(enabled=False)


def current() -> Admission:
    if has_app_context():
        return current_app.extensions.get(EXTENSION) or _OFF
    return _OFF


def init_app(app, enabled: bool) -> None:
    app.extensions[EXTENSION] = Admission(enabled)
