"""Sample data: deterministic, realistic, dates relative to today. `make seed` replaces it.

Sixty-odd real Indian cities (INR, Asia/Kolkata), fifteen operators with real seat layouts, a few
hundred routes between nearby cities (haversine distance -> duration and fare), several departures
per route per day for 60 days, about 200 hotels with 2-4 room types and 120 nights of inventory,
and existing bookings so seats and rooms are partly taken. Counters (trips.seats_booked,
room_inventory.rooms_booked) are computed from the booking items they summarise, so they agree.

About one booking in fifteen was cancelled, as the cancel itself leaves it: status, cancelled_at, a refund
by the refund policy (an admin's cancellation refunds in full), seats released (held = NULL) and room-nights
no longer counted. Cancellations draw on their own random stream, so the confirmed bookings (and so seats and
rooms left) are the same as without them.

Bulk rows go in with multi-row INSERTs (executemany batches); trips and their bookings are
generated one day at a time so SEED_SCALE=large never holds the whole data set in memory.
"""

from __future__ import annotations

from .. import db
from ..dates import today_in
from . import contacts
from .buses import haversine_km
from .data import ALL_TABLES, CITIES, LAYOUTS, SAMPLE_TRAVELLERS, SCALES, TIMEZONE, seats_of
from .generator import Generator
from .itineraries import sample_trip
from .loading import announce_reload, clear_all, is_empty, refresh_statistics, truncate_all
from .partners import seed_partners
from .restaurants import seed as seed_restaurants
from .stops import seed_points

# What the CLI, the tests and the benchmarks use.
__all__ = [
    "ALL_TABLES", "CITIES", "LAYOUTS", "SAMPLE_TRAVELLERS", "clear_all", "counts", "haversine_km", "is_empty",
    "seats_of", "seed",
]  # fmt: skip


async def seed(scale: str = "normal", admin_password: str = "admin-travelgo") -> dict[str, int]:
    """Replace all data with the sample set and return counts per table."""
    if scale not in SCALES:
        raise ValueError(f"scale must be one of {', '.join(SCALES)}")
    await truncate_all()
    generator = Generator(SCALES[scale], today_in(TIMEZONE))
    await generator.run(admin_password)
    await refresh_statistics()  # the bulk-loaded tables' statistics, for the plans of the statements below
    await seed_points()  # boarding and dropping points of every trip (issue 22)
    await seed_restaurants(generator.today)
    await contacts.add_phones()
    async with db.transaction() as cur:
        await sample_trip(cur)
    async with db.transaction() as cur:
        await seed_partners(cur)
    await refresh_statistics()
    await announce_reload()
    return await counts()


async def counts() -> dict[str, int]:
    result = {}
    async with db.reading() as cur:
        for table in (
            "users",
            "cities",
            "operators",
            "vehicles",
            "vehicle_seats",
            "trips",
            "hotels",
            "room_types",
            "room_inventory",
            "bookings",
            "booking_seats",
            "booking_nights",
            "reviews",
            "restaurants",
            "restaurant_tables",
        ):
            await cur.execute(f"SELECT COUNT(*) AS n FROM {table}")
            result[table] = (await cur.fetchone())["n"]
    return result
