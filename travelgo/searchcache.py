"""Per-worker cache of search answers, dropped by the same outbox events that drive live availability.

A search is read far more often than the inventory behind it changes, and on a busy day the same popular
route-days and cities are searched again and again. Each worker keeps recent answers for a few seconds
(`TRAVELGO_SEARCH_CACHE_SECONDS`, default 10; 0 turns the cache off) and forgets them as soon as something
they show may have changed:

- every inventory write publishes an outbox event in its own transaction (events.publish); the publishing
  worker drops the matching answers at once, every other worker when its events poller reads the event
  (every `sse_poll_interval`, 0.1 s), so another worker's answer is at most one poll behind a commit;
- availability events name the route (trip events: origin_id, destination_id) or the city (hotel events:
  city_id), so only the answers for that route or city go; an event without them drops everything;
- every admin change publishes a "catalog" event (admin.audit.record), and so does a reseed, which drops everything;
- a search that started before an invalidation is not stored (tag generations), so a slow query cannot put
  an answer back that is already out of date.
- an answer that goes stale without any write (today's first listed bus departs) is kept no longer than that
  (Answer.valid_until).

The same cache keeps catalog data read on every request (the city list, operators, a trip's names and times for
a booking's answer) and, until the trip's next event, the seats held on a trip (bookings.service uses them only
to refuse a taken seat early, never to accept one). Never anything about users: a revoked API token must fail on
every worker at once.

The booking transaction stays the only judge of availability: a cached answer can at worst show a seat that
is gone by the time the traveller books it, which the booking refuses cleanly, as it would a second later anyway.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable, Iterable
from datetime import UTC, datetime
from typing import Any, TypeVar

from quart import current_app, has_app_context

T = TypeVar("T")
Tag = tuple
EXTENSION = "travelgo_search_cache"
BUS_SEARCHES: Tag = ("buses",)  # answers without both route ends: any trip change may touch them
HOTEL_SEARCHES: Tag = ("hotels",)  # answers without a city
CATALOG_TOPIC = "catalog"
MAX_MADE = 16  # renderings kept per answer when their names come from requests


def trip_tag(trip_id: int) -> Tag:
    return ("trip", trip_id)


def route_tags(origin: int | None, destination: int | None) -> list[Tag]:
    return [("route", origin, destination)] if origin and destination else [BUS_SEARCHES]


def city_tags(city: int | None) -> list[Tag]:
    return [("city", city)] if city else [HOTEL_SEARCHES]


def tags_for_event(topic: str, payload: dict[str, Any]) -> list[Tag] | None:
    """The answers an event may have changed: a list of tags, or None for every answer."""
    if topic.startswith("trip:"):
        origin, destination = payload.get("origin_id"), payload.get("destination_id")
        trip = trip_tag(payload.get("trip_id") or int(topic.split(":", 1)[1]))
        return [BUS_SEARCHES, ("route", origin, destination), trip] if origin and destination else None
    if topic.startswith("hotel:"):
        city = payload.get("city_id")
        return [HOTEL_SEARCHES, ("city", city)] if city else None
    if topic == CATALOG_TOPIC:
        return None
    return []


class SearchCache:
    """Answers by key with a time to live, least recently used dropped first, invalidated by tag."""

    def __init__(self, ttl: float, max_entries: int = 1000) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        self.hits = self.misses = 0
        self._entries: OrderedDict[Hashable, tuple[float, tuple[Tag, ...], Any]] = OrderedDict()
        self._by_tag: dict[Tag, set[Hashable]] = {}
        self._generation: dict[Tag, int] = {}
        self._epoch = 0

    @property
    def enabled(self) -> bool:
        return self.ttl > 0

    def __len__(self) -> int:
        return len(self._entries)

    async def get_or_compute(self, key: Hashable, tags: Iterable[Tag], compute: Callable[[], Awaitable[T]]) -> T:
        """The cached answer for key, or compute() (stored unless one of its tags was invalidated meanwhile).

        An exception from compute() (an invalid search, a database error) is raised and nothing is stored."""
        if not self.enabled:
            return await compute()
        now = time.monotonic()
        entry = self._entries.get(key)
        if entry is not None and entry[0] > now:
            self._entries.move_to_end(key)
            self.hits += 1
            return entry[2]
        self.misses += 1
        tags = tuple(tags)
        before = self._version(tags)
        value = await compute()
        lifetime = min(self.ttl, _seconds_left(value))
        if self._version(tags) == before and lifetime > 0:
            self._store(key, tags, value, time.monotonic() + lifetime)
        return value

    def peek(self, key: Hashable) -> Any:
        """The cached answer for key, or None (nothing is computed)."""
        entry = self._entries.get(key) if self.enabled else None
        return entry[2] if entry is not None and entry[0] > time.monotonic() else None

    def invalidate(self, tags: Iterable[Tag] | None) -> None:
        """Forget the answers carrying any of these tags (None: every answer)."""
        if not self.enabled:
            return
        if tags is None:
            self.clear()
            return
        for tag in tags:
            self._generation[tag] = self._generation.get(tag, 0) + 1
            for key in self._by_tag.pop(tag, ()):
                self._drop(key)

    def note_events(self, events: Iterable[Any]) -> None:
        """Invalidate for committed outbox events (rows with .topic and .payload) read by the events poller."""
        for event in events:
            self.invalidate(tags_for_event(event.topic, event.payload))

    def clear(self) -> None:
        self._epoch += 1
        self._entries.clear()
        self._by_tag.clear()

    def _version(self, tags: tuple[Tag, ...]) -> tuple[int, ...]:
        return (self._epoch, *(self._generation.get(tag, 0) for tag in tags))

    def _store(self, key: Hashable, tags: tuple[Tag, ...], value: Any, expires: float) -> None:
        self._drop(key)
        self._entries[key] = (expires, tags, value)
        for tag in tags:
            self._by_tag.setdefault(tag, set()).add(key)
        while len(self._entries) > self.max_entries:
            self._drop(next(iter(self._entries)))

    def _drop(self, key: Hashable) -> None:
        entry = self._entries.pop(key, None)
        if entry is None:
            return
        for tag in entry[1]:
            keys = self._by_tag.get(tag)
            if keys is not None:
                keys.discard(key)
                if not keys:
                    del self._by_tag[tag]


def _seconds_left(value: Any) -> float:
    """How long an answer stays true by itself: until its valid_until (an aware datetime)."""
    until = getattr(value, "valid_until", None)
    return math.inf if until is None else (until - datetime.now(UTC)).total_seconds()


class Answer(dict):
    """A search answer (a plain dict to whoever reads it) that keeps what was made from it once: the API's JSON
    body, a page's results HTML. Cached answers are shared by concurrent requests: read them, never change them.

    valid_until: when the answer stops being true without any write (today's first listed bus departs and leaves
    the results); the cache keeps it no longer than that."""

    __slots__ = ("_made", "valid_until")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._made: dict[Hashable, Any] = {}
        self.valid_until: datetime | None = None

    async def made(self, name: Hashable, make: Callable[[], Awaitable[T]], bounded: bool = False) -> T:
        """make()'s result for this answer, made on first use (it must depend only on the answer and `name`).

        bounded: `name` comes from the request (say, a URL), so past MAX_MADE renderings it is made, not kept."""
        try:
            return self._made[name]
        except KeyError:
            value = await make()
            if not bounded or len(self._made) < MAX_MADE:
                self._made[name] = value
            return value


_OFF = SearchCache(ttl=0)


def init_app(app, ttl: float, max_entries: int) -> SearchCache:
    cache = app.extensions[EXTENSION] = SearchCache(ttl, max_entries)
    return cache


def current() -> SearchCache:
    """This worker's cache (a disabled one outside an app, e.g. in a CLI or a bench script)."""
    if not has_app_context():
        return _OFF
    return current_app.extensions.get(EXTENSION, _OFF)
