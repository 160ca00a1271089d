"""The recent past: trips that ran and stays that ended in the last two weeks, the travellers on them, and the
reviews a share of those travellers wrote. Operators' and hotels' ratings and review counts are then derived from
the reviews, set-based, as the review service keeps them afterwards.

It draws on its own random stream and runs after everything else, so the upcoming data is as it was without it."""

from __future__ import annotations

import random
from datetime import UTC, datetime, time, timedelta

from ..dates import local
from ..reviews.queries import update_all_ratings
from .data import BOOKING_COLUMNS, CURRENCY, FIRST_NAMES, LAST_NAMES, RANDOM_SEED, TIMEZONE, TRIP_COLUMNS
from .loading import insert_rows, loading

HISTORY_DAYS = 14
TRIP_SHARE = 0.12  # of the daily services, the past runs kept (enough for every operator to have reviews)
STAYS_PER_HOTEL = (2, 6)
REVIEW_SHARE = 0.55  # of the completed bookings, the ones reviewed
BOOKING_CREATED = BOOKING_COLUMNS.index("created_at")

REVIEW_TEXTS = {
    5: [
        "Spotless, on time and the staff could not have been kinder. Would book again.",
        "Excellent from start to finish: comfortable, clean and exactly as described.",
        "Everything went smoothly. Great value and a very pleasant experience.",
    ],
    4: [
        "Good overall. Comfortable and punctual, a few small things could be better.",
        "Clean and friendly; check-in took a while but otherwise very good.",
        "Nice experience, would recommend. The seats and beds were comfortable.",
    ],
    3: [
        "Fine for the price. Nothing special, nothing terrible.",
        "Average: a bit late and not the cleanest, but it did the job.",
        "Okay overall, though the air conditioning was too cold all night.",
    ],
    2: [
        "Disappointing. Delays with no explanation and the staff seemed indifferent.",
        "Not as advertised: noisy, and the room or seat was worn out.",
    ],
    1: [
        "Very poor. Hours late, dirty, and nobody answered the phone.",
        "Would not use again. The booking was honoured but that is all that can be said.",
    ],
}


class History:
    """Past trips and stays with their bookings, reviews of a share of them, and the ratings they give."""

    def _stars(self, rng: random.Random, base_of_5: float) -> int:
        return min(5, max(1, round(rng.gauss(base_of_5, 0.9))))

    def _review(self, rng: random.Random, reviews: list, booking_id: int, user_id: int, kind: str, business, base):
        stars = self._stars(rng, base)
        created = self.now - timedelta(days=rng.randint(0, 2), minutes=rng.randint(0, 600))
        reviews.append(
            (
                booking_id,
                user_id,
                business if kind == "operator" else None,
                business if kind == "hotel" else None,
                stars,
                rng.choice(REVIEW_TEXTS[stars]),
                _utc_of(self, created),
            )
        )

    async def _history(self) -> None:
        rng = random.Random(RANDOM_SEED + 2)
        operator_base = {o[0]: float(o[2]) for o in self.operators}
        trips, bookings, seats, reviews = [], [], [], []
        async with loading() as cur:
            await cur.execute("SELECT COALESCE(MAX(id), 0) AS n FROM trips")
            trip_id = int((await cur.fetchone())["n"])
        asha_done = False
        for days_back in range(HISTORY_DAYS, 0, -1):
            day = self.today - timedelta(days=days_back)
            for service in self.services:
                if rng.random() > TRIP_SHARE:
                    continue
                departs_at = datetime.combine(day, service.departs)
                ends_at = departs_at + timedelta(minutes=service.minutes)
                if ends_at > self.now:
                    continue
                trip_id += 1
                price = service.fare_minor
                free = list(service.seat_labels)
                rng.shuffle(free)
                sold = 0
                for _ in range(rng.randint(1, 4)):
                    group = rng.choice((1, 1, 2, 2, 3))
                    labels, free = free[:group], free[group:]
                    if not labels:
                        break
                    user_id = self.asha_id if not asha_done else rng.choice(self.user_ids)
                    booking_id = self._past_booking(
                        rng, bookings, user_id, "bus", price * len(labels), starts_at=departs_at, ends_at=ends_at,
                        trip_id=trip_id,
                    )  # fmt: skip
                    for label in labels:
                        seats.append(
                            (booking_id, trip_id, label, f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                             rng.randint(18, 72), rng.choice(("female", "male")), price, 1)
                        )  # fmt: skip
                    sold += len(labels)
                    if asha_done and rng.random() < REVIEW_SHARE:  # Asha's trip is left to review in the demo
                        base = operator_base[service.operator_id]
                        self._review(rng, reviews, booking_id, user_id, "operator", service.operator_id, base)
                    asha_done = True
                trips.append(
                    (trip_id, "bus", service.operator_id, service.vehicle_id, service.origin_id, service.destination_id,
                     departs_at, ends_at, service.minutes, price, CURRENCY, len(service.seat_labels), sold,
                     "scheduled", service.amenities, service.boarding_json, service.dropping_json)
                )  # fmt: skip
        async with loading() as cur:
            await insert_rows(cur, "trips", TRIP_COLUMNS, trips)
            await self._insert_bookings(cur, bookings)
            await insert_rows(
                cur,
                "booking_seats",
                ("booking_id", "trip_id", "seat_label", "passenger_name", "passenger_age", "passenger_gender",
                 "price_minor", "held"),
                seats,
            )  # fmt: skip
            bookings = []
            await self._past_stays(rng, cur, bookings, reviews)
            await self._insert_bookings(cur, bookings)
            await insert_rows(
                cur,
                "reviews",
                ("booking_id", "user_id", "operator_id", "hotel_id", "rating", "body", "created_at"),
                reviews,
            )
            await update_all_ratings(cur)

    async def _past_stays(self, rng: random.Random, cur, bookings: list, reviews: list) -> None:
        """Stays that checked out in the last two weeks, with the past nights' inventory they used."""
        await cur.execute(
            "SELECT rt.id, rt.hotel_id, rt.base_price_minor, rt.max_guests, h.rating FROM room_types rt"
            " JOIN hotels h ON h.id = rt.hotel_id ORDER BY rt.id"
        )
        by_hotel: dict[int, list[dict]] = {}
        for row in await cur.fetchall():
            by_hotel.setdefault(row["hotel_id"], []).append(row)
        booked: dict[tuple[int, object], int] = {}
        price: dict[tuple[int, object], int] = {}
        nights_rows = []
        for hotel_id, room_types in by_hotel.items():
            for n in range(rng.randint(*STAYS_PER_HOTEL)):
                rt = rng.choice(room_types)
                nights = rng.randint(1, 3)
                check_in = self.today - timedelta(days=rng.randint(nights + 1, HISTORY_DAYS))
                check_out = check_in + timedelta(days=nights)
                user_id = rng.choice(self.user_ids)
                prices = [self._past_night_price(rt, check_in + timedelta(days=i)) for i in range(nights)]
                total = sum(prices)
                booking_id = self._past_booking(
                    rng, bookings, user_id, "hotel", total,
                    starts_at=datetime.combine(check_in, time(14)), ends_at=datetime.combine(check_out, time(11)),
                    room_type_id=rt["id"], check_in=check_in, check_out=check_out, rooms=1,
                    guests=min(2, rt["max_guests"]), guest_name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                )  # fmt: skip
                for i in range(nights):
                    night = check_in + timedelta(days=i)
                    booked[(rt["id"], night)] = booked.get((rt["id"], night), 0) + 1
                    price[(rt["id"], night)] = prices[i]
                    nights_rows.append((booking_id, rt["id"], night, 1, prices[i]))
                if n == 0 or rng.random() < REVIEW_SHARE:  # every hotel has at least one review
                    self._review(rng, reviews, booking_id, user_id, "hotel", hotel_id, float(rt["rating"]) / 2)
        await insert_rows(
            cur,
            "room_inventory",
            ("room_type_id", "night", "rooms_total", "rooms_booked", "price_minor"),
            [(rt_id, night, max(10, n), n, price[(rt_id, night)]) for (rt_id, night), n in sorted(booked.items())],
        )
        await insert_rows(
            cur, "booking_nights", ("booking_id", "room_type_id", "night", "rooms", "price_minor"), nights_rows
        )

    def _past_night_price(self, rt: dict, night) -> int:
        """A past night's price: the room type's base price, Friday and Saturday nights dearer (as ahead)."""
        weekend = 1.2 if night.weekday() in (4, 5) else 1.0
        return int(round(rt["base_price_minor"] / 100 * weekend / 10) * 10) * 100

    def _past_booking(self, rng, bookings: list, user_id: int, kind: str, total: int, *, starts_at, **fields) -> int:
        """A confirmed booking made one to three weeks before it started (the shared builder, then its date)."""
        booking_id = self._new_booking(bookings, user_id, kind, total, starts_at=starts_at, **fields)
        made = starts_at - timedelta(days=rng.randint(1, 20), minutes=rng.randint(0, 1439))
        row = list(bookings[-1])
        row[BOOKING_CREATED] = _utc_of(self, made)
        bookings[-1] = tuple(row)
        return booking_id


def _utc_of(generator, wall: datetime) -> datetime:
    """A wall-clock time of the seed cities as the naive UTC a created_at column holds."""
    return local(wall, TIMEZONE).astimezone(UTC).replace(tzinfo=None)
