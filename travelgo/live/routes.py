"""HTML live streams for htmx's SSE extension: rendered, autoescaped fragments named after what they replace.

A page opts in with `hx-ext="sse" sse-connect="<stream url>"` and elements carrying `sse-swap="<event>"`;
without JavaScript or EventSource the page simply stays as rendered.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, Field, field_validator, model_validator
from quart import Blueprint, abort, render_template, request

from .. import events
from ..hotels.service import FEW_ROOMS
from ..problems import Problem
from ..text import is_digits
from ..web import parse_model
from . import service as live

bp = Blueprint("live", __name__)

MAX_TRIPS = 100  # a search results page lists at most this many trips (BusSearch.limit)
MAX_STAY_NIGHTS = 30


async def subscribe(topics: list[str]) -> events.Subscription:
    try:
        return await live.subscribe(topics)
    except events.TooManyClientStreams as exc:
        raise Problem(
            429, "Too many live streams", f"{exc}. Close a tab and reload.", headers={"Retry-After": "5"}
        ) from exc
    except events.TooManyStreams as exc:
        raise Problem(
            503,
            "Too many live streams",
            "Live updates are busy; the page still works without them.",
            headers={"Retry-After": "5"},
        ) from exc


# --- trip page -------------------------------------------------------------------------------------


async def trip_messages(state: dict[str, Any], event_id: int | None) -> bytes:
    """For the trip page: `seats-left` (the number, swapped into #seats-left-<id>) and `availability`
    (JSON; the seat map form re-fetches itself on it, keeping the traveller's selection server-side)."""
    return await seats_left_number(state, event_id) + live.json_message(state, event="availability", id=event_id)


async def seats_left_number(state: dict[str, Any], event_id: int | None) -> bytes:
    return live.sse_message(str(int(state["seats_left"])), event="seats-left", id=event_id)


@bp.get("/buses/<int:trip_id>/live")
async def trip_live(trip_id: int):
    """Live seats-left and availability of one trip for the trip page (server-sent events)."""
    sub = await subscribe([live.trip_topic(trip_id)])
    opening = await live.opened(sub, lambda: live.trip_opening(trip_id, None))
    if opening is None:
        sub.close()
        abort(404)
    # The page was rendered moments ago, so the seat map is only told to re-fetch itself on connect when it
    # is stale: the page's seats-left (?left=) differs, or a reconnect's Last-Event-ID is behind the state.
    resumed_from = live.last_event_id()
    shown = request.args.get("left", "")
    stale = (is_digits(shown) and int(shown) != opening.state["seats_left"]) or (
        resumed_from is not None and resumed_from < opening.state_id
    )
    opener = trip_messages if stale else seats_left_number
    first = [await opener(opening.state, opening.state_id)]
    seen = live.skip_seen(opening.state_id, set())

    async def render(event: events.Event) -> bytes | None:
        if not live.is_availability(event) or seen(event):
            return None
        return await live.cached(("trip-page", event.id), lambda: trip_messages(live.trip_payload(event), event.id))

    return live.stream_response(sub, first, render)


# --- bus search results ----------------------------------------------------------------------------


class TripList(BaseModel):
    trips: list[int] = Field(min_length=1, max_length=MAX_TRIPS)

    @field_validator("trips", mode="before")
    @classmethod
    def split(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [part for part in (p.strip() for p in value.split(",")) if part]
        return value

    @field_validator("trips")
    @classmethod
    def positive(cls, value: list[int]) -> list[int]:
        if any(n < 1 for n in value):
            raise ValueError("trip ids are positive numbers")
        return list(dict.fromkeys(value))


async def seats_left_message(trip_id: int, seats_left: int, event_id: int | None) -> bytes:
    badge = await render_template("live/_seats_left_badge.html", trip_id=trip_id, seats_left=seats_left)
    return live.sse_message(badge, event=f"seats-left-{trip_id}", id=event_id)


@bp.get("/buses/live")
async def trip_list_live():
    """Live seats-left badges for the trips listed on a search results page (?trips=1,2,3)."""
    query, errors = parse_model(TripList, {"trips": request.args.get("trips", "")})
    if query is None:
        raise Problem(422, "Invalid input", errors.get("trips", "trips must list trip ids"))
    sub = await subscribe([live.trip_topic(trip_id) for trip_id in query.trips])
    seats = await live.opened(sub, lambda: live.trips_seats_left(query.trips))
    first = [await seats_left_message(trip_id, left, None) for trip_id, left in sorted(seats.items())]

    async def render(event: events.Event) -> bytes | None:
        trip_id, left = event.payload.get("trip_id"), event.payload.get("seats_left")
        if not live.is_availability(event) or not isinstance(left, int) or trip_id not in seats:
            return None
        return await live.cached(("badge", event.id), lambda: seats_left_message(trip_id, left, event.id))

    return live.stream_response(sub, first, render)


# --- hotel page ------------------------------------------------------------------------------------


class Stay(BaseModel):
    check_in: date
    check_out: date

    @model_validator(mode="after")
    def ordered(self) -> "Stay":
        nights = (self.check_out - self.check_in).days
        if nights < 1:
            raise ValueError("check_out must be after check_in")
        if nights > MAX_STAY_NIGHTS:
            raise ValueError(f"a stay is at most {MAX_STAY_NIGHTS} nights")
        return self


def stay_rooms_left(nights: dict[str, int], stay: Stay) -> int:
    """Rooms bookable for the whole stay: the fewest left on any night (a night without inventory has none)."""
    count = (stay.check_out - stay.check_in).days
    if len(nights) < count:
        return 0
    return max(min(nights.values()), 0)


async def rooms_left_message(room_type_id: int, rooms_left: int, event_id: int | None) -> bytes:
    badge = await render_template(
        "live/_rooms_left_badge.html", room_type_id=room_type_id, rooms_left=rooms_left, few_rooms=FEW_ROOMS
    )
    return live.sse_message(badge, event=f"rooms-left-{room_type_id}", id=event_id)


@bp.get("/hotels/<int:hotel_id>/live")
async def hotel_live(hotel_id: int):
    """Live rooms-left per room type for the stay shown on a hotel page (?check_in=&check_out=)."""
    stay, errors = parse_model(
        Stay, {"check_in": request.args.get("check_in"), "check_out": request.args.get("check_out")}
    )
    if stay is None:
        raise Problem(422, "Invalid input", "; ".join(f"{k}: {v}" for k, v in errors.items()))
    sub = await subscribe([live.hotel_topic(hotel_id)])
    state = await live.opened(sub, lambda: live.hotel_stay_rooms_left(hotel_id, stay.check_in, stay.check_out))
    if state is None:
        sub.close()
        abort(404)
    first = [await rooms_left_message(rt, stay_rooms_left(nights, stay), None) for rt, nights in sorted(state.items())]
    stay_nights = {d.isoformat() for d in _nights(stay)}

    async def render(event: events.Event) -> bytes | None:
        room_type_id, changed = event.payload.get("room_type_id"), event.payload.get("rooms_left")
        if not live.is_availability(event) or room_type_id not in state or not isinstance(changed, dict):
            return None
        touched = {night: int(n) for night, n in changed.items() if night in stay_nights}
        if not touched:
            return None  # a booking on other nights does not change what this page shows
        before = stay_rooms_left(state[room_type_id], stay)
        state[room_type_id].update(touched)
        after = stay_rooms_left(state[room_type_id], stay)
        return await rooms_left_message(room_type_id, after, event.id) if after != before else None

    return live.stream_response(sub, first, render)


def _nights(stay: Stay) -> list[date]:
    from datetime import timedelta

    return [stay.check_in + timedelta(days=i) for i in range((stay.check_out - stay.check_in).days)]
