"""Booking rules: the one place seats and rooms are sold, cancelled and listed (pages and API call these).

Each function validates what it was asked, hands the inventory to the engine (engine.py: lock -> check -> consume
-> write -> publish, one transaction, every kind the same way) and reads the booking back as pages and the API show
it. The optional admission layer (admission.py) stands in front of the engine for crowded trips.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Awaitable, Callable, Iterable
from datetime import date, datetime, time, timedelta
from typing import Any

from quart import current_app

from .. import db
from ..checkout import service as checkout
from ..dates import local, today_in, utc, zoned
from ..places import service as places
from ..restaurants import policy as restaurant_policy
from ..restaurants import queries as restaurant_queries
from ..rules import MAX_NIGHTS, MAX_PARTY, MAX_SEATS
from ..segments import service as segments
from ..segments.kind import SegmentSeats
from ..stops import service as stops
from . import admission, engine, queries, refunds
from .errors import (  # noqa: F401 (the routes and the API catch these as service.X)
    BookingError,
    InvalidBooking,
    NotBookable,
    NotCancellable,
    NotEnoughSeats,
    NotFound,
    PriceChanged,
    RoomsUnavailable,
    SeatsUnavailable,
    TablesUnavailable,
    TooManyHolds,
)
from .kinds import BusSeats, HotelNights, Inventory, RestaurantTables, of_booking, stay_nights
from .models import Booking, BookingPage


def _user_fields(user: Any) -> tuple[int, str | None, str | None]:
    """(id, email, phone) of a CurrentUser-like object or a plain user id."""
    if isinstance(user, int):
        return user, None, None
    return user.id, getattr(user, "email", None), getattr(user, "phone", None)


async def _book(
    user: Any, unit: Inventory, contact_email, contact_phone, key, expected_total_minor: int | None = None
) -> Booking:
    """Run one unit through admission and the engine; the booking as read back (replayed=True for a repeated key).

    With expected_total_minor (the total the traveller reviewed), a different current price raises PriceChanged."""
    user_id, user_email, user_phone = _user_fields(user)
    contact_email = contact_email or user_email
    if not contact_email:
        raise InvalidBooking({"contact_email": "Enter a contact email"})
    settings = current_app.config["TRAVELGO"]
    new = engine.NewBooking(
        user_id,
        unit,
        contact_email,
        contact_phone or user_phone,
        key,
        hold_seconds=settings.hold_seconds,
        max_open_holds=settings.max_open_holds,
        expected_total_minor=expected_total_minor,
    )
    try:
        async with admission.current().admit(unit, user_id, key):
            made = await engine.create(new)
    except engine.IdempotencyRace:
        async with db.reading() as cur:
            made = engine.Created(await queries.select_booking_id_by_key(cur, user_id, key), False)
    except engine.TooManyOpenHolds:
        n = settings.max_open_holds
        raise TooManyHolds(
            f"You already have {n} booking{'s' if n > 1 else ''} awaiting payment. "
            "Pay for or cancel one of them before holding another."
        ) from None
    order = None
    if made.created and made.status == "pending_payment":  # confirmed or requested: nothing to pay now
        order = await checkout.create_order(made)  # before taking a connection: the provider call may take its own
    async with db.batch() as cur:  # our payment row goes with the reads of the booking: one round trip for a bus
        if order is not None:
            await checkout.record_order(cur, made, order)
        booking = await _detail(cur, made.booking_id, unit if made.created else None)
    return {**booking, "replayed": not made.created}


def _check_seats(seats: list[str], passengers: list[dict[str, Any]]) -> None:
    """Seats (bus, train or flight): 1 to MAX_SEATS different ones, a passenger each."""
    if not 1 <= len(seats) <= MAX_SEATS or len(set(seats)) != len(seats):
        raise InvalidBooking({"seats": f"Choose between 1 and {MAX_SEATS} different seats"})
    if len(passengers) != len(seats):
        raise InvalidBooking({"passengers": "Give one passenger per seat"})


def bus_unit(
    trip_id: int,
    seats: list[str],
    passengers: list[dict[str, Any]],
    boarding_point_id: int | None = None,
    dropping_point_id: int | None = None,
) -> BusSeats:
    """The unit of a bus booking: seats on one trip, a passenger each, boarding and getting off at the trip's points
    (left out: the first boarding and the last dropping point)."""
    _check_seats(seats, passengers)
    return BusSeats(trip_id, seats, passengers, boarding_point_id, dropping_point_id)


def hotel_unit(
    room_type_id: int, check_in: date, check_out: date, rooms: int, guests: int, guest_name: str | None
) -> HotelNights:
    """The unit of a hotel booking: rooms of one type for every night of a stay."""
    if check_out <= check_in or (check_out - check_in).days > MAX_NIGHTS:
        raise InvalidBooking({"check_out": f"Check-out must be 1 to {MAX_NIGHTS} nights after check-in"})
    if check_in < today_in() - timedelta(days=1):  # early word; HotelNights.check judges by the hotel city's date
        raise InvalidBooking({"check_in": "Check-in cannot be in the past"})
    if rooms < 1 or guests < rooms:
        raise InvalidBooking({"guests": "Each room needs at least one guest"})
    return HotelNights(room_type_id, check_in, check_out, rooms, guests, guest_name)


def table_unit(
    restaurant_id: int, day: date, at: time, party_size: int, guest_name: str, notes: str | None
) -> RestaurantTables:
    """The unit of a table booking: a sitting at one restaurant for a party (the engine chooses the table)."""
    if not 1 <= party_size <= MAX_PARTY:
        raise InvalidBooking({"party_size": f"Book for 1 to {MAX_PARTY} guests"})
    return RestaurantTables(restaurant_id, day, at, party_size, guest_name, notes)


# How a validated POST /api/v1/bookings body (forms.BookingCreate's members) becomes its inventory unit, by `type`:
# the one home of that mapping (book_trip/book_room/book_table/book_segment and the itinerary checkout use it). A new
# kind adds one line; a builder may be a coroutine (a segment reads its route's stop numbers).
UNITS: dict[str, Callable[[Any], Inventory | Awaitable[Inventory]]] = {
    "bus": lambda b: bus_unit(
        b.trip_id, b.seats, [p.model_dump() for p in b.passengers], b.boarding_point_id, b.dropping_point_id
    ),
    "hotel": lambda b: hotel_unit(b.room_type_id, b.check_in, b.check_out, b.rooms, b.guests, b.guest_name),
    "restaurant": lambda b: table_unit(b.restaurant_id, b.date, b.time, b.party_size, b.guest_name, b.notes),
    "train": lambda b: segment_unit(
        b.trip_id, b.origin, b.destination, b.seats, [p.model_dump() for p in b.passengers]
    ),
    "flight": lambda b: segment_unit(
        b.trip_id, b.origin, b.destination, b.seats, [p.model_dump() for p in b.passengers]
    ),
}


async def unit_of(body: Any) -> Inventory:
    """The inventory unit of one booking body (a member of forms.BookingCreate)."""
    build = UNITS.get(body.type)
    if build is None:  # a kind added to BookingCreate without its line in UNITS
        raise InvalidBooking({"type": f"A {body.type} booking cannot be made this way yet"})
    unit = build(body)
    return await unit if inspect.isawaitable(unit) else unit


async def segment_unit(
    trip_id: int, origin: int, destination: int, seats: list[str], passengers: list[dict[str, Any]]
) -> SegmentSeats:
    """The unit of a train or flight booking: seats or berths from one stop to a later one (city ids)."""
    _check_seats(seats, passengers)
    from_stop, to_stop = await segments.resolve_segment(trip_id, origin, destination)
    return SegmentSeats(trip_id, from_stop, to_stop, seats, passengers)


async def book_trip(
    user: Any,
    trip_id: int,
    seats: list[str],
    passengers: list[dict[str, Any]],
    contact_email: str | None = None,
    contact_phone: str | None = None,
    idempotency_key: str | None = None,
    expected_total_minor: int | None = None,
    boarding_point_id: int | None = None,
    dropping_point_id: int | None = None,
) -> Booking:
    """Book seats on a trip for one passenger each; returns the booking (replayed=True for a repeated key).
    With expected_total_minor, refuses (PriceChanged) unless the seats cost exactly that now. The boarding and
    dropping points must be the trip's (InvalidBooking); left out, the first boarding and last dropping point."""
    unit = bus_unit(trip_id, seats, passengers, boarding_point_id, dropping_point_id)
    return await _book(user, unit, contact_email, contact_phone, idempotency_key, expected_total_minor)


async def book_segment(
    user: Any,
    trip_id: int,
    origin: int,
    destination: int,
    seats: list[str],
    passengers: list[dict[str, Any]],
    contact_email: str | None = None,
    contact_phone: str | None = None,
    idempotency_key: str | None = None,
    expected_total_minor: int | None = None,
) -> Booking:
    """Book seats or berths on a train or flight from one stop to a later one (city ids), a passenger each."""
    unit = await segment_unit(trip_id, origin, destination, seats, passengers)
    return await _book(user, unit, contact_email, contact_phone, idempotency_key, expected_total_minor)


async def book_room(
    user: Any,
    room_type_id: int,
    check_in: date,
    check_out: date,
    rooms: int,
    guests: int,
    guest_name: str,
    contact_email: str | None = None,
    contact_phone: str | None = None,
    idempotency_key: str | None = None,
    expected_total_minor: int | None = None,
) -> Booking:
    """Book rooms of one type for every night of a stay; returns the booking (replayed=True for a repeated key).
    With expected_total_minor, refuses (PriceChanged) unless the stay costs exactly that now."""
    unit = hotel_unit(room_type_id, check_in, check_out, rooms, guests, guest_name)
    return await _book(user, unit, contact_email, contact_phone, idempotency_key, expected_total_minor)


async def book_table(
    user: Any,
    restaurant_id: int,
    day: date,
    at: time,
    party_size: int,
    guest_name: str,
    notes: str | None = None,
    contact_email: str | None = None,
    contact_phone: str | None = None,
    idempotency_key: str | None = None,
    expected_total_minor: int | None = None,
) -> Booking:
    """Book a table for a party at a restaurant; returns the booking with the table(s) assigned. It starts
    confirmed (no deposit), as a hold to pay (deposit) or as a request the restaurant answers (on request)."""
    unit = table_unit(restaurant_id, day, at, party_size, guest_name, notes)
    return await _book(user, unit, contact_email, contact_phone, idempotency_key, expected_total_minor)


# --- cancel --------------------------------------------------------------------------------------------


async def cancel_booking(user_id: int, reference: str, reason: str | None = None) -> Booking:
    """A traveller cancels their own upcoming booking; returns the booking (now cancelled) and its refund."""
    return (await cancel_bookings(user_id, [reference], reason, whole_trip=False))[0]


async def cancel_bookings(
    user_id: int, references: list[str], reason: str | None = None, *, whole_trip: bool = True
) -> list[Booking]:
    """Cancel several of the traveller's bookings (a whole trip) in ONE transaction, each with its own refund, in
    the engine's lock order; all or none. Returns the bookings (now cancelled), each with its refund.

    One booking of a trip that is awaiting payment is not cancelled alone (whole_trip=False): the trip's one
    payment pays for all of them, so the traveller cancels the whole trip or pays first."""

    async def work(cur):
        cores = []
        for reference in references:
            core = await queries.select_booking_core_by_reference(cur, user_id, reference)
            if core is None:
                raise NotFound("There is no such booking.")
            if not whole_trip and core["itinerary_checkout_id"] and core["status"] == "pending_payment":
                raise NotCancellable(
                    "This booking is part of a trip awaiting payment: pay for the trip or cancel the whole trip."
                )
            cores.append(core)
        units = {c["id"]: await of_booking(cur, await queries.select_booking_core(cur, c["id"])) for c in cores}
        done = []
        for core in sorted(cores, key=lambda c: units[c["id"]].lock_order()):
            quote = _quote(core, local(core["starts_at"], core["timezone"]))
            if not quote.cancellable:
                raise NotCancellable(quote.reason)
            released = await engine.release(
                cur, core["id"], reason=reason, cancelled_by="traveller", refund_minor=quote.amount_minor
            )
            if not released.released:  # a second click, another tab or the sweeper got there first
                raise NotCancellable("This booking is already cancelled.")
            await checkout.refund_cancellation(cur, core["id"], quote.amount_minor)
            done.append((core["id"], quote))
        return done

    done = await db.run_in_transaction(work)
    await checkout.send_due_refunds()
    cancelled = {}
    async with db.reading() as cur:
        for booking_id, quote in done:
            cancelled[booking_id] = {**await _detail(cur, booking_id), "refund": quote.as_dict()}
    return sorted(cancelled.values(), key=lambda b: references.index(b["reference"]))


def cancellation_quote(booking: dict[str, Any], now: datetime | None = None) -> refunds.RefundQuote:
    """What cancelling this booking now would refund (shown before the traveller confirms)."""
    return _quote(booking, booking["starts_at"], now)


def _quote(booking: dict[str, Any], starts_at: datetime, now: datetime | None = None) -> refunds.RefundQuote:
    """The policy of the booking's kind: a restaurant's own, or the travel policy (refunds.py)."""
    if booking["type"] == "restaurant":
        return restaurant_policy.quote(
            status=booking["status"],
            total_minor=booking["total_minor"],
            currency=booking["currency"],
            starts_at=starts_at,
            free_cancel_hours=booking["free_cancel_hours"],
            now=now,
        )
    return refunds.quote(
        status=booking["status"],
        total_minor=booking["total_minor"],
        currency=booking["currency"],
        starts_at=starts_at,
        now=now,
    )


# --- reading -------------------------------------------------------------------------------------------


async def hotel_for_booking(hotel_id: int) -> dict[str, Any] | None:
    """A hotel and its room types, for the hotel booking page."""
    async with db.reading() as cur:
        hotel = await queries.select_hotel(cur, hotel_id)
        if hotel is None:
            return None
        return {**hotel, "room_types": await queries.select_hotel_room_types(cur, hotel_id)}


async def quote_stay(
    hotel_id: int, room_type_id: int, check_in: date, check_out: date, rooms: int, guests: int
) -> dict[str, Any]:
    """Nightly prices, rooms left and the total of a stay, with the problems that would stop the booking."""
    async with db.reading() as cur:
        room_type = await queries.select_room_type(cur, room_type_id)
        if room_type is None or room_type["hotel_id"] != hotel_id:
            raise NotFound("There is no such room type at this hotel.", field="room_type_id")
        inventory = {r["night"]: r for r in await queries.select_room_nights(cur, room_type_id, check_in, check_out)}
    nights = []
    for night in stay_nights(check_in, check_out):
        row = inventory.get(night)
        available = bool(row) and not row["stop_sell"] and row["rooms_left"] >= rooms
        nights.append(
            {
                "night": night,
                "price_minor": row["price_minor"] if row else None,
                "rooms_left": max(row["rooms_left"], 0) if row and not row["stop_sell"] else 0,
                "available": available,
            }
        )
    sold_out = [n["night"] for n in nights if not n["available"]]
    return {
        "room_type": room_type,
        "nights": nights,
        "sold_out": sold_out,
        "over_capacity": guests > rooms * room_type["max_guests"],
        "total_minor": None if sold_out else sum(n["price_minor"] for n in nights) * rooms,
        "currency": room_type["currency"],
    }


SEGMENT_TYPES = ("train", "flight")
SCOPES = ("upcoming", "past", "cancelled", "all")


async def list_bookings(user_id: int, scope: str = "upcoming", limit: int = 50, offset: int = 0) -> BookingPage:
    """A page of the user's bookings in a scope (upcoming|past|cancelled|all) by travel date (upcoming soonest
    first, the others latest first), and the total."""
    if scope not in SCOPES:
        raise InvalidBooking({"scope": f"scope must be one of {', '.join(SCOPES)}"})
    zones = await places.zones()
    async with db.reading() as cur:
        items = await queries.select_bookings_page(cur, user_id, scope, zones, limit, offset)
        total = await queries.select_bookings_count(cur, user_id, scope, zones)
    return {"items": [zoned(item) for item in items], "total": total}


async def get_booking(user_id: int, reference: str) -> Booking | None:
    """The user's booking with every detail, or None (also for another user's reference)."""
    async with db.batch() as cur:
        row = await queries.select_booking_by_reference(cur, user_id, reference.strip().upper())
        return await _complete(cur, row) if row else None


async def booking_detail(booking_id: int) -> Booking | None:
    """A booking as its pages show it, by id (for the messages about it)."""
    async with db.batch() as cur:
        row = await queries.select_booking(cur, booking_id)
        return await _complete(cur, row) if row else None


async def booking_details(booking_ids: Iterable[int]) -> dict[int, Booking]:
    """Several bookings as their pages show them, by id (the sender's batch of messages): the rows of each kind with
    their kind's fields, every seat and every bus booking's points in one round trip, the other kinds' items in one
    more; a booking that is gone is missing."""
    ids = sorted(set(booking_ids))
    if not ids:
        return {}
    async with db.batch() as cur:
        of_kind = [await queries.queue_bookings_of_kind(cur, ids, kind) for kind in queries.SHOWN]
        seats = await queries.queue_seats_of_bookings(cur, ids)
        points = await stops.queue_bus_bookings_points(cur, ids)
        rows = sorted([queries.unpacked(row) for read in of_kind for row in await read.rows(cur)], key=_by_id)
        seats_of, points_of = _by_booking(await seats.rows(cur)), _by_booking(await points.rows(cur))
        items = {
            row["id"]: (db.answered(seats_of.get(row["id"], [])), db.answered(points_of.get(row["id"], [])))
            if row["type"] == "bus"
            else await _queue_items(cur, row["type"], row["id"], row["trip_id"])
            for row in rows
        }
        return {row["id"]: await _complete(cur, row, items[row["id"]]) for row in rows}


def _by_id(row: dict[str, Any]) -> int:
    return row["id"]


def _by_booking(rows: list[dict[str, Any]]) -> dict[int, list[dict[str, Any]]]:
    grouped: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        grouped.setdefault(row["booking_id"], []).append(row)
    return grouped


async def _detail(cur, booking_id: int, unit: Inventory | None = None) -> Booking:
    """A booking as pages and the API show it; `unit`, the inventory it was just made for, names its kind, so its row
    is read with its kind's fields and its items with it (on a db.batch() cursor: one round trip)."""
    if unit is None:
        return await _complete(cur, await queries.select_booking(cur, booking_id))
    read = await queries.queue_booking_of_kind(cur, booking_id, unit.type)
    items = await _queue_items(cur, unit.type, booking_id, getattr(unit, "trip_id", None))
    return await _complete(cur, queries.unpacked((await read.rows(cur))[0]), items)


async def _queue_items(cur, kind: str, booking_id: int, trip_id: int | None) -> tuple[db.Queued, ...]:
    """The reads of a booking's items, queued together (with the booking's row: one round trip on a db.batch()
    cursor): a bus's seats and points, a train's or flight's segment, a stay's nights or a table booking's tables."""
    if kind == "bus":
        return (
            await queries.queue_booking_seats(cur, booking_id),
            await stops.queue_booking_points(cur, {"id": booking_id, "trip_id": trip_id}),
        )
    if kind in SEGMENT_TYPES:
        return await segments.queue_booking_segment(cur, booking_id, trip_id)
    if kind == "hotel":
        return (await queries.queue_booking_nights(cur, booking_id),)
    return (await restaurant_queries.queue_booking_tables(cur, booking_id),)


def _shown(row: dict[str, Any]) -> dict[str, Any]:
    """A booking row with its kind's fields (unpacked) as pages and the API read it: every kind's keys (the other
    kinds' None), the end zone of a stay or a table (its start's), the JSON points decoded, without the payment's
    fields."""
    booking = dict.fromkeys(queries.SHOWN_KEYS)
    booking.update((k, v) for k, v in row.items() if not k.startswith("payment_"))
    if booking["end_timezone"] is None:
        booking["end_timezone"] = booking["timezone"]
    for column in ("boarding_points", "dropping_points"):
        if isinstance(booking[column], (str, bytes)):
            booking[column] = json.loads(booking[column])
    return booking


async def _complete(cur, row: dict[str, Any], items: tuple[db.Queued, ...] | None = None) -> Booking:
    """Add the kind's fields, the items (seats, nights or tables), the title, the payment and the refunds to a
    booking row: the one home of "a booking as pages show it". `items`: the items' reads, queued already with a row
    that has its kind's fields (_detail with the unit); without them, the row is the bookings row alone (read by
    reference or id), and its kind's fields are read here with its items (no round trip of their own)."""
    kind = row["type"]
    kind_read = None if items else await queries.queue_booking_shown(cur, row["id"], kind)
    payment, refunds_made = await checkout.payment_state(cur, row)  # the row's payment_* fields
    items = items or await _queue_items(cur, kind, row["id"], row["trip_id"])
    if kind_read is not None:
        row = {**row, **queries.unpacked((await kind_read.rows(cur))[0])}
    booking = Booking(**zoned(_shown(row)))
    booking["payment"] = payment
    booking["refunds"] = [
        {**r, "created_at": utc(r["created_at"]), "updated_at": utc(r["updated_at"])} for r in refunds_made
    ]
    booking["seats"], booking["nights"], booking["tables"] = [], [], []
    if kind == "bus":
        seats, points = items
        booking["title"] = f"{booking['origin']} → {booking['destination']}"
        booking["seats"] = [
            {
                "label": s["seat_label"],
                "passenger_name": s["passenger_name"],
                "passenger_age": s["passenger_age"],
                "passenger_gender": s["passenger_gender"],
                "price_minor": s["price_minor"],
            }
            for s in await seats.rows(cur)
        ]
        booking.update(await stops.booking_points(cur, booking, points))
    elif kind in SEGMENT_TYPES:
        booking.update(await segments.booking_segment(cur, booking, items))
        booking["title"] = f"{booking['origin']} → {booking['destination']}"
    elif kind == "hotel":
        booking["title"] = booking["hotel_name"]
        booking["nights"] = await items[0].rows(cur)
    else:
        booking["title"] = booking["restaurant_name"]
        booking["tables"] = await items[0].rows(cur)
    return booking
