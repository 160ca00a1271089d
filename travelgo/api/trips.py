"""JSON API: one search across buses, trains and flights; a train's or flight's stops and seat map for a segment;
its live availability (routes are added to travelgo.api.bp)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field
from quart_schema import tag, validate_response

from .. import events
from ..bookings.errors import BookingError, InvalidBooking, NotFound
from ..dates import today_in
from ..live import service as live
from ..problems import Problem
from ..segments import service as segments
from ..segments.forms import SegmentView, TripSearch
from ..segments.kind import topic
from . import bp, event_stream, problems, validate_query
from .streams import subscribe

ModeOut = Literal["bus", "train", "flight"]


class ClassFareOut(BaseModel):
    class_code: str = Field(description="SL, 3A, 2A, 1A, CC, EC (trains); Y, J (flights)")
    name: str
    seats_left: int = Field(description="seats of this class free on every leg of the segment")
    price_minor: int = Field(description="fare for the segment's distance, minor units")


class TripItemOut(BaseModel):
    id: int
    mode: ModeOut
    departs_at: datetime = Field(description="departure from the asked origin")
    arrives_at: datetime = Field(description="arrival at the asked destination")
    duration_minutes: int
    seats_left: int = Field(description="seats free on every leg from origin to destination")
    price_minor: int = Field(description="lowest fare with a seat left, minor units")
    currency: str
    operator: str
    name: str = Field(description="train or flight name (bus: the bus model)")
    code: str | None = Field(description="train or flight number; null for buses")
    classes: list[ClassFareOut] = Field(description="trains and flights: each class's seats left and fare")


class TripSearchOut(BaseModel):
    items: list[TripItemOut]
    total: int
    counts: dict[str, int] = Field(description="results per mode (for tabs)")


class SegmentCityOut(BaseModel):
    id: int
    name: str


class RouteStopOut(BaseModel):
    stop_no: int
    city: SegmentCityOut
    station: str
    iata: str | None = Field(description="airport code (flights)")
    arrives_at: datetime | None = Field(description="null at the first stop")
    departs_at: datetime | None = Field(description="null at the last stop")
    day: int = Field(description="day of the journey (1 = the day it leaves its first stop)")
    distance_km: int


class SegmentSeatOut(BaseModel):
    label: str = Field(description='unique within the trip, e.g. "B2-34" or "12A"')
    available: bool = Field(description="free on every leg of the asked segment")
    coach: str = Field(description='train coach or flight cabin ("B2", "Y"); a bus\'s deck ("Deck 1")')
    class_code: str | None = Field(description="SL, 3A, 2A, 1A, CC, EC, J, Y; null for a bus")
    berth: str = Field(
        description="lower, middle, upper, side_lower, side_upper (berths); window, middle_seat, aisle (seats; a bus's "
        "seats: window, aisle, middle)"
    )
    number: int | None
    row: int
    col: int
    price_minor: int | None


class CoachOut(BaseModel):
    code: str
    class_code: str | None
    class_name: str
    price_minor: int | None
    seats_left: int
    seats: list[SegmentSeatOut]


class SegmentTripOut(BaseModel):
    id: int
    mode: ModeOut
    status: str
    code: str | None = Field(description="train or flight number; null for a bus")
    name: str
    operator: str
    currency: str
    origin: SegmentCityOut
    destination: SegmentCityOut
    from_stop: int
    to_stop: int
    departs_at: datetime
    arrives_at: datetime
    distance_km: int
    seats_left: int
    stops: list[RouteStopOut] = Field(description="every stop of the route, in order")
    seats: list[SegmentSeatOut] = Field(description="every seat or berth, available or not for this segment")
    coaches: list[CoachOut] = Field(description="the same seats grouped by coach or cabin")


def _problem(exc: BookingError) -> Problem:
    if isinstance(exc, InvalidBooking):
        errors = [{"loc": [f], "field": f, "msg": m, "type": "value_error"} for f, m in exc.errors.items()]
        return Problem(422, "Invalid input", exc.detail, errors=errors)
    if isinstance(exc, NotFound):
        return Problem(404, "Not found", exc.detail)
    return Problem(exc.status, detail=exc.detail)


@bp.get("/trips")
@tag(["search"])
@validate_query(TripSearch)
@validate_response(TripSearchOut, 200)
@problems(404, 422)
async def api_trips_search(query_args: TripSearch):
    """Buses, trains and flights from `origin` to `destination` on one day, in one list (`modes` narrows it).

    Trains and flights match when they call at both cities in that order (boarding at an intermediate stop is
    fine): times are at those stops, `seats_left` and the lowest `price_minor` are for that segment."""
    q = query_args
    try:
        return await segments.search(
            q.origin, q.destination, q.date or today_in(), q.passengers, list(q.modes) or None, q.sort
        )
    except BookingError as exc:
        raise _problem(exc) from exc


@bp.get("/trips/<int:trip_id>")
@tag(["search"])
@validate_query(SegmentView)
@validate_response(SegmentTripOut, 200)
@problems(404, 422)
async def api_trip_segment(trip_id: int, query_args: SegmentView):
    """A trip of any mode: its stops in route order and every seat or berth, available or not, from `origin` to
    `destination` (city ids; default the whole route), grouped by coach or cabin (a bus: a two-stop route, its seats
    grouped by deck; /api/v1/bus-trips/{id} has its full detail)."""
    try:
        return await segments.trip_detail(trip_id, query_args.origin, query_args.destination)
    except BookingError as exc:
        raise _problem(exc) from exc


@bp.get("/trips/<int:trip_id>/events")
@tag(["Live availability"])
@event_stream("`availability` events for the segment, until the client disconnects")
@validate_query(SegmentView)
@problems(404, 422)
async def api_trip_segment_events(trip_id: int, query_args: SegmentView):
    """Server-sent events (text/event-stream) for one train or flight, as seen from `origin` to `destination`
    (default the whole route).

    `event: availability`, data `{"trip_id", "mode", "origin_id", "destination_id", "seats_left",
    "unavailable_seats"}` for that segment: once on connect, then after every booking, cancel or expiry of any
    segment that shares a leg with it (a booking of a disjoint segment sends nothing). A comment line every 15 s."""
    try:
        detail = await segments.trip_detail(trip_id, query_args.origin, query_args.destination)
    except BookingError as exc:
        raise _problem(exc) from exc
    if detail["mode"] == "bus":
        raise Problem(404, "Not found", f"Bus trip {trip_id}: its events are at /api/v1/bus-trips/{trip_id}/events.")
    first, last = detail["from_stop"], detail["to_stop"]
    sub = await subscribe(topic(trip_id))
    state = await live.opened(sub, lambda: segments.segment_state(trip_id, first, last))
    opening = [live.json_message(state, event="availability", id=None)]

    async def render(event: events.Event) -> bytes | None:
        changed = event.payload
        if not live.is_availability(event) or "from_stop" not in changed:
            return None
        if changed["from_stop"] >= last or changed["to_stop"] <= first:  # no shared leg
            return None

        async def build() -> bytes | None:
            now = await segments.segment_state(trip_id, first, last)
            return live.json_message(now, event="availability", id=event.id) if now else None

        return await live.cached(("segment", event.id, first, last), build)

    return live.stream_response(sub, opening, render, needs_request=False)
