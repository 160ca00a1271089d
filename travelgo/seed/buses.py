"""Bus routes between nearby cities, daily departures for 60 days, and the bookings that fill them."""

from __future__ import annotations

import asyncio
import json
import math
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from .data import (
    BUS_AMENITIES,
    CANCEL_RATE,
    CURRENCY,
    FARE_PER_KM,
    FIRST_NAMES,
    LAST_NAMES,
    LOADERS,
    SPEED_KMH,
    STOP_NAMES,
    TRIP_COLUMNS,
)
from .loading import insert_rows, loading, put


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(a))


@dataclass
class _Service:
    """One scheduled departure that runs every day on a route."""

    origin_id: int
    destination_id: int
    operator_id: int
    vehicle_id: int
    bus_type: str
    seat_labels: tuple[str, ...]
    departs: time
    minutes: int
    fare_minor: int
    amenities: str
    boarding_json: str
    dropping_json: str


class Buses:
    """Routes, trips and bus bookings, one day at a time."""

    # --- routes and services ----------------------------------------------------------------------
    def _plan_routes(self) -> None:
        pairs: set[tuple[int, int]] = set()
        coords = {c[0]: (c[3], c[4]) for c in self.cities}
        self.distance: dict[tuple[int, int], float] = {}
        for a in coords:
            near = sorted((haversine_km(*coords[a], *coords[b]), b) for b in coords if b != a)
            for km, b in [n for n in near if 40 <= n[0] <= self.scale.max_route_km][: self.scale.neighbours]:
                pairs.add((a, b))
                pairs.add((b, a))
                self.distance[(a, b)] = self.distance[(b, a)] = km
        names = {c[0]: c[1] for c in self.cities}
        self.services: list[_Service] = []
        for origin, destination in sorted(pairs):
            road_km = self.distance[(origin, destination)] * 1.3  # roads wind: ~1.3 x the crow-flies distance
            low, high = self.scale.services
            for _ in range(self.rng.randint(low, high)):
                self.services.append(self._service(origin, destination, road_km, names))
        self.services.sort(key=lambda s: (s.departs, s.origin_id, s.destination_id))

    def _service(self, origin: int, destination: int, road_km: float, names: dict[int, str]) -> _Service:
        rng = self.rng
        overnight = road_km > 320
        op_id, _, rating, types = rng.choice(self.operators)
        sleepers = [t for t in types if t.endswith("sleeper")]
        seaters = [t for t in types if t.endswith("seater")]
        if overnight and sleepers and rng.random() < 0.75:
            bus_type = rng.choice(sleepers)
        else:
            bus_type = rng.choice(seaters or sleepers)
        vehicle_id, labels = rng.choice(self.fleet[(op_id, bus_type)])
        if overnight:
            minute_of_day = rng.randrange(18 * 60, 23 * 60 + 46, 15)
        else:
            minute_of_day = rng.randrange(5 * 60, 22 * 60, 15)
        departs = time(minute_of_day // 60, minute_of_day % 60)
        minutes = int(round((road_km / SPEED_KMH[bus_type] * 60 + 20) / 5) * 5)
        premium = 0.9 + (float(rating) - 3.5) * 0.15
        fare = max(150, road_km * FARE_PER_KM[bus_type] * premium)
        fare_minor = int(round(fare / 10) * 10) * 100
        pool = BUS_AMENITIES[bus_type]
        amenities = ",".join(sorted(set(pool[:2]) | set(rng.sample(pool, rng.randint(1, len(pool))))))
        start = datetime.combine(self.today, departs)
        end = start + timedelta(minutes=minutes)
        board = rng.sample(STOP_NAMES, rng.randint(2, 3))
        drop = rng.sample(STOP_NAMES, rng.randint(2, 3))
        boarding = [
            {"name": f"{name}, {names[origin]}", "time": (start + timedelta(minutes=15 * i)).strftime("%H:%M")}
            for i, name in enumerate(board)
        ]
        dropping = [
            {
                "name": f"{name}, {names[destination]}",
                "time": (end - timedelta(minutes=15 * (len(drop) - 1 - i))).strftime("%H:%M"),
            }
            for i, name in enumerate(drop)
        ]
        return _Service(
            origin,
            destination,
            op_id,
            vehicle_id,
            bus_type,
            labels,
            departs,
            minutes,
            fare_minor,
            amenities,
            json.dumps(boarding),
            json.dumps(dropping),
        )

    # --- trips and their bookings, one day at a time ---------------------------------------------------
    async def _trips_and_bus_bookings(self) -> None:
        """Generate one day at a time; the loader connection inserts while the next day is generated."""
        queue: asyncio.Queue = asyncio.Queue(maxsize=2)
        loaders = [asyncio.create_task(self._load_days(queue)) for _ in range(LOADERS)]
        try:
            trip_id = 0
            for day_offset in range(self.scale.trip_days):
                day = self.today + timedelta(days=day_offset)
                # Friday and Sunday departures are dearer.
                weekend = 1.1 if day.weekday() in (4, 6) else 1.0
                trips, bookings, seats = [], [], []
                for n, service in enumerate(self.services):
                    trip_id += 1
                    departs_at = datetime.combine(day, service.departs)
                    price = int(round(service.fare_minor * weekend / 1000) * 1000)
                    sold = self._sell_seats(trip_id, service, departs_at, price, day_offset, bookings, seats)
                    trips.append(
                        (
                            trip_id,
                            "bus",
                            service.operator_id,
                            service.vehicle_id,
                            service.origin_id,
                            service.destination_id,
                            departs_at,
                            departs_at + timedelta(minutes=service.minutes),
                            service.minutes,
                            price,
                            CURRENCY,
                            len(service.seat_labels),
                            sold,
                            "scheduled",
                            service.amenities,
                            service.boarding_json,
                            service.dropping_json,
                        )
                    )
                    if n % 500 == 0:
                        await asyncio.sleep(0)  # let the loaders send what they have
                await put(queue, (trips, bookings, seats), loaders)
            for _ in loaders:
                await put(queue, None, loaders)
            await asyncio.gather(*loaders)
        finally:
            for task in loaders:
                task.cancel()

    async def _load_days(self, queue: asyncio.Queue) -> None:
        """Insert the generated days in ONE bulk-load transaction. trips, bookings and booking_seats are empty when it
        starts, and with foreign-key and unique checks off InnoDB then loads them in bulk (MariaDB 10.6+): no undo
        record per row, and each index is built from sorted rows at COMMIT. A transaction per day (as before) got
        that only for the first day; every later day went row by row into B-trees far bigger than the buffer pool."""
        async with loading() as cur:
            while (item := await queue.get()) is not None:
                trips, bookings, seats = item
                await insert_rows(cur, "trips", TRIP_COLUMNS, trips)
                await self._insert_bookings(cur, bookings)
                await insert_rows(
                    cur,
                    "booking_seats",
                    (
                        "booking_id",
                        "trip_id",
                        "seat_label",
                        "passenger_name",
                        "passenger_age",
                        "passenger_gender",
                        "price_minor",
                        "held",
                    ),
                    seats,
                )

    def _sell_seats(self, trip_id, service, departs_at, price, day_offset, bookings, seats) -> int:
        """Sell part of a trip's seats to background travellers; returns how many were sold."""
        rng = self.rng
        if departs_at <= self.now:
            return 0
        if day_offset < self.scale.bus_booking_days:
            if rng.random() > 0.45:
                return 0
            share = rng.uniform(0.1, 0.9)
        else:
            if rng.random() > 0.06:
                return 0
            share = rng.uniform(0.05, 0.3)
        total = len(service.seat_labels)
        wanted = max(1, int(total * share))
        free = list(service.seat_labels)
        rng.shuffle(free)
        taken = 0
        while taken < wanted:
            group = min(rng.choice((1, 1, 2, 2, 2, 3, 4)), wanted - taken)
            labels = free[taken : taken + group]
            taken += group
            user_id = self._booking_user(trip_id)
            booking_id = self._new_booking(
                bookings,
                user_id,
                "bus",
                price * group,
                trip_id=trip_id,
                starts_at=departs_at,
                ends_at=departs_at + timedelta(minutes=service.minutes),
            )
            for label in labels:
                seats.append(
                    (
                        booking_id,
                        trip_id,
                        label,
                        self._person(),
                        rng.randint(18, 72),
                        rng.choice(("female", "male")),
                        price,
                        1,
                    )
                )
            if self.cancel_rng.random() < CANCEL_RATE:
                self._cancelled_bus_booking(trip_id, service, departs_at, price, bookings, seats)
        return taken

    def _cancelled_bus_booking(self, trip_id, service, departs_at, price, bookings, seats) -> None:
        """A booking on this trip that its traveller (or an admin) cancelled: its seats are released."""
        rng = self.cancel_rng
        labels = rng.sample(service.seat_labels, rng.choice((1, 1, 2, 2, 3)))
        booking_id = self._new_booking(
            bookings,
            rng.choice(self.user_ids),
            "bus",
            price * len(labels),
            trip_id=trip_id,
            starts_at=departs_at,
            ends_at=departs_at + timedelta(minutes=service.minutes),
            cancelled=True,
        )
        for label in labels:
            seats.append(
                (
                    booking_id,
                    trip_id,
                    label,
                    f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                    rng.randint(18, 72),
                    rng.choice(("female", "male")),
                    price,
                    None,  # released: the unique hold key ignores NULL, so the seat may be sold again
                )
            )
