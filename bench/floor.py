"""The raw database floor: the booking transaction run straight through aiomysql, no HTTP, no framework.

When the booking engine is present this runs its own transaction (bookings.engine.create for one BusSeats unit,
db.run_in_transaction: lock the trip row, check the seats, bump the counter, insert the booking, its seats and an
outbox event, commit), so the floor is exactly the transaction an API booking commits. Without it, book_seat()
below is the same statement sequence written out. Over distinct seats.
Run as `python -m bench.floor --part K --parts N …`; bench/run.py starts one process per server worker so the
floor gets the same number of Python processes as the server it is compared with. Prints one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import secrets
import string
import sys
import time
from datetime import datetime

import aiomysql
import uvloop

from travelgo.config import DatabaseURL

ALPHABET = string.ascii_uppercase + string.digits


async def book_seat(cur, user_id: int, trip_id: int, seat: str) -> bool:
    """One bus booking of one seat, as the booking service does it; False when the seat is taken."""
    await cur.execute("BEGIN")
    try:
        await cur.execute(
            """SELECT id, status, seats_total, seats_booked, price_minor, currency, departs_at, arrives_at
                 FROM trips WHERE id = %(trip_id)s FOR UPDATE""",
            {"trip_id": trip_id},
        )
        trip = await cur.fetchone()
        await cur.execute(
            """SELECT vs.label, bs.id AS held
                 FROM vehicle_seats vs
                 JOIN trips t ON t.vehicle_id = vs.vehicle_id
                 LEFT JOIN booking_seats bs ON bs.trip_id = t.id AND bs.seat_label = vs.label AND bs.held = 1
                WHERE t.id = %(trip_id)s AND vs.label IN (%(seat)s)""",
            {"trip_id": trip_id, "seat": seat},
        )
        rows = await cur.fetchall()
        if not rows or any(r["held"] for r in rows) or trip["seats_booked"] + 1 > trip["seats_total"]:
            await cur.execute("ROLLBACK")
            return False
        reference = "TG-" + "".join(secrets.choice(ALPHABET) for _ in range(6))
        await cur.execute(
            """INSERT INTO bookings (reference, user_id, type, status, total_minor, currency, contact_email,
                                     trip_id, starts_at, ends_at)
               VALUES (%(reference)s, %(user_id)s, 'bus', 'confirmed', %(total)s, %(currency)s,
                       'bench@travelgo.example', %(trip_id)s, %(starts)s, %(ends)s)""",
            {
                "reference": reference,
                "user_id": user_id,
                "total": trip["price_minor"],
                "currency": trip["currency"],
                "trip_id": trip_id,
                "starts": trip["departs_at"],
                "ends": trip["arrives_at"],
            },
        )
        booking_id = cur.lastrowid
        await cur.execute(
            """INSERT INTO booking_seats (booking_id, trip_id, seat_label, passenger_name, passenger_age, price_minor)
               VALUES (%(booking_id)s, %(trip_id)s, %(seat)s, 'Bench Passenger', 30, %(price)s)""",
            {"booking_id": booking_id, "trip_id": trip_id, "seat": seat, "price": trip["price_minor"]},
        )
        await cur.execute(
            "UPDATE trips SET seats_booked = seats_booked + 1 WHERE id = %(trip_id)s", {"trip_id": trip_id}
        )
        await cur.execute(
            "INSERT INTO events (topic, kind, payload) VALUES (%(topic)s, 'booking', %(payload)s)",
            {
                "topic": f"trip:{trip_id}",
                "payload": json.dumps({"trip_id": trip_id, "seats": [seat], "at": datetime.now().isoformat()}),
            },
        )
        await cur.execute("COMMIT")
        return True
    except BaseException:
        await cur.execute("ROLLBACK")
        raise


def service_transaction():
    """What the booking engine commits for one seat: the hold (open-holds limit on, as in production) and its
    TestPay order, exactly as POST /api/v1/bookings does before it reads the booking back."""
    try:
        from travelgo import payments
        from travelgo.bookings import engine
        from travelgo.bookings.errors import SeatsUnavailable
        from travelgo.bookings.kinds import BusSeats
        from travelgo.checkout.service import open_order
        from travelgo.config import Settings
    except ImportError:
        return None, None
    provider = payments.build(Settings.from_env())

    async def work(user_id, trip_id, seats, passengers, email):
        new = engine.NewBooking(
            user_id, BusSeats(trip_id, seats, passengers), email, hold_seconds=600, max_open_holds=10**6
        )
        made = await engine.create(new)
        await open_order(made, provider, "http://127.0.0.1")
        return made

    return work, SeatsUnavailable


async def _drive(book, items, concurrency: int, seconds: float) -> dict:
    """`concurrency` tasks take items until they run out or time is up; book(item) -> True booked, False taken."""
    queue = list(reversed(items))
    latencies: list[float] = []
    outcomes = {"booked": 0, "taken": 0, "error": 0}
    deadline = time.perf_counter() + seconds

    async def worker() -> None:
        while queue and time.perf_counter() < deadline:
            item = queue.pop()
            started = time.perf_counter()
            try:
                outcomes["booked" if await book(item) else "taken"] += 1
            except Exception:
                outcomes["error"] += 1
            latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    latencies.sort()

    def pick(q: float) -> float | None:
        return round(latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000, 2) if latencies else None

    return {"seconds": round(time.perf_counter() - started, 2), **outcomes, "p50_ms": pick(0.5), "p99_ms": pick(0.99)}


async def run_service(url: DatabaseURL, items: list[tuple[int, int, str]], concurrency: int, seconds: float) -> dict:
    """The floor through the booking engine and db.run_in_transaction (no HTTP)."""
    from travelgo import db

    work, taken_error = service_transaction()
    await db.open_pools(url, size=concurrency)
    passenger = [{"name": "Bench Passenger", "age": 30}]

    async def book(item) -> bool:
        user_id, trip_id, seat = item
        try:
            await work(user_id, trip_id, [seat], passenger, "bench@travelgo.example")
        except taken_error:
            return False
        return True

    try:
        return {"mode": "service transaction", **await _drive(book, items, concurrency, seconds)}
    finally:
        await db.close_pools()


async def run(url: DatabaseURL, items: list[tuple[int, int, str]], concurrency: int, seconds: float) -> dict:
    if service_transaction()[0] is not None:
        return await run_service(url, items, concurrency, seconds)
    pool = await aiomysql.create_pool(
        minsize=concurrency,
        maxsize=concurrency,
        autocommit=True,
        init_command="SET SESSION innodb_lock_wait_timeout = 5",
        **url.connect_kwargs(),
    )

    async def book(item) -> bool:
        async with pool.acquire() as conn, conn.cursor(aiomysql.DictCursor) as cur:
            return await book_seat(cur, *item)

    try:
        return {"mode": "hand-written SQL", **await _drive(book, items, concurrency, seconds)}
    finally:
        pool.close()
        await pool.wait_closed()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--items", required=True, help="file of 'user_id trip_id seat' lines")
    parser.add_argument("--part", type=int, default=0)
    parser.add_argument("--parts", type=int, default=1)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10)
    args = parser.parse_args()
    with open(args.items) as f:
        lines = [line.split() for i, line in enumerate(f) if i % args.parts == args.part and line.strip()]
    items = [(int(u), int(t), s) for u, t, s in lines]
    random.seed(args.part)
    # the same event loop as the server (hypercorn.toml: worker_class = "uvloop"), so the floor is not handicapped
    result = uvloop.run(run(DatabaseURL.parse(args.url), items, args.concurrency, args.seconds))
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
