"""Restaurants for the seeded cities: 6-8 in each metro, 4-5 in each mid-size city, 2-3 elsewhere, with real-looking
names, cuisines, opening hours, tables (some adjacent pairs that may be pushed together) and, for the coming week,
table bookings that fill part of the evening at the instant, no-deposit places.

Its own random stream (the rest of the sample data is the same with or without it). Called once from seed().
Opening hours are the seeded (Indian) cities' wall-clock times.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

from .. import db
from ..restaurants import seating
from .data import CITIES, CURRENCY, FIRST_NAMES, LAST_NAMES, REFERENCE_ALPHABET
from .loading import insert_rows, loading

RANDOM_SEED = 170_017
COUNT_BY_TIER = {1: (6, 8), 2: (4, 5), 3: (2, 3)}
BOOKED_DAYS = 7

# (cuisine, name stems, price levels, kind): kind sets hours and sitting length.
CONCEPTS = [
    (
        "North Indian",
        ("Punjab Grill", "Tandoor House", "Dhaba Express", "Kesar Rasoi", "Amritsari Kulcha Co."),
        (2, 3),
        "dining",
    ),
    (
        "South Indian",
        ("Saravana Tiffin", "Udupi Bhavan", "Dosa Corner", "Banana Leaf", "Idli Factory"),
        (1, 2),
        "tiffin",
    ),
    ("Mughlai", ("Darbar-e-Khaas", "Nawab's Kitchen", "Zaffran", "Lucknowi Dastarkhwan"), (3, 4), "fine"),
    ("Coastal", ("Konkan Kinara", "Fish Curry Rice", "Mangalore Pearl", "Malabar Coast", "Gajalee"), (2, 3), "dining"),
    ("Hyderabadi", ("Paradise Biryani", "Bawarchi", "Shah Ghouse", "Nizam's Table"), (2, 3), "dining"),
    ("Chettinad", ("Anjappar Chettinad", "Karaikudi", "Chettiar's Mess"), (2,), "dining"),
    ("Gujarati", ("Rajdhani Thali", "Swati Snacks", "Gordhan Thal"), (2, 3), "thali"),
    ("Bengali", ("Bhojohori Manna", "Oh! Calcutta", "Kasturi"), (2, 3), "dining"),
    ("Chinese", ("Mainland China", "Hakka House", "Golden Dragon", "Wok Republic"), (2, 3), "dining"),
    ("Italian", ("Little Italy", "Trattoria Roma", "Pizzeria da Mario", "Olive Bistro"), (3, 4), "fine"),
    ("Continental", ("The Table", "Smoke House Deli", "Indigo Bistro", "Salt & Pepper"), (3, 4), "fine"),
    ("Cafe", ("Blue Tokai Cafe", "Third Wave Coffee", "Chai Point Cafe", "Cafe Mocha"), (1, 2), "cafe"),
]
AREAS = ("MG Road", "Old Town", "Market Road", "Station Road", "Lake View", "Civil Lines", "Beach Road", "High Street")
STREETS = ("1st Cross Road", "Temple Street", "Nehru Marg", "Church Lane", "Park Avenue", "Gandhi Road", "Bazaar Lane")
# (periods, sitting minutes) per kind; a fine-dining room takes requests and asks a deposit more often.
HOURS = {
    "dining": ([("12:00", "15:30"), ("19:00", "23:30")], 90),
    "fine": ([("12:30", "15:00"), ("19:00", "23:45")], 120),
    "tiffin": ([("07:00", "22:30")], 60),
    "thali": ([("11:30", "15:30"), ("19:00", "23:00")], 75),
    "cafe": ([("08:00", "23:00")], 60),
}
LAYOUTS = ([2, 2, 2, 4, 4, 4, 6], [2, 2, 4, 4, 4, 4, 6, 8], [2, 2, 2, 2, 4, 4], [2, 4, 4, 6, 6, 8, 10], [2, 2, 4, 4, 6])
DESCRIPTIONS = {
    "dining": "A busy, friendly dining room known for {c} food cooked fresh to order.",
    "fine": "An elegant room for a long {c} dinner: tasting menus, a good wine list and attentive service.",
    "tiffin": "Quick, honest {c} classics from breakfast to dinner; families welcome.",
    "thali": "Unlimited {c} thalis served at the table, refilled until you stop them.",
    "cafe": "Coffee, bakes and all-day {c} plates in a relaxed room.",
}
RESTAURANT_COLUMNS = (
    "id", "city_id", "name", "description", "address", "area", "cuisine", "price_level", "rating", "slot_minutes",
    "sitting_minutes", "confirmation", "response_minutes", "deposit_minor", "currency", "free_cancel_hours",
    "combine_tables", "max_party",
)  # fmt: skip
BOOKING_COLUMNS = (
    "id", "reference", "user_id", "type", "status", "total_minor", "currency", "contact_email", "restaurant_id",
    "guests", "guest_name", "starts_at", "ends_at", "created_at",
)  # fmt: skip


async def seed(today: date) -> dict[str, int]:
    """Add restaurants, tables, hours and a week of table bookings to the seeded cities (after the main seed)."""
    rng = random.Random(RANDOM_SEED)
    tiers = {name: tier for name, _, _, _, tier in CITIES}
    async with db.reading() as cur:
        await cur.execute("SELECT id, name FROM cities ORDER BY id")
        cities = [row for row in await cur.fetchall() if row["name"] in tiers]
        await cur.execute("SELECT id, email FROM users WHERE role = 'traveller' ORDER BY id LIMIT 2000")
        users = list(await cur.fetchall())
        await cur.execute("SELECT COALESCE(MAX(id), 0) AS n FROM bookings")
        next_booking = int((await cur.fetchone())["n"])
        await cur.execute("SELECT reference FROM bookings")
        references = {row["reference"] for row in await cur.fetchall()}
    restaurants, hours, tables, links = [], [], [], []
    plans = []  # (restaurant row, table rows, periods, closed weekday) for the bookings below
    for city in cities:
        low, high = COUNT_BY_TIER[tiers[city["name"]]]
        used: set[str] = set()
        for _ in range(rng.randint(low, high)):
            cuisine, stems, levels, kind = rng.choice(CONCEPTS)
            name = rng.choice([s for s in stems if s not in used] or stems)
            used.add(name)
            restaurant_id = len(restaurants) + 1
            periods, sitting = HOURS[kind]
            level = rng.choice(levels)
            request = kind == "fine" and rng.random() < 0.5 or rng.random() < 0.1
            deposit = {4: 50000, 3: 20000}.get(level, 0) if kind == "fine" and rng.random() < 0.6 else 0
            layout = rng.choice(LAYOUTS)
            combine = rng.random() < 0.6
            area = rng.choice(AREAS)
            row = (
                restaurant_id, city["id"], name, DESCRIPTIONS[kind].format(c=cuisine),
                f"{rng.randint(1, 220)}, {rng.choice(STREETS)}", area, cuisine, level, round(rng.uniform(3.4, 4.9), 1), 15, sitting,
                "request" if request else "instant", rng.choice((60, 120, 180)), deposit, CURRENCY,
                rng.choice((2, 4, 24)), int(combine), min(sum(sorted(layout)[-2:]) if combine else max(layout), 20),
            )  # fmt: skip
            restaurants.append(row)
            closed = rng.choice((None, None, 0, 1))  # some close one day a week
            for weekday in range(7):
                if weekday != closed:
                    hours.extend((restaurant_id, weekday, o, c) for o, c in periods)
            first = len(tables) + 1
            rows = [(first + i, restaurant_id, f"T{i + 1}", seats) for i, seats in enumerate(layout)]
            tables.extend(rows)
            if combine:  # neighbours of equal size stand side by side
                links.extend((a[0], b[0]) for a, b in zip(rows, rows[1:], strict=False) if a[3] == b[3] and a[3] <= 4)
            plans.append((row, rows, periods, closed))
    bookings, booking_tables, slots = [], [], []
    for row, rows, periods, closed in plans:
        if row[11] != "instant" or row[13] or not users:  # only instant, no-deposit places: nothing to pay
            continue
        restaurant_id, sitting = row[0], row[10]
        spans = [(time.fromisoformat(o), time.fromisoformat(c)) for o, c in periods]
        starts = [t for t in seating.start_times(15, sitting, spans) if t.hour >= 19]
        table_list = [seating.Table(r[0], r[2], r[3]) for r in rows]
        for offset in range(1, BOOKED_DAYS + 1):
            day = today + timedelta(days=offset)
            if day.weekday() == closed or not starts:
                continue
            taken: dict[int, set[datetime]] = {}
            for _ in range(rng.randint(0, len(rows))):
                at = rng.choice(starts)
                party = rng.choice((2, 2, 2, 3, 4, 4, 5, 6))
                sitting_slots = seating.sitting_slots(day, at, 15, sitting)
                chosen = seating.choose_tables(table_list, party, seating.busy_tables(taken, sitting_slots))
                if chosen is None:
                    continue
                next_booking += 1
                user = rng.choice(users)
                reference = _reference(rng, references)
                start = sitting_slots[0]
                created = datetime.now(UTC).replace(tzinfo=None) - timedelta(minutes=rng.randint(10, 6 * 24 * 60))
                bookings.append((
                    next_booking, reference, user["id"], "restaurant", "confirmed", 0, CURRENCY, user["email"],
                    restaurant_id, party, f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}", start,
                    start + timedelta(minutes=sitting), created,
                ))  # fmt: skip
                for table in chosen:
                    booking_tables.append((next_booking, table.id))
                    taken.setdefault(table.id, set()).update(sitting_slots)
                    slots.extend((table.id, s, next_booking) for s in sitting_slots)
    async with loading() as cur:
        await insert_rows(cur, "restaurants", RESTAURANT_COLUMNS, restaurants)
        await insert_rows(cur, "restaurant_hours", ("restaurant_id", "weekday", "opens", "closes"), hours)
        await insert_rows(cur, "restaurant_tables", ("id", "restaurant_id", "label", "seats"), tables)
        await insert_rows(cur, "restaurant_table_links", ("table_id", "adjacent_id"), links)
        await insert_rows(cur, "bookings", BOOKING_COLUMNS, bookings)
        await insert_rows(cur, "booking_tables", ("booking_id", "table_id"), booking_tables)
        await insert_rows(cur, "restaurant_table_slots", ("table_id", "slot_at", "booking_id"), slots)
    return {"restaurants": len(restaurants), "restaurant_tables": len(tables), "restaurant_bookings": len(bookings)}


def _reference(rng: random.Random, taken: set[str]) -> str:
    while True:
        reference = "TG-" + "".join(rng.choice(REFERENCE_ALPHABET) for _ in range(6))
        if reference not in taken:
            taken.add(reference)
            return reference
