"""Bus search, trip details and seat selection (used by the pages and the JSON API alike)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from .. import dates, db, searchcache
from ..places import queries as place_queries
from ..places import service as places
from ..stops import service as stops
from . import queries
from .forms import TRIP_AMENITIES as AMENITY_ORDER
from .forms import BusSearch

# Why a trip offers no seat, in the words its pages use (None: on sale).
CLOSED_NOTICES = {
    "cancelled": "This departure has been cancelled.",
    "departed": "This bus has already departed.",
    "sold_out": "This bus is sold out.",
}


class SearchInvalid(Exception):
    """Input that passed pydantic but not the database (an unknown city id): field -> message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def _amenities(value) -> list[str]:
    items = value if isinstance(value, (set, list, tuple)) else (value or "").split(",")
    return [a for a in AMENITY_ORDER if a in items]


def trip_out(row: dict) -> dict:
    """A trips row (with its joins) in the API list shape. departs_at is aware in the origin city's zone, arrives_at in
    the destination's (the columns hold the origin's wall-clock times)."""
    departs_at = dates.local(row["departs_at"], row["origin_timezone"])
    arrives_at = dates.local(row["arrives_at"], row["origin_timezone"]).astimezone(
        dates.zone(row["destination_timezone"])
    )
    return {
        "id": row["id"],
        "mode": row["mode"],
        "operator": {
            "id": row["operator_id"],
            "name": row["operator_name"],
            "rating": float(row["operator_rating"]),
            "review_count": int(row.get("operator_review_count") or 0),
        },
        "origin": {"id": row["origin_id"], "name": row["origin_name"]},
        "destination": {"id": row["destination_id"], "name": row["destination_name"]},
        "departs_at": departs_at,
        "arrives_at": arrives_at,
        "duration_minutes": row["duration_minutes"],
        "bus_type": f"{'ac' if row['is_ac'] else 'non_ac'}_{row['berth']}",
        "price_minor": row["price_minor"],
        "currency": row["currency"],
        "seats_total": row["seats_total"],
        "seats_left": int(row["seats_left"]),
        "amenities": _amenities(row["amenities"]),
    }


async def search_trips(search: BusSearch, now: datetime | None = None) -> searchcache.Answer:
    """Trips of one day matching the filters: {items, total, limit, offset}. Raises SearchInvalid.

    Answers come from this worker's search cache when they can (`now` is for tests and bypasses it)."""
    if now is not None:
        return await _search_trips(search, now)
    return await searchcache.current().get_or_compute(
        ("bus-trips", search.day, search.model_dump_json()),
        searchcache.route_tags(search.origin, search.destination),
        lambda: _search_trips(search, datetime.now(UTC)),
    )


async def _search_trips(search: BusSearch, now: datetime) -> searchcache.Answer:
    day = search.day
    # Departures are wall-clock times of their origin: "not left yet" is judged by each origin zone's clock.
    zones = await places.zones([search.origin] if search.origin is not None else None) or [dates.HOME_ZONE]
    day_start = datetime.combine(day, time.min)
    starts = {z: max(day_start, now.astimezone(dates.zone(z)).replace(tzinfo=None)) for z in zones}
    start = min(starts.values())
    end = datetime.combine(day + timedelta(days=1), time.min)
    filters = dict(
        origin=search.origin,
        destination=search.destination,
        windows=search.departure,
        bus_types=search.bus_type,
        operators=search.operator,
        amenities=search.amenities,
        min_price=None if search.min_price is None else search.min_price * 100,
        max_price=None if search.max_price is None else search.max_price * 100,
        sort=search.sort,
        zone_starts=starts if len(set(starts.values())) > 1 else None,
    )
    async with db.reading(replica=True) as cur:
        rows, total, first_departure = await queries.select_trips(
            cur,
            filters,
            start=start,
            end=end,
            min_seats=max(search.passengers, search.min_seats or 1),
            limit=search.limit,
            offset=search.offset,
        )
        if not rows:  # a returned trip joined both its cities, so they exist: check only an empty answer
            await _check_cities(cur, search)
    answer = searchcache.Answer(
        items=[trip_out(r) for r in rows], total=total, limit=search.limit, offset=search.offset
    )
    # today's answers go stale when their first bus leaves (the earliest that wall-clock time comes in any origin zone)
    answer.valid_until = first_departure and min(dates.local(first_departure, z) for z in zones)
    return answer


async def _check_cities(cur, search: BusSearch) -> None:
    wanted = [c for c in (search.origin, search.destination) if c is not None]
    if not wanted:
        return
    found = await place_queries.select_cities_by_ids(cur, wanted)
    errors = {
        field: "We don't know that city. Pick one from the list."
        for field in ("origin", "destination")
        if getattr(search, field) is not None and getattr(search, field) not in found
    }
    if errors:
        raise SearchInvalid(errors)


def closed_reason(status: str, departs_at: datetime, seats_left: int, now: datetime | None = None) -> str | None:
    """Why no seat of a trip can be booked ("cancelled", "departed", "sold_out"), or None while it is on sale.
    departs_at is aware (dates.local with the origin's zone), so the host's and the database's zones never matter.

    The one rule for what pages, the API and live updates offer; the locked check in
    the booking engine (bookings.kinds.BusSeats.check) applies the same conditions under its lock and stays the judge."""
    if status != "scheduled":
        return "cancelled"
    if departs_at <= (now or datetime.now(UTC)):
        return "departed"
    if seats_left <= 0:  # an admin may offer fewer seats than the vehicle has: the counter, not the seats, is full
        return "sold_out"
    return None


async def get_trip(trip_id: int) -> dict | None:
    """The API detail shape of a trip, with every seat of its vehicle free or taken; None if unknown.

    A trip that is cancelled, departed or sold out offers no seat (bookable false, seats_left 0, closed_reason
    says which). departs_at/arrives_at are aware, in the origin's and the destination's zones (JSON: RFC 3339 with
    the offset, e.g. 2026-12-06T10:00:00+05:30).
    """
    async with db.reading() as cur:  # the primary: a seat map must not lag behind a booking
        row = await queries.select_trip(cur, trip_id)
        if row is None:
            return None
        seats = await queries.select_trip_seats(cur, trip_id, row["vehicle_id"])
        points = await stops.trip_points(cur, row)
    trip = trip_out(row)
    reason = closed_reason(row["status"], trip["departs_at"], trip["seats_left"])
    trip.update(
        status=row["status"],
        bookable=reason is None,
        closed_reason=reason,
        # seconds until an open bus departs: the open page closes its seat map then, without a reload or an event
        departs_in=None if reason else max(0, int((trip["departs_at"] - datetime.now(UTC)).total_seconds())),
        seats_left=trip["seats_left"] if reason is None else 0,
        seats=[
            {
                "label": s["label"],
                "deck": s["deck"],
                "row": s["row_no"],
                "column": s["col_no"],
                "kind": s["kind"],
                "available": reason is None and bool(s["available"]),
            }
            for s in seats
        ],
        boarding_points=points["boarding"],
        dropping_points=points["dropping"],
    )
    return trip


async def list_operators() -> list[dict]:
    """Every operator (for the operator filter); kept in the search cache like the cities (see places.catalog)."""

    async def load() -> list[dict]:
        async with db.reading(replica=True) as cur:
            return await queries.select_operators(cur)

    return await searchcache.current().get_or_compute(("operators",), (), load)


def seat_decks(trip: dict) -> list[dict]:
    """The seat map grouped by deck: rows, columns (the aisle is the column no seat uses) and seats."""
    decks = []
    for deck in sorted({s["deck"] for s in trip["seats"]}):
        seats = [s for s in trip["seats"] if s["deck"] == deck]
        columns = max(s["column"] for s in seats)
        used = {s["column"] for s in seats}
        decks.append(
            {
                "deck": deck,
                "name": ("Lower deck" if deck == 1 else "Upper deck")
                if len({s["deck"] for s in trip["seats"]}) > 1
                else "Seats",
                "rows": max(s["row"] for s in seats),
                "columns": columns,
                "aisles": [c for c in range(1, columns + 1) if c not in used],
                "seats": seats,
            }
        )
    return decks


def choose_seats(trip: dict, selected: list[str], toggle: str | None, passengers: int) -> tuple[list[str], str | None]:
    """Apply one seat press to the selection: (new selection, message for the live region)."""
    if not trip["bookable"]:  # the seat map says why (closed_reason)
        return [], None
    by_label = {s["label"]: s for s in trip["seats"]}
    message = None
    keep = [label for label in selected if label in by_label and by_label[label]["available"]]
    lost = [label for label in selected if label in by_label and not by_label[label]["available"]]
    if lost:
        message = f"Seat {', '.join(lost)} was just taken by someone else."
    keep = keep[:passengers]
    if toggle:
        seat = by_label.get(toggle)
        if seat is None:
            message = f"There is no seat {toggle} on this bus."
        elif toggle in keep:
            keep.remove(toggle)
            message = f"Seat {toggle} removed."
        elif not seat["available"]:
            message = f"Seat {toggle} is already taken."
        elif len(keep) >= passengers:
            message = (
                f"You can choose up to {passengers} seat{'s' if passengers > 1 else ''}. "
                "Remove one first, or search again for more passengers."
            )
        else:
            keep.append(toggle)
            message = f"Seat {toggle} selected."
    return keep, message


def next_day(day: date) -> date:
    return day + timedelta(days=1)
