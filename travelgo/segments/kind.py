"""The inventory kind for train and flight seats sold per segment (registered in bookings/kinds.py as "train" and
"flight"; the engine runs it like every other kind).

Locks: the trip's legs a .. b-1 (trip_legs rows) in leg order, at rank RANK_SEGMENT in the global order. Two
bookings of overlapping segments queue on their first shared leg; disjoint segments never wait on each other. The
schema backs the check: booking_seat_legs holds one row per (trip, seat, leg) with UNIQUE(trip_id, seat_label,
leg_no, held), so two active bookings of a seat can never share a leg, and CHECK(seats_booked <= seats_total) on
each leg's counter.

Pricing: segments/fares.py (seat_price), worked out in check() from the locked legs' counts; reprice() has nothing
to write.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from .. import dates, db, events
from ..bookings.errors import InvalidBooking, NotBookable, NotEnoughSeats, NotFound, SeatsUnavailable
from ..bookings.kinds import BookingColumns, TripSeats
from ..bookings.queries import lock_expired_holds, update_bookings_expired
from ..text import natural_key
from . import queries
from .fares import seat_price, segment_pricing, stop_time

RANK_SEGMENT = 15  # after bus trips (10), before room-nights (20)


class SegmentSeats(TripSeats):
    """Seats or berths on one train or flight trip, from stop `from_stop` to stop `to_stop` (legs from..to-1)."""

    type = "train"
    HOLD_KEY_AFTER_SEAT = r"-\d+-1"  # UNIQUE(trip_id, seat_label, leg_no, held)

    def __init__(
        self,
        trip_id: int,
        from_stop: int,
        to_stop: int,
        seats: list[str],
        passengers: list[dict[str, Any]] | None = None,
    ) -> None:
        if to_stop <= from_stop:
            raise InvalidBooking({"destination": "The destination must come after the origin on this route"})
        self.trip_id = trip_id
        self.from_stop = from_stop
        self.to_stop = to_stop
        self.legs = range(from_stop, to_stop)
        self.seats = sorted(seats, key=natural_key)  # one insert order, so no two bookings wait on each other
        riders = dict(zip(seats, passengers or [], strict=False))
        self.passengers = [riders.get(s) for s in self.seats]
        self.trip: dict[str, Any] = {}
        self.leg_rows: list[dict[str, Any]] = []
        self.seat_rows: dict[str, dict[str, Any]] = {}
        self.prices: dict[str, int] = {}
        self.delta = 0
        self._reads: dict[str, db.Queued] = {}  # the hold's queued reads (lock_for_hold, queue_check)

    @classmethod
    async def of_booking(cls, cur, core: dict[str, Any]) -> SegmentSeats:
        rows = await queries.select_booking_segment(cur, core["id"])
        unit = cls(core["trip_id"], rows[0]["from_stop"], rows[0]["to_stop"], [r["seat_label"] for r in rows])
        unit.prices = {r["seat_label"]: r["price_minor"] for r in rows}
        return unit

    def lock_order(self) -> tuple:
        return (RANK_SEGMENT, self.trip_id)

    async def lock(self, cur, *, rows: bool = True) -> None:
        # The legs first (a locking read): every plain read after it sees the previous holder's commit.
        await self.lock_for_hold(cur, rows=rows)
        await self._read_run(cur)

    async def lock_for_hold(self, cur, *, rows: bool = True) -> None:
        # A retried transaction runs this unit again: nothing read in the failed attempt may survive into this one.
        self.delta, self.trip, self.leg_rows = 0, {}, []
        legs = await queries.queue_lock_legs(cur, self.trip_id, self.legs.start, self.legs.stop - 1, lock=rows)
        self._reads = {"legs": legs}

    async def queue_check(self, cur) -> None:
        await self._queue_run(cur)
        last_leg = self.legs.stop - 1
        self._reads.update(await queries.queue_check_reads(cur, self.trip_id, self.legs.start, last_leg, self.seats))

    async def _queue_run(self, cur) -> None:
        if "trip" not in self._reads:
            self._reads["trip"], self._reads["stops"] = await queries.queue_run_reads(cur, self.trip_id)

    async def _read_run(self, cur) -> None:
        """The locked legs, the trip and its stops (queued by lock_for_hold and queue_check; sent now if waiting)."""
        if self.trip:
            return
        await self._queue_run(cur)
        self.leg_rows = await self._reads["legs"].rows(cur)
        trip = await self._reads["trip"].rows(cur)
        if not trip:
            raise NotFound("There is no such train or flight.", field="trip_id")
        self.trip = trip[0]
        self.type = self.trip["mode"]
        if len(self.leg_rows) != len(self.legs):
            raise InvalidBooking({"destination": "This trip does not run between those stops"})
        self.stops = await self._reads["stops"].rows(cur)

    def departs_at(self) -> datetime:
        return stop_time(self.trip["departs_at"], self.stops[self.from_stop]["departs_after"])

    def arrives_at(self) -> datetime:
        return stop_time(self.trip["departs_at"], self.stops[self.to_stop]["arrives_after"])

    async def check(self, cur) -> None:
        if "held" not in self._reads:  # a late payment's retake: lock() read the run; the check reads now
            await self.queue_check(cur)
        await self._read_run(cur)
        trip = self.trip
        what = "flight" if trip["mode"] == "flight" else "train"
        if trip["status"] != "scheduled":
            raise NotBookable(f"This {what} has been cancelled by the operator.")
        if dates.local(self.departs_at(), trip["timezone"]) <= datetime.now(UTC):
            raise NotBookable(f"This {what} has already left {self.stops[self.from_stop]['city_name']}.")
        self.seat_rows = {r["label"]: r for r in await self._reads["seats"].rows(cur)}
        unknown = [s for s in self.seats if s not in self.seat_rows]
        if unknown:
            raise InvalidBooking({"seats": f"No seat {', '.join(unknown)} on this {what}"})
        fares = queries.fares_by_class(await self._reads["fares"].rows(cur))
        distance = self.stops[self.to_stop]["distance_km"] - self.stops[self.from_stop]["distance_km"]
        unsold = sorted({r["class_code"] for r in self.seat_rows.values()} - set(fares))
        if unsold:
            raise NotBookable(f"Class {', '.join(unsold)} is not on sale on this {what}.")
        ctx, rules = await segment_pricing(cur, trip, self.stops, self.from_stop, self.to_stop, self.leg_rows)
        self.prices = {s: seat_price(fares[self.seat_rows[s]["class_code"]], distance, ctx, rules) for s in self.seats}
        self.currency = next(iter(fares.values()))["currency"]
        seats_left = min(leg["seats_total"] - leg["seats_booked"] for leg in self.leg_rows)
        if seats_left < len(self.seats):
            raise NotEnoughSeats(max(seats_left, 0), self.trip_id)
        taken = {row["seat_label"] for row in await self._reads.pop("held").rows(cur)}
        if taken:
            raise SeatsUnavailable(sorted(taken, key=natural_key), self.trip_id)

    def price(self) -> tuple[int, str]:
        return sum(self.prices[s] for s in self.seats), self.currency

    async def consume(self, cur) -> BookingColumns:
        n = len(self.seats)
        await queries.update_legs_booked(
            cur, self.trip_id, self.legs.start, self.legs.stop - 1, n, on_error=self._counter_refused
        )
        self.delta = n
        total_minor, currency = self.price()
        return BookingColumns(
            type=self.trip["mode"],
            total_minor=total_minor,
            currency=currency,
            starts_at=self.departs_at(),
            ends_at=self.arrives_at(),
            columns={"trip_id": self.trip_id},
        )

    async def write_items(self, cur, booking_id: int) -> None:
        rows = [
            {
                "label": seat,
                "class_code": self.seat_rows[seat]["class_code"],
                "from_stop": self.from_stop,
                "to_stop": self.to_stop,
                "name": p["name"],
                "age": p["age"],
                "gender": p.get("gender") or None,
                "price_minor": self.prices[seat],
            }
            for seat, p in zip(self.seats, self.passengers, strict=True)
        ]
        await queries.insert_segment_seats(cur, booking_id, self.trip_id, rows)
        await queries.insert_seat_legs(cur, booking_id, self.trip_id, self.seats, self.legs, self._seat_refused)

    async def retake_items(self, cur, booking_id: int) -> None:
        await self._holding_again(queries.update_seat_legs_held(cur, booking_id))

    async def release(self, cur, booking_id: int) -> None:
        freed = await queries.update_seat_legs_released(cur, [booking_id])
        n = freed // len(self.legs)
        if n:
            await queries.update_legs_booked(cur, self.trip_id, self.legs.start, self.legs.stop - 1, -n)
        self.delta = -n
        if not n:
            self.seats = []

    async def reprice(self, cur) -> None:
        """Nothing to write: a seat's price is worked out from the legs' counts whenever it is quoted (seat_price)."""

    async def publish(self, cur) -> None:
        left = {leg["leg_no"]: leg["seats_total"] - leg["seats_booked"] - self.delta for leg in self.leg_rows}
        await publish_segment(cur, self.trip, self.from_stop, self.to_stop, left)

    def released_summary(self) -> dict[str, Any]:
        return {"seats": self.seats, "nights": []}

    @classmethod
    async def expire_holds(cls, cur, inventory_id: int, booking_ids: list[int]) -> list[int]:
        segments = await queries.select_segments_of(cur, booking_ids)  # never change after booking
        if not segments:
            return []
        first, stop = min(s["from_stop"] for s in segments), max(s["to_stop"] for s in segments)
        legs = await queries.lock_legs(cur, inventory_id, first, stop - 1)  # a superset, still in leg order
        due = await lock_expired_holds(cur, booking_ids)
        if not due:
            return []
        freed: dict[int, int] = {}
        for s in segments:
            if s["booking_id"] in due:
                for leg in range(s["from_stop"], s["to_stop"]):
                    freed[leg] = freed.get(leg, 0) + s["seats"]
        await queries.update_seat_legs_released(cur, due)
        for leg, n in sorted(freed.items()):
            await queries.update_legs_booked(cur, inventory_id, leg, leg, -n)
        await update_bookings_expired(cur, due)
        trip = await queries.select_trip(cur, inventory_id)
        left = {
            leg["leg_no"]: leg["seats_total"] - leg["seats_booked"] + freed.get(leg["leg_no"], 0)
            for leg in legs
            if leg["leg_no"] in freed
        }
        await publish_segment(cur, trip, min(freed), max(freed) + 1, left)
        return due


def topic(trip_id: int) -> str:
    """Train and flight trips share the bus trips' id space, so the same topic name."""
    return f"trip:{trip_id}"


async def publish_segment(cur, trip: dict[str, Any], from_stop: int, to_stop: int, legs_left: dict[int, int]) -> None:
    """Announce that seats changed on stops from_stop -> to_stop: every segment overlapping it (sharing a leg) has
    new availability. Carries the changed legs' seats left; streams recompute each watched segment's seat map."""
    await events.publish(
        cur,
        topic(trip["id"]),
        "availability",
        {
            "trip_id": trip["id"],
            "mode": trip["mode"],
            "from_stop": from_stop,
            "to_stop": to_stop,
            "legs_left": {str(leg): left for leg, left in sorted(legs_left.items())},
            # the trip's ends, as bus events carry them (each worker's search cache drops that route's answers)
            "origin_id": trip["origin_id"],
            "destination_id": trip["destination_id"],
        },
    )
