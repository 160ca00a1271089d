"""Admin rules: inventory, bookings, analytics and the audit trail. Shared by the admin pages and the admin API.

Every change runs in one transaction (with the deadlock/lock-wait retry) that also writes its audit entry and,
when availability changes, its outbox event. Counters are checked under SELECT … FOR UPDATE; the schema's CHECK
constraints are the backstop, and a CHECK violation is translated to the same message as the check.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pymysql

from .. import db
from ..bookings import queries as booking_queries
from ..bookings.engine import release
from ..bookings.kinds import publish_hotel, publish_restaurant, publish_trip, rooms_for_sale
from ..checkout import queries as checkout_queries
from ..checkout.service import refund_cancellation, send_due_refunds
from ..checkout.service import retry_refund as checkout_retry_refund
from ..dates import today_in, wall_now
from ..forms import Invalid, NotFound, Refused
from ..notify import queries as notify_queries
from ..notify import sender as notify_sender
from ..partners import queries as partner_queries
from ..partners.ownership import HasPartner, require, require_row
from ..places import queries as place_queries
from ..pricing import service as pricing
from ..restaurants import queries as restaurant_queries
from ..restaurants import seating
from ..segments import queries as segment_queries
from ..stops import queries as stop_queries
from . import auditview, queries
from .audit import record, snapshot, unique_change
from .forms import (
    DEFAULT_CURRENCY,
    WEEKDAYS,
    AuditFilter,
    BookingFilter,
    CityForm,
    HotelFilter,
    HotelForm,
    HoursForm,
    InventoryForm,
    OperatorForm,
    Page,
    RestaurantFilter,
    RestaurantForm,
    RoomTypeForm,
    ScheduleForm,
    SeatLayout,
    StatsRange,
    StopSellForm,
    TableForm,
    TableLinkForm,
    TripFilter,
    TripForm,
    VehicleForm,
    VehicleRename,
)


def _set(value: Any) -> list[str]:
    """A SET column as a sorted list, whether the driver gives a str or a set."""
    if not value:
        return []
    return sorted(value.split(",") if isinstance(value, str) else value)


def _duplicate(exc: Exception) -> bool:
    return db.error_code(exc) == db.DUPLICATE_KEY


def _check_violation(exc: Exception) -> bool:
    return db.error_code(exc) in db.CHECK_VIOLATION


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


async def _read(query: Callable[..., Awaitable[Any]], *args: Any, **kwargs: Any) -> Any:
    """Run one read query on a reading cursor."""
    async with db.reading() as cur:
        return await query(cur, *args, **kwargs)


@dataclass(frozen=True)
class _Table:
    """How one entity is read, added and changed, and what it is called in the audit trail and in a 404."""

    entity: str  # audit entity and action prefix: "room_type" → room_type.create / room_type.update
    noun: str  # NotFound("room type") → "That room type does not exist."
    select: Callable[..., Awaitable[dict | None]]  # select(cur, id, lock=False)
    insert: Callable[..., Awaitable[int]]  # insert(cur, data) → new id
    update: Callable[..., Awaitable[None]]  # update(cur, id, data)


CITY = _Table("city", "city", queries.select_city, queries.insert_city, queries.update_city)
OPERATOR = _Table("operator", "operator", queries.select_operator, queries.insert_operator, queries.update_operator)
VEHICLE = _Table("vehicle", "vehicle", queries.select_vehicle, queries.insert_vehicle, queries.update_vehicle)
HOTEL = _Table("hotel", "hotel", queries.select_hotel, queries.insert_hotel, queries.update_hotel)
ROOM_TYPE = _Table(
    "room_type", "room type", queries.select_room_type, queries.insert_room_type, queries.update_room_type
)


async def _get(table: _Table, item_id: int) -> dict:
    """One row, or NotFound."""
    item = await _read(table.select, item_id)
    if item is None:
        raise NotFound(table.noun)
    return item


async def _create(cur, actor: int, table: _Table, data: dict) -> dict:
    """Insert a row and audit it (`<entity>.create`) on the caller's transaction."""
    new_id = await table.insert(cur, data)
    after = await table.select(cur, new_id)
    await record(cur, actor, f"{table.entity}.create", table.entity, new_id, None, snapshot(after))
    return after


async def _update(
    cur, actor: int, table: _Table, item_id: int, data: dict, belongs: Callable[[dict], bool] = lambda row: True
) -> dict:
    """Lock a row (NotFound unless it exists and `belongs`), update it and audit before/after (`<entity>.update`)."""
    before = await table.select(cur, item_id, lock=True)
    if before is None or not belongs(before):
        raise NotFound(table.noun)
    await table.update(cur, item_id, data)
    after = await table.select(cur, item_id)
    await record(cur, actor, f"{table.entity}.update", table.entity, item_id, snapshot(before), snapshot(after))
    return after


async def _save(cur, actor: int, table: _Table, item_id: int | None, data: dict) -> dict:
    """Create the row when there is no id yet, otherwise update it."""
    if item_id is None:
        return await _create(cur, actor, table, data)
    return await _update(cur, actor, table, item_id, data)


# --- cities and operators -----------------------------------------------------------------------------


async def list_cities(page: Page) -> dict:
    """Cities matching a search, a page at a time."""
    return await _read(queries.select_cities, page.q, page.page)


async def get_city(city_id: int) -> dict:
    return await _get(CITY, city_id)


async def save_city(actor: int, form: CityForm, city_id: int | None = None) -> dict:
    """Create a city, or update one; a duplicate name in the same country is a field error."""
    return await unique_change(
        lambda cur: _save(cur, actor, CITY, city_id, form.model_dump()),
        "name",
        "A city with this name already exists in that country.",
    )


async def list_operators(page: Page, scope: HasPartner | None = None) -> dict:
    """Operators matching a search, a page at a time (a partner's own only)."""
    return await _read(queries.select_operators, page.q, page.page, scope)


async def get_operator(operator_id: int) -> dict:
    return await _get(OPERATOR, operator_id)


async def save_operator(actor: int, form: OperatorForm, operator_id: int | None = None) -> dict:
    """Create or update an operator; names are unique."""
    return await unique_change(
        lambda cur: _save(cur, actor, OPERATOR, operator_id, form.model_dump()),
        "name",
        "An operator with this name already exists.",
    )


async def options(scope: HasPartner | None = None) -> dict:
    """Choices for the select boxes of the inventory forms (a partner's own operators and vehicles only)."""
    async with db.reading() as cur:
        return {
            "cities": await queries.select_city_options(cur),
            "operators": await queries.select_operator_options(cur, scope),
            "vehicles": await queries.select_vehicle_options(cur, scope),
        }


# --- vehicles -----------------------------------------------------------------------------------------


def layout_of(vehicle: dict, seats: list[dict]) -> dict:
    """The form values (decks, rows, columns, aisle_after) that describe a stored vehicle."""
    per_row = {}
    for seat in seats:
        if seat["deck"] == 1 and seat["row_no"] == 1:
            per_row[seat["col_no"]] = seat
    columns = len(per_row) or vehicle["cols_count"]
    gap = [c for c in range(1, vehicle["cols_count"] + 1) if c not in per_row]
    return {
        "decks": vehicle["decks"],
        "rows": vehicle["rows_count"],
        "columns": columns,
        "aisle_after": (gap[0] - 1) if gap else 0,
        "berth": vehicle["berth"],
    }


def seat_grid(layout: SeatLayout, seats: list[dict] | None = None) -> list[dict]:
    """Decks → rows → cells (a seat, or None for the aisle) for the seat map preview."""
    seats = seats if seats is not None else layout.seats()
    decks = []
    for deck in range(1, layout.decks + 1):
        by_pos = {(s["row_no"], s["col_no"]): s for s in seats if s["deck"] == deck}
        rows = [
            [by_pos.get((row, col)) for col in range(1, layout.grid_columns + 1)] for row in range(1, layout.rows + 1)
        ]
        decks.append(
            {
                "deck": deck,
                "name": ("Lower deck" if deck == 1 else "Upper deck") if layout.decks > 1 else "Seat map",
                "rows": rows,
            }
        )
    return decks


async def list_vehicles(page: Page, scope: HasPartner | None = None) -> dict:
    """Vehicles matching a search, with their operator and how many trips use them (a partner's own only)."""
    return await _read(queries.select_vehicles, page.q, page.page, scope)


async def get_vehicle(vehicle_id: int) -> dict:
    """A vehicle with its seats and the layout values that produced them."""
    async with db.reading() as cur:
        vehicle = await queries.select_vehicle(cur, vehicle_id)
        if vehicle is None:
            raise NotFound("vehicle")
        seats = await queries.select_vehicle_seats(cur, vehicle_id)
        trips = await queries.select_vehicle_trip_count(cur, vehicle_id)
    return {**vehicle, "seats": seats, "trips": trips, "layout_values": layout_of(vehicle, seats)}


def _vehicle_row(form: VehicleForm | SeatLayout) -> dict:
    return {
        "berth": form.berth,
        "layout": form.layout,
        "decks": form.decks,
        "rows_count": form.rows,
        "cols_count": form.grid_columns,
        "seat_count": len(form.seats()),
    }


async def create_vehicle(actor: int, form: VehicleForm) -> dict:
    """A vehicle and all its seats (vehicles + vehicle_seats) in one transaction."""

    async def work(cur):
        if await queries.select_operator(cur, form.operator_id) is None:
            raise Invalid({"operator_id": "Choose an operator from the list."})
        vehicle_id = await queries.insert_vehicle(
            cur, {"operator_id": form.operator_id, "name": form.name, "is_ac": form.is_ac, **_vehicle_row(form)}
        )
        await queries.insert_vehicle_seats(cur, vehicle_id, form.seats())
        after = await queries.select_vehicle(cur, vehicle_id)
        await record(cur, actor, "vehicle.create", "vehicle", vehicle_id, None, snapshot(after))
        return after

    return await db.run_in_transaction(work)


async def update_vehicle(actor: int, vehicle_id: int, form: VehicleForm) -> dict:
    """Rename a vehicle; its seat layout can change only while no trip uses it (trips sell its seat labels)."""

    async def work(cur):
        before = await queries.select_vehicle(cur, vehicle_id, lock=True)
        if before is None:
            raise NotFound("vehicle")
        changes: dict[str, Any] = {"name": form.name, "is_ac": form.is_ac}
        new_layout = _vehicle_row(form)
        layout_changed = any(before[k] != v for k, v in new_layout.items()) or [
            (s["label"], s["deck"], s["row_no"], s["col_no"], s["kind"])
            for s in await queries.select_vehicle_seats(cur, vehicle_id)
        ] != [(s["label"], s["deck"], s["row_no"], s["col_no"], s["kind"]) for s in form.seats()]
        if layout_changed:
            trips = await queries.select_vehicle_trip_count(cur, vehicle_id)
            if trips:
                raise Refused(
                    f"The seat layout cannot change: {_plural(trips, 'trip')} use this vehicle. "
                    "Create a new vehicle with the new layout instead."
                )
            changes.update(new_layout)
            await queries.delete_vehicle_seats(cur, vehicle_id)
            await queries.insert_vehicle_seats(cur, vehicle_id, form.seats())
        await queries.update_vehicle(cur, vehicle_id, changes)
        after = await queries.select_vehicle(cur, vehicle_id)
        await record(cur, actor, "vehicle.update", "vehicle", vehicle_id, snapshot(before), snapshot(after))
        return after

    return await db.run_in_transaction(work)


async def rename_vehicle(actor: int, vehicle_id: int, form: VehicleRename) -> dict:
    """Inline edit of a vehicle's name and air conditioning."""

    return await db.run_in_transaction(
        lambda cur: _update(cur, actor, VEHICLE, vehicle_id, {"name": form.name, "is_ac": form.is_ac})
    )


# --- trips --------------------------------------------------------------------------------------------


async def list_trips(f: TripFilter, scope: HasPartner | None = None) -> dict:
    """Trips matching the filters, by departure (a partner's own only)."""
    return await _read(queries.select_trips, f, scope)


async def get_trip(trip_id: int, scope: HasPartner | None = None) -> dict:
    """A trip with the seats currently held and its bookings."""
    async with db.reading() as cur:
        trip = await require_row(cur, scope, "trip", trip_id, queries.select_trip)
        held = await queries.select_held_seats(cur, trip_id)
        bookings = await queries.select_bookings(cur, _TripBookings(trip_id=trip_id), limit=200, offset=0)
    return {**trip, "amenities": _set(trip["amenities"]), "held_seats": held, "bookings": bookings["items"]}


class _TripBookings(BookingFilter):
    """Internal filter: the bookings of one trip (not exposed as a query parameter)."""

    trip_id: int = 0


async def create_trips(actor: int, form: TripForm | ScheduleForm) -> list[int]:
    """One trip, or every departure of a recurring schedule, on one vehicle; all or nothing."""

    async def work(cur):
        vehicle = await queries.select_vehicle(cur, form.vehicle_id)
        if vehicle is None:
            raise Invalid({"vehicle_id": "Choose a vehicle from the list."})
        for field in ("origin_id", "destination_id"):
            if await queries.select_city(cur, getattr(form, field)) is None:
                raise Invalid({field: "Choose a city from the list."})
        ids = []
        for departs_at in form.departures:
            arrives_at = departs_at + timedelta(minutes=form.duration_minutes)
            points = form.points(departs_at)
            ids.append(
                await queries.insert_trip(
                    cur,
                    {
                        "operator_id": vehicle["operator_id"],
                        "vehicle_id": vehicle["id"],
                        "origin_id": form.origin_id,
                        "destination_id": form.destination_id,
                        "departs_at": departs_at,
                        "arrives_at": arrives_at,
                        "duration_minutes": form.duration_minutes,
                        "price_minor": form.price_minor,
                        "currency": form.currency,
                        "seats_total": vehicle["seat_count"],
                        "amenities": ",".join(form.amenities),
                        "boarding_points": json.dumps(
                            [{"name": n, "time": at.strftime("%H:%M")} for n, _, at in points["boarding"]]
                        ),
                        "dropping_points": json.dumps(
                            [{"name": n, "time": at.strftime("%H:%M")} for n, _, at in points["dropping"]]
                        ),
                    },
                )
            )
            for kind in ("boarding", "dropping"):
                await stop_queries.insert_trip_points(cur, ids[-1], kind, points[kind])
        await pricing.reprice_trips(cur, ids=ids)  # a route's rules apply to its new trips at once
        summary = {
            **form.model_dump(mode="json", exclude={"price"}),
            "price_minor": form.price_minor,
            "seats_total": vehicle["seat_count"],
            "trip_ids": ids,
        }
        action = "trip.schedule" if isinstance(form, ScheduleForm) else "trip.create"
        await record(cur, actor, action, "trip", ids[0] if len(ids) == 1 else f"{ids[0]}..{ids[-1]}", None, summary)
        return ids

    return await db.run_in_transaction(work)


async def _publish_trip(cur, trip: dict) -> None:
    """The trip's availability after a change (the trip row is locked by the caller)."""
    seats_left = trip["seats_total"] - trip["seats_booked"]
    trip = {**trip, "timezone": await place_queries.select_city_zone(cur, trip["origin_id"])}
    await publish_trip(cur, trip, seats_left, await queries.select_held_seats(cur, trip["id"]))


async def change_trip_price(actor: int, trip_id: int, price_minor: int, scope: HasPartner | None = None) -> dict:
    """A new seat price for future bookings (existing bookings keep the price they paid)."""

    async def work(cur):
        before = await require_row(cur, scope, "trip", trip_id, queries.lock_trip)
        _bus_only(before)
        # The admin's price is the base; the dynamic price (pricing rules) is worked out from it at once.
        await queries.update_trip(cur, trip_id, {"price_minor": price_minor, "base_price_minor": price_minor})
        await pricing.reprice_trips(cur, ids=[trip_id])
        await record(
            cur,
            actor,
            "trip.price",
            "trip",
            trip_id,
            {"price_minor": before["price_minor"]},
            {"price_minor": price_minor},
        )
        return await queries.lock_trip(cur, trip_id)

    return await db.run_in_transaction(work)


async def change_trip_seats(actor: int, trip_id: int, seats_total: int, scope: HasPartner | None = None) -> dict:
    """Seats offered on a trip: at most the vehicle's seats, never fewer than are booked."""

    async def work(cur):
        trip = await require_row(cur, scope, "trip", trip_id, queries.lock_trip)
        _bus_only(trip)
        if trip["status"] == "cancelled":
            raise Refused("This trip is cancelled; its seats cannot change.")
        vehicle = await queries.select_vehicle(cur, trip["vehicle_id"])
        if seats_total > vehicle["seat_count"]:
            raise Invalid({"seats_total": f"This vehicle has {vehicle['seat_count']} seats; offer at most that many."})
        if seats_total < trip["seats_booked"]:
            raise Refused(_seats_refusal(trip["seats_booked"]))
        try:
            await queries.update_trip(cur, trip_id, {"seats_total": seats_total})
        except pymysql.err.MySQLError as exc:
            if _check_violation(exc):
                raise Refused(_seats_refusal((await queries.lock_trip(cur, trip_id))["seats_booked"])) from exc
            raise
        await pricing.reprice_trips(cur, ids=[trip_id])  # occupancy is of the seats offered
        after = await queries.lock_trip(cur, trip_id)
        await record(
            cur,
            actor,
            "trip.seats",
            "trip",
            trip_id,
            {"seats_total": trip["seats_total"]},
            {"seats_total": seats_total},
        )
        await _publish_trip(cur, after)
        return after

    return await db.run_in_transaction(work)


def _bus_only(trip: dict) -> None:
    """A train's or flight's run is priced per class and segment and its seats are its coaches' (trip_legs): the
    bus trip's single price and seat count mean nothing for it."""
    if trip["mode"] != "bus":
        raise Refused(f"A {trip['mode']}'s fares and seats are set on its route, under Trains and flights.")


def _seats_refusal(booked: int) -> str:
    return (
        f"{_plural(booked, 'seat')} {'is' if booked == 1 else 'are'} already booked on this trip, "
        f"so it cannot offer fewer than {booked}."
    )


async def cancel_trip(actor: int, trip_id: int, reason: str, scope: HasPartner | None = None) -> dict:
    """Cancel a trip and every confirmed booking on it (full refund), releasing each seat exactly once.

    Lock order: the trip row, then its bookings in id order (the booking engine's order), so a concurrent
    booking or traveller cancellation waits for us instead of deadlocking. A cancelled trip is refused, so
    a second cancel releases nothing.
    """

    async def work(cur):
        trip = await require_row(cur, scope, "trip", trip_id, queries.lock_trip)
        if trip["status"] == "cancelled":
            raise Refused("This trip is already cancelled.")
        bookings = await queries.lock_confirmed_trip_bookings(cur, trip_id)
        released = []
        for booking in bookings:
            refund = booking["total_minor"] if booking["status"] == "confirmed" else 0  # a hold paid nothing
            released.append(
                await release(cur, booking["id"], reason=reason, cancelled_by="operator", refund_minor=refund)
            )
            await refund_cancellation(cur, booking["id"], refund)
        await queries.update_trip(cur, trip_id, {"status": "cancelled", "cancel_reason": reason})
        after = await queries.lock_trip(cur, trip_id)
        await record(
            cur,
            actor,
            "trip.cancel",
            "trip",
            trip_id,
            {"status": trip["status"], "seats_booked": trip["seats_booked"]},
            {
                "status": "cancelled",
                "cancel_reason": reason,
                "seats_booked": after["seats_booked"],
                "bookings_cancelled": [b["id"] for b in bookings],
            },
        )
        await _publish_trip(cur, after)
        return {"trip": after, "bookings_cancelled": len(bookings), "released": released}

    result = await db.run_in_transaction(work)
    await send_due_refunds()  # the refunds written with the cancellation go to the provider now
    return result


# --- hotels -------------------------------------------------------------------------------------------


async def list_hotels(f: HotelFilter, scope: HasPartner | None = None) -> dict:
    """Hotels matching a search and city (a partner's own only)."""
    return await _read(queries.select_hotels, f, scope)


async def get_hotel(hotel_id: int, start: date | None = None, days: int = 14, scope: HasPartner | None = None) -> dict:
    """A hotel with its room types and an inventory grid of `days` nights from `start`."""
    start = start or today_in()
    async with db.reading() as cur:
        hotel = await require_row(cur, scope, "hotel", hotel_id, queries.select_hotel)
        room_types = await queries.select_room_types(cur, hotel_id)
        inventory = await queries.select_inventory(cur, hotel_id, start, days)
    nights = [start + timedelta(days=i) for i in range(days)]
    by_key = {(r["room_type_id"], r["night"]): r for r in inventory}
    grid = [{"room_type": rt, "cells": [by_key.get((rt["id"], n)) for n in nights]} for rt in room_types]
    return {
        **hotel,
        "amenities": _set(hotel["amenities"]),
        "room_types": room_types,
        "nights": nights,
        "grid": grid,
        "start": start,
        "days": days,
        "prev_start": start - timedelta(days=days),
        "next_start": start + timedelta(days=days),
    }


def _hotel_row(form: HotelForm) -> dict:
    return {**form.model_dump(exclude={"amenities"}), "amenities": ",".join(form.amenities)}


async def save_hotel(actor: int, form: HotelForm, hotel_id: int | None = None, scope: HasPartner | None = None) -> dict:
    """Create a hotel, or update its details, amenities and location (a partner updates its own only)."""

    async def work(cur):
        if scope is not None:
            await require(cur, scope, "hotel", hotel_id)  # a partner never creates one: None is no hotel of theirs
        if await queries.select_city(cur, form.city_id) is None:
            raise Invalid({"city_id": "Choose a city from the list."})
        return await _save(cur, actor, HOTEL, hotel_id, _hotel_row(form))

    return await db.run_in_transaction(work)


async def save_room_type(
    actor: int, hotel_id: int, form: RoomTypeForm, room_type_id: int | None = None, scope: HasPartner | None = None
) -> dict:
    """Add a room type to a hotel, or edit one."""

    async def work(cur):
        await require_row(cur, scope, "hotel", hotel_id, queries.select_hotel)
        data = {**form.model_dump(exclude={"base_price"}), "base_price_minor": form.base_price_minor}
        if room_type_id is None:
            return await _create(cur, actor, ROOM_TYPE, {**data, "hotel_id": hotel_id})
        return await _update(cur, actor, ROOM_TYPE, room_type_id, data, belongs=lambda rt: rt["hotel_id"] == hotel_id)

    return await db.run_in_transaction(work)


def _rooms_refusal(booked: int, night: date) -> str:
    return (
        f"{_plural(booked, 'room')} {'is' if booked == 1 else 'are'} already booked on "
        f"{night:%a %d %b %Y}, so that night cannot have fewer than {booked} rooms."
    )


async def _room_type_of(cur, hotel_id: int, room_type_id: int) -> dict:
    room_type = await queries.select_room_type(cur, room_type_id, lock=True)
    if room_type is None or room_type["hotel_id"] != hotel_id:
        raise Invalid({"room_type_id": "Choose a room type of this hotel."})
    return room_type


async def _publish_nights(cur, hotel_id: int, room_type_id: int, form) -> None:
    rows = await queries.lock_inventory(cur, room_type_id, form.start, form.end)
    rooms_left = {r["night"]: rooms_for_sale(r) for r in rows}
    # no city: the search caches drop everything for an admin change anyway (the audit entry's catalog event)
    await publish_hotel(cur, {"id": room_type_id, "hotel_id": hotel_id, "city_id": None}, rooms_left)


def _nights_snapshot(rows: list[dict]) -> dict:
    return {
        r["night"].isoformat(): {
            "rooms_total": r["rooms_total"],
            "rooms_booked": r["rooms_booked"],
            "price_minor": r["price_minor"],
            "stop_sell": bool(r["stop_sell"]),
        }
        for r in rows
    }


async def set_inventory(actor: int, hotel_id: int, form: InventoryForm, scope: HasPartner | None = None) -> dict:
    """Rooms and nightly price for every night of a range in one go (upsert). Refused, with nothing changed,
    when a night already has more rooms booked than the new total."""

    async def work(cur):
        await require(cur, scope, "hotel", hotel_id)  # the room type is then checked to be this hotel's
        await _room_type_of(cur, hotel_id, form.room_type_id)
        before = await queries.lock_inventory(cur, form.room_type_id, form.start, form.end)
        worst = max(before, key=lambda r: (r["rooms_booked"], -r["night"].toordinal()), default=None)
        if worst and worst["rooms_booked"] > form.rooms_total:
            raise Refused(_rooms_refusal(worst["rooms_booked"], worst["night"]))
        try:
            await queries.upsert_inventory(cur, form.room_type_id, form.nights, form.rooms_total, form.price_minor)
        except pymysql.err.MySQLError as exc:
            if _check_violation(exc):
                rows = await queries.lock_inventory(cur, form.room_type_id, form.start, form.end)
                worst = max(rows, key=lambda r: r["rooms_booked"])
                raise Refused(_rooms_refusal(worst["rooms_booked"], worst["night"])) from exc
            raise
        await pricing.reprice_nights(cur, room_type_ids=[form.room_type_id])
        await record(
            cur,
            actor,
            "inventory.set",
            "room_type",
            form.room_type_id,
            _nights_snapshot(before),
            {"start": form.start, "end": form.end, "rooms_total": form.rooms_total, "price_minor": form.price_minor},
        )
        await _publish_nights(cur, hotel_id, form.room_type_id, form)
        return {"nights": len(form.nights), "created": len(form.nights) - len(before), "updated": len(before)}

    return await db.run_in_transaction(work)


async def set_stop_sell(actor: int, hotel_id: int, form: StopSellForm, scope: HasPartner | None = None) -> dict:
    """Stop (or resume) selling a room type on the nights of a range that have inventory."""

    async def work(cur):
        await require(cur, scope, "hotel", hotel_id)  # the room type is then checked to be this hotel's
        await _room_type_of(cur, hotel_id, form.room_type_id)
        before = await queries.lock_inventory(cur, form.room_type_id, form.start, form.end)
        if not before:
            raise Invalid({"start": "There is no inventory on those nights; set rooms and prices first."})
        await queries.update_stop_sell(cur, form.room_type_id, form.start, form.end, form.stop_sell)
        await record(
            cur,
            actor,
            "inventory.stop_sell" if form.stop_sell else "inventory.resume_sell",
            "room_type",
            form.room_type_id,
            {"stop_sell_nights": [r["night"] for r in before if r["stop_sell"]]},
            {"start": form.start, "end": form.end, "stop_sell": form.stop_sell},
        )
        await _publish_nights(cur, hotel_id, form.room_type_id, form)
        return {"nights": len(before)}

    return await db.run_in_transaction(work)


# --- restaurants ----------------------------------------------------------------------------------------
# A restaurant's tables are locked (restaurant_queries.lock_tables, the lock every booking of the restaurant
# takes first) before its tables, links or hours change, so a booking being made sees the floor before or after
# the change, never half of it.

RESTAURANT = _Table(
    "restaurant", "restaurant", restaurant_queries.select_restaurant, queries.insert_restaurant,
    queries.update_restaurant,
)  # fmt: skip
LIVE_DAYS = 31  # a floor or hours change re-announces this many days of slots to open restaurant pages

# the schema's CHECK constraints (the forms check the same first) → the field each guards and what it says
CHECKS = {
    "ck_restaurants_price_level": ("price_level", "Choose a price level from ₹ to ₹₹₹₹."),
    "ck_restaurants_slot": ("slot_minutes", "Choose a slot length of 5, 10, 15, 20, 30 or 60 minutes."),
    "ck_restaurants_sitting": ("sitting_minutes", "Make the sitting 30 to 360 minutes, a whole number of slots."),
    "ck_restaurants_response": ("response_minutes", "Answer requests within 5 to 2,880 minutes."),
    "ck_restaurants_party": ("max_party", "Take parties of 1 to 40 guests."),
    "ck_restaurant_tables_seats": ("seats", "A table seats 1 to 20."),
    "ck_restaurant_hours_span": ("__all__", "A service must close after it opens, on the same day."),
}
CHECK_NAME = re.compile(r"[`'](ck_\w+)[`']")


async def _restaurant_change(work: Callable[[Any], Awaitable[Any]], duplicate: tuple[str, str] | None = None) -> Any:
    """Run a restaurant change in one transaction: a CHECK constraint or duplicate key the form let through is a
    field message (422), never a 500."""
    try:
        return await db.run_in_transaction(work)
    except pymysql.err.MySQLError as exc:
        if _check_violation(exc):
            found = CHECK_NAME.search(str(exc.args[1:]))
            field, message = CHECKS.get(found.group(1) if found else "", ("__all__", "Some values are out of range."))
            raise Invalid({field: message}) from exc
        if duplicate and _duplicate(exc):
            raise Invalid({duplicate[0]: duplicate[1]}) from exc
        raise


def _hhmm(value) -> str:
    return seating.as_time(value).strftime("%H:%M")


def hours_values(rows: list[dict]) -> dict[str, str]:
    """The week's opening hours as the hours form's values (`mon_opens1`, `mon_closes1`, …)."""
    values, seen = {}, Counter()
    for row in rows:
        day = WEEKDAYS[row["weekday"]]
        seen[day] += 1
        values[f"{day}_opens{seen[day]}"], values[f"{day}_closes{seen[day]}"] = (
            _hhmm(row["opens"]),
            _hhmm(row["closes"]),
        )
    return values


def restaurant_values(r: dict) -> dict:
    """A restaurant's details as the details form's values."""
    return {
        **r,
        "deposit": f"{r['deposit_minor'] / 100:.2f}",
        "combine_tables": "1" if r["combine_tables"] else "",
        "partner_id": r["partner_id"] or "",
    }


async def list_restaurants(f: RestaurantFilter, scope: HasPartner | None = None) -> dict:
    """Restaurants matching a search and city (a partner's own only)."""
    return await _read(queries.select_restaurants, f, scope)


async def get_restaurant(restaurant_id: int, scope: HasPartner | None = None) -> dict:
    """A restaurant with its business, tables in service (and bookings to come at each), links and week's hours."""
    async with db.reading() as cur:
        r = await require_row(cur, scope, "restaurant", restaurant_id, restaurant_queries.select_restaurant)
        tables = await queries.select_restaurant_tables(cur, restaurant_id, wall_now(r["timezone"]))
        links = await restaurant_queries.select_links(cur, [restaurant_id])
        hours = await restaurant_queries.select_hours(cur, [restaurant_id])
        partner = await partner_queries.select_partner(cur, r["partner_id"]) if r["partner_id"] else None
    labels = {t["id"]: t["label"] for t in tables}
    return {
        **r,
        "partner_name": partner["name"] if partner else None,
        "tables": tables,
        "links": [
            {**link, "labels": (labels[link["table_id"]], labels[link["adjacent_id"]])}
            for link in links
            if link["table_id"] in labels and link["adjacent_id"] in labels
        ],
        "hours": [{"weekday": h["weekday"], "opens": _hhmm(h["opens"]), "closes": _hhmm(h["closes"])} for h in hours],
        "hours_values": hours_values(hours),
    }


async def partner_options() -> list[dict]:
    """The businesses an admin may give a restaurant to."""
    async with db.reading() as cur:
        return await partner_queries.select_partners(cur)


async def _floor_changed(cur, r: dict) -> None:
    """Open pages of the restaurant fetch their slots again (the coming LIVE_DAYS days)."""
    today = today_in(r["timezone"])
    await publish_restaurant(cur, r, [today + timedelta(days=i) for i in range(LIVE_DAYS)])


async def _restaurant_for_change(cur, scope: HasPartner | None, restaurant_id: int) -> dict:
    """The restaurant (in the scope, else NotFound) with its tables locked: the booking engine's first lock."""
    await require(cur, scope, "restaurant", restaurant_id)
    await restaurant_queries.lock_tables(cur, restaurant_id)
    r = await restaurant_queries.select_restaurant(cur, restaurant_id)
    if r is None:
        raise NotFound("restaurant")
    return r


async def save_restaurant(
    actor: int, form: RestaurantForm, restaurant_id: int | None = None, scope: HasPartner | None = None
) -> dict:
    """Create a restaurant (admins; optionally for a business), or update its details and policy (a partner its
    own, never which business runs it). The slot grid and sitting length stay while bookings hold tables: their
    slot rows were laid out with them."""

    async def work(cur):
        if scope is not None:
            await require(cur, scope, "restaurant", restaurant_id)  # a partner never creates one: None is not theirs
        if await queries.select_city(cur, form.city_id) is None:
            raise Invalid({"city_id": "Choose a city from the list."})
        data = form.row()
        if scope is None:
            if form.partner_id is not None and await partner_queries.select_partner(cur, form.partner_id) is None:
                raise Invalid({"partner_id": "Choose a business from the list."})
            data["partner_id"] = form.partner_id
        if restaurant_id is not None:
            before = await restaurant_queries.select_restaurant(cur, restaurant_id, lock=True)
            if before is None:
                raise NotFound("restaurant")
            grid = (before["slot_minutes"], before["sitting_minutes"])
            if grid != (form.slot_minutes, form.sitting_minutes) and await queries.count_active_restaurant_bookings(
                cur, restaurant_id
            ):
                raise Invalid(
                    {
                        "sitting_minutes": f"Tables here are booked for {grid[1]}-minute sittings on a {grid[0]}-minute "
                        "grid; the slot and sitting lengths cannot change while those bookings stand."
                    }
                )
        return await _save(cur, actor, RESTAURANT, restaurant_id, data)

    return await _restaurant_change(work)


async def save_hours(actor: int, restaurant_id: int, form: HoursForm, scope: HasPartner | None = None) -> list[dict]:
    """Set the week's opening hours (a day without a service is closed). Bookings already made keep their tables."""

    async def work(cur):
        r = await _restaurant_for_change(cur, scope, restaurant_id)
        spans = form.spans()
        short = [
            f"{WEEKDAYS[w].title()} {opens:%H:%M}–{closes:%H:%M}"
            for w, opens, closes in spans
            if seating.minutes(closes) - seating.minutes(opens) < r["sitting_minutes"]
        ]
        if short:
            raise Invalid({"__all__": f"{', '.join(short)} is shorter than one {r['sitting_minutes']}-minute sitting."})
        before = await restaurant_queries.select_hours(cur, [restaurant_id])
        await queries.replace_hours(cur, restaurant_id, spans)
        after = await restaurant_queries.select_hours(cur, [restaurant_id])
        await record(
            cur, actor, "restaurant.hours", "restaurant", restaurant_id, hours_values(before), hours_values(after)
        )
        await _floor_changed(cur, r)
        return after

    return await _restaurant_change(work)


async def _table_of(cur, restaurant_id: int, table_id: int) -> dict:
    table = await queries.select_table(cur, table_id)
    if table is None or table["restaurant_id"] != restaurant_id:
        raise NotFound("table")
    return table


def _booking_words(b: dict) -> str:
    return f"{b['reference']} ({_plural(b['guests'], 'guest')}, {b['starts_at']:%a %d %b %H:%M})"


async def save_table(
    actor: int, restaurant_id: int, form: TableForm, table_id: int | None = None, scope: HasPartner | None = None
) -> dict:
    """Add a table, or change its label and seats; fewer seats than a booking at it needs is refused (409)."""

    async def work(cur):
        r = await _restaurant_for_change(cur, scope, restaurant_id)
        data = form.model_dump()
        if table_id is None:
            new_id = await queries.insert_table(cur, {**data, "restaurant_id": restaurant_id})
            after = await queries.select_table(cur, new_id)
            await record(cur, actor, "restaurant_table.create", "restaurant_table", new_id, None, snapshot(after))
        else:
            before = await _table_of(cur, restaurant_id, table_id)
            if form.seats < before["seats"]:
                outgrown = await queries.select_bookings_outgrowing(cur, table_id, form.seats)
                if outgrown:
                    raise Refused(
                        f"Booking {_booking_words(outgrown[0])} needs table {before['label']}'s "
                        f"{before['seats']} seats, so it cannot seat fewer."
                    )
            await queries.update_table(cur, table_id, data)
            after = await queries.select_table(cur, table_id)
            await record(
                cur, actor, "restaurant_table.update", "restaurant_table", table_id, snapshot(before), snapshot(after)
            )
        await _floor_changed(cur, r)
        return after

    return await _restaurant_change(work, ("label", "Another table of this restaurant has this label."))


async def remove_table(actor: int, restaurant_id: int, table_id: int, scope: HasPartner | None = None) -> dict:
    """Take a table out of service; refused (409) while a booking still to come holds it. Past bookings keep it
    as their record."""

    async def work(cur):
        r = await _restaurant_for_change(cur, scope, restaurant_id)
        table = await _table_of(cur, restaurant_id, table_id)
        upcoming = await queries.select_upcoming_table_bookings(cur, table_id, wall_now(r["timezone"]))
        if upcoming:
            raise Refused(
                f"Table {table['label']} cannot be removed: bookings still to come hold it "
                f"({', '.join(_booking_words(b) for b in upcoming)}). Remove it once they are past or cancelled."
            )
        await queries.update_table_removed(cur, table_id)
        await record(cur, actor, "restaurant_table.delete", "restaurant_table", table_id, snapshot(table), None)
        await _floor_changed(cur, r)
        return table

    return await _restaurant_change(work)


async def link_tables(actor: int, restaurant_id: int, form: TableLinkForm, scope: HasPartner | None = None) -> None:
    """Say two tables stand side by side (may be pushed together for a large party), or no longer do."""

    async def work(cur):
        r = await _restaurant_for_change(cur, scope, restaurant_id)
        for field in ("table_id", "adjacent_id"):
            table = await queries.select_table(cur, getattr(form, field))
            if table is None or table["restaurant_id"] != restaurant_id:
                raise Invalid({field: "Choose a table of this restaurant."})
        if form.linked:
            await queries.upsert_link(cur, form.pair)
        else:
            await queries.delete_link(cur, form.pair)
        pair = {"table_id": form.pair[0], "adjacent_id": form.pair[1]}
        action = "restaurant.link_tables" if form.linked else "restaurant.unlink_tables"
        await record(cur, actor, action, "restaurant", restaurant_id, None, pair)
        await _floor_changed(cur, r)

    await _restaurant_change(work)


# --- bookings -----------------------------------------------------------------------------------------


async def search_bookings(
    f: BookingFilter, *, limit: int = 25, offset: int = 0, scope: HasPartner | None = None
) -> dict:
    """Bookings matching the filters, newest first: {items, total, limit, offset} (a partner's own only)."""
    return await _read(queries.select_bookings, f, limit=limit, offset=offset, scope=scope)


async def iter_bookings(f: BookingFilter, batch: int = 500, scope: HasPartner | None = None) -> AsyncIterator[dict]:
    """Every booking matching the filters, fetched in batches (for the CSV export)."""
    offset = 0
    while True:
        page = await search_bookings(f, limit=batch, offset=offset, scope=scope)
        for item in page["items"]:
            yield item
        offset += batch
        if offset >= page["total"] or not page["items"]:
            return


async def get_booking(reference: str, scope: HasPartner | None = None) -> dict:
    """One booking with its seats or nights."""
    async with db.reading() as cur:
        booking = await require_row(cur, scope, "booking", reference.upper(), queries.select_booking)
        if booking["type"] == "bus":
            booking["seats"] = await booking_queries.select_booking_seats(cur, booking["id"])
        elif booking["type"] == "restaurant":
            booking["tables"] = await restaurant_queries.select_booking_tables(cur, booking["id"])
        elif booking["type"] in ("train", "flight"):  # the same columns (seat_label, passenger_name, …)
            booking["seats"] = await segment_queries.select_booking_segment(cur, booking["id"])
        else:
            booking["nights"] = await booking_queries.select_booking_nights(cur, booking["id"])
    return booking


async def cancel_booking(actor: int, reference: str, reason: str, scope: HasPartner | None = None) -> dict:
    """Cancel a booking on the traveller's behalf with a full refund; a cancelled booking is refused. A partner
    cancels its own business's bookings only (recorded as cancelled by the partner).

    The engine's release takes the locks in the booking engine's order (the trip or the room-nights, then the
    booking) and releases nothing when another cancellation got there first."""

    by = "admin" if scope is None else "partner"

    async def work(cur):
        key = await require_row(cur, scope, "booking", reference.upper(), queries.select_booking_key)
        if key["status"] in ("confirmed", "pending_payment"):
            refund = key["total_minor"] if key["status"] == "confirmed" else 0  # a hold paid nothing
            result = await release(cur, key["id"], reason=reason, cancelled_by=by, refund_minor=refund)
            if result.released:
                await refund_cancellation(cur, key["id"], refund)
                await record(
                    cur,
                    actor,
                    "booking.cancel",
                    "booking",
                    key["reference"],
                    {"status": key["status"]},
                    {"status": "cancelled", "cancel_reason": reason, "cancelled_by": by, "refund_minor": refund},
                )
                return result
        raise Refused("This booking is already cancelled.")

    result = await db.run_in_transaction(work)
    await send_due_refunds()  # the refunds written with the cancellation go to the provider now
    return result


# --- analytics ----------------------------------------------------------------------------------------


def _ratio(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


async def catalogue_currency() -> str:
    """The currency new trips and room types default to: the one the catalogue is priced in."""
    async with db.reading() as cur:
        return await queries.select_catalogue_currency(cur) or DEFAULT_CURRENCY


TOP_N = 10  # the dashboard's "top" lists; the full per-route and per-hotel tables are a link away


async def stats(r: StatsRange, scope: HasPartner | None = None) -> dict:
    """The dashboard's figures for a date range: six grouped queries, whatever the size of the range.

    Revenue is never summed across currencies: `currency` is the one most bookings in the range used (else the
    catalogue's), every revenue_minor counts that currency only, and revenue_by_currency gives each of them. Top routes and
    hotels have one row per currency, each with its own `currency`."""
    async with db.reading() as cur:
        daily = await queries.select_daily_bookings(cur, r.date_from, r.date_to, scope)
        routes = await queries.select_route_occupancy(cur, r.date_from, r.date_to, scope)
        hotels = await queries.select_hotel_occupancy(cur, r.date_from, r.date_to, scope)
        top_routes = await queries.select_top_routes(cur, r.date_from, r.date_to, limit=TOP_N, scope=scope)
        top_hotels = await queries.select_top_hotels(cur, r.date_from, r.date_to, limit=TOP_N, scope=scope)
    counts = Counter()
    for row in daily:
        counts[row["currency"]] += int(row["bookings"])
    currency = max(sorted(counts), key=counts.get) if counts else await catalogue_currency()
    by_day: dict[date, list[dict]] = {}
    for row in daily:
        by_day.setdefault(row["day"], []).append(row)
    days = []
    day = r.date_from
    while day <= r.date_to:
        rows = by_day.get(day, [])
        revenue = {row["currency"]: int(row["revenue_minor"]) for row in rows}
        days.append(
            {
                "date": day,
                "bookings": sum(int(row["bookings"]) for row in rows),
                "cancelled": sum(int(row["cancelled"]) for row in rows),
                "revenue_minor": revenue.get(currency, 0),
                "revenue_by_currency": revenue,
            }
        )
        day += timedelta(days=1)
    total = sum(d["bookings"] for d in days)
    cancelled = sum(d["cancelled"] for d in days)
    revenue_by_currency = Counter()
    for d in days:
        revenue_by_currency.update(d["revenue_by_currency"])
    return {
        "from": r.date_from,
        "to": r.date_to,
        "currency": currency,
        "totals": {
            "bookings": total,
            "cancelled": cancelled,
            "cancellation_rate": _ratio(cancelled, total),
            "revenue_minor": revenue_by_currency.get(currency, 0),
            "revenue_by_currency": dict(sorted(revenue_by_currency.items())),
            "seats_offered": sum(int(x["offered"]) for x in routes),
            "seats_sold": sum(int(x["sold"]) for x in routes),
            "room_nights_offered": sum(int(x["offered"]) for x in hotels),
            "room_nights_sold": sum(int(x["sold"]) for x in hotels),
        },
        "days": days,
        "routes": [
            {
                "origin": x["origin_name"],
                "destination": x["destination_name"],
                "trips": int(x["trips"]),
                "seats_offered": int(x["offered"]),
                "seats_sold": int(x["sold"]),
                "occupancy": _ratio(int(x["sold"]), int(x["offered"])),
            }
            for x in routes
        ],
        "hotels": [
            {
                "hotel_id": x["hotel_id"],
                "hotel": x["hotel_name"],
                "city": x["city_name"],
                "room_nights_offered": int(x["offered"]),
                "room_nights_sold": int(x["sold"]),
                "occupancy": _ratio(int(x["sold"]), int(x["offered"])),
            }
            for x in hotels
        ],
        "top_routes": [
            {
                "origin": x["origin_name"],
                "destination": x["destination_name"],
                "bookings": int(x["bookings"]),
                "revenue_minor": int(x["revenue_minor"]),
                "currency": x["currency"],
            }
            for x in top_routes
        ],
        "top_hotels": [
            {
                "hotel_id": x["hotel_id"],
                "hotel": x["hotel_name"],
                "city": x["city_name"],
                "bookings": int(x["bookings"]),
                "revenue_minor": int(x["revenue_minor"]),
                "currency": x["currency"],
            }
            for x in top_hotels
        ],
    }


# --- audit --------------------------------------------------------------------------------------------


async def list_audit(f: AuditFilter, scope: HasPartner | None = None) -> dict:
    """Audit entries matching the filters, newest first, with the filter choices (a partner's business only)."""
    async with db.reading() as cur:
        page = await queries.select_audit(
            cur,
            entity=f.entity,
            action=f.action,
            user_email=f.user_email,
            date_from=f.date_from,
            date_to=f.date_to,
            page=f.page,
            partner_id=scope.partner_id if scope else None,
        )
        page["choices"] = await queries.select_audit_choices(cur)
    for item in page["items"]:
        for key in ("before_data", "after_data"):
            if isinstance(item[key], str):
                item[key] = json.loads(item[key])
    page["items"] = await auditview.readable(page["items"], await catalogue_currency())
    return page


def service_name(b: dict) -> str:
    """What a booking is for, in one line (the bookings list, the CSV export, the API)."""
    if b["type"] in ("bus", "train", "flight"):
        return f"{b['origin_name']} → {b['destination_name']} ({b['operator_name']})"
    if b["type"] == "restaurant":
        return f"{b['restaurant_name']}, table for {b['guests']}"
    return f"{b['hotel_name']}, {b['room_type_name']}"


# --- money ----------------------------------------------------------------------------------------------


MONEY_PAGE = 25


async def list_payments(f) -> dict:
    """Payments matching the filters, newest first, a page at a time."""
    return await _money_page("payments", f)


async def list_refunds(f) -> dict:
    """Refunds matching the filters, newest first, a page at a time."""
    return await _money_page("refunds", f)


async def _money_page(table: str, f) -> dict:
    async with db.reading() as cur:
        return await checkout_queries.select_money_page(cur, table, f.model_dump(), MONEY_PAGE)


NOTIFICATIONS_PAGE = 50


async def list_notifications(f) -> dict:
    """Notifications matching the filters, newest first, a page at a time."""
    async with db.reading() as cur:
        return await notify_queries.select_page(cur, f.model_dump(), NOTIFICATIONS_PAGE)


async def get_notification(notification_id: int) -> dict:
    async with db.reading() as cur:
        found = await notify_queries.select_notification(cur, notification_id)
    if found is None:
        raise NotFound("notification")
    return found


async def resend_notification(actor: int, notification_id: int) -> None:
    """Send a notification again, now (audited): a failed one, or a sent one the traveller says never arrived."""
    found = await get_notification(notification_id)
    async with db.transaction() as cur:
        await record(cur, actor, "notification.resend", "notification", notification_id,
                     {"status": found["status"]}, {"status": "pending"})  # fmt: skip
    await notify_sender.resend(notification_id)


async def money_history(booking_id: int) -> dict:
    """A booking's payment, refunds and every provider event applied to it."""
    async with db.reading() as cur:
        return {
            "payment": await checkout_queries.select_payment_by_booking(cur, booking_id),
            "refunds": await checkout_queries.select_refunds(cur, booking_id),
            "events": await checkout_queries.select_payment_events(cur, booking_id),
        }


async def retry_refund(actor: int, refund_id: int) -> None:
    """Send a failed refund to the provider again (audited); a refund that has not failed is refused."""
    async with db.transaction() as cur:
        await cur.execute("SELECT id, status, amount_minor FROM refunds WHERE id = %(id)s", {"id": refund_id})
        refund = await cur.fetchone()
        if refund is None:
            raise NotFound("refund")
        if refund["status"] != "failed":
            raise Refused("Only a failed refund can be retried.")
        await record(cur, actor, "refund.retry", "refund", refund_id, {"status": "failed"}, {"status": "pending"})
    await checkout_retry_refund(refund_id)
