"""Live availability streams: subscriptions, opening state, SSE framing. Shared by the HTML streams and the API.

A stream never holds a pooled database connection: the opening state (or the replay after a Last-Event-ID)
is one short read whose connection goes back to the pool before the first byte is streamed; afterwards
the stream only waits on its in-memory subscription, fed by this worker's events poller.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from quart import Response, current_app, request, stream_with_context

from .. import db, events, ratelimit
from ..bookings.kinds import seats_on_offer
from ..events import Event, Subscription
from ..security import client_ip
from ..text import is_digits, natural_key
from . import queries

RETRY_MS = 3000  # how long an EventSource waits before reconnecting
REPLAY_LIMIT = 500
RENDER_CACHE = 512  # rendered messages kept per worker
STREAM_HEADERS = {
    "Cache-Control": "no-cache, no-transform",
    "X-Accel-Buffering": "no",  # nginx: do not buffer the stream
}
HEARTBEAT = b": keepalive\n\n"
TRIP_FIELDS = ("trip_id", "seats_left", "unavailable_seats")
HOTEL_FIELDS = ("hotel_id", "room_type_id", "dates", "rooms_left")

Render = Callable[[Event], Awaitable[bytes | None]]


def sse_message(data: str, *, event: str | None = None, id: int | None = None) -> bytes:
    """One SSE message; every data line gets its own `data:` prefix so multi-line HTML survives."""
    lines = []
    if event:
        lines.append(f"event: {event}")
    if id is not None:
        lines.append(f"id: {id}")
    lines.extend(f"data: {line}" for line in (data.splitlines() or [""]))
    return ("\n".join(lines) + "\n\n").encode()


HTML_SAFE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "'": "\\u0027"})


def json_message(payload: dict[str, Any], *, event: str, id: int | None) -> bytes:
    """JSON data with <, >, & and ' as \\u escapes: still the same JSON, and inert if a page ever swapped it in."""
    text = json.dumps(payload, separators=(",", ":"), default=str).translate(HTML_SAFE)
    return sse_message(text, event=event, id=id)


def hub() -> events.Hub:
    return events.hub_for(current_app)


async def cached(key: tuple, build: Callable[[], Awaitable[bytes | None]]) -> bytes | None:
    """Render a message once per event for every stream that sends the same bytes (2,000 clients, one render)."""
    memo = hub().rendered
    if key in memo:
        return memo[key]
    message = memo[key] = await build()
    while len(memo) > RENDER_CACHE:
        memo.popitem(last=False)
    return message


async def subscribe(topics: Iterable[str]) -> Subscription:
    """Subscribe the current request to topics. Opening streams is rate-limited per client address (429), and one
    address may hold only so many (events.TooManyClientStreams); events.TooManyStreams at this worker's cap."""
    client = client_ip()
    await ratelimit.hit("stream_open_ip", client)
    return hub().subscribe(topics, client)


def last_event_id() -> int | None:
    """The Last-Event-ID an EventSource sends on reconnect (ignored when it is not a plain id)."""
    value = request.headers.get("Last-Event-ID", "").strip()
    if is_digits(value) and len(value) < 20:
        return int(value)
    return None


def stream_response(sub: Subscription, opening: list[bytes], render: Render, *, needs_request: bool = True) -> Response:
    """A text/event-stream response: opening messages, then rendered events, heartbeats in between.

    `render` runs with the request context (HTML fragments: templates and their context processors read the
    request), or with `needs_request=False` in an app context only: a held stream then keeps no second request
    context, session and URL adapter (the JSON API streams, whose messages depend on the event alone)."""
    heartbeat = hub().heartbeat

    async def messages() -> AsyncIterator[bytes]:
        try:
            yield f"retry: {RETRY_MS}\n\n".encode() + b"".join(opening)
            del opening[:]  # sent: the stream holds it no longer
            while True:
                batch = await sub.next_batch(heartbeat)
                if batch is None:  # the worker is shutting down
                    return
                if not batch:
                    yield HEARTBEAT
                    continue
                chunks = [chunk for event in batch if (chunk := await render(event))]
                if chunks:
                    yield b"".join(chunks)
        finally:
            # A client disconnect arrives here as CancelledError.
            sub.close()

    if needs_request:
        body = stream_with_context(messages)()
    else:
        body = _with_app_context(current_app._get_current_object(), messages())
    response = current_app.response_class(body, mimetype="text/event-stream")
    response.headers.update(STREAM_HEADERS)
    response.headers["X-Stream-Worker"] = hub().worker_tag
    response.timeout = None  # RESPONSE_TIMEOUT would end every stream after 60 s
    return response


async def _with_app_context(app, stream: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    async with app.app_context():
        async for chunk in stream:
            yield chunk


async def opened(sub: Subscription, opening: Callable[[], Awaitable[Any]]) -> Any:
    """Run the opening read for a fresh subscription; the subscription is dropped if it fails."""
    try:
        return await opening()
    except BaseException:
        sub.close()
        raise


# --- trips -----------------------------------------------------------------------------------------


def trip_topic(trip_id: int) -> str:
    return f"trip:{trip_id}"


@dataclass
class TripOpening:
    """What a trip stream sends first: the full state, or the events missed since Last-Event-ID."""

    state: dict[str, Any]
    state_id: int
    replay: list[Event] = field(default_factory=list)
    replayed: bool = False


async def trip_availability(cur, trip_id: int) -> tuple[int, dict[str, Any]] | None:
    """(last event id of the trip, {trip_id, seats_left, unavailable_seats}) or None for an unknown trip."""
    # The event id is read first: the state read after it includes at least everything up to that id.
    state_id = await queries.select_topic_last_event_id(cur, trip_topic(trip_id))
    trip = await queries.select_trip_seats(cur, trip_id)
    if trip is None:
        return None
    held = await queries.select_held_seat_labels(cur, trip_id)
    seats_left, labels = await seats_on_offer(cur, trip, int(trip["seats_left"]), held)  # as publish_trip says
    return state_id, {
        "trip_id": trip_id,
        "seats_left": seats_left,
        "unavailable_seats": sorted(labels, key=natural_key),
    }


async def trip_opening(trip_id: int, after: int | None) -> TripOpening | None:
    """One short read: the trip's current availability, plus the replay when resuming. None if unknown."""
    async with db.reading() as cur:
        found = await trip_availability(cur, trip_id)
        if found is None:
            return None
        state_id, state = found
        opening = TripOpening(state, state_id)
        if after is not None:
            oldest = await queries.select_min_event_id(cur)
            # Resume only when nothing after `after` can have been pruned; else the full state.
            if oldest is None or after >= oldest - 1:
                opening.replay = await queries.select_topic_events_after(cur, trip_topic(trip_id), after, REPLAY_LIMIT)
                opening.replayed = len(opening.replay) < REPLAY_LIMIT
    return opening


def trip_payload(event: Event) -> dict[str, Any]:
    return {key: event.payload.get(key) for key in TRIP_FIELDS}


def is_availability(event: Event) -> bool:
    return event.kind == "availability"


def skip_seen(seen_up_to: int, replayed_ids: set[int]) -> Callable[[Event], bool]:
    """Live events already covered by the opening: replayed ones, and (per trip, where the trip row lock
    makes id order the commit order) those at or below the state's id."""

    def seen(event: Event) -> bool:
        return event.id in replayed_ids or event.id <= seen_up_to

    def at_or_below(event: Event) -> bool:
        return event.id <= seen_up_to

    return seen if replayed_ids else at_or_below  # most streams replay nothing: keep no empty set per stream


# --- hotels ----------------------------------------------------------------------------------------


def hotel_topic(hotel_id: int) -> str:
    return f"hotel:{hotel_id}"


async def hotel_replay(hotel_id: int, after: int | None) -> list[Event] | None:
    """None for an unknown hotel; else the hotel's events since `after` (none without a Last-Event-ID).

    A hotel's events are not serialised by one row lock (two room types, two bookings), so a lower id can
    commit after the client saw a higher one and then went away: `id > after` would never send it. The replay
    therefore starts at the hotel's earliest event created within the poller's gap window before `after`
    (the same window the live stream waits for a late id) and re-sends from there in id order. Each message
    carries absolute rooms left for its room type's nights, and one room-night's events are in commit order
    (its inventory row is locked before the event is written), so applying them in order ends at the current
    state even where the client had already seen some.
    """
    async with db.reading() as cur:
        if await queries.select_hotel_id(cur, hotel_id) is None:
            return None
        if after is None:
            return []
        topic = hotel_topic(hotel_id)
        start = after
        window = timedelta(seconds=current_app.config["TRAVELGO"].sse_gap_seconds)
        recent = await queries.select_topic_events_before(cur, topic, after, REPLAY_LIMIT)
        if recent and recent[0]["id"] == after:
            cutoff = recent[0]["created_at"] - window
            for row in recent[1:]:
                if row["created_at"] < cutoff:
                    break
                start = row["id"] - 1
        return await queries.select_topic_events_after(cur, topic, start, REPLAY_LIMIT)


def hotel_payload(event: Event) -> dict[str, Any]:
    return {key: event.payload.get(key) for key in HOTEL_FIELDS}


async def hotel_stay_rooms_left(hotel_id: int, check_in: date, check_out: date) -> dict[int, dict[str, int]] | None:
    """room_type_id -> {night: rooms left} for a stay, or None for an unknown hotel (one short read)."""
    async with db.reading() as cur:
        if await queries.select_hotel_id(cur, hotel_id) is None:
            return None
        nights = await queries.select_hotel_rooms_left(cur, hotel_id, check_in, check_out)
        for room_type_id in await queries.select_hotel_room_type_ids(cur, hotel_id):
            nights.setdefault(room_type_id, {})
    return nights


async def trips_seats_left(trip_ids: list[int]) -> dict[int, int]:
    async with db.reading() as cur:
        return await queries.select_trips_seats_left(cur, trip_ids)
