"""Search throughput: requests/s and p50/p99 latency for bus and hotel searches at 32 concurrent clients.

    SEED_SCALE=large make seed                      # once: the large data set (or point DATABASE_URL at one)
    .venv/bin/python -m bench.search --start        # starts Hypercorn on 127.0.0.1:8100 itself
    .venv/bin/python -m bench.search --url http://127.0.0.1:8000   # or measure a running server

A dependency-free keep-alive HTTP/1.1 client (one connection per simulated client), so the figures
are the server's, not a heavy client library's. Every loop is bounded by --seconds per scenario.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from datetime import date, timedelta
from urllib.parse import urlsplit

from travelgo import db
from travelgo.config import Settings

from .server import hypercorn_command


async def sample_urls(days_ahead: int = 2, count: int = 200) -> dict[str, list[str]]:
    """Real searches from the data: busy routes on a day and cities with hotels for a two-night stay."""
    day = date.today() + timedelta(days=days_ahead)
    settings = Settings.from_env()
    await db.open_pools(settings.database_url, size=2)
    try:
        async with db.reading() as cur:
            await cur.execute(
                """SELECT origin_id, destination_id FROM trips
                    WHERE departs_at >= %(day)s AND departs_at < %(day)s + INTERVAL 1 DAY
                    GROUP BY origin_id, destination_id ORDER BY COUNT(*) DESC, origin_id LIMIT %(n)s""",
                {"day": day, "n": count},
            )
            routes = await cur.fetchall()
            await cur.execute(
                "SELECT city_id FROM hotels GROUP BY city_id ORDER BY COUNT(*) DESC LIMIT %(n)s", {"n": count}
            )
            cities = [r["city_id"] for r in await cur.fetchall()]
    finally:
        await db.close_pools()
    stay = f"check_in={day}&check_out={day + timedelta(days=2)}&guests=2"
    sorts = ["price", "departure", "duration", "rating"]
    bus = [
        f"origin={r['origin_id']}&destination={r['destination_id']}&date={day}&sort={sorts[i % 4]}"
        for i, r in enumerate(routes)
    ]
    hotel = [f"city={c}&{stay}&sort={['price', 'rating', 'stars', 'distance'][i % 4]}" for i, c in enumerate(cities)]
    return {
        "bus search API": [f"/api/v1/bus-trips?{q}" for q in bus],
        "bus search page (htmx fragment)": [f"/buses?{q}" for q in bus],
        "hotel search API": [f"/api/v1/hotels?{q}" for q in hotel],
        "hotel search page (htmx fragment)": [f"/hotels?{q}" for q in hotel],
    }


class Client:
    """One keep-alive HTTP/1.1 connection."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def get(self, path: str, headers: dict[str, str]) -> int:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        extra = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        self.writer.write(f"GET {path} HTTP/1.1\r\nHost: {self.host}\r\n{extra}\r\n".encode())
        status_line = await self.reader.readline()
        if not status_line:
            raise ConnectionError("server closed the connection")
        status = int(status_line.split()[1])
        length, close = 0, False
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            if name.lower() == "content-length":
                length = int(value)
            elif name.lower() == "connection" and value.strip().lower() == "close":
                close = True
        await self.reader.readexactly(length)
        if close:
            await self.close()
        return status

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None


async def run_scenario(base: str, urls: list[str], headers: dict[str, str], clients: int, seconds: float) -> dict:
    parts = urlsplit(base)
    deadline = time.perf_counter() + seconds
    latencies: list[float] = []
    errors = 0

    async def worker(n: int) -> None:
        nonlocal errors
        client = Client(parts.hostname, parts.port or 80)
        i = n
        try:
            while time.perf_counter() < deadline:
                path = urls[i % len(urls)]
                i += clients
                started = time.perf_counter()
                try:
                    status = await client.get(path, headers)
                except (ConnectionError, asyncio.IncompleteReadError, OSError):
                    errors += 1
                    await client.close()
                    continue
                latencies.append(time.perf_counter() - started)
                if status != 200:
                    errors += 1
        finally:
            await client.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker(n) for n in range(clients)))
    elapsed = time.perf_counter() - started
    latencies.sort()
    pick = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000 if latencies else 0.0  # noqa: E731
    return {
        "requests": len(latencies),
        "rps": len(latencies) / elapsed,
        "p50": pick(0.50),
        "p99": pick(0.99),
        "mean": statistics.fmean(latencies) * 1000 if latencies else 0.0,
        "errors": errors,
    }


async def wait_ready(base: str, timeout: float = 30) -> None:
    parts = urlsplit(base)
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        try:
            client = Client(parts.hostname, parts.port or 80)
            if await client.get("/readyz", {}) == 200:
                await client.close()
                return
        except OSError:
            pass
        await asyncio.sleep(0.3)
    raise RuntimeError(f"{base} did not become ready in {timeout}s")


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="http://127.0.0.1:8100")
    parser.add_argument("--start", action="store_true", help="start Hypercorn on --url's port for the run")
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WORKERS", "2")))
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=10.0, help="per scenario")
    parser.add_argument("--warmup", type=float, default=2.0)
    args = parser.parse_args()

    scenarios = await sample_urls()
    if not scenarios["bus search API"] or not scenarios["hotel search API"]:
        print("no data: seed first (SEED_SCALE=large make seed)")
        return 2
    server = None
    if args.start:
        port = urlsplit(args.url).port
        env = {**os.environ, "LOG_LEVEL": "WARNING", "TRAVELGO_RATE_LIMITS": "off"}
        server = await asyncio.create_subprocess_exec(
            *hypercorn_command(port, args.workers),
            env=env,
        )
    try:
        await wait_ready(args.url)
        print(
            f"{args.url}  clients={args.clients}  {args.seconds:.0f}s per scenario"
            f"{f'  workers={args.workers}' if args.start else ''}"
        )
        print(f"{'scenario':<36}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}")
        for name, urls in scenarios.items():
            headers = {"HX-Request": "true"} if "htmx" in name else {}
            await run_scenario(args.url, urls, headers, args.clients, args.warmup)
            r = await run_scenario(args.url, urls, headers, args.clients, args.seconds)
            print(f"{name:<36}{r['rps']:>9.0f}{r['p50']:>9.1f}{r['p99']:>9.1f}{r['errors']:>8}")
    finally:
        if server is not None:
            server.terminate()
            await asyncio.wait_for(server.wait(), timeout=15)
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
