"""Inventory the booking benchmarks consume: a bench-only operator, two bench-only cities and their trips.

Rebuilt at the start of each run (after removing what the previous run booked), so the large seed that the
searches read is never consumed and every run starts from the same state.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Iterator
from datetime import date, datetime, timedelta

import aiomysql

from travelgo.config import DatabaseURL
from travelgo.passwords import hash_password
from travelgo.security import digest

OPERATOR = "TravelGo Bench Lines"
CITIES = (("Benchford", 50.1), ("Loadham", 50.2))
# As many travellers as concurrent clients: one traveller's holds queue on their account row (the exact open-holds
# limit), so four accounts booking for 32 clients would measure that queue, not the booking engine.
USERS = [f"bench{n}@travelgo.example" for n in range(32)]
PASSWORD = "bench-password-1"
# The booking phase's bookings come from many travellers, as on the site: each then has a hold or two open, as the
# open-holds limit (TRAVELGO_MAX_OPEN_HOLDS, 3 by default) keeps every real traveller. With only the 32 accounts
# above, each placed hundreds of unpaid holds in one run, which no traveller can, and every hold paid for counting them.
TRAVELLERS = int(os.environ.get("BENCH_TRAVELLERS", 8000))  # fewer only to compare with the old 32
SEATS_PER_TRIP = 40


def spread_seats(trips: list[int], seats_per_trip: int) -> Iterator[tuple[int, int, str]]:
    """Every seat of `trips` as (i, trip, seat label) in the order the booking benchmarks book them: booking i takes
    seat i // len(trips) + 1 on trip i % len(trips), so neighbours hit different trips (no lock queue)."""
    for i in range(len(trips) * seats_per_trip):
        yield i, trips[i % len(trips)], str(i // len(trips) + 1)


async def connect(url: DatabaseURL) -> aiomysql.Connection:
    return await aiomysql.connect(autocommit=True, **url.connect_kwargs())


async def reset(url: DatabaseURL, *, distinct_trips: int, hot_seats: int = 10) -> dict:
    """Remove the previous run's bench trips and bookings and create fresh ones; returns their ids."""
    conn = await connect(url)
    try:
        async with conn.cursor(aiomysql.DictCursor) as cur:
            await _remove(cur)
            await cur.execute("BEGIN")
            operator_id = await _operator(cur)
            city_ids = [await _city(cur, name, lat) for name, lat in CITIES]
            vehicle_id = await _vehicle(cur, operator_id, SEATS_PER_TRIP)
            hot_vehicle_id = await _vehicle(cur, operator_id, hot_seats)
            departs = datetime.combine(date.today() + timedelta(days=45), datetime.min.time())
            rows = [
                (
                    operator_id,
                    vehicle_id,
                    city_ids[0],
                    city_ids[1],
                    departs + timedelta(minutes=i),
                    departs + timedelta(minutes=i + 180),
                    SEATS_PER_TRIP,
                )
                for i in range(distinct_trips)
            ]
            rows.append(
                (
                    operator_id,
                    hot_vehicle_id,
                    city_ids[1],
                    city_ids[0],
                    departs,
                    departs + timedelta(minutes=180),
                    hot_seats,
                )
            )
            await cur.executemany(
                """INSERT INTO trips (operator_id, vehicle_id, origin_id, destination_id, departs_at, arrives_at,
                                      duration_minutes, price_minor, currency, seats_total, amenities,
                                      boarding_points, dropping_points)
                   VALUES (%s, %s, %s, %s, %s, %s, 180, 1500, 'EUR', %s, 'wifi', %s, %s)""",
                [
                    (
                        *row,
                        json.dumps([{"name": "Bench Stop", "time": "00:00"}]),
                        json.dumps([{"name": "Load Stop", "time": "03:00"}]),
                    )
                    for row in rows
                ],
            )
            await cur.execute("SELECT id FROM trips WHERE operator_id = %s ORDER BY id", (operator_id,))
            trip_ids = [row["id"] for row in await cur.fetchall()]
            password_hash = await hash_password(PASSWORD)  # one hash for all: argon2 takes ~0.2 s a time
            user_ids = [await _user(cur, email, password_hash) for email in USERS]
            await cur.execute("COMMIT")
    finally:
        conn.close()
    return {
        "trips": trip_ids[:-1],
        "hot_trip": trip_ids[-1],
        "hot_seats": hot_seats,
        "seats_per_trip": SEATS_PER_TRIP,
        "users": user_ids,
    }


async def travellers(url: DatabaseURL) -> list[tuple[int, str]]:
    """(user id, API token key) of the TRAVELLERS bench travellers: the accounts are made once, the tokens afresh
    each run (their digests stored as the app stores them; bench/run.py signs the keys as the API would)."""
    emails = [f"bench-traveller-{n}@travelgo.example" for n in range(TRAVELLERS)]
    conn = await connect(url)
    try:
        async with conn.cursor(aiomysql.DictCursor) as cur:
            await cur.execute("SELECT COUNT(*) AS n FROM users WHERE email LIKE 'bench-traveller-%%'")
            if (await cur.fetchone())["n"] < TRAVELLERS:
                password_hash = await hash_password(PASSWORD)
                await cur.executemany(
                    "INSERT IGNORE INTO users (email, password_hash, full_name, role) "
                    "VALUES (%s, %s, 'Bench Traveller', 'traveller')",
                    [(email, password_hash) for email in emails],
                )
            await cur.execute("SELECT id, email FROM users WHERE email LIKE 'bench-traveller-%%'")
            ids = {row["email"]: row["id"] for row in await cur.fetchall()}
            await cur.execute(
                "DELETE t FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE u.email LIKE 'bench-traveller-%%'"
            )
            made = [(ids[email], secrets.token_hex(16)) for email in emails]
            await cur.executemany(
                "INSERT INTO api_tokens (user_id, token_key, expires_at) VALUES (%s, %s, UTC_TIMESTAMP() + INTERVAL 1 DAY)",
                [(user_id, digest(key)) for user_id, key in made],
            )
    finally:
        conn.close()
    return made


async def cleanup(url: DatabaseURL) -> None:
    conn = await connect(url)
    try:
        async with conn.cursor(aiomysql.DictCursor) as cur:
            await _remove(cur)
    finally:
        conn.close()


async def _remove(cur) -> None:
    await cur.execute("SELECT id FROM operators WHERE name = %s", (OPERATOR,))
    row = await cur.fetchone()
    if not row:
        return
    operator = {"op": row["id"]}
    # Outbox events stay: deleting the newest ones would move MAX(events.id) below the auto-increment counter,
    # and a starting poller would then wait out thousands of "gaps" (old events are pruned after 24 h anyway).
    await cur.execute(
        "DELETE bs FROM booking_seats bs JOIN trips t ON t.id = bs.trip_id WHERE t.operator_id = %(op)s", operator
    )
    await cur.execute(
        "DELETE b FROM bookings b JOIN trips t ON t.id = b.trip_id WHERE t.operator_id = %(op)s", operator
    )  # their payments, refunds and payment events go with them (ON DELETE CASCADE)
    for table in ("testpay_webhooks", "testpay_refunds", "testpay_payments", "testpay_orders"):
        await cur.execute(f"DELETE FROM {table}")  # the bench database's test gateway keeps nothing between runs
    await cur.execute("DELETE FROM trips WHERE operator_id = %(op)s", operator)
    await cur.execute("DELETE FROM vehicles WHERE operator_id = %s", (row["id"],))


async def _operator(cur) -> int:
    await cur.execute("INSERT IGNORE INTO operators (name, rating) VALUES (%s, 4.0)", (OPERATOR,))
    await cur.execute("SELECT id FROM operators WHERE name = %s", (OPERATOR,))
    return (await cur.fetchone())["id"]


async def _city(cur, name: str, lat: float) -> int:
    await cur.execute(
        """INSERT IGNORE INTO cities (name, region, country, latitude, longitude, timezone)
           VALUES (%s, 'Bench', 'XB', %s, 0, 'UTC')""",
        (name, lat),
    )
    await cur.execute("SELECT id FROM cities WHERE name = %s AND country = 'XB'", (name,))
    return (await cur.fetchone())["id"]


async def _vehicle(cur, operator_id: int, seats: int) -> int:
    rows_count = (seats + 3) // 4
    await cur.execute(
        """INSERT INTO vehicles (operator_id, name, is_ac, berth, layout, decks, rows_count, cols_count, seat_count)
           VALUES (%s, %s, 1, 'seater', '2+2', 1, %s, 5, %s)""",
        (operator_id, f"Bench coach {seats}", rows_count, seats),
    )
    vehicle_id = cur.lastrowid
    columns = [(1, "window"), (2, "aisle"), (4, "aisle"), (5, "window")]
    await cur.executemany(
        "INSERT INTO vehicle_seats (vehicle_id, label, deck, row_no, col_no, kind) VALUES (%s, %s, 1, %s, %s, %s)",
        [(vehicle_id, str(n + 1), n // 4 + 1, *columns[n % 4]) for n in range(seats)],
    )
    return vehicle_id


async def _user(cur, email: str, password_hash: str) -> int:
    await cur.execute("SELECT id FROM users WHERE email = %s", (email,))
    row = await cur.fetchone()
    if row:
        return row["id"]
    await cur.execute(
        "INSERT INTO users (email, password_hash, full_name, role) VALUES (%s, %s, 'Bench Traveller', 'traveller')",
        (email, password_hash),
    )
    return cur.lastrowid
