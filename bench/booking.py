"""Booking throughput against a real Hypercorn, next to the raw database floor measured in the same run.

    .venv/bin/python bench/booking.py [--port 8201] [--workers 1] [--clients 32] [--bookings 1200]

1. Distinct seats: `--clients` concurrent API clients (keep-alive) book one seat each from a shared queue of free
   (trip, seat) pairs spread over many trips, until `--bookings` are made: bookings/s over HTTP.
2. Floor: the same lock-check-insert transaction (service._book_trip_tx through db.run_in_transaction on an aiomysql
   pool, no HTTP, no JSON), same concurrency, same number of bookings: bookings/s, and HTTP / floor as a ratio.
3. Hot seat: 500 clients at once for a trip with 10 free seats: winners (must be 10), status counts, p50/p99.

Uses its own database (travelgo_bench_booking, rebuilt each run) and starts Hypercorn itself with
TRAVELGO_RATE_LIMITS=off. Prints figures; it does not pass or fail.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import aiomysql  # noqa: E402

from travelgo import db, passwords  # noqa: E402
from travelgo.bookings import service  # noqa: E402
from travelgo.config import DatabaseURL  # noqa: E402
from travelgo.migrations import migrate  # noqa: E402
from travelgo.seed import clear_all  # noqa: E402

BENCH_DB = "travelgo_bench_booking"
PASSWORD = "bench-password-123"


# --- a tiny keep-alive HTTP/1.1 client (a general client library would measure itself, not the server) --------


class Connection:
    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(
        self, method: str, path: str, body: dict | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, dict]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        payload = json.dumps(body).encode() if body is not None else b""
        lines = [
            f"{method} {path} HTTP/1.1",
            f"Host: {self.host}:{self.port}",
            "Connection: keep-alive",
            f"Content-Length: {len(payload)}",
        ]
        if body is not None:
            lines.append("Content-Type: application/json")
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + payload)
        await self.writer.drain()
        status_line = await self.reader.readline()
        if not status_line:
            raise ConnectionError("server closed the connection")
        status = int(status_line.split()[1])
        length, close = 0, False
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode().partition(":")
            if name.lower() == "content-length":
                length = int(value)
            elif name.lower() == "connection" and value.strip().lower() == "close":
                close = True
        data = await self.reader.readexactly(length) if length else b""
        if close:
            await self.close()
        return status, (json.loads(data) if data else {})

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None


# --- arrangement ----------------------------------------------------------------------------------------------


async def build_database(url: DatabaseURL) -> None:
    conn = await aiomysql.connect(autocommit=True, **url.connect_kwargs(with_database=False))
    async with conn.cursor() as cur:
        await cur.execute(f"DROP DATABASE IF EXISTS `{BENCH_DB}`")
    conn.close()
    await migrate(url)


async def make_fleet(cur, seats: int) -> dict:
    """Two cities, an operator and one coach of `seats` seats (plain SQL: no test helpers needed)."""
    await cur.execute(
        "INSERT INTO cities (name, region, country, latitude, longitude, timezone) VALUES "
        "('Bench A', 'R', 'GB', 51.5, -0.1, 'Europe/London'), "
        "('Bench B', 'R', 'GB', 52.5, -1.9, 'Europe/London')"
    )
    await cur.execute("SELECT id FROM cities WHERE name IN ('Bench A', 'Bench B') ORDER BY name")
    origin, destination = [r["id"] for r in await cur.fetchall()]
    await cur.execute("INSERT INTO operators (name, rating) VALUES ('Bench Coaches', 4.0)")
    operator = cur.lastrowid
    await cur.execute(
        "INSERT INTO vehicles (operator_id, name, layout, rows_count, cols_count, seat_count) VALUES (%s, 'Bench', "
        "'2+2', %s, 5, %s)",
        (operator, (seats + 3) // 4, seats),
    )
    vehicle = cur.lastrowid
    columns = [(1, "window"), (2, "aisle"), (4, "aisle"), (5, "window")]
    await cur.executemany(
        "INSERT INTO vehicle_seats (vehicle_id, label, row_no, col_no, kind) VALUES (%s, %s, %s, %s, %s)",
        [(vehicle, str(n + 1), n // 4 + 1, columns[n % 4][0], columns[n % 4][1]) for n in range(seats)],
    )
    return {"origin": origin, "destination": destination, "operator": operator, "vehicle": vehicle, "seats": seats}


async def make_trips(cur, fleet: dict, count: int) -> list[int]:
    """`count` trips on the fleet's coach, departing in three days."""
    trip_ids = []
    for _ in range(count):
        await cur.execute(
            """INSERT INTO trips (operator_id, vehicle_id, origin_id, destination_id, departs_at, arrives_at,
                                  duration_minutes, price_minor, seats_total, boarding_points, dropping_points)
               VALUES (%s, %s, %s, %s, NOW() + INTERVAL 3 DAY, NOW() + INTERVAL 3 DAY + INTERVAL 3 HOUR, 180, 2500,
                       %s, '[]', '[]')""",
            (fleet["operator"], fleet["vehicle"], fleet["origin"], fleet["destination"], fleet["seats"]),
        )
        trip_ids.append(cur.lastrowid)
    return trip_ids


async def make_users(cur, n: int) -> list[dict]:
    password_hash = await passwords.hash_password(PASSWORD)
    users = []
    for i in range(n):
        email = f"bench{i}-{random.randrange(10**9)}@example.com"
        await cur.execute(
            "INSERT INTO users (email, password_hash, full_name) VALUES (%s, %s, 'Bench User')", (email, password_hash)
        )
        users.append({"id": cur.lastrowid, "email": email})
    return users


def start_server(port: int, workers: int, url: DatabaseURL) -> subprocess.Popen:
    auth = url.user + (f":{url.password}" if url.password else "")
    env = {
        **os.environ,
        "DATABASE_URL": f"mysql://{auth}@{url.host}:{url.port}/{BENCH_DB}",
        "TRAVELGO_RATE_LIMITS": "off",
        "LOG_LEVEL": "WARNING",
        "TRAVELGO_ENV": "development",
    }
    return subprocess.Popen(
        [
            str(ROOT / ".venv/bin/hypercorn"),
            "--config",
            str(ROOT / "hypercorn.toml"),
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "travelgo.asgi:app",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


async def wait_ready(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = Connection("127.0.0.1", port)
            status, _ = await conn.request("GET", "/healthz")
            await conn.close()
            if status == 200:
                return
        except OSError:
            pass
        await asyncio.sleep(0.2)
    raise RuntimeError(f"Hypercorn did not answer on port {port} within {timeout:.0f}s")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def body(trip_id: int, seat: str) -> dict:
    return {"type": "bus", "trip_id": trip_id, "seats": [seat], "passengers": [{"name": "Bench Rider", "age": 33}]}


# --- the three measurements -------------------------------------------------------------------------------------


async def http_distinct(port: int, tokens: list[str], work: list[tuple[int, str]], clients: int) -> dict:
    queue = list(reversed(work))
    statuses: Counter = Counter()
    latencies: list[float] = []

    async def client(i: int) -> None:
        conn = Connection("127.0.0.1", port)
        headers = {"Authorization": f"Bearer {tokens[i % len(tokens)]}"}
        try:
            while queue:
                trip_id, seat = queue.pop()
                started = time.perf_counter()
                status, _ = await conn.request("POST", "/api/v1/bookings", body(trip_id, seat), headers)
                latencies.append(time.perf_counter() - started)
                statuses[status] += 1
        finally:
            await conn.close()

    started = time.perf_counter()
    await asyncio.gather(*(client(i) for i in range(clients)))
    elapsed = time.perf_counter() - started
    return {"rate": statuses[201] / elapsed, "elapsed": elapsed, "statuses": statuses, "latencies": latencies}


async def db_floor(users: list[dict], work: list[tuple[int, str]], clients: int) -> dict:
    queue = list(reversed(work))
    done = Counter()
    rider = [{"name": "Bench Rider", "age": 33, "gender": None}]

    async def client(i: int) -> None:
        user = users[i % len(users)]
        while queue:
            trip_id, seat = queue.pop()
            await db.run_in_transaction(
                service._book_trip_tx, user["id"], trip_id, [seat], rider, user["email"], None, None
            )
            done["ok"] += 1

    started = time.perf_counter()
    await asyncio.gather(*(client(i) for i in range(clients)))
    elapsed = time.perf_counter() - started
    return {"rate": done["ok"] / elapsed, "elapsed": elapsed}


async def hot_seat(port: int, tokens: list[str], trip_id: int, free: list[str], racers: int) -> dict:
    go = asyncio.Event()
    statuses: Counter = Counter()
    latencies: list[float] = []
    rng = random.Random(11)

    async def racer(i: int) -> None:
        conn = Connection("127.0.0.1", port)
        try:
            await conn.request("GET", "/healthz")  # connect before the start signal
            await go.wait()
            started = time.perf_counter()
            status, _ = await conn.request(
                "POST",
                "/api/v1/bookings",
                body(trip_id, rng.choice(free)),
                {"Authorization": f"Bearer {tokens[i % len(tokens)]}"},
            )
            latencies.append(time.perf_counter() - started)
            statuses[status] += 1
        except (OSError, ConnectionError):
            statuses["connection error"] += 1
        finally:
            await conn.close()

    tasks = [asyncio.create_task(racer(i)) for i in range(racers)]
    await asyncio.sleep(1.0)  # let every racer connect (not a measurement)
    started = time.perf_counter()
    go.set()
    await asyncio.gather(*tasks)
    return {"elapsed": time.perf_counter() - started, "statuses": statuses, "latencies": latencies}


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8201)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--bookings", type=int, default=1200)
    parser.add_argument("--racers", type=int, default=500)
    args = parser.parse_args()

    base = DatabaseURL.parse(os.environ.get("DATABASE_URL", "mysql://root@127.0.0.1:3306/travelgo"))
    url = base.with_database(BENCH_DB)
    await build_database(url)
    passwords.use_cheap_parameters()  # token logins are set-up, not what is measured
    await db.open_pools(url, size=20)
    seats_per_trip = 40
    trips_needed = -(-args.bookings // seats_per_trip)
    async with db.transaction() as cur:
        await clear_all(cur)
        fleet = await make_fleet(cur, seats_per_trip)
        http_trips = await make_trips(cur, fleet, trips_needed)
        floor_trips = await make_trips(cur, fleet, trips_needed)
        [hot_trip, warm_trip] = await make_trips(cur, fleet, 2)
        users = await make_users(cur, 8)
    owner = {"id": users[0]["id"], "email": users[0]["email"]}

    def spread(trip_ids: list[int]) -> list[tuple[int, str]]:
        # Seat-major order: consecutive bookings land on different trips, as independent travellers would.
        return [(t, str(s)) for s in range(1, seats_per_trip + 1) for t in trip_ids][: args.bookings]

    # 30 of the hot trip's 40 seats are already sold; 10 are left for 500 racers.
    for first in range(1, 31, 3):
        await db.run_in_transaction(
            service._book_trip_tx,
            owner["id"],
            hot_trip,
            [str(first), str(first + 1), str(first + 2)],
            [{"name": "Early Bird", "age": 40}] * 3,
            owner["email"],
            None,
            None,
        )
    free = [str(s) for s in range(31, 41)]

    server = start_server(args.port, args.workers, base)
    try:
        await wait_ready(args.port)
        tokens = []
        for user in users:
            conn = Connection("127.0.0.1", args.port)
            status, out = await conn.request(
                "POST", "/api/v1/auth/token", {"email": user["email"], "password": PASSWORD}
            )
            await conn.close()
            if status != 200:
                raise RuntimeError(f"token request failed: {status} {out}")
            tokens.append(out["access_token"])
        warm = Connection("127.0.0.1", args.port)  # warm the server's pool and code paths on a throwaway trip
        for s in range(1, 21):
            await warm.request(
                "POST", "/api/v1/bookings", body(warm_trip, str(s)), {"Authorization": f"Bearer {tokens[0]}"}
            )
        await warm.close()

        http = await http_distinct(args.port, tokens, spread(http_trips), args.clients)
        floor = await db_floor(users, spread(floor_trips), args.clients)
        hot = await hot_seat(args.port, tokens, hot_trip, free, args.racers)
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()

    from travelgo.bookings.integrity import check_inventory

    problems = await check_inventory()
    await db.close_pools()

    ms = [x * 1000 for x in http["latencies"]]
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}; Hypercorn workers={args.workers}")
    print(
        f"distinct seats over HTTP : {http['rate']:7.1f} bookings/s  ({sum(http['statuses'].values())} requests, "
        f"{args.clients} clients, {http['elapsed']:.2f}s, statuses {dict(http['statuses'])}, "
        f"p50 {statistics.median(ms):.1f} ms, p99 {percentile(ms, 99):.1f} ms)"
    )
    print(
        f"database floor (aiomysql): {floor['rate']:7.1f} bookings/s  (same transaction, {args.clients} tasks, "
        f"{floor['elapsed']:.2f}s)"
    )
    print(f"HTTP / floor ratio        : {http['rate'] / floor['rate']:.2f}")
    hot_ms = [x * 1000 for x in hot["latencies"]]
    print(
        f"hot seat: {args.racers} clients, {len(free)} free seats -> winners {hot['statuses'][201]}, "
        f"statuses {dict(hot['statuses'])}, p50 {statistics.median(hot_ms):.0f} ms, "
        f"p99 {percentile(hot_ms, 99):.0f} ms, all done in {hot['elapsed']:.2f}s"
    )
    print("check-inventory after the run: " + ("OK" if not problems else f"{len(problems)} breaches: {problems[:3]}"))


if __name__ == "__main__":
    asyncio.run(main())
