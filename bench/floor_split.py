"""Where the database floor's time goes (issue 24): CPU per booking on each side, and MariaDB's share per statement.

1. CPU per booking: the floor (bench/floor.py's service transaction: the hold and its TestPay order), the hold
   alone, the minimal
   booking-shaped transaction, and the minimal transaction's statements on TravelGo's own tables (what the schema's
   keys, foreign keys and checks cost before any of the engine's own work), each for a few seconds in this process (16 tasks, uvloop), over distinct seats of the
   bench fixtures. Python's CPU is this process's (time.process_time); MariaDB's is the server process's from /proc
   (only when the server runs on this machine), so other load on the machine inflates the MariaDB column, not the
   Python one.
2. MariaDB's share per statement: one booking at a time on one connection with SHOW PROFILES, summed per statement
   shape (numbers replaced by N). Profiling slows each statement by a similar amount, so read the shares, not the
   microseconds.

    python -m bench.floor_split [--seconds 6] [--bookings 60]     (needs `make bench`'s travelgo_bench database)
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import glob
import os
import re
import time
from collections.abc import Awaitable

import uvloop

from travelgo import db

from . import fixtures, floor
from .run import bench_url


def mariadb_cpu() -> float | None:
    """CPU seconds used so far by the local MariaDB/MySQL server, or None when there is none here."""
    for path in ("/run/mysqld/mysqld.pid", "/var/run/mysqld/mysqld.pid", *glob.glob("var/mysql/*.pid")):
        try:
            pid = int(open(path).read().strip())
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, ValueError):
            continue
    return None


def cpu_of(run: Awaitable[dict]) -> dict:
    """bookings/s, and CPU ms per booking on each side, of one floor.py run (a coroutine of run_service or
    run_minimal) driven to its end here."""
    python0, server0 = time.process_time(), mariadb_cpu()
    result = uvloop.run(run)
    python, server = time.process_time() - python0, mariadb_cpu()
    booked = result["booked"] or 1
    return {
        "per_s": result["booked"] / result["seconds"],
        "python_ms": python * 1000 / booked,
        "mariadb_ms": (server - server0) * 1000 / booked if server is not None else None,
        "errors": result["error"],
    }


def cpu_per_booking(url, items, name: str, seconds: float) -> dict:
    runs = {
        "floor": floor.run_service,
        "hold": lambda *a: floor.run_service(*a, order=False),
        "schema": lambda *a: floor.run_minimal(*a, on_schema=True),
        "minimal": floor.run_minimal,
    }
    figures = cpu_of(runs[name](url, items, 16, seconds))
    return {
        "bookings_per_s": round(figures["per_s"], 1),
        "python_ms": round(figures["python_ms"], 3),
        "mariadb_ms": round(figures["mariadb_ms"], 3) if figures["mariadb_ms"] is not None else None,
        "errors": figures["errors"],
    }


async def statement_shares(url, setup: dict, bookings: int) -> list[tuple[str, float, float]]:
    """(statement shape, share of the server's time, times per booking) over `bookings` floor bookings."""
    work, _ = floor.service_transaction()
    await db.open_pools(url, size=1)  # one connection: SHOW PROFILES sees every statement of the booking
    totals: collections.Counter = collections.Counter()
    counts: collections.Counter = collections.Counter()
    seen = 0  # SHOW PROFILES keeps the last 100 statements: count each Query_ID once
    try:
        for i in range(bookings):
            async with db.reading() as cur:
                await cur.execute("SET profiling = 1")
            passenger = [{"name": "Bench Passenger", "age": 30}]
            await work(setup["users"][i % 32], setup["trips"][i], ["1"], passenger, "bench@travelgo.example")
            async with db.reading() as cur:
                await cur.execute("SET profiling = 0")
                await cur.execute("SHOW PROFILES")
                for row in await cur.fetchall():
                    query = " ".join(row["Query"].split())
                    if row["Query_ID"] <= seen or query.startswith("SET profiling"):
                        continue
                    seen = row["Query_ID"]
                    shape = re.sub(r"\d+", "N", query)[:70]
                    totals[shape] += float(row["Duration"])
                    counts[shape] += 1
    finally:
        await db.close_pools()
    total = sum(totals.values()) or 1.0
    return [(shape, t / total, counts[shape] / bookings) for shape, t in totals.most_common()]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=6)
    parser.add_argument("--bookings", type=int, default=60)
    args = parser.parse_args()
    url = bench_url()
    setup = asyncio.run(fixtures.reset(url, distinct_trips=4000))
    users = [user_id for user_id, _ in asyncio.run(fixtures.travellers(url))]  # many, as bench/run.py books for
    trips = setup["trips"]
    per_run = len(trips) // 8

    def items(k: int) -> list[tuple[int, int, str]]:
        group = trips[k * per_run : (k + 1) * per_run]
        return [
            (users[i % len(users)], trip, seat)
            for i, trip, seat in fixtures.spread_seats(group, setup["seats_per_trip"])
        ]

    uvloop.run(floor.prepare_minimal(url, items(2) + items(5)))
    print("CPU per booking (16 tasks, one process; schema: the minimal transaction on TravelGo's own tables):")
    for k, name in enumerate(("floor", "hold", "minimal", "schema", "schema", "minimal", "hold", "floor")):
        figures = cpu_per_booking(url, items(k), name, args.seconds)
        print(f"  {name:8s} {figures}")
    print(f"\nMariaDB's share per statement ({args.bookings} floor bookings, one at a time, SHOW PROFILES):")
    setup = asyncio.run(fixtures.reset(url, distinct_trips=args.bookings))
    for shape, share, per_booking in asyncio.run(statement_shares(url, setup, args.bookings)):
        print(f"  {share:6.1%}  ×{per_booking:.1f}  {shape}")
    asyncio.run(fixtures.cleanup(url))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
