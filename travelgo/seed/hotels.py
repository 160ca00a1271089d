"""Hotels with room types, 120 nights of inventory, and the stays that fill them."""

from __future__ import annotations

import math
from datetime import date, datetime, time, timedelta

from .data import (
    AREAS,
    CANCEL_RATE,
    CURRENCY,
    FIRST_NAMES,
    HOTEL_AMENITIES_BY_STARS,
    LAST_NAMES,
    NAME_A,
    NAME_B,
    ROOM_BASE_PRICE,
    ROOM_TYPES,
    TIER_FACTOR,
)
from .loading import insert_rows, loading


class Hotels:
    """Hotels, room types, inventory and hotel bookings."""

    # --- hotels -----------------------------------------------------------------------------------------
    async def _hotels(self) -> None:
        rng = self.rng
        weights = {1: 8, 2: 4, 3: 2}
        total_weight = sum(weights[c[5]] for c in self.cities)
        hotels, room_types = [], []
        for city_id, city, region, lat, lon, tier in self.cities:
            count = max(1, round(self.scale.hotels * weights[tier] / total_weight))
            used_names: set[str] = set()
            for _ in range(count):
                hotel_id = len(hotels) + 1
                stars = rng.choices((1, 2, 3, 4, 5), weights=(1, 3, 5, 3, 1 + (tier == 1)))[0]
                name = self._hotel_name(stars, used_names)
                area, near, far = rng.choice(AREAS)
                distance = round(rng.uniform(near, far), 2)
                bearing = rng.uniform(0, 2 * math.pi)
                h_lat = lat + distance / 111.0 * math.cos(bearing)
                h_lon = lon + distance / (111.0 * math.cos(math.radians(lat))) * math.sin(bearing)
                rating = round(min(9.8, max(5.2, rng.gauss(6.4 + stars * 0.45, 0.6))), 1)
                pool = HOTEL_AMENITIES_BY_STARS[stars]
                amenities = set(pool[:2]) | set(rng.sample(pool, rng.randint(1, len(pool))))
                if "pool" in amenities and stars < 4:
                    amenities.discard("pool")
                description = self._hotel_description(name, stars, area, city, distance, amenities)
                address = f"{rng.randint(1, 250)}, {area}, {city}, {region}"
                hotels.append(
                    (
                        hotel_id,
                        city_id,
                        name,
                        description,
                        address,
                        area,
                        stars,
                        rating,
                        ",".join(sorted(amenities)),
                        round(h_lat, 6),
                        round(h_lon, 6),
                        distance,
                    )
                )
                choices = [rt for rt in ROOM_TYPES if rt[4] <= stars]
                n_types = min(len(choices), rng.randint(2, 4))
                picked = sorted(rng.sample(choices, n_types), key=ROOM_TYPES.index)
                for rt_name, guests, beds, factor, _ in picked:
                    base = ROOM_BASE_PRICE[stars] * TIER_FACTOR[tier] * factor * rng.uniform(0.9, 1.15)
                    base_minor = int(round(base / 50) * 50) * 100
                    rooms_total = rng.randint(3, 8) if stars >= 4 and rt_name == "Suite" else rng.randint(4, 24)
                    room_types.append(
                        (len(room_types) + 1, hotel_id, rt_name, guests, beds, base_minor, CURRENCY, rooms_total)
                    )
        async with loading() as cur:
            await insert_rows(
                cur,
                "hotels",
                (
                    "id",
                    "city_id",
                    "name",
                    "description",
                    "address",
                    "area",
                    "stars",
                    "rating",
                    "amenities",
                    "latitude",
                    "longitude",
                    "distance_km",
                ),
                hotels,
            )
            # Each hotel hears of its new bookings (issue 20): reservations@<its name>.example
            await cur.execute(
                "UPDATE hotels SET contact_email = CONCAT('reservations@',"
                " TRIM(BOTH '-' FROM REGEXP_REPLACE(LOWER(name), '[^a-z0-9]+', '-')), '.example')"
            )
            await insert_rows(
                cur,
                "room_types",
                ("id", "hotel_id", "name", "max_guests", "beds", "base_price_minor", "currency"),
                [rt[:7] for rt in room_types],
            )
        await self._inventory_and_hotel_bookings(room_types)

    def _hotel_name(self, stars: int, used: set[str]) -> str:
        rng = self.rng
        for _ in range(50):
            core = f"{rng.choice(NAME_A)} {rng.choice(NAME_B)}"
            name = f"The {core}" if stars >= 4 else (f"Hotel {core}" if rng.random() < 0.5 else core)
            if stars == 5 and rng.random() < 0.4:
                name += " Resort & Spa"
            if name not in used:
                used.add(name)
                return name
        name = f"{core} {len(used) + 1}"
        used.add(name)
        return name

    def _hotel_description(self, name, stars, area, city, distance, amenities) -> str:
        rng = self.rng
        style = {
            1: "simple, clean budget rooms",
            2: "comfortable rooms at honest prices",
            3: "bright, well-kept rooms and friendly service",
            4: "spacious rooms, a good restaurant and attentive staff",
            5: "luxurious rooms, fine dining and a full-service spa",
        }[stars]
        nice = [a.replace("_", " ") for a in sorted(amenities)][:4]
        extra = rng.choice(
            (
                "Ideal for business travellers.",
                "Popular with families.",
                "A favourite for weekend breaks.",
                "Great value for the location.",
                "Quiet at night despite the central location.",
            )
        )
        return (
            f"{name} offers {style} in {area}, {distance:.1f} km from the centre of {city}. "
            f"Guests enjoy {', '.join(nice)}. {extra}"
        )

    def _cancelled_hotel_booking(self, room_types, nights, stop, price, bookings, booking_nights) -> None:
        """A stay its guest (or an admin) cancelled: its nights stay on record but no longer hold rooms."""
        rng = self.cancel_rng
        rt_id, _, _, max_guests, *_ = rng.choice(room_types)
        start = min(int(rng.expovariate(1 / 12)), len(nights) - 6)
        stay_nights = nights[start : start + rng.choice((1, 2, 2, 3, 4))]
        if any((rt_id, night) in stop for night in stay_nights):
            return
        rooms = 1 if rng.random() < 0.8 else 2
        check_in, check_out = stay_nights[0], stay_nights[-1] + timedelta(days=1)
        # Asha (a documented sample login) has one cancelled stay, so her Cancelled tab is not empty.
        user_id = self.asha_id if not self.asha_cancelled else rng.choice(self.user_ids)
        self.asha_cancelled = True
        booking_id = self._new_booking(
            bookings,
            user_id,
            "hotel",
            sum(price[(rt_id, night)] for night in stay_nights) * rooms,
            room_type_id=rt_id,
            check_in=check_in,
            check_out=check_out,
            rooms=rooms,
            guests=rng.randint(1, max_guests * rooms),
            guest_name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
            starts_at=datetime.combine(check_in, time(14)),
            ends_at=datetime.combine(check_out, time(11)),
            cancelled=True,
        )
        for night in stay_nights:
            booking_nights.append((booking_id, rt_id, night, rooms, price[(rt_id, night)]))

    async def _inventory_and_hotel_bookings(self, room_types) -> None:
        rng = self.rng
        days = self.scale.inventory_days
        nights = [self.today + timedelta(days=i) for i in range(days)]
        # Stop-sell (e.g. renovation) on a few nights of a few room types.
        stop = {
            (rt[0], nights[i])
            for rt in room_types
            if rng.random() < 0.03
            for i in range(rng.randrange(0, days - 3), days)
            if i < days and rng.random() < 0.5
        }
        price: dict[tuple[int, date], int] = {}
        for rt in room_types:
            for night in nights:
                weekend = 1.2 if night.weekday() in (4, 5) else 1.0  # Friday and Saturday nights
                wobble = 1 + 0.06 * math.sin((night.toordinal() + rt[0]) / 5)
                price[(rt[0], night)] = int(round(rt[5] / 100 * weekend * wobble / 10) * 10) * 100
        booked: dict[tuple[int, date], int] = {}
        bookings, booking_nights = [], []
        by_id = {rt[0]: rt for rt in room_types}
        for n in range(self.scale.hotel_bookings):
            rt_id = rng.choice(room_types)[0]
            max_guests, rooms_total = by_id[rt_id][3], by_id[rt_id][7]
            start = min(int(rng.expovariate(1 / 12)), days - 6)
            stay = rng.choice((1, 1, 2, 2, 3, 4, 5))
            rooms = 1 if rng.random() < 0.8 else 2
            stay_nights = nights[start : start + stay]
            if any(
                (rt_id, night) in stop or booked.get((rt_id, night), 0) + rooms > rooms_total for night in stay_nights
            ):
                continue
            for night in stay_nights:
                booked[(rt_id, night)] = booked.get((rt_id, night), 0) + rooms
            guests = rng.randint(1, max_guests * rooms)
            total = sum(price[(rt_id, night)] for night in stay_nights) * rooms
            check_in, check_out = stay_nights[0], stay_nights[-1] + timedelta(days=1)
            user_id = self.asha_id if n in (5, 40) else rng.choice(self.user_ids)
            booking_id = self._new_booking(
                bookings,
                user_id,
                "hotel",
                total,
                room_type_id=rt_id,
                check_in=check_in,
                check_out=check_out,
                rooms=rooms,
                guests=guests,
                guest_name=self._person(),
                starts_at=datetime.combine(check_in, time(14)),
                ends_at=datetime.combine(check_out, time(11)),
            )
            for night in stay_nights:
                booking_nights.append((booking_id, rt_id, night, rooms, price[(rt_id, night)]))
            if self.cancel_rng.random() < CANCEL_RATE:
                self._cancelled_hotel_booking(room_types, nights, stop, price, bookings, booking_nights)
        inventory = [
            (
                rt[0],
                night,
                rt[7],
                booked.get((rt[0], night), 0),
                price[(rt[0], night)],
                1 if (rt[0], night) in stop else 0,
            )
            for rt in room_types
            for night in nights
        ]
        async with loading() as cur:
            await insert_rows(
                cur,
                "room_inventory",
                ("room_type_id", "night", "rooms_total", "rooms_booked", "price_minor", "stop_sell"),
                inventory,
            )
            await self._insert_bookings(cur, bookings)
            await insert_rows(
                cur, "booking_nights", ("booking_id", "room_type_id", "night", "rooms", "price_minor"), booking_nights
            )
