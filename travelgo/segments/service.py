"""Trains and flights: one search across modes, a trip's stops and seat map for a segment, and what a booking of a
segment shows. Booking itself goes through the engine (bookings.service.book_segment -> kind.SegmentSeats)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from .. import dates, db
from ..bookings.errors import InvalidBooking, NotFound
from ..buses import service as buses
from ..pricing import queries as pricing_queries
from ..pricing import service as pricing
from ..text import natural_key
from . import queries
from .fares import seat_price, segment_context, segment_pricing, stop_time

MODES = ("bus", "train", "flight")
SORTS = ("departure", "price", "duration")
CLASS_NAMES = {
    "SL": "Sleeper (SL)",
    "3A": "AC 3 Tier (3A)",
    "2A": "AC 2 Tier (2A)",
    "1A": "AC First Class (1A)",
    "CC": "AC Chair Car (CC)",
    "EC": "Executive Chair Car (EC)",
    "Y": "Economy",
    "J": "Business",
}


def stop_out(stop: dict[str, Any], departs_at: datetime, zone: str) -> dict[str, Any]:
    """A stop as pages and the API show it: city, station, times (aware) and the day of the journey."""
    arrives = stop_time(departs_at, stop["arrives_after"])
    departs = stop_time(departs_at, stop["departs_after"])
    first = departs_at.replace(hour=0, minute=0, second=0, microsecond=0)
    moment = departs or arrives
    return {
        "stop_no": stop["stop_no"],
        "city": {"id": stop["city_id"], "name": stop["city_name"]},
        "station": stop["station"],
        "iata": stop["iata"],
        "arrives_at": dates.local(arrives, zone),
        "departs_at": dates.local(departs, zone),
        "day": (moment - first).days + 1,
        "distance_km": stop["distance_km"],
    }


async def resolve_segment(trip_id: int, origin: int, destination: int) -> tuple[int, int]:
    """The stop numbers of two cities on a train or flight trip's route, in route order."""
    async with db.batch() as cur:
        trip_read, stops_read = await queries.queue_run_reads(cur, trip_id)
        if not await trip_read.rows(cur):
            raise NotFound("There is no such train or flight.", field="trip_id")
        stops = {s["city_id"]: s["stop_no"] for s in await stops_read.rows(cur)}
    errors = {}
    if origin not in stops:
        errors["origin"] = "This trip does not call at that origin"
    if destination not in stops:
        errors["destination"] = "This trip does not call at that destination"
    if not errors and stops[destination] <= stops[origin]:
        errors["destination"] = "The destination must come after the origin on this route"
    if errors:
        raise InvalidBooking(errors)
    return stops[origin], stops[destination]


# --- search ----------------------------------------------------------------------------------------------------


async def search(
    origin: int,
    destination: int,
    day: date,
    passengers: int = 1,
    modes: list[str] | None = None,
    sort: str = "departure",
) -> dict[str, Any]:
    """Every bus, train and flight from `origin` to `destination` leaving on `day` (the origin's date) with at
    least `passengers` seats left on the segment, in one list: seats left and the lowest fare for that segment."""
    modes = [m for m in (modes or MODES) if m in MODES]
    async with db.reading() as cur:
        city = await queries.select_city(cur, origin)
        if city is None:
            raise NotFound("There is no such origin city.", field="origin")
        if await queries.select_city(cur, destination) is None:
            raise NotFound("There is no such destination city.", field="destination")
        zone = city["timezone"]
        start = datetime.combine(day, datetime.min.time())
        start = max(start, dates.wall_now(zone).replace(tzinfo=None))  # departed trips are not offered
        end = datetime.combine(day + timedelta(days=1), datetime.min.time())
        items: list[dict[str, Any]] = []
        if "bus" in modes:
            for row in await queries.select_bus_runs(cur, origin, destination, start, end):
                items.append(
                    {
                        **row,
                        "name": row.pop("route_name"),
                        "code": None,
                        "classes": [],
                    }
                )
        if set(modes) & set(queries.SEGMENT_MODES):
            items.extend(await _segment_items(cur, origin, destination, start, end, modes))
    items = [i for i in items if i["seats_left"] >= passengers and i["price_minor"] is not None]
    keys = {
        "departure": lambda i: (i["departs_at"], i["id"]),
        "price": lambda i: (i["price_minor"], i["departs_at"], i["id"]),
        "duration": lambda i: (i["duration_minutes"], i["departs_at"], i["id"]),
    }
    items.sort(key=keys[sort if sort in keys else "departure"])
    for item in items:
        item["departs_at"] = dates.local(item["departs_at"], zone)
        item["arrives_at"] = dates.local(item["arrives_at"], zone)
    counts = {m: sum(1 for i in items if i["mode"] == m) for m in MODES}
    return {"items": items, "total": len(items), "counts": counts}


async def _segment_items(cur, origin, destination, start, end, modes) -> list[dict[str, Any]]:
    runs = await queries.select_segment_runs(cur, origin, destination, start, end, modes)
    if not runs:
        return []
    class_seats: dict[int, dict[str, int]] = {}
    for row in await queries.select_class_seats(cur, sorted({r["vehicle_id"] for r in runs})):
        class_seats.setdefault(row["vehicle_id"], {})[row["class_code"]] = row["seats"]
    held: dict[int, dict[str, int]] = {}
    segments = [(r["id"], r["from_stop"], r["to_stop"]) for r in runs if r["seats_held"]]
    for row in await queries.select_class_held(cur, segments):
        held.setdefault(row["trip_id"], {})[row["class_code"]] = row["held"]
    fares: dict[int, dict[str, dict]] = {}
    for row in await queries.select_fares_of(cur, sorted({r["route_id"] for r in runs})):
        fares.setdefault(row["route_id"], {})[row["class_code"]] = row
    rules = await pricing_queries.select_segment_rules(cur, [r["id"] for r in runs], origin, destination)
    items = []
    for run in runs:
        ctx = segment_context(run["departs_at"], run["seats_sold"] or 0, run["seats_total"], run["timezone"])
        run_rules = pricing.segment_rules(rules, run["id"], origin, destination)
        classes = []
        for code, seats in sorted(class_seats.get(run["vehicle_id"], {}).items()):
            fare = fares.get(run["route_id"], {}).get(code)
            if fare is None:
                continue
            classes.append(
                {
                    "class_code": code,
                    "name": CLASS_NAMES[code],
                    "seats_left": seats - held.get(run["id"], {}).get(code, 0),
                    "price_minor": seat_price(fare, run["distance_km"], ctx, run_rules),
                }
            )
        open_classes = [c for c in classes if c["seats_left"] > 0]
        items.append(
            {
                "id": run["id"],
                "mode": run["mode"],
                "status": run["status"],
                "departs_at": run["departs_at"],
                "arrives_at": run["arrives_at"],
                "duration_minutes": run["duration_minutes"],
                "seats_left": run["seats_total"] - run["seats_held"],
                "price_minor": min((c["price_minor"] for c in open_classes), default=None),
                "currency": run["currency"],
                "operator": run["operator"],
                "name": run["route_name"],
                "code": run["route_code"],
                "classes": classes,
            }
        )
    return items


# --- one trip ----------------------------------------------------------------------------------------------------


async def trip_detail(trip_id: int, origin: int | None = None, destination: int | None = None) -> dict[str, Any]:
    """A train or flight trip's stops in order and its seat map for the segment origin -> destination (city ids;
    the whole route when not given), grouped by coach or cabin, each seat with its availability and fare."""
    async with db.reading() as cur:
        trip = await queries.select_trip(cur, trip_id)
        if trip is None:
            return await _bus_detail(trip_id, origin, destination)
        stops = await queries.select_stops(cur, trip["route_id"])
        by_city = {s["city_id"]: s["stop_no"] for s in stops}
        from_stop = by_city.get(origin, -1) if origin is not None else 0
        to_stop = by_city.get(destination, -1) if destination is not None else len(stops) - 1
        errors = {}
        if from_stop < 0:
            errors["origin"] = "This trip does not call at that origin"
        if to_stop < 0:
            errors["destination"] = "This trip does not call at that destination"
        if not errors and to_stop <= from_stop:
            errors["destination"] = "The destination must come after the origin on this route"
        if errors:
            raise InvalidBooking(errors)
        return await _segment_detail(cur, trip, stops, from_stop, to_stop)


async def _bus_detail(trip_id: int, origin: int | None, destination: int | None) -> dict[str, Any]:
    """A bus trip in the same shape: a two-stop route (its own origin and destination), seats grouped by deck."""
    bus = await buses.get_trip(trip_id)
    if bus is None:
        raise NotFound("There is no such trip.", field="trip_id")
    ends = (bus["origin"]["id"], bus["destination"]["id"])
    if (origin is not None and origin != ends[0]) or (destination is not None and destination != ends[1]):
        raise InvalidBooking({"origin": "A bus runs from its origin to its destination only"})
    stops = [
        {"stop_no": 0, "city": bus["origin"], "station": (bus["boarding_points"] or [{"name": ""}])[0]["name"],
         "iata": None, "arrives_at": None, "departs_at": bus["departs_at"], "day": 1, "distance_km": 0},
        {"stop_no": 1, "city": bus["destination"], "station": (bus["dropping_points"] or [{"name": ""}])[0]["name"],
         "iata": None, "arrives_at": bus["arrives_at"], "departs_at": None,
         "day": (bus["arrives_at"].date() - bus["departs_at"].date()).days + 1, "distance_km": 0},
    ]  # fmt: skip
    seats = [
        {"label": x["label"], "available": x["available"], "coach": f"Deck {x['deck']}", "class_code": None,
         "berth": x["kind"], "number": None, "row": x["row"], "col": x["column"], "price_minor": bus["price_minor"]}
        for x in bus["seats"]
    ]  # fmt: skip
    decks: dict[str, dict[str, Any]] = {}
    for seat in seats:
        deck = decks.setdefault(
            seat["coach"],
            {"code": seat["coach"], "class_code": None, "class_name": bus["bus_type"], "price_minor": bus["price_minor"],
             "seats_left": 0, "seats": []},
        )  # fmt: skip
        deck["seats"].append(seat)
        deck["seats_left"] += seat["available"]
    return {
        "id": bus["id"], "mode": "bus", "status": bus["status"], "code": None, "name": bus["operator"]["name"],
        "operator": bus["operator"]["name"], "currency": bus["currency"], "origin": bus["origin"],
        "destination": bus["destination"], "from_stop": 0, "to_stop": 1, "departs_at": bus["departs_at"],
        "arrives_at": bus["arrives_at"], "distance_km": 0, "seats_left": bus["seats_left"], "stops": stops,
        "seats": seats, "coaches": list(decks.values()),
    }  # fmt: skip


async def _segment_detail(cur, trip, stops, from_stop, to_stop) -> dict[str, Any]:
    """A segment's seat map with each seat's availability and price (read on the caller's cursor)."""
    seats = await queries.select_seats(cur, trip["vehicle_id"])
    held = await queries.select_held_labels(cur, trip["id"], from_stop, to_stop - 1)
    fares = await queries.select_fares(cur, trip["route_id"])
    legs = await queries.lock_legs(cur, trip["id"], from_stop, to_stop - 1, lock=False)
    ctx, rules = await segment_pricing(cur, trip, stops, from_stop, to_stop, legs)
    return _detail(trip, stops, from_stop, to_stop, seats, held, fares, ctx, rules)


def _detail(trip, stops, from_stop, to_stop, seats, held, fares, ctx, rules) -> dict[str, Any]:
    zone = trip["timezone"]
    distance = stops[to_stop]["distance_km"] - stops[from_stop]["distance_km"]
    closed = trip["status"] != "scheduled" or (
        dates.local(stop_time(trip["departs_at"], stops[from_stop]["departs_after"]), zone)
        <= dates.local(dates.wall_now(zone).replace(tzinfo=None), zone)
    )
    coaches: dict[str, dict[str, Any]] = {}
    seat_list = []
    for seat in seats:
        fare = fares.get(seat["class_code"])
        available = not closed and fare is not None and seat["label"] not in held
        out = {
            "label": seat["label"],
            "available": available,
            "coach": seat["coach"],
            "class_code": seat["class_code"],
            "berth": seat["berth"],
            "number": seat["number"],
            "row": seat["row_no"],
            "col": seat["col_no"],
            "price_minor": seat_price(fare, distance, ctx, rules) if fare else None,
        }
        seat_list.append(out)
        coach = coaches.setdefault(
            seat["coach"],
            {
                "code": seat["coach"],
                "class_code": seat["class_code"],
                "class_name": CLASS_NAMES[seat["class_code"]],
                "price_minor": out["price_minor"],
                "seats_left": 0,
                "seats": [],
            },
        )
        coach["seats"].append(out)
        coach["seats_left"] += available
    return {
        "id": trip["id"],
        "mode": trip["mode"],
        "status": trip["status"],
        "code": trip["route_code"],
        "name": trip["route_name"],
        "operator": trip["operator"],
        "currency": trip["currency"],
        "origin": {"id": stops[from_stop]["city_id"], "name": stops[from_stop]["city_name"]},
        "destination": {"id": stops[to_stop]["city_id"], "name": stops[to_stop]["city_name"]},
        "from_stop": from_stop,
        "to_stop": to_stop,
        "departs_at": dates.local(stop_time(trip["departs_at"], stops[from_stop]["departs_after"]), zone),
        "arrives_at": dates.local(stop_time(trip["departs_at"], stops[to_stop]["arrives_after"]), zone),
        "distance_km": distance,
        "seats_left": sum(1 for s in seat_list if s["available"]),
        "stops": [stop_out(s, trip["departs_at"], zone) for s in stops],
        "seats": seat_list,
        "coaches": list(coaches.values()),
    }


async def segment_state(trip_id: int, from_stop: int, to_stop: int) -> dict[str, Any] | None:
    """A segment's live availability, as the stream sends it (None: no such trip)."""
    async with db.reading() as cur:
        trip = await queries.select_trip(cur, trip_id)
        if trip is None:
            return None
        stops = await queries.select_stops(cur, trip["route_id"])
        to_stop = min(to_stop, len(stops) - 1)
        detail = await _segment_detail(cur, trip, stops, from_stop, to_stop)
    return {
        "trip_id": trip_id,
        "mode": trip["mode"],
        "origin_id": detail["origin"]["id"],
        "destination_id": detail["destination"]["id"],
        "seats_left": detail["seats_left"],
        "unavailable_seats": sorted((s["label"] for s in detail["seats"] if not s["available"]), key=natural_key),
    }


async def queue_booking_segment(cur, booking_id: int, trip_id: int) -> tuple[db.Queued, ...]:
    """The reads booking_segment() needs: four, by the booking and its trip, so on a db.batch() cursor they go with
    the cursor's next round trip, together."""
    trip_read, stops_read = await queries.queue_run_reads(cur, trip_id)
    rows_read = await queries.queue_booking_segment(cur, booking_id)
    seats_read = await queries.queue_booking_seats(cur, booking_id, trip_id)
    return trip_read, stops_read, rows_read, seats_read


async def booking_segment(cur, booking: dict[str, Any], queued: tuple[db.Queued, ...] | None = None) -> dict[str, Any]:
    """What a train or flight booking shows: its segment's cities and times, its stops, and each passenger's
    coach, berth or seat (for the booking pages, the API and the e-ticket). `queued`: its reads, from
    queue_booking_segment."""
    queued = queued or await queue_booking_segment(cur, booking["id"], booking["trip_id"])
    trip_read, stops_read, rows_read, seats_read = queued
    trip, stops, rows = (await trip_read.rows(cur))[0], await stops_read.rows(cur), await rows_read.rows(cur)
    seats = {s["label"]: s for s in await seats_read.rows(cur)}
    from_stop, to_stop = rows[0]["from_stop"], rows[0]["to_stop"]
    zone = trip["timezone"]
    return {
        "origin": stops[from_stop]["city_name"],
        "destination": stops[to_stop]["city_name"],
        "departs_at": dates.local(stop_time(trip["departs_at"], stops[from_stop]["departs_after"]), zone),
        "arrives_at": dates.local(stop_time(trip["departs_at"], stops[to_stop]["arrives_after"]), zone),
        "operator": trip["operator"],
        "trip_status": trip["status"],
        "route_code": trip["route_code"],
        "route_name": trip["route_name"],
        "mode": trip["mode"],
        "from_station": stops[from_stop]["station"],
        "to_station": stops[to_stop]["station"],
        "stops": [stop_out(s, trip["departs_at"], zone) for s in stops[from_stop : to_stop + 1]],
        "seats": [
            {
                "label": r["seat_label"],
                "passenger_name": r["passenger_name"],
                "passenger_age": r["passenger_age"],
                "passenger_gender": r["passenger_gender"],
                "price_minor": r["price_minor"],
                "coach": seats.get(r["seat_label"], {}).get("coach"),
                "berth": seats.get(r["seat_label"], {}).get("berth"),
                "class_code": r["class_code"],
            }
            for r in rows
        ],
    }
