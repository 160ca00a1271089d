"""Outbox events: written inside the transaction that changed inventory, fanned out to SSE clients.

publish() is the only way to write an event, so a change and its notification commit or vanish together.

Each worker process runs one Poller on its own autocommit connection (never a pooled one). It reads new
rows from `events` every `sse_poll_interval` seconds and hands them to the worker's Hub, which offers each
event to the subscriptions of its topic. The database is the only bus: every worker on every host sees
every committed event, with no broker to run.

Auto-increment ids are allocated at INSERT but become visible at COMMIT, so id 41 can appear after id 42
was already delivered. A single high-water mark would skip 41 forever; the poller instead remembers the
ids it jumped over ("gaps") and re-checks them on every poll for `sse_gap_seconds`. Rolled-back inserts and
Galera's auto_increment_increment leave permanent gaps, hence the time limit.
"""

from __future__ import annotations

import asyncio
import contextvars
import ctypes
import ctypes.util
import gc
import json
import logging
import time
import uuid
from collections import OrderedDict
from collections.abc import Iterable
from typing import Any

import aiomysql
from quart import Quart

from . import db, searchcache
from .live import queries
from .live.queries import EventRow

log = logging.getLogger(__name__)

Event = EventRow
BATCH = 1000  # rows per poll query; a full batch is followed by another poll at once
MAX_GAPS = 5000  # bounds memory and the IN (...) list when a burst leaves many holes
PRUNE_EVERY = 300.0  # seconds between deletions of old events
PRUNE_BATCH = 5000
# After this many streams close, the worker collects their reference cycles at once and asks glibc to hand free
# pages back (bench/live.py, 2,000 streams closed: RSS +81 MB over the baseline before, see docs/live.md).
TRIM_AFTER_CLOSED = 500
TRIM_DELAY = 2.0  # seconds after the closing that crossed the threshold, so a burst is trimmed once


def release_memory() -> None:
    """Free what closed streams left in reference cycles now rather than at some later full collection, then let
    glibc return free heap pages to the system (no-op elsewhere). A full collection here takes some tens of ms."""
    gc.collect()
    if _malloc_trim is not None:
        _malloc_trim(0)


def _find_malloc_trim():
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None


_malloc_trim = _find_malloc_trim()


async def publish(cur, topic: str, kind: str, payload: dict[str, Any]) -> None:
    """Insert an outbox event on the caller's transaction cursor (never commits; it goes with the next statement)."""
    await db.defer(
        cur,
        "INSERT INTO events (topic, kind, payload) VALUES (%(topic)s, %(kind)s, %(payload)s)",
        {"topic": topic, "kind": kind, "payload": json.dumps(payload, default=str)},
    )
    # This worker forgets the affected search answers now (before the commit, so a search after the response
    # is fresh); the others do when their poller reads the committed event.
    searchcache.current().invalidate(searchcache.tags_for_event(topic, payload))


class TooManyStreams(Exception):
    """This worker already holds sse_max_streams open streams (HTTP 503)."""


class TooManyClientStreams(TooManyStreams):
    """This client address already holds sse_max_streams_per_client streams on this worker (HTTP 429)."""


class Stopping(TooManyStreams):
    """This worker is shutting down and opens no more streams (HTTP 503; the client reconnects elsewhere)."""


def _coalesce_key(event: Event) -> tuple:
    # Availability payloads are states: a newer one for the same trip (or the same hotel room type)
    # replaces an older one still waiting in a slow client's queue.
    return (event.topic, event.kind, event.payload.get("room_type_id"))


def _merge(old: Event, new: Event) -> Event:
    """A newer state for the same key; hotel nights the newer event did not touch keep the older numbers, and a
    train's or flight's changed segments add up (a stream watching either segment must still hear of it)."""
    if isinstance(old.payload.get("legs_left"), dict) and isinstance(new.payload.get("legs_left"), dict):
        payload = dict(new.payload)
        payload["legs_left"] = {**old.payload["legs_left"], **new.payload["legs_left"]}
        payload["from_stop"] = min(old.payload["from_stop"], new.payload["from_stop"])
        payload["to_stop"] = max(old.payload["to_stop"], new.payload["to_stop"])
        return Event(max(old.id, new.id), new.topic, new.kind, payload)
    old_nights, new_nights = old.payload.get("rooms_left"), new.payload.get("rooms_left")
    if not (isinstance(old_nights, dict) and isinstance(new_nights, dict)):
        return new
    payload = dict(new.payload)
    payload["rooms_left"] = {**old_nights, **new_nights}
    payload["dates"] = sorted(set(old.payload.get("dates") or []) | set(new.payload.get("dates") or []))
    return Event(max(old.id, new.id), new.topic, new.kind, payload)


class Subscription:
    """One stream's bounded mailbox. offer() never blocks: past `maxsize` keys the oldest update is dropped.

    A worker holds thousands of these, so each keeps only what it needs: a plain dict (insertion-ordered) for the
    pending events, and a future only while its stream waits (an asyncio.Event and an asyncio.timeout per wait
    cost each stream about 1 KB more, bench/live.py)."""

    __slots__ = ("topics", "client", "maxsize", "dropped", "closed", "_pending", "_waiter", "_hub")

    def __init__(self, hub: "Hub", topics: frozenset[str], maxsize: int, client: str | None = None) -> None:
        self._hub = hub
        self.topics = topics
        self.client = client
        self.maxsize = maxsize
        self.dropped = 0
        self.closed = False
        self._pending: dict[tuple, Event] = {}
        self._waiter: asyncio.Future | None = None

    def offer(self, event: Event) -> None:
        key = _coalesce_key(event)
        old = self._pending.pop(key, None)
        if old is not None:
            event = _merge(old, event)
        elif len(self._pending) >= self.maxsize:
            del self._pending[next(iter(self._pending))]
            self.dropped += 1
        self._pending[key] = event  # (re)inserted last, so a stream's ids mostly increase
        self._wake()

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def next_batch(self, timeout: float) -> list[Event] | None:
        """Pending events in arrival order; [] after `timeout` with nothing new; None once closed."""
        if not self._pending and not self.closed:
            # A bare future and one timer: a cancellation (client gone, Hypercorn's shutdown) always raises here,
            # unlike Python 3.11's wait_for, which could drop one that landed as the wait completed.
            loop = asyncio.get_running_loop()
            waiter = self._waiter = loop.create_future()
            timer = loop.call_later(timeout, _resolve, waiter, context=_CALLBACK_CONTEXT)
            try:
                await waiter
            finally:
                timer.cancel()
                self._waiter = None
        if self.closed:
            return None
        batch = list(self._pending.values())
        self._pending.clear()
        return batch

    def close(self) -> None:
        """Unsubscribe (idempotent); a waiting next_batch() returns None."""
        if not self.closed:
            self.closed = True
            self._hub._remove(self)
            self._wake()

    def task_done(self, _task: asyncio.Task) -> None:
        """The request task that subscribed has ended."""
        self.close()


_CALLBACK_CONTEXT = contextvars.Context()


def _resolve(waiter: asyncio.Future) -> None:
    if not waiter.done():
        waiter.set_result(None)


class Hub:
    """This worker's subscribers by topic; the poller dispatches into it, streams subscribe to it."""

    def __init__(
        self, max_streams: int, queue_size: int = 32, heartbeat: float = 15.0, max_per_client: int = 10**9
    ) -> None:
        self.max_streams = max_streams
        self.max_per_client = max_per_client
        self._per_client: dict[str, int] = {}
        self.queue_size = queue_size
        self.heartbeat = heartbeat
        self.worker_tag = uuid.uuid4().hex[:12]  # tells apart the workers behind one port (X-Stream-Worker)
        self.delivered = 0
        self.rendered: OrderedDict[tuple, bytes | None] = OrderedDict()  # see live.service.cached
        self._by_topic: dict[str, set[Subscription]] = {}
        self._subscriptions: set[Subscription] = set()
        self.stopping = False
        self._closed_since_trim = 0
        self._trim: asyncio.TimerHandle | None = None

    @property
    def subscriber_count(self) -> int:
        return len(self._subscriptions)

    def subscribe(self, topics: Iterable[str], client: str | None = None) -> Subscription:
        """Register a stream; raises TooManyStreams past the per-worker cap, TooManyClientStreams past the cap for
        one client address (so one client cannot take every slot), Stopping once the worker is shutting down."""
        if self.stopping:
            raise Stopping("this server is restarting")
        if len(self._subscriptions) >= self.max_streams:
            raise TooManyStreams(f"this server holds {self.max_streams} live streams already")
        if client is not None and self._per_client.get(client, 0) >= self.max_per_client:
            raise TooManyClientStreams(f"your address holds {self.max_per_client} live streams already")
        sub = Subscription(self, frozenset(topics), self.queue_size, client)
        self._subscriptions.add(sub)
        if client is not None:
            self._per_client[client] = self._per_client.get(client, 0) + 1
        for topic in sub.topics:
            self._by_topic.setdefault(topic, set()).add(sub)
        # Whatever ends the request task (normal end, disconnect, error before the body started),
        # the subscription goes with it; stream generators also close it in their `finally`.
        task = asyncio.current_task()
        if task is not None:
            # A bound method in a shared empty context: a copy of the request's context would keep the request context
            # (its app context, g, session, URL adapter) alive for as long as the stream stays open.
            task.add_done_callback(sub.task_done, context=_CALLBACK_CONTEXT)
        return sub

    def _remove(self, sub: Subscription) -> None:
        if sub in self._subscriptions and sub.client is not None:
            left = self._per_client[sub.client] - 1
            if left:
                self._per_client[sub.client] = left
            else:
                del self._per_client[sub.client]
        self._subscriptions.discard(sub)
        for topic in sub.topics:
            subs = self._by_topic.get(topic)
            if subs is not None:
                subs.discard(sub)
                if not subs:
                    del self._by_topic[topic]
        self._closed_since_trim += 1
        if self._closed_since_trim >= TRIM_AFTER_CLOSED and self._trim is None and not self.stopping:
            try:
                self._trim = asyncio.get_running_loop().call_later(TRIM_DELAY, self._release)
            except RuntimeError:  # no loop (a test closing subscriptions by hand)
                pass

    def _release(self) -> None:
        self._trim = None
        self._closed_since_trim = 0
        release_memory()

    def dispatch(self, events: Iterable[Event]) -> None:
        for event in events:
            for sub in self._by_topic.get(event.topic, ()):
                sub.offer(event)
            self.delivered += 1

    def close_all(self) -> None:
        """End every open stream (each generator sees None and returns) and refuse new ones."""
        self.stopping = True
        if self._trim is not None:
            self._trim.cancel()
            self._trim = None
        for sub in list(self._subscriptions):
            sub.close()
        self.rendered.clear()


class Poller:
    """Reads committed events in id order, re-checks gaps, dispatches to the hub; reconnects with backoff."""

    def __init__(
        self,
        hub: Hub,
        url,
        *,
        interval: float,
        gap_seconds: float,
        retention_hours: int,
        cache: searchcache.SearchCache | None = None,
    ) -> None:
        self.hub = hub
        self.cache = cache  # this worker's search answers, invalidated by every committed event
        self.url = url
        self.interval = interval
        self.gap_seconds = gap_seconds
        self.retention_hours = retention_hours
        self.cursor: int | None = None  # highest id seen
        self.gaps: OrderedDict[int, float] = OrderedDict()  # id jumped over -> when first missed
        self.polls = 0
        self.connected = asyncio.Event()
        self._conn: aiomysql.Connection | None = None
        self._task: asyncio.Task | None = None
        self._stopping = False
        self._next_prune = 0.0

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run(), name="travelgo-events-poller")

    async def stop(self) -> None:
        if self._task is not None:
            self._stopping = True
            # Cancel until the task is really done: on Python 3.11 a cancel that lands while an inner
            # wait completes can be swallowed, which once hung shutdown for a minute.
            while not self._task.done():
                self._task.cancel()
                await asyncio.wait({self._task}, timeout=1)
            self._task = None
        self._close_connection()

    def _close_connection(self) -> None:
        # close() (not ensure_closed) needs no round trip; leaving it open would end in
        # "Event loop is closed" from a finaliser after shutdown.
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        self.connected.clear()

    async def _run(self) -> None:
        backoff = 0.1
        while not self._stopping:
            try:
                if self._conn is None:
                    self._conn = await aiomysql.connect(
                        autocommit=True,
                        connect_timeout=3,
                        cursorclass=aiomysql.DictCursor,
                        **self.url.connect_kwargs(),
                    )
                    self.connected.set()
                    log.info("events poller connected (worker %s)", self.hub.worker_tag)
                async with asyncio.timeout(10):
                    more = await self.poll_once()
                backoff = 0.1
                if not more:
                    await asyncio.sleep(self.interval)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the database went away or a query failed: reconnect later
                log.warning("events poller error, retrying in %.1fs: %r", backoff, exc)
                self._close_connection()
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)

    async def poll_once(self) -> bool:
        """One poll; returns True when a full batch came back (more rows are probably waiting)."""
        async with self._conn.cursor() as cur:
            self.polls += 1
            if self.cursor is None:
                # Start at the present: a new worker does not replay history (streams replay per topic).
                self.cursor = await queries.select_max_event_id(cur) or 0
            rows = await queries.select_events_after(cur, self.cursor, BATCH)
            found = await queries.select_events_by_ids(cur, list(self.gaps)) if self.gaps else []
            now = time.monotonic()
            for row in found:
                del self.gaps[row.id]
            for row in rows:
                self._note_gaps(row.id, now)
                self.cursor = row.id
            self._expire_gaps(now)
            if now >= self._next_prune:
                self._next_prune = now + PRUNE_EVERY
                await self._prune(cur)
        delivered = sorted(found + rows, key=lambda row: row.id)
        if delivered:
            if self.cache is not None:
                self.cache.note_events(delivered)
            self.hub.dispatch(delivered)
        return len(rows) == BATCH

    def _note_gaps(self, new_id: int, now: float) -> None:
        first_missing = max(self.cursor + 1, new_id - MAX_GAPS)
        for missing in range(first_missing, new_id):
            self.gaps[missing] = now
        while len(self.gaps) > MAX_GAPS:
            self.gaps.popitem(last=False)

    def _expire_gaps(self, now: float) -> None:
        # Insertion order is id order and time order, so expired gaps are at the front.
        while self.gaps:
            gap_id, since = next(iter(self.gaps.items()))
            if now - since < self.gap_seconds:
                break
            del self.gaps[gap_id]

    async def _prune(self, cur) -> None:
        deleted = PRUNE_BATCH
        total = 0
        while deleted == PRUNE_BATCH:
            deleted = await queries.delete_events_before(cur, self.retention_hours, PRUNE_BATCH)
            total += deleted
        if total:
            log.info("pruned %d events older than %d hours", total, self.retention_hours)
        # A truncated table restarts ids below our cursor: start over rather than wait forever.
        latest = await queries.select_max_event_id(cur)
        if latest is not None and latest < self.cursor:
            log.warning("events table restarted its ids (%d < %d); resetting the poller", latest, self.cursor)
            self.cursor = 0
            self.gaps.clear()


EXTENSION = "travelgo_events"


def hub_for(app: Quart) -> Hub:
    """This worker's hub (created by start())."""
    return app.extensions[EXTENSION]["hub"]


def poller_for(app: Quart) -> Poller:
    return app.extensions[EXTENSION]["poller"]


async def start(app: Quart) -> None:
    """Start this worker's outbox poller."""
    settings = app.config["TRAVELGO"]
    hub = Hub(
        settings.sse_max_streams, settings.sse_queue_size, settings.sse_heartbeat, settings.sse_max_streams_per_client
    )
    poller = Poller(
        hub,
        settings.database_url,
        interval=settings.sse_poll_interval,
        gap_seconds=settings.sse_gap_seconds,
        retention_hours=settings.event_retention_hours,
        cache=app.extensions.get(searchcache.EXTENSION),
    )
    app.extensions[EXTENSION] = {"hub": hub, "poller": poller}
    poller.start()


async def stop(app: Quart) -> None:
    """Stop the poller and close its connection; open streams end."""
    state = app.extensions.pop(EXTENSION, None)
    if state is None:
        return
    state["hub"].close_all()
    await state["poller"].stop()
