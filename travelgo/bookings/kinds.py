"""Inventory kinds: for each kind of thing TravelGo sells, which rows a booking locks, how it checks them, what it
consumes and releases, what it writes on the booking, and which availability event it publishes.

The engine (engine.py) runs the same lifecycle for every kind; a kind is one small class here. Locks follow one
global order across kinds, `lock_order()`: first the kind's rank (trips before room-nights, and so on for the kinds
to come), then the row's primary key. A transaction that holds several units (an itinerary) locks them sorted by it,
so two such transactions can queue but never deadlock-loop.

The schema backs every check: UNIQUE(trip_id, seat_label, held) and CHECK constraints on the counters make an
oversell impossible even if this code is wrong; those errors become the same clean conflict.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Awaitable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, ClassVar

import pymysql

from .. import dates, db, events
from ..buses.service import closed_reason
from ..notify.queue import queue as notify
from ..pricing import service as pricing
from ..restaurants import queries as restaurant_queries
from ..restaurants import seating
from ..stops import service as stops
from ..text import natural_key
from . import queries
from .errors import (
    InvalidBooking,
    NotBookable,
    NotEnoughSeats,
    NotFound,
    RoomsUnavailable,
    SeatsUnavailable,
    TablesUnavailable,
)

CHECK_IN_TIME = time(14, 0)
CHECK_OUT_TIME = time(11, 0)

# Global lock order across kinds (lower first). Leave gaps for segments and tables.
RANK_TRIP = 10
# RANK_SEGMENT = 15: train and flight legs (segments/kind.py)
RANK_ROOM_NIGHTS = 20
RANK_RESTAURANT_TABLES = 30


@dataclass(frozen=True)
class BookingColumns:
    """What a unit puts on its booking row."""

    type: str
    total_minor: int
    currency: str
    starts_at: datetime
    ends_at: datetime
    columns: dict[str, Any] = field(default_factory=dict)  # the kind's own columns (trip_id, room_type_id, ...)
    # How the booking starts: a pending_payment hold (the default), confirmed at once (nothing to pay) or requested
    # (waiting for the business's answer until hold_seconds pass; None: the engine's hold length).
    status: str = "pending_payment"
    hold_seconds: int | None = None


class Inventory(ABC):
    """One unit of inventory a booking consumes; an instance lives for one transaction attempt."""

    type: ClassVar[str]

    @abstractmethod
    def lock_order(self) -> tuple:
        """(rank, primary key) in the global lock order."""

    @abstractmethod
    async def lock(self, cur, *, rows: bool = True) -> None:
        """Lock (SELECT … FOR UPDATE) the inventory rows this unit checks; `rows=False` only in the race control."""

    async def lock_for_hold(self, cur, *, rows: bool = True) -> None:
        """lock() for a new booking: a kind may leave its locking read waiting on the cursor (db.queue_read) for
        check() to read, so a hold's locks and plain reads travel in one round trip. By default lock()."""
        await self.lock(cur, rows=rows)

    async def queue_check(self, cur) -> None:  # noqa: B027 (a hook: most kinds read in check() itself)
        """Queue the plain reads check() needs, after every lock of the transaction (db.queue_read); by default
        none (check() reads for itself)."""

    @abstractmethod
    async def check(self, cur) -> None:
        """Raise a BookingError unless the locked inventory can give what this unit asks for."""

    @abstractmethod
    def price(self) -> tuple[int, str]:
        """(total in minor units, currency) of what this unit asks for, read from its locked rows (after check)."""

    @abstractmethod
    async def consume(self, cur) -> BookingColumns:
        """Take the inventory (counters first: with the row lock off, that is where racers queue)."""

    @abstractmethod
    async def write_items(self, cur, booking_id: int) -> None:
        """Write the booking's items (seats, nights) for a new booking."""

    @abstractmethod
    async def retake_items(self, cur, booking_id: int) -> None:
        """Hold an existing booking's released items again (a late payment for an expired hold)."""

    @abstractmethod
    async def release(self, cur, booking_id: int) -> None:
        """Give the booking's items back to inventory."""

    @abstractmethod
    async def reprice(self, cur) -> None:
        """Reprice the locked rows for the next buyer after consume or release (occupancy changed). The booking was
        already charged from price(); this only moves the price column the next page, search and hold read."""

    @abstractmethod
    async def publish(self, cur) -> None:
        """Announce the availability this transaction leaves (same transaction: it commits or vanishes with it)."""

    @abstractmethod
    def released_summary(self) -> dict[str, Any]:
        """What a release gave back, for the caller's answer."""

    @classmethod
    @abstractmethod
    async def expire_holds(cls, cur, inventory_id: int, booking_ids: list[int]) -> list[int]:
        """Release, in one go, the holds among `booking_ids` (all on one trip or room type) that are still unpaid
        and past their time; mark them expired and publish once. Returns the ids released. Set-based, so 10,000
        holds expiring together cost a few statements per trip or room type, not a transaction each."""


# --- bus seats ---------------------------------------------------------------------------------------------


class TripSeats(Inventory):
    """Seats held on one trip: a bus's (BusSeats), or a train's or flight's for a segment (segments.kind). What they
    share is how the schema's refusals read; with the row lock on, the check refuses first, so these are reachable
    only in the race control (rows=False). The schema said no; say it cleanly."""

    trip_id: int
    seats: list[str]
    # What follows the seat in the seat hold's unique key, as "Duplicate entry '<trip>-<seat>…'" shows it (a pattern).
    HOLD_KEY_AFTER_SEAT: ClassVar[str] = r"-1"

    def _counter_refused(self, exc: pymysql.err.MySQLError) -> None:
        # The seats counter's CHECK (seats_booked <= seats_total).
        if db.error_code(exc) in db.CHECK_VIOLATION:
            raise NotEnoughSeats(None, self.trip_id) from exc

    def _seat_refused(self, exc: pymysql.err.MySQLError) -> None:
        # The seat hold's UNIQUE key: another active booking holds the seat.
        if db.error_code(exc) == db.DUPLICATE_KEY:
            raise SeatsUnavailable(self._seat_from_duplicate(exc), self.trip_id) from exc

    async def _holding_again(self, statement: Awaitable[None]) -> None:
        """Run the statement that holds a booking's released seats again (retake_items)."""
        try:
            await statement
        except pymysql.err.MySQLError as exc:
            self._seat_refused(exc)
            raise

    def _seat_from_duplicate(self, exc: BaseException) -> list[str]:
        """The seat the duplicate entry names, else every requested seat."""
        pattern = rf"Duplicate entry '\d+-(.+){self.HOLD_KEY_AFTER_SEAT}'"
        match = re.search(pattern, str(exc.args[1] if len(exc.args) > 1 else exc))
        if match and match.group(1) in self.seats:
            return [match.group(1)]
        return list(self.seats)


class BusSeats(TripSeats):
    """Seats on one bus trip. The trip row is the lock; booking_seats rows are the items."""

    type = "bus"

    def __init__(
        self,
        trip_id: int,
        seats: list[str],
        passengers: list[dict[str, Any]] | None = None,
        boarding_point_id: int | None = None,
        dropping_point_id: int | None = None,
    ) -> None:
        self.trip_id = trip_id
        self.seats = list(seats)
        self.passengers = passengers or []
        self.points = (boarding_point_id, dropping_point_id)  # asked for (None: the first / the last)
        self.trip: dict[str, Any] = {}
        self.delta = 0
        self.held: list[str] = []  # seats active bookings held when check() read them
        self._trip_read: db.Queued | None = None  # lock_for_hold's locking read of the trip
        self._seats_read: db.Queued | None = None  # queue_check's read of the seats

    @classmethod
    async def of_booking(cls, cur, core: dict[str, Any]) -> BusSeats:
        seats = [row["seat_label"] for row in await queries.select_booking_seats(cur, core["id"])]
        return cls(core["trip_id"], seats)

    def lock_order(self) -> tuple:
        return (RANK_TRIP, self.trip_id)

    async def lock(self, cur, *, rows: bool = True) -> None:
        await self.lock_for_hold(cur, rows=rows)
        await self._locked(cur)

    async def lock_for_hold(self, cur, *, rows: bool = True) -> None:
        # A retried transaction runs this unit again: nothing read in the failed attempt may survive into this one.
        self.delta, self.trip, self._seats_read = 0, {}, None
        self._trip_read = await queries.queue_lock_trip(cur, self.trip_id, lock=rows)

    async def _locked(self, cur) -> dict[str, Any]:
        """The trip row the lock read (sending it now if it still waits)."""
        if not self.trip:
            rows = await self._trip_read.rows(cur)
            if not rows:
                raise NotFound("There is no such trip.", field="trip_id")
            self.trip = rows[0]
        return self.trip

    async def queue_check(self, cur) -> None:
        self._seats_read = await queries.queue_seat_states(cur, self.trip_id, self.seats)

    async def check(self, cur) -> None:
        trip = await self._locked(cur)
        if trip["status"] != "scheduled":
            raise NotBookable("This trip has been cancelled by the operator.")
        if dates.local(trip["departs_at"], trip["timezone"]) <= datetime.now(UTC):  # the origin's clock, not the host's
            raise NotBookable("This bus has already departed.")
        # Every seat exists on this vehicle, the trip's counter has that many left for sale (an admin may offer
        # fewer seats than the vehicle has) and no active booking holds them.
        if self._seats_read is None:
            await self.queue_check(cur)
        existing, held = queries.seat_states(await self._seats_read.rows(cur))
        self._seats_read = None
        # What the availability event will list once these seats are taken (read under the trip lock).
        self.held = held
        unknown = [s for s in self.seats if s not in existing]
        if unknown:
            raise InvalidBooking({"seats": f"No seat {', '.join(unknown)} on this bus"})
        seats_left = trip["seats_total"] - trip["seats_booked"]
        if seats_left < len(self.seats):
            raise NotEnoughSeats(max(seats_left, 0), self.trip_id)
        taken = [s for s in self.seats if s in held]
        if taken:
            raise SeatsUnavailable(taken, self.trip_id)

    def price(self) -> tuple[int, str]:
        return self.trip["price_minor"] * len(self.seats), self.trip["currency"]

    async def consume(self, cur) -> BookingColumns:
        n = len(self.seats)
        await queries.update_trip_seats_booked(cur, self.trip_id, n, on_error=self._counter_refused)
        self.delta = n
        trip = self.trip
        total_minor, currency = self.price()
        return BookingColumns(
            type="bus",
            total_minor=total_minor,
            currency=currency,
            starts_at=trip["departs_at"],
            ends_at=trip["arrives_at"],
            columns={"trip_id": self.trip_id},
        )

    async def write_items(self, cur, booking_id: int) -> None:
        rows = [
            {
                "label": seat,
                "name": p["name"],
                "age": p["age"],
                "gender": p.get("gender") or None,
                "price_minor": self.trip["price_minor"],
            }
            for seat, p in zip(self.seats, self.passengers, strict=True)
        ]
        rows.sort(key=lambda r: natural_key(r["label"]))  # one insert order, so no two bookings wait on each other
        await queries.insert_booking_seats(cur, booking_id, self.trip_id, rows, on_error=self._seat_refused)
        # the trip's own, or first/last
        await stops.record_choice(cur, booking_id, self.trip_id, *self.points, has_points=bool(self.trip["has_points"]))

    async def retake_items(self, cur, booking_id: int) -> None:
        await self._holding_again(queries.update_booking_seats_held(cur, booking_id))

    async def release(self, cur, booking_id: int) -> None:
        self.seats = await queries.lock_booking_seats(cur, booking_id)
        await queries.update_booking_seats_released(cur, booking_id)
        if self.seats:
            await queries.update_trip_seats_booked(cur, self.trip_id, -len(self.seats))
        self.delta = -len(self.seats)

    async def reprice(self, cur) -> None:
        await pricing.reprice_locked_trip(cur, {**self.trip, "seats_booked": self.trip["seats_booked"] + self.delta})

    async def publish(self, cur) -> None:
        if self.delta > 0:  # a hold: check() read the held seats under this transaction's lock; add ours
            held = self.held + self.seats
        else:  # a release reads through locks: a plain read could miss a seat another transaction committed since
            held = await queries.select_held_seats(cur, self.trip_id, lock=True)
        await publish_trip(cur, self.trip, self.trip["seats_total"] - self.trip["seats_booked"] - self.delta, held)

    def released_summary(self) -> dict[str, Any]:
        return {"seats": self.seats, "nights": []}

    @classmethod
    async def expire_holds(cls, cur, inventory_id: int, booking_ids: list[int]) -> list[int]:
        trip = await queries.lock_trip(cur, inventory_id)
        due = await queries.lock_expired_holds(cur, booking_ids)
        if not due:
            return []
        freed = await queries.update_seats_released_of(cur, due)
        if freed:
            await queries.update_trip_seats_booked(cur, inventory_id, -freed)
        await queries.update_bookings_expired(cur, due)
        await pricing.reprice_locked_trip(cur, {**trip, "seats_booked": trip["seats_booked"] - freed})
        held = await queries.select_held_seats(cur, inventory_id, lock=True)
        await publish_trip(cur, trip, trip["seats_total"] - trip["seats_booked"] + freed, held)
        return due


async def seats_on_offer(cur, trip: dict[str, Any], seats_left: int, held: list[str]) -> tuple[int, list[str]]:
    """(seats left, unavailable seats) as pages and streams show a trip: one with no seat for sale (cancelled,
    departed, its counter full; buses.service.closed_reason) offers none, so every seat is unavailable."""
    if closed_reason(trip["status"], dates.local(trip["departs_at"], trip["timezone"]), seats_left):
        return 0, await queries.select_vehicle_labels(cur, trip["vehicle_id"])
    return seats_left, held


async def publish_trip(cur, trip: dict[str, Any], seats_left: int, unavailable: list[str]) -> None:
    """Announce a trip's availability (trip: a trips row with id, vehicle_id, status, departs_at, timezone (the
    origin's), origin_id, destination_id), as its seat map shows it (seats_on_offer)."""
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


# --- hotel room-nights -------------------------------------------------------------------------------------


def stay_nights(check_in: date, check_out: date) -> list[date]:
    return [check_in + timedelta(days=i) for i in range((check_out - check_in).days)]


def rooms_for_sale(night: dict[str, Any], booked: int = 0) -> int:
    """Rooms still for sale on an inventory row (none on a stop-sell night), after `booked` more (negative: freed)."""
    return 0 if night["stop_sell"] else night["rooms_total"] - night["rooms_booked"] - booked


class HotelNights(Inventory):
    """Rooms of one type for every night of a stay. The (room_type_id, night) inventory rows are the locks."""

    type = "hotel"

    def __init__(
        self,
        room_type_id: int,
        check_in: date,
        check_out: date,
        rooms: int,
        guests: int | None = None,
        guest_name: str | None = None,
    ) -> None:
        self.room_type_id = room_type_id
        self.check_in = check_in
        self.check_out = check_out
        self.rooms = rooms
        self.guests = guests
        self.guest_name = guest_name
        self.nights = stay_nights(check_in, check_out)
        self.inventory: dict[date, dict[str, Any]] = {}
        self.room_type: dict[str, Any] = {}
        self.delta = 0
        self._nights_read: db.Queued | None = None  # lock_for_hold's locking read of the nights
        self._room_type_read: db.Queued | None = None  # queue_check's read of the room type

    @classmethod
    async def of_booking(cls, cur, core: dict[str, Any]) -> HotelNights:
        unit = cls(core["room_type_id"], core["check_in"], core["check_out"], core["rooms"])
        unit.nights = [row["night"] for row in await queries.select_booking_nights(cur, core["id"])]
        return unit

    def lock_order(self) -> tuple:
        return (RANK_ROOM_NIGHTS, self.room_type_id)

    async def lock(self, cur, *, rows: bool = True) -> None:
        await self.lock_for_hold(cur, rows=rows)
        await self._locked(cur)

    async def lock_for_hold(self, cur, *, rows: bool = True) -> None:
        # The nights in (room_type_id, night) order: overlapping stays queue, never deadlock. A retried transaction
        # runs this unit again: nothing read in the failed attempt may survive into this one.
        self.delta, self.inventory, self.room_type, self._room_type_read = 0, {}, {}, None
        self._nights_read = await queries.queue_lock_room_nights(cur, self.room_type_id, self.nights, lock=rows)

    async def queue_check(self, cur) -> None:
        self._room_type_read = await queries.queue_room_type(cur, self.room_type_id)

    async def _locked(self, cur) -> None:
        """The locked nights and the room type (sending their reads now if they still wait)."""
        if self.room_type:
            return
        if self._room_type_read is None:
            await self.queue_check(cur)
        self.inventory = {row["night"]: row for row in await self._nights_read.rows(cur)}
        room_types = await self._room_type_read.rows(cur)
        if not room_types:
            raise NotFound("There is no such room type.", field="room_type_id")
        self.room_type = room_types[0]

    async def check(self, cur) -> None:
        await self._locked(cur)
        room_type = self.room_type
        if self.check_in < dates.today_in(room_type["timezone"]):  # "today" is the hotel city's date
            raise InvalidBooking({"check_in": "Check-in cannot be in the past"})
        if self.guests is not None and self.guests > self.rooms * room_type["max_guests"]:
            raise InvalidBooking(
                {
                    "guests": f"A {room_type['name']} sleeps at most {room_type['max_guests']}; "
                    f"{self.guests} guests need more rooms"
                }
            )
        sold_out = [n for n in self.nights if n not in self.inventory or rooms_for_sale(self.inventory[n]) < self.rooms]
        if sold_out:
            raise RoomsUnavailable(sold_out)

    def price(self) -> tuple[int, str]:
        return sum(self.inventory[n]["price_minor"] for n in self.nights) * self.rooms, self.room_type["currency"]

    def _counter_refused(self, exc: pymysql.err.MySQLError) -> None:
        # ck_room_inventory_booked: only reachable with the lock off (the race control)
        if db.error_code(exc) in db.CHECK_VIOLATION:
            raise RoomsUnavailable(self.nights) from exc

    async def consume(self, cur) -> BookingColumns:
        await queries.update_room_nights_booked(
            cur, self.room_type_id, self.nights, self.rooms, on_error=self._counter_refused
        )
        self.delta = self.rooms
        total_minor, currency = self.price()
        return BookingColumns(
            type="hotel",
            total_minor=total_minor,
            currency=currency,
            starts_at=datetime.combine(self.check_in, CHECK_IN_TIME),
            ends_at=datetime.combine(self.check_out, CHECK_OUT_TIME),
            columns={
                "room_type_id": self.room_type_id,
                "check_in": self.check_in,
                "check_out": self.check_out,
                "rooms": self.rooms,
                "guests": self.guests,
                "guest_name": self.guest_name,
            },
        )

    async def write_items(self, cur, booking_id: int) -> None:
        nights = [{"night": n, "price_minor": self.inventory[n]["price_minor"]} for n in self.nights]
        await queries.insert_booking_nights(cur, booking_id, self.room_type_id, self.rooms, nights)

    async def retake_items(self, cur, booking_id: int) -> None:
        """booking_nights rows stay with the booking; consume() already took the counters back."""

    async def release(self, cur, booking_id: int) -> None:
        if self.nights:
            await queries.update_room_nights_booked(cur, self.room_type_id, self.nights, -self.rooms)
        self.delta = -self.rooms

    async def reprice(self, cur) -> None:
        inventory = self.inventory
        nights = [
            {**inventory[n], "rooms_booked": inventory[n]["rooms_booked"] + self.delta}
            for n in self.nights
            if n in inventory
        ]
        await pricing.reprice_locked_nights(cur, self.room_type, nights)

    async def publish(self, cur) -> None:
        rooms_left = {n: rooms_for_sale(self.inventory[n], booked=self.delta) for n in self.nights}
        await publish_hotel(cur, self.room_type, rooms_left)

    def released_summary(self) -> dict[str, Any]:
        return {"seats": [], "nights": [n.isoformat() for n in self.nights]}

    @classmethod
    async def expire_holds(cls, cur, inventory_id: int, booking_ids: list[int]) -> list[int]:
        held = await queries.select_nights_of(cur, booking_ids)  # the nights never change after booking
        nights = sorted({row["night"] for row in held})
        inventory = {r["night"]: r for r in await queries.lock_room_nights(cur, inventory_id, nights)}
        due = await queries.lock_expired_holds(cur, booking_ids)
        if not due:
            return []
        freed: dict[date, int] = {}
        for row in held:
            if row["booking_id"] in due:
                freed[row["night"]] = freed.get(row["night"], 0) + row["rooms"]
        for rooms in sorted(set(freed.values())):  # one statement per distinct count, in primary-key order
            await queries.update_room_nights_booked(
                cur, inventory_id, [n for n, r in freed.items() if r == rooms], -rooms
            )
        await queries.update_bookings_expired(cur, due)
        room_type = await queries.select_room_type(cur, inventory_id)
        after = [
            {**inventory[n], "rooms_booked": inventory[n]["rooms_booked"] - r}
            for n, r in sorted(freed.items())
            if n in inventory
        ]
        await pricing.reprice_locked_nights(cur, room_type, after)
        await publish_hotel(cur, room_type, {n: rooms_for_sale(inventory[n], booked=-r) for n, r in freed.items()})
        return due


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


# --- restaurant tables -------------------------------------------------------------------------------------


class RestaurantTables(Inventory):
    """A table (or two adjacent ones) at a restaurant for one sitting. Every table row of the restaurant is the lock
    (in primary-key order); restaurant_table_slots rows, one per table per slot, are the items, and their primary
    key makes two overlapping sittings on one table impossible."""

    type = "restaurant"

    def __init__(
        self,
        restaurant_id: int,
        day: date,
        at: time,
        party_size: int,
        guest_name: str | None = None,
        notes: str | None = None,
    ) -> None:
        self.restaurant_id = restaurant_id
        self.day = day
        self.at = at
        self.party_size = party_size
        self.guest_name = guest_name
        self.notes = notes
        self.restaurant: dict[str, Any] = {}
        self.tables: list[seating.Table] = []
        self.chosen: list[seating.Table] = []
        self.slots: list[datetime] = []
        self.freed = 0
        self._tables_read: db.Queued | None = None  # lock_for_hold's locking read of the tables
        self._restaurant_read: db.Queued | None = None  # the restaurant row (queue_check, or lock() for a release)
        self._check_reads: tuple[db.Queued, db.Queued, db.Queued] | None = None  # hours, links, taken slots

    @classmethod
    async def of_booking(cls, cur, core: dict[str, Any]) -> RestaurantTables:
        starts = core["starts_at"]
        unit = cls(core["restaurant_id"], starts.date(), starts.time(), core["guests"])
        unit.chosen = [seating.Table(**t) for t in await restaurant_queries.select_booking_tables(cur, core["id"])]
        return unit

    def lock_order(self) -> tuple:
        return (RANK_RESTAURANT_TABLES, self.restaurant_id)

    async def lock(self, cur, *, rows: bool = True) -> None:
        # A release: the tables and the restaurant; check() queues its own reads if it runs after this (a retake).
        await self.lock_for_hold(cur, rows=rows)
        self._restaurant_read = await restaurant_queries.queue_restaurant(cur, self.restaurant_id)
        await self._locked(cur)

    async def lock_for_hold(self, cur, *, rows: bool = True) -> None:
        # A retried transaction runs this unit again: nothing read in the failed attempt may survive into this one.
        self.freed, self.restaurant, self._restaurant_read, self._check_reads = 0, {}, None, None
        self._tables_read = await restaurant_queries.queue_lock_tables(cur, self.restaurant_id, lock=rows)

    async def queue_check(self, cur) -> None:
        if self._restaurant_read is None:
            self._restaurant_read = await restaurant_queries.queue_restaurant(cur, self.restaurant_id)
        # the opening hours of the day, the adjacent tables, and the slots taken during the asked sitting
        self._check_reads = (
            await restaurant_queries.queue_hours(cur, [self.restaurant_id], self.day.weekday()),
            await restaurant_queries.queue_links(cur, [self.restaurant_id]),
            await restaurant_queries.queue_taken_slots(cur, self.restaurant_id, datetime.combine(self.day, self.at)),
        )

    async def _locked(self, cur) -> None:
        """The locked tables and the restaurant (sending their reads now if they still wait)."""
        if self.restaurant:
            return
        if self._restaurant_read is None:
            await self.queue_check(cur)
        self.tables = [seating.Table(**t) for t in await self._tables_read.rows(cur)]
        restaurants = await self._restaurant_read.rows(cur)
        if not restaurants:
            raise NotFound("There is no such restaurant.", field="restaurant_id")
        self.restaurant = r = restaurants[0]
        self.slots = seating.sitting_slots(self.day, self.at, r["slot_minutes"], r["sitting_minutes"])

    async def check(self, cur) -> None:
        await self._locked(cur)
        if self._check_reads is None:
            await self.queue_check(cur)
        hours_read, links_read, taken_read = self._check_reads
        r = self.restaurant
        when = datetime.combine(self.day, self.at)
        if dates.local(when, r["timezone"]) <= datetime.now(UTC):  # the restaurant's clock, not the host's
            raise InvalidBooking({"time": "This time has already passed"})
        if not seating.on_grid(self.at, r["slot_minutes"]):
            raise InvalidBooking({"time": f"Tables are booked every {r['slot_minutes']} minutes (e.g. 19:00, 19:15)"})
        hours = [(seating.as_time(h["opens"]), seating.as_time(h["closes"])) for h in await hours_read.rows(cur)]
        if not seating.within_hours(self.at, r["sitting_minutes"], hours):
            raise InvalidBooking({"time": f"{r['name']} does not seat a {r['sitting_minutes']}-minute sitting then"})
        if self.party_size > r["max_party"]:
            raise InvalidBooking({"party_size": f"{r['name']} takes bookings for up to {r['max_party']} guests"})
        taken: dict[int, set[datetime]] = {}
        for row in await taken_read.rows(cur):
            taken.setdefault(row["table_id"], set()).add(row["slot_at"])
        links = (
            [(row["table_id"], row["adjacent_id"]) for row in await links_read.rows(cur)] if r["combine_tables"] else []
        )
        chosen = seating.choose_tables(
            self.tables, self.party_size, seating.busy_tables(taken, self.slots), links, bool(r["combine_tables"])
        )
        if chosen is None:
            raise TablesUnavailable(self.restaurant_id, self.day, self.at, self.party_size)
        self.chosen = chosen

    def price(self) -> tuple[int, str]:
        """The deposit: per guest, charged when the restaurant asks for one (0: nothing to pay)."""
        return self.restaurant["deposit_minor"] * self.party_size, self.restaurant["currency"]

    async def consume(self, cur) -> BookingColumns:
        # Nothing to count: the slot rows written with the booking (write_items) are the inventory taken.
        r = self.restaurant
        total_minor, currency = self.price()
        if r["confirmation"] == "request":
            status, hold = "requested", r["response_minutes"] * 60
        elif total_minor > 0:
            status, hold = "pending_payment", None
        else:
            status, hold = "confirmed", None
        return BookingColumns(
            type="restaurant",
            total_minor=total_minor,
            currency=currency,
            starts_at=self.slots[0],
            ends_at=self.slots[0] + timedelta(minutes=r["sitting_minutes"]),
            columns={
                "restaurant_id": self.restaurant_id,
                "guests": self.party_size,
                "guest_name": self.guest_name,
                "notes": self.notes,
            },
            status=status,
            hold_seconds=hold,
        )

    async def write_items(self, cur, booking_id: int) -> None:
        await restaurant_queries.insert_booking_tables(cur, booking_id, [t.id for t in self.chosen])
        await self._hold_slots(cur, booking_id)

    async def retake_items(self, cur, booking_id: int) -> None:
        # check() chose free tables again, maybe not the first ones
        await restaurant_queries.replace_booking_tables(cur, booking_id, [t.id for t in self.chosen])
        await self._hold_slots(cur, booking_id)

    async def _hold_slots(self, cur, booking_id: int) -> None:
        table_ids = [t.id for t in self.chosen]
        await restaurant_queries.insert_slots(cur, booking_id, table_ids, self.slots, on_error=self._slot_refused)

    def _slot_refused(self, exc: pymysql.err.MySQLError) -> None:
        # PRIMARY KEY (table_id, slot_at): the schema said no (the lock off, or a stale read); say it cleanly.
        if db.error_code(exc) == db.DUPLICATE_KEY:
            raise TablesUnavailable(self.restaurant_id, self.day, self.at, self.party_size) from exc

    async def release(self, cur, booking_id: int) -> None:
        self.freed = await restaurant_queries.delete_slots_of(cur, [booking_id])

    async def reprice(self, cur) -> None:
        """Restaurant deposits are fixed per guest: nothing moves with occupancy."""

    async def publish(self, cur) -> None:
        await publish_restaurant(cur, self.restaurant, [self.day])

    def released_summary(self) -> dict[str, Any]:
        return {"seats": [t.label for t in self.chosen], "nights": []}

    @classmethod
    async def expire_holds(cls, cur, inventory_id: int, booking_ids: list[int]) -> list[int]:
        await restaurant_queries.lock_tables(cur, inventory_id)
        due = await restaurant_queries.lock_due_restaurant_holds(cur, booking_ids)
        if not due:
            return []
        ids = [row["id"] for row in due]
        days = {row["starts_at"].date() for row in due}
        await restaurant_queries.delete_slots_of(cur, ids)
        requests = [row for row in due if row["status"] == "requested"]
        holds = [row["id"] for row in due if row["status"] != "requested"]
        if holds:
            await restaurant_queries.update_bookings_expired(cur, holds, "The hold ran out before payment.")
        if requests:
            await restaurant_queries.update_bookings_expired(
                cur, [row["id"] for row in requests], "The restaurant did not answer in time."
            )
            for row in requests:
                await notify(
                    cur, "restaurant_request_expired", user_id=row["user_id"], booking_id=row["id"],
                    email=row["contact_email"],
                )  # fmt: skip
        restaurant = await restaurant_queries.select_restaurant(cur, inventory_id)
        await publish_restaurant(cur, restaurant, sorted(days))
        return ids


async def publish_restaurant(cur, restaurant: dict[str, Any], days: list[date]) -> None:
    """Announce that a restaurant's free slots changed on these days (the page reloads its slot list)."""
    await events.publish(
        cur,
        f"restaurant:{restaurant['id']}",
        "availability",
        {
            "restaurant_id": restaurant["id"],
            "city_id": restaurant["city_id"],
            "dates": [d.isoformat() for d in days],
        },
    )


KINDS: dict[str, type[Inventory]] = {"bus": BusSeats, "hotel": HotelNights, "restaurant": RestaurantTables}

# Train and flight seats sold per segment: a kind in its own module (it builds on the base class above).
from ..segments.kind import SegmentSeats  # noqa: E402

KINDS.update({"train": SegmentSeats, "flight": SegmentSeats})


async def of_booking(cur, core: dict[str, Any]) -> Inventory:
    """The unit an existing booking holds (or held), from its type and items."""
    return await KINDS[core["type"]].of_booking(cur, core)
