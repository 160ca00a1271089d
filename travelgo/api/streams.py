"""JSON API: live availability as server-sent events (public, no authentication)."""

from __future__ import annotations

from quart_schema import tag

from .. import events
from ..live import service as live
from ..problems import Problem
from . import bp, event_stream


async def subscribe(topic: str) -> events.Subscription:
    try:
        return await live.subscribe([topic])
    except events.TooManyClientStreams as exc:
        raise Problem(429, "Too many live streams", f"{exc}; close some first.", headers={"Retry-After": "5"}) from exc
    except events.TooManyStreams as exc:
        raise Problem(
            503, "Too many live streams", f"{exc}; please retry shortly.", headers={"Retry-After": "5"}
        ) from exc


async def trip_message(event: events.Event) -> bytes:
    return live.json_message(live.trip_payload(event), event="availability", id=event.id)


async def hotel_message(event: events.Event) -> bytes:
    return live.json_message(live.hotel_payload(event), event="availability", id=event.id)


@bp.get("/bus-trips/<int:trip_id>/events")
@tag(["Live availability"])
@event_stream("`availability` events for the trip, until the client disconnects")
async def trip_events(trip_id: int):
    """Server-sent events (text/event-stream) for one bus trip.

    `event: availability`, data `{"trip_id", "seats_left", "unavailable_seats"}`: the full state once on
    connect, then after every change (change messages also name the route: `origin_id`, `destination_id`). Each message has an `id:`; reconnect with `Last-Event-ID` to receive
    only the changes since then. A comment line is sent every 15 seconds to keep the connection open.
    """
    sub = await subscribe(live.trip_topic(trip_id))
    opening = await live.opened(sub, lambda: live.trip_opening(trip_id, live.last_event_id()))
    if opening is None:
        sub.close()
        raise Problem(404, "Not found", f"There is no bus trip {trip_id}.")
    if opening.replayed:
        first = [
            live.json_message(live.trip_payload(e), event="availability", id=e.id)
            for e in opening.replay
            if live.is_availability(e)
        ]
        seen = live.skip_seen(0, {e.id for e in opening.replay})
    else:
        first = [live.json_message(opening.state, event="availability", id=opening.state_id)]
        seen = live.skip_seen(opening.state_id, set())

    async def render(event: events.Event) -> bytes | None:
        if not live.is_availability(event) or seen(event):
            return None
        return await live.cached(("api", event.id), lambda: trip_message(event))

    return live.stream_response(sub, first, render, needs_request=False)


@bp.get("/hotels/<int:hotel_id>/events")
@tag(["Live availability"])
@event_stream("`availability` events for the hotel, until the client disconnects")
async def hotel_events(hotel_id: int):
    """Server-sent events (text/event-stream) for one hotel.

    `event: availability`, data `{"hotel_id", "room_type_id", "city_id", "dates", "rooms_left": {"YYYY-MM-DD": n}}`
    after every booking or change that touches the hotel's rooms. Each message has an `id:`; reconnect with
    `Last-Event-ID` to replay the changes since then. A replay may repeat messages from the few seconds before
    that id (a later-committed lower id is never missed); each carries absolute rooms left, so applying them
    in order ends at the current state.
    """
    sub = await subscribe(live.hotel_topic(hotel_id))
    replay = await live.opened(sub, lambda: live.hotel_replay(hotel_id, live.last_event_id()))
    if replay is None:
        sub.close()
        raise Problem(404, "Not found", f"There is no hotel {hotel_id}.")
    first = [
        live.json_message(live.hotel_payload(e), event="availability", id=e.id)
        for e in replay
        if live.is_availability(e)
    ]
    seen = live.skip_seen(-1, {e.id for e in replay})

    async def render(event: events.Event) -> bytes | None:
        if not live.is_availability(event) or seen(event):
            return None
        return await live.cached(("api", event.id), lambda: hotel_message(event))

    return live.stream_response(sub, first, render, needs_request=False)
