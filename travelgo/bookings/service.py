"""Booking rules: the one place seats and rooms are sold, cancelled and listed (pages and API call these).

Every booking is one transaction that locks exactly the inventory rows it needs, in primary-key order, before it
checks anything: the trip row for a bus booking, the (room_type_id, night) rows for a hotel stay. Because the lock
is the first statement, the snapshot of every later plain read is taken after the previous holder committed.
The schema backs this up: UNIQUE(trip_id, seat_label, held) and CHECK constraints on the counters make an
oversell impossible even if this code is wrong, and those errors become the same clean conflict.
"""

from __future__ import annotations

import asyncio
import json
import re
import secrets
from collections.abc import Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import date, datetime, time, timedelta
from typing import Any

import pymysql

from .. import db, events, searchcache
from ..buses.service import closed_reason
from ..text import natural_key
from . import queries, refunds
from .forms import MAX_NIGHTS, MAX_SEATS

# Test-only switch: False drops the FOR UPDATE locks so the control test can show the race is real and that the
# schema's UNIQUE key / CHECK constraints still stop the oversell. Never turn it off in production.
LOCK_INVENTORY = True
# Test-only hook, awaited after a booking passed its availability check (lets the control test count them).
after_availability_check: Callable[[], Awaitable[None]] | None = None

REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud or typed from a ticket
REFERENCE_ATTEMPTS = 5
CHECK_IN_TIME = time(14, 0)
CHECK_OUT_TIME = time(11, 0)


class BookingError(Exception):
    """Base class for booking outcomes a user can act on."""

    status = 400

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class NotFound(BookingError):
    """No such trip, room type or booking (HTTP 404; 422 on `field` when the API body named it)."""

    status = 404

    def __init__(self, detail: str, field: str | None = None) -> None:
        super().__init__(detail)
        self.field = field


class InvalidBooking(BookingError):
    """Input that is well-formed but wrong for this trip or room (HTTP 422); errors maps field -> message."""

    status = 422

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


class SeatsUnavailable(BookingError):
    """One or more of the chosen seats were taken by someone else (HTTP 409)."""

    status = 409

    def __init__(self, seats: list[str], trip_id: int | None = None) -> None:
        seats = sorted(seats, key=natural_key)
        noun = "Seat" if len(seats) == 1 else "Seats"
        verb = "is" if len(seats) == 1 else "are"
        super().__init__(f"{noun} {', '.join(seats)} {verb} no longer available. Please choose another seat.")
        self.seats = seats
        self.trip_id = trip_id


class RoomsUnavailable(BookingError):
    """Not enough rooms left on one or more nights (HTTP 409)."""

    status = 409

    def __init__(self, nights: list[date]) -> None:
        nights = sorted(nights)
        listed = ", ".join(n.isoformat() for n in nights)
        super().__init__(f"Sold out for the night{'s' if len(nights) > 1 else ''} of {listed}. Try other dates.")
        self.nights = nights


class NotEnoughSeats(BookingError):
    """The trip's counter has fewer seats left for sale than were asked for (HTTP 409), whichever seats were chosen.

    An admin may offer fewer seats than the vehicle has, so seats can be free on the map while the trip is full."""

    status = 409

    def __init__(self, seats_left: int | None, trip_id: int | None = None) -> None:
        if seats_left == 0:
            detail = "This bus is sold out. Please choose another bus."
        elif seats_left is None:
            detail = "Not enough seats are left on this bus. Please choose fewer seats or another bus."
        else:
            detail = (
                f"Only {seats_left} seat{'s' if seats_left > 1 else ''} {'are' if seats_left > 1 else 'is'} left "
                "on this bus. Please choose fewer seats or another bus."
            )
        super().__init__(detail)
        self.seats_left = seats_left
        self.trip_id = trip_id


class NotBookable(BookingError):
    """The trip is cancelled or has departed (HTTP 409)."""

    status = 409


class NotCancellable(BookingError):
    status = 409


class _IdempotencyRace(Exception):
    """Two requests with the same idempotency key raced past the lookup; the other one won."""


def new_reference() -> str:
    """TG- and six characters from an unambiguous alphabet (32^6 ≈ 10^9 possibilities, from a CSPRNG)."""
    return "TG-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(6))


def _duplicate_key_name(exc: BaseException) -> str:
    match = re.search(r"for key '([^']+)'", str(exc.args[1] if len(exc.args) > 1 else exc))
    return match.group(1).rsplit(".", 1)[-1] if match else ""


def _user_fields(user: Any) -> tuple[int, str | None, str | None]:
    """(id, email, phone) of a CurrentUser-like object or a plain user id."""
    if isinstance(user, int):
        return user, None, None
    return user.id, getattr(user, "email", None), getattr(user, "phone", None)


async def _insert_booking_row(cur, values: dict[str, Any]) -> tuple[int, str]:
    """Insert the booking under a fresh reference, drawing again on the (rare) collision: (id, reference)."""
    for attempt in range(REFERENCE_ATTEMPTS):
        reference = new_reference()
        try:
            return await queries.insert_booking(cur, {**values, "reference": reference}), reference
        except pymysql.err.MySQLError as exc:
            if db.error_code(exc) != db.DUPLICATE_KEY:
                raise
            key = _duplicate_key_name(exc)
            if key == "uq_bookings_idempotency":
                raise _IdempotencyRace() from exc
            if key != "uq_bookings_reference" or attempt == REFERENCE_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


async def _replay(user_id: int, key: str) -> dict[str, Any]:
    async with db.reading() as cur:
        booking_id = await queries.select_booking_id_by_key(cur, user_id, key)
        booking = await _detail(cur, booking_id)
    return {**booking, "replayed": True}


# --- bus -----------------------------------------------------------------------------------------------


async def book_trip(
    user: Any,
    trip_id: int,
    seats: list[str],
    passengers: list[dict[str, Any]],
    contact_email: str | None = None,
    contact_phone: str | None = None,
    idempotency_key: str | None = None,
) -> dict[str, Any]:
    """Book seats on a trip for one passenger each; returns the booking (replayed=True for a repeated key)."""
    user_id, user_email, user_phone = _user_fields(user)
    if not 1 <= len(seats) <= MAX_SEATS or len(set(seats)) != len(seats):
        raise InvalidBooking({"seats": f"Choose between 1 and {MAX_SEATS} different seats"})
    if len(passengers) != len(seats):
        raise InvalidBooking({"passengers": "Give one passenger per seat"})
    contact_email = contact_email or user_email
    if not contact_email:
        raise InvalidBooking({"contact_email": "Enter a contact email"})
    try:
        async with _one_at_a_time(trip_id) as crowd:
            shown = await _trip_before_booking(user_id, trip_id, seats, idempotency_key, crowd)
            booking_id, created, *written = await db.run_in_transaction(
                _book_trip_tx,
                user_id,
                trip_id,
                list(seats),
                passengers,
                contact_email,
                contact_phone or user_phone,
                idempotency_key,
            )
    except _IdempotencyRace:
        return await _replay(user_id, idempotency_key)
    if not created:  # the idempotency key's original booking
        return await _replay(user_id, idempotency_key)
    values, seat_rows = written
    # Everything the booking shows is in hand (the trip as read just before, the rows as written): no read-back.
    row = {**_NO_HOTEL, **shown, **values, "id": booking_id, "status": "confirmed"}
    return {**await _complete(None, row, seat_rows), "replayed": False}


_trip_queues: dict[int, tuple[asyncio.Lock, int]] = {}


@asynccontextmanager
async def _one_at_a_time(trip_id: int):
    """This worker's bookings of one trip take turns before they touch the database.

    The trip's row lock serializes them anyway; queueing here instead holds no pooled connection while waiting,
    and each request checks the seats (_trip_before_booking) only when its turn comes, after the previous one
    committed, so in a crowd for the last seats the losers are refused without ever waiting on the row lock.
    Other workers and hosts still meet at the row lock, which stays the one that decides. Part of the locking:
    the control tests' LOCK_INVENTORY = False turns it off too.
    Yields how many of this worker's requests wanted the trip when this one arrived (itself included)."""
    if not LOCK_INVENTORY:
        yield 1
        return
    lock, users = _trip_queues.get(trip_id) or (asyncio.Lock(), 0)
    _trip_queues[trip_id] = (lock, users + 1)
    try:
        try:  # as long as a request may wait for a pooled connection, then "busy, try again" (503)
            async with asyncio.timeout(db.acquire_timeout()):
                await lock.acquire()
        except TimeoutError:
            raise db.Busy("too many bookings of this trip are waiting") from None
        try:
            yield users + 1
        finally:
            lock.release()
    finally:
        lock, users = _trip_queues[trip_id]
        if users == 1:
            del _trip_queues[trip_id]
        else:
            _trip_queues[trip_id] = (lock, users - 1)


async def _trip_before_booking(
    user_id: int, trip_id: int, seats: list[str], key: str | None, crowd: int = 2
) -> dict[str, Any]:
    """A 409 at once for a seat already held; else what the booking will show of the trip.

    When a crowd wants the last seats, every loser would otherwise wait its turn for the trip lock only to learn
    the seat is gone (a 500-client race took seconds). This plain read can only be stale in the seat's favour
    (a seat taken after it is still refused by the locked check in _book_trip_tx, which stays the one that decides).
    A repeated idempotency key is never refused here: the key is read after the seats, so when the seats were
    taken by this request's own first submit, that booking has committed and the key finds it (it is replayed).

    The check reads the database only when others in this worker want the same trip (a crowd): alone, a request
    goes straight to the locked check, which decides anyway. The held seats are kept per worker until the trip's
    next availability event (every booking and cancellation
    publishes one), so in a crowd most losers are refused without a query. A seat freed by a cancellation on
    another worker can be refused here for up to one events poll (0.1 s), as if someone else had just taken it.
    """

    async def load_held() -> frozenset[str]:
        async with db.reading() as cur:
            return frozenset(await queries.select_held_seats(cur, trip_id))

    cache = searchcache.current()
    if crowd > 1:
        held = await cache.get_or_compute(("held", trip_id), [searchcache.trip_tag(trip_id)], load_held)
    else:  # alone for this trip: no queue to spare, so only what is already known (the locked check decides)
        held = cache.peek(("held", trip_id)) or frozenset()
    taken = [seat for seat in seats if seat in held]
    if taken:
        async with db.reading() as cur:
            if not (key and await queries.select_booking_id_by_key(cur, user_id, key) is not None):
                raise SeatsUnavailable(taken, trip_id)

    async def load() -> dict[str, Any] | None:
        async with db.reading() as cur:
            return await queries.select_trip_for_booking(cur, trip_id)

    # A trip's names and times change only through the admin pages (whose catalog event drops this on every
    # worker), so each worker reads them once per trip rather than once per booking; its status comes from the
    # locked row in the transaction.
    shown = await searchcache.current().get_or_compute(("trip-display", trip_id), (), load)
    if shown is None:
        raise NotFound("There is no such trip.", field="trip_id")
    return dict(shown)


# The hotel columns of a booking detail, empty on a bus booking.
_NO_HOTEL = dict.fromkeys(
    (
        "room_type_id", "check_in", "check_out", "rooms", "guests", "guest_name", "refund_minor", "cancel_reason",
        "cancelled_by", "cancelled_at", "room_type_name", "max_guests", "hotel_id", "hotel_name", "hotel_address",
        "hotel_city",
    )
)  # fmt: skip


async def _book_trip_tx(cur, user_id, trip_id, seats, passengers, contact_email, contact_phone, key):
    # 1. The lock comes first: it serializes bookings of this trip, and later reads see the previous holder's commit.
    trip = await queries.lock_trip(cur, trip_id, lock=LOCK_INVENTORY)
    if trip is None:
        raise NotFound("There is no such trip.", field="trip_id")
    if key:
        existing = await queries.select_booking_id_by_key(cur, user_id, key)
        if existing is not None:
            return existing, False
    if trip["status"] != "scheduled":
        raise NotBookable("This trip has been cancelled by the operator.")
    if trip["departs_at"] <= datetime.now():
        raise NotBookable("This bus has already departed.")

    # 2. Check: every seat exists on this vehicle, the trip's counter has that many left for sale (an admin may
    # offer fewer seats than the vehicle has) and no active booking holds them.
    states = {
        row["label"]: row["held"] for row in await queries.select_seat_states(cur, trip_id, trip["vehicle_id"], seats)
    }
    unknown = [s for s in seats if s not in states]
    if unknown:
        raise InvalidBooking({"seats": f"No seat {', '.join(unknown)} on this bus"})
    seats_left = trip["seats_total"] - trip["seats_booked"]
    if seats_left < len(seats):
        raise NotEnoughSeats(max(seats_left, 0), trip_id)
    taken = [s for s in seats if states[s]]
    if taken:
        raise SeatsUnavailable(taken, trip_id)
    if after_availability_check is not None:
        await after_availability_check()

    # 3. Write: counter first (with the lock off it is where racers queue), then the booking and its seats.
    n = len(seats)
    try:
        await queries.update_trip_seats_booked(cur, trip_id, n)
    except pymysql.err.MySQLError as exc:
        # ck_trips_seats: the check above refuses a full counter first, so only reachable with the lock off.
        if db.error_code(exc) in db.CHECK_VIOLATION:
            raise NotEnoughSeats(None, trip_id) from exc
        raise
    values = {
        "user_id": user_id,
        "type": "bus",
        "total_minor": trip["price_minor"] * n,
        "currency": trip["currency"],
        "contact_email": contact_email,
        "contact_phone": contact_phone,
        "trip_id": trip_id,
        "starts_at": trip["departs_at"],
        "ends_at": trip["arrives_at"],
        "idempotency_key": key,
        "created_at": trip["db_now"],
    }
    booking_id, values["reference"] = await _insert_booking_row(cur, values)
    rows = [
        {
            "label": seat,
            "name": p["name"],
            "age": p["age"],
            "gender": p.get("gender") or None,
            "price_minor": trip["price_minor"],
        }
        for seat, p in zip(seats, passengers, strict=True)
    ]
    rows.sort(key=lambda r: natural_key(r["label"]))  # one insert order, so no two bookings wait on each other
    try:
        await queries.insert_booking_seats(cur, booking_id, trip_id, rows)
    except pymysql.err.MySQLError as exc:
        # UNIQUE(trip_id, seat_label, held): only reachable with the lock off. The schema said no; say it cleanly.
        if db.error_code(exc) == db.DUPLICATE_KEY:
            raise SeatsUnavailable(_seat_from_duplicate(exc, seats), trip_id) from exc
        raise

    # 4. Announce the new state of the trip in the same transaction.
    held = await queries.select_held_seats(cur, trip_id)
    await publish_trip(cur, trip, trip["seats_total"] - trip["seats_booked"] - n, held)
    # the booking_seats rows as written (insert order = id order), so the caller need not read them back
    written = [
        {
            "seat_label": r["label"],
            "passenger_name": r["name"],
            "passenger_age": r["age"],
            "passenger_gender": r["gender"],
            "price_minor": r["price_minor"],
        }
        for r in rows
    ]
    # the booking's own columns as written, for the caller's answer
    values.pop("idempotency_key")
    return booking_id, True, {**values, "trip_status": trip["status"]}, written


def _seat_from_duplicate(exc: BaseException, seats: list[str]) -> list[str]:
    """The seat named in "Duplicate entry '<trip>-<seat>-1' for key …", else every requested seat."""
    match = re.search(r"Duplicate entry '\d+-(.+)-1'", str(exc.args[1] if len(exc.args) > 1 else exc))
    if match and match.group(1) in seats:
        return [match.group(1)]
    return list(seats)


async def seats_on_offer(cur, trip: dict[str, Any], seats_left: int, held: list[str]) -> tuple[int, list[str]]:
    """(seats left, unavailable seats) as pages and streams show a trip: one with no seat for sale (cancelled,
    departed, its counter full; buses.service.closed_reason) offers none, so every seat is unavailable."""
    if closed_reason(trip["status"], trip["departs_at"], seats_left):
        return 0, await queries.select_vehicle_labels(cur, trip["vehicle_id"])
    return seats_left, held


async def publish_trip(cur, trip: dict[str, Any], seats_left: int, unavailable: list[str]) -> None:
    """Announce a trip's availability (trip: a trips row with id, vehicle_id, status, departs_at, origin_id,
    destination_id), as its seat map shows it (seats_on_offer)."""
    seats_left, unavailable = await seats_on_offer(cur, trip, seats_left, unavailable)
    await events.publish(
        cur,
        f"trip:{trip['id']}",
        "availability",
        {
            "trip_id": trip["id"],
            "seats_left": seats_left,
            "unavailable_seats": sorted(set(unavailable), key=natural_key),
            # the route lets each worker's search cache drop only that route's answers
            "origin_id": trip["origin_id"],
            "destination_id": trip["destination_id"],
        },
    )


# --- hotel ---------------------------------------------------------------------------------------------


def stay_nights(check_in: date, check_out: date) -> list[date]:
    return [check_in + timedelta(days=i) for i in range((check_out - check_in).days)]


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
) -> dict[str, Any]:
    """Book rooms of one type for every night of a stay; returns the booking (replayed=True for a repeated key)."""
    user_id, user_email, user_phone = _user_fields(user)
    if check_out <= check_in or (check_out - check_in).days > MAX_NIGHTS:
        raise InvalidBooking({"check_out": f"Check-out must be 1 to {MAX_NIGHTS} nights after check-in"})
    if check_in < date.today():
        raise InvalidBooking({"check_in": "Check-in cannot be in the past"})
    if rooms < 1 or guests < rooms:
        raise InvalidBooking({"guests": "Each room needs at least one guest"})
    contact_email = contact_email or user_email
    if not contact_email:
        raise InvalidBooking({"contact_email": "Enter a contact email"})
    try:
        booking_id, created = await db.run_in_transaction(
            _book_room_tx,
            user_id,
            room_type_id,
            check_in,
            check_out,
            rooms,
            guests,
            guest_name,
            contact_email,
            contact_phone or user_phone,
            idempotency_key,
        )
    except _IdempotencyRace:
        return await _replay(user_id, idempotency_key)
    async with db.reading() as cur:
        booking = await _detail(cur, booking_id)
    return {**booking, "replayed": not created}


async def _book_room_tx(
    cur, user_id, room_type_id, check_in, check_out, rooms, guests, guest_name, contact_email, contact_phone, key
):
    nights = stay_nights(check_in, check_out)
    # 1. Lock the nights first, in (room_type_id, night) order: overlapping stays queue, never deadlock.
    inventory = {
        row["night"]: row for row in await queries.lock_room_nights(cur, room_type_id, nights, lock=LOCK_INVENTORY)
    }
    if key:
        existing = await queries.select_booking_id_by_key(cur, user_id, key)
        if existing is not None:
            return existing, False
    room_type = await queries.select_room_type(cur, room_type_id)
    if room_type is None:
        raise NotFound("There is no such room type.", field="room_type_id")
    if guests > rooms * room_type["max_guests"]:
        raise InvalidBooking(
            {
                "guests": f"A {room_type['name']} sleeps at most {room_type['max_guests']}; "
                f"{guests} guests need more rooms"
            }
        )

    # 2. Check every night: on sale, and enough rooms left.
    sold_out = [n for n in nights if n not in inventory or rooms_for_sale(inventory[n]) < rooms]
    if sold_out:
        raise RoomsUnavailable(sold_out)
    if after_availability_check is not None:
        await after_availability_check()

    # 3. Write: counters (CHECK rooms_booked <= rooms_total backs the check), the booking, its nights.
    try:
        await queries.update_room_nights_booked(cur, room_type_id, nights, rooms)
    except pymysql.err.MySQLError as exc:
        if db.error_code(exc) in db.CHECK_VIOLATION:  # only reachable with the lock off
            raise RoomsUnavailable(nights) from exc
        raise
    total = sum(inventory[n]["price_minor"] for n in nights) * rooms
    booking_id, _ = await _insert_booking_row(
        cur,
        {
            "user_id": user_id,
            "type": "hotel",
            "total_minor": total,
            "currency": room_type["currency"],
            "contact_email": contact_email,
            "contact_phone": contact_phone,
            "room_type_id": room_type_id,
            "check_in": check_in,
            "check_out": check_out,
            "rooms": rooms,
            "guests": guests,
            "guest_name": guest_name,
            "starts_at": datetime.combine(check_in, CHECK_IN_TIME),
            "ends_at": datetime.combine(check_out, CHECK_OUT_TIME),
            "idempotency_key": key,
        },
    )
    await queries.insert_booking_nights(
        cur, booking_id, room_type_id, rooms, [{"night": n, "price_minor": inventory[n]["price_minor"]} for n in nights]
    )

    # 4. Announce rooms left on the nights this booking touched.
    await publish_hotel(cur, room_type, {n: rooms_for_sale(inventory[n], booked=rooms) for n in nights})
    return booking_id, True


def rooms_for_sale(night: dict[str, Any], booked: int = 0) -> int:
    """Rooms still for sale on an inventory row (none on a stop-sell night), after `booked` more (negative: freed)."""
    return 0 if night["stop_sell"] else night["rooms_total"] - night["rooms_booked"] - booked


async def publish_hotel(cur, room_type: dict[str, Any], rooms_left: dict[date, int]) -> None:
    """Announce rooms left per night (room_type: id, hotel_id and city_id of one room type)."""
    await events.publish(
        cur,
        f"hotel:{room_type['hotel_id']}",
        "availability",
        {
            "hotel_id": room_type["hotel_id"],
            "room_type_id": room_type["id"],
            "city_id": room_type["city_id"],  # lets each worker's search cache drop only that city's answers
            "dates": [n.isoformat() for n in sorted(rooms_left)],
            "rooms_left": {n.isoformat(): left for n, left in sorted(rooms_left.items())},
        },
    )


# --- cancel --------------------------------------------------------------------------------------------


async def release_booking(cur, booking_id: int, *, reason: str | None, cancelled_by: str, refund_minor: int) -> dict:
    """Cancel a booking inside the caller's transaction: lock, release its seats or room-nights, publish; no commit.

    Locks inventory before the booking row (the same order as a booking takes), and reads through locks, so it is
    correct whatever the caller read before. Returns {"released": False, ...} when it was already cancelled.
    """
    core = await queries.select_booking_core(cur, booking_id)
    if core is None:
        raise NotFound("There is no such booking.")
    result: dict[str, Any] = {
        "booking_id": booking_id,
        "reference": core["reference"],
        "type": core["type"],
        "trip_id": core["trip_id"],
        "room_type_id": core["room_type_id"],
        "hotel_id": core["hotel_id"],
        "refund_minor": 0,
        "released": False,
        "seats": [],
        "nights": [],
    }
    if core["type"] == "bus":
        trip = await queries.lock_trip(cur, core["trip_id"])
        if await queries.lock_booking_status(cur, booking_id) != "confirmed":
            return result
        seats = await queries.lock_booking_seats(cur, booking_id)
        await queries.update_booking_seats_released(cur, booking_id)
        if seats:
            await queries.update_trip_seats_booked(cur, core["trip_id"], -len(seats))
        held = await queries.select_held_seats(cur, core["trip_id"], lock=True)
        await publish_trip(cur, trip, trip["seats_total"] - trip["seats_booked"] + len(seats), held)
        result["seats"] = seats
    else:
        nights = [row["night"] for row in await queries.select_booking_nights(cur, booking_id)]
        inventory = {}
        if nights:
            inventory = {r["night"]: r for r in await queries.lock_room_nights(cur, core["room_type_id"], nights)}
        if await queries.lock_booking_status(cur, booking_id) != "confirmed":
            return result
        if nights:
            await queries.update_room_nights_booked(cur, core["room_type_id"], nights, -core["rooms"])
        rooms_left = {n: rooms_for_sale(inventory[n], booked=-core["rooms"]) for n in nights}
        room_type = {"id": core["room_type_id"], "hotel_id": core["hotel_id"], "city_id": core["city_id"]}
        await publish_hotel(cur, room_type, rooms_left)
        result["nights"] = [n.isoformat() for n in nights]
    await queries.update_booking_cancelled(
        cur, booking_id, reason=reason, cancelled_by=cancelled_by, refund_minor=refund_minor
    )
    result.update(released=True, refund_minor=refund_minor)
    return result


async def cancel_booking(user_id: int, reference: str, reason: str | None = None) -> dict[str, Any]:
    """A traveller cancels their own upcoming booking; returns the booking (now cancelled) and its refund."""

    async def work(cur):
        core = await queries.select_booking_core_by_reference(cur, user_id, reference)
        if core is None:
            raise NotFound("There is no such booking.")
        quote = refunds.quote(
            status=core["status"],
            total_minor=core["total_minor"],
            currency=core["currency"],
            starts_at=core["starts_at"],
        )
        if not quote.cancellable:
            raise NotCancellable(quote.reason)
        released = await release_booking(
            cur, core["id"], reason=reason, cancelled_by="traveller", refund_minor=quote.amount_minor
        )
        if not released["released"]:  # a second click or another tab got there first
            raise NotCancellable("This booking is already cancelled.")
        return core["id"], quote

    booking_id, quote = await db.run_in_transaction(work)
    async with db.reading() as cur:
        booking = await _detail(cur, booking_id)
    return {**booking, "refund": quote.as_dict()}


def cancellation_quote(booking: dict[str, Any], now: datetime | None = None) -> refunds.RefundQuote:
    """What cancelling this booking now would refund (shown before the traveller confirms)."""
    return refunds.quote(
        status=booking["status"],
        total_minor=booking["total_minor"],
        currency=booking["currency"],
        starts_at=booking["starts_at"],
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


SCOPES = ("upcoming", "past", "cancelled", "all")


async def list_bookings(user_id: int, scope: str = "upcoming", limit: int = 50, offset: int = 0) -> dict[str, Any]:
    """A page of the user's bookings in a scope (upcoming|past|cancelled|all), newest first, and the total."""
    if scope not in SCOPES:
        raise InvalidBooking({"scope": f"scope must be one of {', '.join(SCOPES)}"})
    now = datetime.now()
    async with db.reading() as cur:
        items = await queries.select_bookings_page(cur, user_id, scope, now, limit, offset)
        total = await queries.select_bookings_count(cur, user_id, scope, now)
    return {"items": items, "total": total}


async def get_booking(user_id: int, reference: str) -> dict[str, Any] | None:
    """The user's booking with every detail, or None (also for another user's reference)."""
    async with db.reading() as cur:
        row = await queries.select_booking_detail_by_reference(cur, user_id, reference.strip().upper())
        return await _complete(cur, row) if row else None


async def _detail(cur, booking_id: int, seats: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    row = await queries.select_booking_detail(cur, booking_id)
    return await _complete(cur, row, seats)


async def _complete(cur, row: dict[str, Any], seats: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """Add the items (seats or nights) and the title to a booking row; `seats` (booking_seats rows, in id order)
    when the caller already holds them."""
    booking = dict(row)
    for column in ("boarding_points", "dropping_points"):
        if isinstance(booking.get(column), (str, bytes)):
            booking[column] = json.loads(booking[column])
    if booking["type"] == "bus":
        booking["title"] = f"{booking['origin']} → {booking['destination']}"
        booking["seats"] = [
            {
                "label": s["seat_label"],
                "passenger_name": s["passenger_name"],
                "passenger_age": s["passenger_age"],
                "passenger_gender": s["passenger_gender"],
                "price_minor": s["price_minor"],
            }
            for s in (seats if seats is not None else await queries.select_booking_seats(cur, booking["id"]))
        ]
        booking["nights"] = []
    else:
        booking["title"] = booking["hotel_name"]
        booking["seats"] = []
        booking["nights"] = await queries.select_booking_nights(cur, booking["id"])
    return booking
