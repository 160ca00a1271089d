"""The raw database floor: TravelGo's booking transaction run straight through aiomysql, no HTTP, no framework,
and (--minimal) the least a booking-shaped transaction can cost on the same server, the yardstick of issue 24.

The floor runs the engine's own transaction (bookings.engine.create for one BusSeats unit through
db.run_in_transaction, then the TestPay order and our payments row, as POST /api/v1/bookings commits them); --hold
runs the hold alone, the booking transaction issue 24 compares with the minimal one (neither opens a payment). The minimal
transaction locks one seat row, marks it taken, decrements the trip's counter and inserts a booking, an item and an
outbox event, on bench_min_* tables of its own (prepare_minimal). Both over distinct seats.
Run as `python -m bench.floor --part K --parts N …`; bench/run.py starts one process per server worker so both get
the same number of Python processes as the server they are compared with. Prints one JSON line.
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


MINIMAL_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS bench_min_trips (
         id BIGINT UNSIGNED PRIMARY KEY, seats_left INT NOT NULL, CHECK (seats_left >= 0)) ENGINE=InnoDB""",
    """CREATE TABLE IF NOT EXISTS bench_min_seats (
         trip_id BIGINT UNSIGNED NOT NULL, label VARCHAR(8) NOT NULL, booking_id BIGINT UNSIGNED NULL,
         PRIMARY KEY (trip_id, label)) ENGINE=InnoDB""",
    """CREATE TABLE IF NOT EXISTS bench_min_bookings (
         id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY, reference CHAR(9) NOT NULL UNIQUE,
         user_id BIGINT UNSIGNED NOT NULL, trip_id BIGINT UNSIGNED NOT NULL, total_minor BIGINT NOT NULL,
         created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)) ENGINE=InnoDB""",
    """CREATE TABLE IF NOT EXISTS bench_min_items (
         id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY, booking_id BIGINT UNSIGNED NOT NULL,
         trip_id BIGINT UNSIGNED NOT NULL, seat_label VARCHAR(8) NOT NULL, passenger_name VARCHAR(100) NOT NULL,
         price_minor BIGINT NOT NULL) ENGINE=InnoDB""",
    """CREATE TABLE IF NOT EXISTS bench_min_events (
         id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY, topic VARCHAR(64) NOT NULL, payload TEXT NOT NULL)
         ENGINE=InnoDB""",
)


async def prepare_minimal(url: DatabaseURL, items: list[tuple[int, int, str]]) -> None:
    """Fresh bench_min_* tables holding one free seat row per item (and its trip's counter)."""
    conn = await aiomysql.connect(autocommit=True, **url.connect_kwargs())
    try:
        async with conn.cursor() as cur:
            for table in ("bench_min_events", "bench_min_items", "bench_min_bookings", "bench_min_seats"):
                await cur.execute(f"DROP TABLE IF EXISTS {table}")
            await cur.execute("DROP TABLE IF EXISTS bench_min_trips")
            for statement in MINIMAL_SCHEMA:
                await cur.execute(statement)
            seats: dict[int, int] = {}
            for _user, trip, _seat in items:
                seats[trip] = seats.get(trip, 0) + 1
            await cur.executemany("INSERT INTO bench_min_trips (id, seats_left) VALUES (%s, %s)", list(seats.items()))
            await cur.executemany(
                "INSERT INTO bench_min_seats (trip_id, label) VALUES (%s, %s)", [(t, s) for _u, t, s in items]
            )
    finally:
        conn.close()


async def book_seat_minimal(cur, user_id: int, trip_id: int, seat: str) -> bool:
    """The least a booking can cost (issue 24's yardstick): lock one seat row, mark it taken, decrement the trip's
    counter, insert a booking, an item and an outbox event; False when the seat is taken."""
    return await _one_transaction(cur, lambda: _book_minimal(cur, user_id, trip_id, seat))


async def _book_minimal(cur, user_id: int, trip_id: int, seat: str) -> bool:
    await cur.execute(
        "SELECT booking_id FROM bench_min_seats WHERE trip_id = %(trip)s AND label = %(seat)s FOR UPDATE",
        {"trip": trip_id, "seat": seat},
    )
    row = await cur.fetchone()
    if row is None or row["booking_id"] is not None:
        return False
    await cur.execute(
        "INSERT INTO bench_min_bookings (reference, user_id, trip_id, total_minor) VALUES (%s, %s, %s, 50000)",
        ("TG-" + "".join(secrets.choice(ALPHABET) for _ in range(6)), user_id, trip_id),
    )
    booking_id = cur.lastrowid
    await cur.execute(
        "UPDATE bench_min_seats SET booking_id = %s WHERE trip_id = %s AND label = %s", (booking_id, trip_id, seat)
    )
    await cur.execute("UPDATE bench_min_trips SET seats_left = seats_left - 1 WHERE id = %s", (trip_id,))
    await cur.execute(
        "INSERT INTO bench_min_items (booking_id, trip_id, seat_label, passenger_name, price_minor) "
        "VALUES (%s, %s, %s, 'Bench Passenger', 50000)",
        (booking_id, trip_id, seat),
    )
    await cur.execute(
        "INSERT INTO bench_min_events (topic, payload) VALUES (%s, %s)",
        (f"trip:{trip_id}", json.dumps({"trip_id": trip_id, "seats": [seat], "at": datetime.now().isoformat()})),
    )
    return True


async def book_seat_schema(cur, user_id: int, trip_id: int, seat: str) -> bool:
    """The minimal transaction's statements on TravelGo's own tables, with every key, foreign key and CHECK they
    enforce: lock the trip, insert the booking and its seat (the seat's unique key is the seat lock), count the seat,
    insert the outbox event. What the schema's invariants cost before any of the engine's own work
    (bench/floor_split.py prints it between the floor and the minimal transaction); False when the seat is taken."""
    return await _one_transaction(cur, lambda: _book_schema(cur, user_id, trip_id, seat))


async def _book_schema(cur, user_id: int, trip_id: int, seat: str) -> bool:
    await cur.execute(
        "SELECT departs_at, arrives_at, price_minor, currency FROM trips WHERE id = %s FOR UPDATE", (trip_id,)
    )
    trip = await cur.fetchone()
    await cur.execute(
        "INSERT INTO bookings (reference, user_id, type, status, expires_at, total_minor, currency, contact_email,"
        " trip_id, starts_at, ends_at) VALUES (%s, %s, 'bus', 'pending_payment',"
        " UTC_TIMESTAMP(6) + INTERVAL 600 SECOND, %s, %s, 'bench@travelgo.example', %s, %s, %s)",
        (
            "TG-" + "".join(secrets.choice(ALPHABET) for _ in range(6)),
            user_id,
            trip["price_minor"],
            trip["currency"],
            trip_id,
            trip["departs_at"],
            trip["arrives_at"],
        ),
    )
    booking_id = cur.lastrowid
    try:
        await cur.execute(
            "INSERT INTO booking_seats (booking_id, trip_id, seat_label, passenger_name, passenger_age,"
            " price_minor, held) VALUES (%s, %s, %s, 'Bench Passenger', 30, %s, 1)",
            (booking_id, trip_id, seat, trip["price_minor"]),
        )
    except aiomysql.IntegrityError:
        return False
    await cur.execute("UPDATE trips SET seats_booked = seats_booked + 1 WHERE id = %s", (trip_id,))
    await cur.execute(
        "INSERT INTO events (topic, kind, payload) VALUES (%s, 'seats', %s)",
        (f"trip:{trip_id}", json.dumps({"trip_id": trip_id, "seats": [seat], "at": datetime.now().isoformat()})),
    )
    return True


async def _one_transaction(cur, work) -> bool:
    """BEGIN, await work(), then COMMIT when it booked (True) or ROLLBACK when the seat was taken (False) or it
    failed."""
    await cur.execute("BEGIN")
    try:
        booked = await work()
    except BaseException:
        await cur.execute("ROLLBACK")
        raise
    await cur.execute("COMMIT" if booked else "ROLLBACK")
    return booked


def service_transaction(order: bool = True, max_open_holds: int | None = 10**6):
    """What the booking engine commits for one seat: the hold (open-holds limit on, as in production) and its
    TestPay order, exactly as POST /api/v1/bookings does before it reads the booking back (`order=False`: the hold
    alone, TravelGo's booking transaction as issue 24 measured it against the minimal one; `max_open_holds=None`: no
    open-holds limit, as bench/hold_parts.py measures what the limit costs)."""
    from travelgo import payments
    from travelgo.bookings import engine
    from travelgo.bookings.errors import SeatsUnavailable
    from travelgo.bookings.kinds import BusSeats
    from travelgo.checkout.service import open_order
    from travelgo.config import Settings

    provider = payments.build(Settings.from_env())

    async def work(user_id, trip_id, seats, passengers, email):
        new = engine.NewBooking(
            user_id, BusSeats(trip_id, seats, passengers), email, hold_seconds=600, max_open_holds=max_open_holds
        )
        made = await engine.create(new)
        if order:
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


async def run_service(
    url: DatabaseURL,
    items: list[tuple[int, int, str]],
    concurrency: int,
    seconds: float,
    order: bool = True,
    max_open_holds: int | None = 10**6,
) -> dict:
    """The floor through the booking engine and db.run_in_transaction (no HTTP); `order=False`: the hold alone."""
    from travelgo import db

    work, taken_error = service_transaction(order, max_open_holds)
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
        mode = "service transaction" if order else "the hold alone"
        return {"mode": mode, **await _drive(book, items, concurrency, seconds)}
    finally:
        await db.close_pools()


async def run_minimal(
    url: DatabaseURL, items: list[tuple[int, int, str]], concurrency: int, seconds: float, on_schema: bool = False
) -> dict:
    """The minimal booking-shaped transaction over the same kind of distinct seats, on the same pool settings
    (`on_schema`: its statements on TravelGo's own tables, book_seat_schema)."""
    pool = await aiomysql.create_pool(
        minsize=concurrency,
        maxsize=concurrency,
        autocommit=True,
        init_command="SET SESSION innodb_lock_wait_timeout = 5",
        **url.connect_kwargs(),
    )

    async def book(item) -> bool:
        async with pool.acquire() as conn, conn.cursor(aiomysql.DictCursor) as cur:
            return await (book_seat_schema if on_schema else book_seat_minimal)(cur, *item)

    mode = "minimal transaction on TravelGo's tables" if on_schema else "minimal booking-shaped transaction"
    try:
        return {"mode": mode, **await _drive(book, items, concurrency, seconds)}
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
    parser.add_argument("--minimal", action="store_true", help="the minimal transaction (prepare_minimal first)")
    parser.add_argument("--hold", action="store_true", help="the engine's hold alone (no provider order)")
    args = parser.parse_args()
    with open(args.items) as f:
        lines = [line.split() for i, line in enumerate(f) if i % args.parts == args.part and line.strip()]
    items = [(int(u), int(t), s) for u, t, s in lines]
    random.seed(args.part)
    # the same event loop as the server (hypercorn.toml: worker_class = "uvloop"), so the floor is not handicapped
    url = DatabaseURL.parse(args.url)
    if args.minimal:
        result = uvloop.run(run_minimal(url, items, args.concurrency, args.seconds))
    else:
        result = uvloop.run(run_service(url, items, args.concurrency, args.seconds, order=not args.hold))
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
