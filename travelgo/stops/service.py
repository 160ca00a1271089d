"""Boarding and dropping points: how pages, the API and tickets show them, and the traveller's choice.

A point's `at` column is a wall-clock time of the trip's origin (like trips.departs_at); shown, a boarding point is
aware in the origin's zone and a dropping point in the destination's. A trip made before points existed (or by a
test factory) has only the JSON summary on its row: it is shown as it was, with no id to choose."""

from __future__ import annotations

import json
from typing import Any

from .. import dates, db
from ..bookings.errors import InvalidBooking
from . import queries

KINDS = ("boarding", "dropping")
CHOICE_FIELDS = {"boarding": "boarding_point_id", "dropping": "dropping_point_id"}


def point_out(row: dict[str, Any], origin_zone: str | None, end_zone: str | None) -> dict[str, Any]:
    """A trip_points row as pages and the API show it: id, name, landmark, at (aware) and time (HH:MM there)."""
    at = dates.local(row["at"], origin_zone)
    if row["kind"] == "dropping":
        at = at.astimezone(dates.zone(end_zone))
    return {"id": row["id"], "name": row["name"], "landmark": row["landmark"], "at": at, "time": at.strftime("%H:%M")}


def _legacy(value: Any) -> list[dict[str, Any]]:
    points = json.loads(value) if isinstance(value, (str, bytes)) else (value or [])
    return [{"id": None, "name": p["name"], "landmark": None, "at": None, "time": p.get("time", "")} for p in points]


async def trip_points(
    cur, trip: dict[str, Any], rows: list[dict[str, Any]] | None = None
) -> dict[str, list[dict[str, Any]]]:
    """{"boarding": [...], "dropping": [...]} of a trip row (id, origin_timezone, destination_timezone and the JSON
    boarding_points/dropping_points columns); `rows` when the caller read the trip's points already."""
    rows = await queries.select_trip_points(cur, trip["id"]) if rows is None else rows
    if not rows:
        return {kind: _legacy(trip.get(f"{kind}_points")) for kind in KINDS}
    return {
        kind: [point_out(r, trip["origin_timezone"], trip["destination_timezone"]) for r in rows if r["kind"] == kind]
        for kind in KINDS
    }


async def record_choice(
    cur, booking_id: int, trip_id: int, boarding_id: int | None, dropping_id: int | None, *, has_points: bool = True
) -> None:
    """Record the points a new booking of this trip chose: they must be the trip's own of that kind (else
    InvalidBooking naming the field, and the booking's transaction rolls back); left out, the first boarding and the
    last dropping point. A trip without points records nothing (has_points=False: the caller knows it has none). One
    statement in the booking transaction, deferred when nothing was asked for; the points are read again only to say
    which one was wrong."""
    if boarding_id is None and dropping_id is None:
        if has_points:
            await queries.defer_default_booking_points(cur, booking_id, trip_id)
        return
    written = await queries.insert_booking_points(cur, booking_id, trip_id, boarding_id, dropping_id)
    if written:
        return
    rows = await queries.select_trip_points(cur, trip_id)
    errors = {
        CHOICE_FIELDS[kind]: f"Choose one of this bus's {kind} points."
        for kind, wanted in (("boarding", boarding_id), ("dropping", dropping_id))
        if wanted is not None and wanted not in {r["id"] for r in rows if r["kind"] == kind}
    }
    if errors:
        raise InvalidBooking(errors)


async def queue_booking_points(cur, booking: dict[str, Any]) -> db.Queued:
    """The read booking_points() needs, to go with the cursor's next round trip."""
    return await queries.queue_booking_trip_points(cur, booking["id"], booking["trip_id"])


async def queue_bus_bookings_points(cur, booking_ids: list[int]) -> db.Queued:
    """queue_booking_points for the bus bookings among several: rows with their booking_id."""
    return await queries.queue_bus_bookings_trip_points(cur, booking_ids)


async def booking_points(cur, booking: dict[str, Any], queued: db.Queued | None = None) -> dict[str, Any]:
    """The points a bus ticket shows: boarding_point and dropping_point, the chosen ones (or the defaults, first and
    last, for a booking made before the choice existed; None for a trip without points). `queued`: its read, from
    queue_booking_points."""
    trip = {
        "id": booking["trip_id"],
        "origin_timezone": booking.get("timezone"),
        "destination_timezone": booking.get("end_timezone"),
        "boarding_points": booking.get("boarding_points"),
        "dropping_points": booking.get("dropping_points"),
    }
    rows = await (queued or await queue_booking_points(cur, booking)).rows(cur)
    points = await trip_points(cur, trip, rows)
    chosen = {r["id"] for r in rows if r["chosen"]}
    boarding = next((p for p in points["boarding"] if p["id"] in chosen), None)
    dropping = next((p for p in points["dropping"] if p["id"] in chosen), None)
    return {
        "boarding_point": boarding or (points["boarding"][0] if points["boarding"] else None),
        "dropping_point": dropping or (points["dropping"][-1] if points["dropping"] else None),
    }
