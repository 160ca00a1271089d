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

import asyncio
import json
import math
import random
import secrets
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from . import db, events
from .bookings import refunds
from .passwords import hash_password
from .searchcache import CATALOG_TOPIC

SAMPLE_TRAVELLERS = [
    ("asha@travelgo.example", "Asha Traveller", "traveller-pass"),
    ("ben@travelgo.example", "Ben Traveller", "traveller-pass"),
]
ADMIN_EMAIL = "admin@travelgo.example"
CURRENCY = "INR"
TIMEZONE = "Asia/Kolkata"
RANDOM_SEED = 20240917
BATCH = 2000
LOADERS = 1  # one loader connection: two collide on the unique keys' gap locks (lock wait timeouts)
TRIP_COLUMNS = (
    "id",
    "mode",
    "operator_id",
    "vehicle_id",
    "origin_id",
    "destination_id",
    "departs_at",
    "arrives_at",
    "duration_minutes",
    "price_minor",
    "currency",
    "seats_total",
    "seats_booked",
    "status",
    "amenities",
    "boarding_points",
    "dropping_points",
)

# Every table, children first; emptied before seeding so `make seed` is idempotent.
ALL_TABLES = [
    "payment_events",
    "refunds",
    "payments",
    "testpay_webhooks",
    "testpay_refunds",
    "testpay_payments",
    "testpay_orders",
    "booking_nights",
    "booking_seats",
    "bookings",
    "events",
    "room_inventory",
    "room_types",
    "hotels",
    "trips",
    "vehicle_seats",
    "vehicles",
    "operators",
    "cities",
    "sessions",
    "api_tokens",
    "password_resets",
    "audit_log",
    "mail_outbox",
    "users",
    "rate_limits",
]


@dataclass(frozen=True)
class Scale:
    cities: int  # how many of CITIES
    operators: int
    neighbours: int  # routes from each city to its nearest neighbours (both directions)
    max_route_km: float
    services: tuple[int, int]  # departures per route per day (min, max)
    trip_days: int
    hotels: int
    inventory_days: int
    background_users: int
    bus_booking_days: int  # trips departing within this many days get a real share of seats sold
    hotel_bookings: int


SCALES = {
    "small": Scale(16, 6, 2, 500, (2, 2), 10, 24, 30, 10, 5, 60),
    "normal": Scale(62, 15, 4, 650, (3, 5), 60, 200, 120, 60, 7, 3000),
    "large": Scale(62, 15, 14, 1400, (10, 14), 60, 2000, 120, 400, 7, 30000),
}

# name, region, latitude, longitude, tier (1 = metro: more hotels, dearer rooms)
CITIES = [
    ("Mumbai", "Maharashtra", 19.0760, 72.8777, 1),
    ("Pune", "Maharashtra", 18.5204, 73.8567, 1),
    ("Bengaluru", "Karnataka", 12.9716, 77.5946, 1),
    ("Chennai", "Tamil Nadu", 13.0827, 80.2707, 1),
    ("Hyderabad", "Telangana", 17.3850, 78.4867, 1),
    ("Mysuru", "Karnataka", 12.2958, 76.6394, 2),
    ("Panaji", "Goa", 15.4909, 73.8278, 2),
    ("Nashik", "Maharashtra", 19.9975, 73.7898, 3),
    ("Kochi", "Kerala", 9.9312, 76.2673, 2),
    ("Coimbatore", "Tamil Nadu", 11.0168, 76.9558, 2),
    ("Puducherry", "Puducherry", 11.9416, 79.8083, 2),
    ("Tirupati", "Andhra Pradesh", 13.6288, 79.4192, 2),
    ("Vijayawada", "Andhra Pradesh", 16.5062, 80.6480, 2),
    ("Mangaluru", "Karnataka", 12.9141, 74.8560, 3),
    ("Kolhapur", "Maharashtra", 16.7050, 74.2433, 3),
    ("Madurai", "Tamil Nadu", 9.9252, 78.1198, 2),
    ("Delhi", "Delhi", 28.6139, 77.2090, 1),
    ("Kolkata", "West Bengal", 22.5726, 88.3639, 1),
    ("Ahmedabad", "Gujarat", 23.0225, 72.5714, 1),
    ("Jaipur", "Rajasthan", 26.9124, 75.7873, 2),
    ("Surat", "Gujarat", 21.1702, 72.8311, 2),
    ("Lucknow", "Uttar Pradesh", 26.8467, 80.9462, 2),
    ("Kanpur", "Uttar Pradesh", 26.4499, 80.3319, 3),
    ("Nagpur", "Maharashtra", 21.1458, 79.0882, 2),
    ("Indore", "Madhya Pradesh", 22.7196, 75.8577, 2),
    ("Bhopal", "Madhya Pradesh", 23.2599, 77.4126, 2),
    ("Visakhapatnam", "Andhra Pradesh", 17.6868, 83.2185, 2),
    ("Vadodara", "Gujarat", 22.3072, 73.1812, 3),
    ("Aurangabad", "Maharashtra", 19.8762, 75.3433, 3),
    ("Thiruvananthapuram", "Kerala", 8.5241, 76.9366, 2),
    ("Kozhikode", "Kerala", 11.2588, 75.7804, 3),
    ("Tiruchirappalli", "Tamil Nadu", 10.7905, 78.7047, 3),
    ("Salem", "Tamil Nadu", 11.6643, 78.1460, 3),
    ("Hubballi", "Karnataka", 15.3647, 75.1240, 3),
    ("Belagavi", "Karnataka", 15.8497, 74.4977, 3),
    ("Guntur", "Andhra Pradesh", 16.3067, 80.4365, 3),
    ("Nellore", "Andhra Pradesh", 14.4426, 79.9865, 3),
    ("Warangal", "Telangana", 17.9689, 79.5941, 3),
    ("Raipur", "Chhattisgarh", 21.2514, 81.6296, 3),
    ("Bhubaneswar", "Odisha", 20.2961, 85.8245, 2),
    ("Puri", "Odisha", 19.8135, 85.8312, 3),
    ("Ranchi", "Jharkhand", 23.3441, 85.3096, 3),
    ("Patna", "Bihar", 25.5941, 85.1376, 2),
    ("Varanasi", "Uttar Pradesh", 25.3176, 82.9739, 2),
    ("Prayagraj", "Uttar Pradesh", 25.4358, 81.8463, 3),
    ("Agra", "Uttar Pradesh", 27.1767, 78.0081, 2),
    ("Gwalior", "Madhya Pradesh", 26.2183, 78.1828, 3),
    ("Jodhpur", "Rajasthan", 26.2389, 73.0243, 2),
    ("Udaipur", "Rajasthan", 24.5854, 73.7125, 2),
    ("Ajmer", "Rajasthan", 26.4499, 74.6399, 3),
    ("Chandigarh", "Chandigarh", 30.7333, 76.7794, 2),
    ("Amritsar", "Punjab", 31.6340, 74.8723, 2),
    ("Ludhiana", "Punjab", 30.9010, 75.8573, 3),
    ("Dehradun", "Uttarakhand", 30.3165, 78.0322, 2),
    ("Shimla", "Himachal Pradesh", 31.1048, 77.1734, 2),
    ("Manali", "Himachal Pradesh", 32.2432, 77.1892, 3),
    ("Rishikesh", "Uttarakhand", 30.0869, 78.2676, 3),
    ("Haridwar", "Uttarakhand", 29.9457, 78.1642, 3),
    ("Rajkot", "Gujarat", 22.3039, 70.8022, 3),
    ("Guwahati", "Assam", 26.1445, 91.7362, 2),
    ("Siliguri", "West Bengal", 26.7271, 88.3953, 3),
    ("Jammu", "Jammu and Kashmir", 32.7266, 74.8570, 3),
]

# name, rating, bus types it runs
OPERATORS = [
    ("VRL Travels", 4.3, ("ac_sleeper", "non_ac_sleeper", "ac_seater")),
    ("SRS Travels", 4.0, ("ac_sleeper", "non_ac_seater", "ac_seater")),
    ("Orange Tours", 4.5, ("ac_sleeper", "ac_seater")),
    ("Kallada Travels", 4.1, ("ac_sleeper", "non_ac_sleeper")),
    ("Neeta Travels", 3.9, ("ac_seater", "non_ac_seater", "ac_sleeper")),
    ("Paulo Travels", 4.2, ("ac_sleeper", "ac_seater")),
    ("KPN Travels", 4.4, ("ac_sleeper", "ac_seater", "non_ac_seater")),
    ("Parveen Travels", 3.8, ("non_ac_sleeper", "ac_sleeper", "non_ac_seater")),
    ("Jabbar Travels", 3.6, ("non_ac_seater", "non_ac_sleeper")),
    ("Hans Travels", 4.0, ("ac_sleeper", "ac_seater")),
    ("IntrCity SmartBus", 4.6, ("ac_sleeper", "ac_seater")),
    ("Zingbus", 4.2, ("ac_seater", "ac_sleeper")),
    ("Sharma Transports", 3.7, ("non_ac_seater", "non_ac_sleeper", "ac_sleeper")),
    ("National Travels", 3.5, ("non_ac_seater", "ac_seater")),
    ("Shrinath Travels", 4.1, ("ac_sleeper", "non_ac_sleeper", "ac_seater")),
]

# Seat layouts. columns: (col_no, kind); the aisle is the missing column number, so "2+1" is seats at columns 1
# and 2, the aisle at 3, one seat at 4 (what the admin layout editor makes of columns=3, aisle_after=2).
LAYOUTS = {
    "seater_2x2_40": dict(
        layout="2+2",
        berth="seater",
        decks=1,
        rows=10,
        cols=5,
        columns=((1, "window"), (2, "aisle"), (4, "aisle"), (5, "window")),
    ),
    "seater_2x2_44": dict(
        layout="2+2",
        berth="seater",
        decks=1,
        rows=11,
        cols=5,
        columns=((1, "window"), (2, "aisle"), (4, "aisle"), (5, "window")),
    ),
    "seater_2x1_30": dict(
        layout="2+1", berth="seater", decks=1, rows=10, cols=4, columns=((1, "window"), (2, "aisle"), (4, "window"))
    ),
    "sleeper_2x1_30": dict(
        layout="2+1", berth="sleeper", decks=2, rows=5, cols=4, columns=((1, "window"), (2, "aisle"), (4, "window"))
    ),
    "sleeper_2x1_36": dict(
        layout="2+1", berth="sleeper", decks=2, rows=6, cols=4, columns=((1, "window"), (2, "aisle"), (4, "window"))
    ),
}


def seats_of(spec: dict) -> list[tuple[str, int, int, int, str]]:
    """The seats of a layout: (label, deck, row_no, col_no, kind); sleepers are L1.. lower deck, U1.. upper deck."""
    seats = []
    for deck in range(1, spec["decks"] + 1):
        for row in range(1, spec["rows"] + 1):
            for index, (col, kind) in enumerate(spec["columns"]):
                if spec["berth"] == "sleeper":
                    label = f"{'L' if deck == 1 else 'U'}{(row - 1) * len(spec['columns']) + index + 1}"
                else:
                    label = str(len(seats) + 1)
                seats.append((label, deck, row, col, kind))
    return seats


# bus type -> [(vehicle model name, layout key)], is_ac
BUS_MODELS = {
    "ac_seater": (
        [("Volvo 9600 AC Seater 2+2", "seater_2x2_40"), ("Scania Metrolink AC Seater 2+1", "seater_2x1_30")],
        True,
    ),
    "non_ac_seater": (
        [("Ashok Leyland Non-AC Seater 2+2", "seater_2x2_44"), ("Tata Starbus Non-AC Seater 2+2", "seater_2x2_40")],
        False,
    ),
    "ac_sleeper": (
        [("Volvo B11R AC Sleeper 2+1", "sleeper_2x1_30"), ("BharatBenz AC Sleeper 2+1", "sleeper_2x1_36")],
        True,
    ),
    "non_ac_sleeper": ([("Ashok Leyland Non-AC Sleeper 2+1", "sleeper_2x1_36")], False),
}
FARE_PER_KM = {"non_ac_seater": 1.1, "ac_seater": 1.6, "non_ac_sleeper": 1.45, "ac_sleeper": 2.1}
SPEED_KMH = {"non_ac_seater": 44, "ac_seater": 52, "non_ac_sleeper": 46, "ac_sleeper": 52}
BUS_AMENITIES = {
    "ac_seater": ("charging", "water", "live_tracking", "reading_light", "wifi", "tv", "snacks"),
    "ac_sleeper": ("charging", "water", "blanket", "reading_light", "live_tracking", "wifi", "snacks", "toilet"),
    "non_ac_seater": ("water", "live_tracking", "charging"),
    "non_ac_sleeper": ("water", "blanket", "live_tracking", "charging"),
}
STOP_NAMES = (
    "Central Bus Stand",
    "Railway Station",
    "City Bus Terminal",
    "Highway Junction",
    "Bypass Toll Plaza",
    "Airport Road Stop",
    "Market Square",
    "University Gate",
)

# area, min km, max km from the city centre
AREAS = [
    ("City Centre", 0.2, 1.5),
    ("Old Town", 0.3, 2.5),
    ("Railway Station Area", 0.5, 3.0),
    ("MG Road", 0.6, 3.0),
    ("Bus Stand Area", 0.8, 3.5),
    ("Civil Lines", 1.5, 5.0),
    ("Cantonment", 2.0, 6.0),
    ("Lake Side", 2.0, 7.0),
    ("Ring Road", 4.0, 10.0),
    ("IT Park", 7.0, 15.0),
    ("Airport Road", 6.0, 18.0),
]
NAME_A = (
    "Sai",
    "Royal",
    "Grand",
    "Green Park",
    "Lotus",
    "Silver Oak",
    "Golden Tulip",
    "Maple",
    "Heritage",
    "Sunrise",
    "Palm Grove",
    "Ivory",
    "Orchid",
    "Sapphire",
    "Shanti",
    "Emerald",
    "Amber",
    "Coral",
    "Rajmahal",
    "Kohinoor",
    "Banyan",
    "Peacock",
    "Monsoon",
    "Sandalwood",
    "Jasmine",
    "Cedar",
    "Vista",
    "Meridian",
    "Blue Lagoon",
    "Ganga",
)
NAME_B = (
    "Residency",
    "Inn",
    "Palace",
    "Suites",
    "Regency",
    "Comforts",
    "Plaza",
    "Stay",
    "Retreat",
    "International",
    "Continental",
    "Heights",
    "Court",
    "Manor",
    "Grand",
)
HOTEL_AMENITIES_BY_STARS = {
    1: ("wifi", "air_conditioning"),
    2: ("wifi", "air_conditioning", "parking", "breakfast"),
    3: ("wifi", "air_conditioning", "parking", "breakfast", "restaurant", "family_rooms"),
    4: (
        "wifi",
        "air_conditioning",
        "parking",
        "breakfast",
        "restaurant",
        "gym",
        "bar",
        "pool",
        "airport_shuttle",
        "family_rooms",
    ),
    5: (
        "wifi",
        "air_conditioning",
        "parking",
        "breakfast",
        "restaurant",
        "gym",
        "bar",
        "pool",
        "spa",
        "airport_shuttle",
        "family_rooms",
        "pets",
    ),
}
ROOM_BASE_PRICE = {1: 900, 2: 1500, 3: 2800, 4: 5200, 5: 10500}  # rupees a night, tier-1 city
TIER_FACTOR = {1: 1.0, 2: 0.85, 3: 0.7}
# name, max guests, beds, price factor, min stars
ROOM_TYPES = [
    ("Standard Room", 2, "1 double bed", 1.0, 1),
    ("Twin Room", 2, "2 single beds", 1.05, 1),
    ("Deluxe Room", 2, "1 king bed", 1.35, 2),
    ("Family Room", 4, "1 double bed and 2 single beds", 1.7, 2),
    ("Executive Room", 3, "1 king bed and 1 sofa bed", 1.8, 4),
    ("Suite", 3, "1 king bed and 1 sofa bed", 2.6, 4),
]
FIRST_NAMES = (
    "Aarav",
    "Vivaan",
    "Aditya",
    "Vihaan",
    "Arjun",
    "Sai",
    "Reyansh",
    "Krishna",
    "Ishaan",
    "Rohan",
    "Ananya",
    "Diya",
    "Saanvi",
    "Aadhya",
    "Kavya",
    "Priya",
    "Meera",
    "Lakshmi",
    "Fatima",
    "Zoya",
    "Rahul",
    "Neha",
    "Suresh",
    "Deepa",
    "Karthik",
    "Divya",
    "Imran",
    "Gurpreet",
    "Anjali",
    "Vikram",
)
LAST_NAMES = (
    "Sharma",
    "Verma",
    "Iyer",
    "Nair",
    "Reddy",
    "Patel",
    "Singh",
    "Khan",
    "Das",
    "Gupta",
    "Menon",
    "Rao",
    "Kulkarni",
    "Joshi",
    "Mukherjee",
    "Pillai",
    "Shetty",
    "Chowdhury",
    "Bose",
    "Naidu",
)
REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I look-alikes
CANCEL_RATE = 0.07  # a cancelled booking beside ~7% of confirmed ones: ~6.5% of all bookings are cancelled
ADMIN_CANCEL_SHARE = 0.15  # the rest were cancelled by the traveller
TRAVELLER_REASONS = (None, None, "Change of plans", "Booked the wrong date", "Found another option", "Trip postponed")
ADMIN_REASONS = ("Duplicate booking", "Customer called support", "Payment disputed")
BOOKING_COLUMNS = (
    "id",
    "reference",
    "user_id",
    "type",
    "status",
    "total_minor",
    "currency",
    "contact_email",
    "trip_id",
    "room_type_id",
    "check_in",
    "check_out",
    "rooms",
    "guests",
    "guest_name",
    "starts_at",
    "ends_at",
    "created_at",
    "refund_minor",
    "cancel_reason",
    "cancelled_by",
    "cancelled_at",
)
NOT_CANCELLED = (None, None, None, None)  # refund_minor, cancel_reason, cancelled_by, cancelled_at


async def is_empty() -> bool:
    async with db.reading() as cur:
        await cur.execute("SELECT EXISTS(SELECT 1 FROM cities) AS has_cities")
        return not (await cur.fetchone())["has_cities"]


async def clear_all(cur) -> None:
    await cur.execute("SET FOREIGN_KEY_CHECKS = 0")
    try:
        for table in ALL_TABLES:
            await cur.execute(f"DELETE FROM {table}")
    finally:
        await cur.execute("SET FOREIGN_KEY_CHECKS = 1")


async def _truncate_all() -> None:
    """TRUNCATE is far faster than DELETE on the large data set (it recreates the table).

    Not for `events`: TRUNCATE would restart its ids below the cursor of every running server's events poller,
    which would then wait for ids it has already passed (no live updates, no cache invalidation)."""
    async with db.reading() as cur:
        await cur.execute("SET FOREIGN_KEY_CHECKS = 0")
        try:
            for table in ALL_TABLES:
                await cur.execute(f"DELETE FROM {table}" if table == "events" else f"TRUNCATE TABLE {table}")
        finally:
            await cur.execute("SET FOREIGN_KEY_CHECKS = 1")


async def _refresh_statistics() -> None:
    """After a bulk load InnoDB's sampled statistics describe the old (often empty) tables, and the optimizer
    then picks plans for them: on the large seed the hotel search read room_inventory through its night index
    instead of its primary key until the next automatic recalculation. ANALYZE is a quick index dive per table."""
    async with db.reading() as cur:
        await cur.execute(f"ANALYZE TABLE {', '.join(ALL_TABLES)}")
        await cur.fetchall()


async def _announce_reload() -> None:
    """A catalog event: running servers drop every cached search answer (the data under them was replaced)."""
    async with db.transaction() as cur:
        await events.publish(cur, CATALOG_TOPIC, "reseeded", {})


async def seed(scale: str = "normal", admin_password: str = "admin-travelgo") -> dict[str, int]:
    """Replace all data with the sample set and return counts per table."""
    if scale not in SCALES:
        raise ValueError(f"scale must be one of {', '.join(SCALES)}")
    await _truncate_all()
    generator = _Generator(SCALES[scale], date.today())
    await generator.run(admin_password)
    await _refresh_statistics()
    await _announce_reload()
    return await counts()


_ESCAPES = str.maketrans({"\0": "\\0", "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\032": "\\Z", "'": "\\'", '"': '\\"'})


def _literal(value) -> str:
    """SQL literal for the seed's own generated values (pymysql's generic escaping was most of the run time)."""
    kind = type(value)
    if kind is int:
        return str(value)
    if kind is str:
        return "'" + value.translate(_ESCAPES) + "'"
    if value is None:
        return "NULL"
    if kind is datetime:
        return "'" + value.isoformat(" ") + "'"
    if kind is date:
        return "'" + value.isoformat() + "'"
    if kind is bool:
        return "1" if value else "0"
    if kind is float:
        return repr(value)
    raise TypeError(f"seed cannot write {kind.__name__}")


async def _insert(cur, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Multi-row INSERT … VALUES (…), (…) in batches of BATCH rows."""
    head = f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
    for start in range(0, len(rows), BATCH):
        values = ",".join("(" + ",".join(map(_literal, row)) + ")" for row in rows[start : start + BATCH])
        await cur.execute(head + values)


async def _put(queue: asyncio.Queue, item, loaders: list[asyncio.Task]) -> None:
    """queue.put that fails fast when a loader died (instead of waiting forever for a free slot)."""
    put = asyncio.ensure_future(queue.put(item))
    while not put.done():
        await asyncio.wait([put, *[t for t in loaders if not t.done()]], return_when=asyncio.FIRST_COMPLETED)
        for task in loaders:
            if task.done() and not task.cancelled() and task.exception() is not None:
                put.cancel()
                raise task.exception()
    put.result()


@asynccontextmanager
async def _loading():
    """A transaction for bulk loading generated rows: the generator builds consistent data, so
    foreign-key and unique checks are switched off for speed (and back on before the connection
    returns to the pool)."""
    async with db.transaction() as cur:
        await cur.execute("SET SESSION foreign_key_checks = 0, unique_checks = 0")
        try:
            yield cur
        finally:
            await cur.execute("SET SESSION foreign_key_checks = 1, unique_checks = 1")


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


class _Generator:
    def __init__(self, scale: Scale, today: date) -> None:
        self.scale = scale
        self.today = today
        self.now = datetime.now()
        self.rng = random.Random(RANDOM_SEED)
        self.cancel_rng = random.Random(RANDOM_SEED + 1)  # its own stream: confirmed data stays as it was
        self.references: set[str] = set()
        self.booking_id = 0
        self.user_ids: list[int] = []
        self.user_emails: dict[int, str] = {}
        self.asha_cancelled = False

    async def run(self, admin_password: str) -> None:
        async with _loading() as cur:
            await self._users(cur, admin_password)
            await self._cities(cur)
            await self._operators_and_vehicles(cur)
        self._plan_routes()
        await self._trips_and_bus_bookings()
        await self._hotels()

    # --- people ---------------------------------------------------------------------------------
    async def _users(self, cur, admin_password: str) -> None:
        rows = [(1, ADMIN_EMAIL, await hash_password(admin_password), "TravelGo Admin", None, "admin")]
        for n, (email, name, password) in enumerate(SAMPLE_TRAVELLERS, start=2):
            rows.append((n, email, await hash_password(password), name, f"+91 98200 0000{n}", "traveller"))
        # Other travellers own the background bookings; nobody knows their (random) password.
        unusable = await hash_password(secrets.token_urlsafe(24))
        for n in range(self.scale.background_users):
            first, last = self.rng.choice(FIRST_NAMES), self.rng.choice(LAST_NAMES)
            rows.append(
                (
                    len(rows) + 1,
                    f"{first.lower()}.{last.lower()}{n + 1}@travelgo.example",
                    unusable,
                    f"{first} {last}",
                    f"+91 9{self.rng.randrange(10**8, 10**9)}",
                    "traveller",
                )
            )
        await _insert(cur, "users", ("id", "email", "password_hash", "full_name", "phone", "role"), rows)
        self.user_emails = {row[0]: row[1] for row in rows}
        self.asha_id = 2
        self.user_ids = [row[0] for row in rows[3:]]

    # --- places and fleet -----------------------------------------------------------------------
    async def _cities(self, cur) -> None:
        self.cities = [(i, *c) for i, c in enumerate(CITIES[: self.scale.cities], start=1)]
        await _insert(
            cur,
            "cities",
            ("id", "name", "region", "country", "latitude", "longitude", "timezone"),
            [(i, name, region, "IN", lat, lon, TIMEZONE) for i, name, region, lat, lon, _ in self.cities],
        )

    async def _operators_and_vehicles(self, cur) -> None:
        self.operators = [(i, *o) for i, o in enumerate(OPERATORS[: self.scale.operators], start=1)]
        await _insert(cur, "operators", ("id", "name", "rating"), [(i, n, r) for i, n, r, _ in self.operators])
        vehicles, seats = [], []
        self.fleet: dict[tuple[int, str], list[tuple[int, tuple[str, ...]]]] = {}
        for op_id, op_name, _, types in self.operators:
            for bus_type in types:
                models, is_ac = BUS_MODELS[bus_type]
                for model_name, layout_key in models:
                    spec = LAYOUTS[layout_key]
                    vehicle_id = len(vehicles) + 1
                    layout_seats = seats_of(spec)
                    labels = [label for label, *_ in layout_seats]
                    seats.extend((vehicle_id, *seat) for seat in layout_seats)
                    vehicles.append(
                        (
                            vehicle_id,
                            op_id,
                            f"{op_name} {model_name}",
                            is_ac,
                            spec["berth"],
                            spec["layout"],
                            spec["decks"],
                            spec["rows"],
                            spec["cols"],
                            len(labels),
                        )
                    )
                    self.fleet.setdefault((op_id, bus_type), []).append((vehicle_id, tuple(labels)))
        await _insert(
            cur,
            "vehicles",
            (
                "id",
                "operator_id",
                "name",
                "is_ac",
                "berth",
                "layout",
                "decks",
                "rows_count",
                "cols_count",
                "seat_count",
            ),
            vehicles,
        )
        await _insert(cur, "vehicle_seats", ("vehicle_id", "label", "deck", "row_no", "col_no", "kind"), seats)

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
        """Generate one day at a time; two loader connections insert while the next day is generated."""
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
                await _put(queue, (trips, bookings, seats), loaders)
            for _ in loaders:
                await _put(queue, None, loaders)
            await asyncio.gather(*loaders)
        finally:
            for task in loaders:
                task.cancel()

    async def _load_days(self, queue: asyncio.Queue) -> None:
        while (item := await queue.get()) is not None:
            trips, bookings, seats = item
            async with _loading() as cur:
                await _insert(cur, "trips", TRIP_COLUMNS, trips)
                await self._insert_bookings(cur, bookings)
                await _insert(
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

    def _booking_user(self, key: int) -> int:
        # Asha (a documented sample login) has a couple of upcoming trips; everyone else is background.
        if key % 997 == 3 and self.rng.random() < 0.5:
            return self.asha_id
        return self.rng.choice(self.user_ids)

    def _person(self) -> str:
        return f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(LAST_NAMES)}"

    def _reference(self, rng: random.Random) -> str:
        while True:
            ref = "TG-" + "".join(rng.choice(REFERENCE_ALPHABET) for _ in range(6))
            if ref not in self.references:
                self.references.add(ref)
                return ref

    def _new_booking(
        self,
        bookings,
        user_id,
        kind,
        total_minor,
        *,
        trip_id=None,
        room_type_id=None,
        check_in=None,
        check_out=None,
        rooms=None,
        guests=None,
        guest_name=None,
        starts_at,
        ends_at,
        cancelled=False,
    ) -> int:
        self.booking_id += 1
        if cancelled:
            rng = self.cancel_rng
            created, cancellation = self._cancellation(total_minor, starts_at)
        else:
            rng = self.rng
            created = self.now - timedelta(days=rng.randint(0, 20), minutes=rng.randint(0, 1439))
            cancellation = NOT_CANCELLED
        bookings.append(
            (
                self.booking_id,
                self._reference(rng),
                user_id,
                kind,
                "cancelled" if cancelled else "confirmed",
                total_minor,
                CURRENCY,
                self.user_emails[user_id],
                trip_id,
                room_type_id,
                check_in,
                check_out,
                rooms,
                guests,
                guest_name,
                starts_at,
                ends_at,
                created,
                *cancellation,
            )
        )
        return self.booking_id

    def _cancellation(self, total_minor: int, starts_at: datetime) -> tuple[datetime, tuple]:
        """When a cancelled booking was made and cancelled (before it started), and its refund by the policy."""
        rng = self.cancel_rng
        created = self.now - timedelta(days=rng.randint(1, 20), minutes=rng.randint(0, 1439))
        cancelled_at = created + (min(self.now, starts_at) - created) * rng.uniform(0.05, 0.95)
        if rng.random() < ADMIN_CANCEL_SHARE:  # on the traveller's behalf: always a full refund
            return created, (total_minor, rng.choice(ADMIN_REASONS), "admin", cancelled_at)
        quote = refunds.quote(
            status="confirmed", total_minor=total_minor, currency=CURRENCY, starts_at=starts_at, now=cancelled_at
        )
        return created, (quote.amount_minor, rng.choice(TRAVELLER_REASONS), "traveller", cancelled_at)

    async def _insert_bookings(self, cur, bookings) -> None:
        await _insert(cur, "bookings", BOOKING_COLUMNS, bookings)

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
        async with _loading() as cur:
            await _insert(
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
            await _insert(
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
        async with _loading() as cur:
            await _insert(
                cur,
                "room_inventory",
                ("room_type_id", "night", "rooms_total", "rooms_booked", "price_minor", "stop_sell"),
                inventory,
            )
            await self._insert_bookings(cur, bookings)
            await _insert(
                cur, "booking_nights", ("booking_id", "room_type_id", "night", "rooms", "price_minor"), booking_nights
            )


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
        ):
            await cur.execute(f"SELECT COUNT(*) AS n FROM {table}")
            result[table] = (await cur.fetchone())["n"]
    return result
