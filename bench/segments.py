"""Trains and flights in `make bench` (issue 18): the cross-mode trip search and segment bookings per second.

    python -m bench.run --only segments        (inside the full run: phase "segments")
    python -m bench.segments --url http://127.0.0.1:8820 --seconds 10   (against a server already running)

Search: GET /api/v1/trips between stops of the seeded trains (boarding after the first stop, so the segment
inventory is read) and on the busiest bus routes, mixed. Bookings: POST /api/v1/bookings {"type": "train"} for
one berth each on a random segment of runs 10-50 days out (no seeded sales there), every line a different (run,
berth) so no two bookings wait on each other; they are deleted afterwards and the legs' counters recomputed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
from datetime import date, timedelta

import aiomysql

from travelgo.config import DatabaseURL

from . import fixtures
from .wrkrun import wrk

GZIP = "Accept-Encoding: gzip"


async def _rows(url: DatabaseURL, sql: str, args=None) -> list[dict]:
    conn = await aiomysql.connect(autocommit=True, **url.connect_kwargs())
    try:
        async with conn.cursor(aiomysql.DictCursor) as cur:
            await cur.execute(sql, args)
            return list(await cur.fetchall())
    finally:
        conn.close()


def rows(url: DatabaseURL, sql: str, args=None) -> list[dict]:
    return asyncio.run(_rows(url, sql, args))


def search_paths(url: DatabaseURL) -> list[str]:
    """Cross-mode searches: pairs of train stops (an intermediate boarding) and bus routes, over two weeks."""
    pairs = rows(
        url,
        """
        SELECT a.city_id AS origin, b.city_id AS destination
          FROM route_stops a
          JOIN route_stops b ON b.route_id = a.route_id AND b.stop_no > a.stop_no
          JOIN routes r ON r.id = a.route_id
         WHERE r.mode = 'train' AND a.departs_after IS NOT NULL
         ORDER BY a.route_id, a.stop_no, b.stop_no
         LIMIT 60""",
    )
    pairs += rows(
        url,
        """
        SELECT origin_id AS origin, destination_id AS destination
          FROM trips
         WHERE mode = 'bus' AND departs_at >= CURDATE() + INTERVAL 1 DAY AND departs_at < CURDATE() + INTERVAL 2 DAY
         GROUP BY origin_id, destination_id
         ORDER BY COUNT(*) DESC, origin_id, destination_id
         LIMIT 20""",
    )
    return [
        f"/api/v1/trips?origin={p['origin']}&destination={p['destination']}"
        f"&date={date.today() + timedelta(days=1 + i % 14)}&passengers=2"
        for i, p in enumerate(pairs)
    ]


def booking_lines(url: DatabaseURL, tokens: list[str], count: int) -> list[str]:
    """wrk post.lua lines (token, path, body): one berth each, distinct (run, berth), a random segment."""
    runs = rows(
        url,
        """
        SELECT t.id, t.vehicle_id, COUNT(l.leg_no) + 1 AS stops
          FROM trips t
          JOIN trip_legs l ON l.trip_id = t.id
         WHERE t.mode = 'train' AND t.status = 'scheduled'
           AND t.departs_at >= CURDATE() + INTERVAL 10 DAY AND t.departs_at < CURDATE() + INTERVAL 50 DAY
         GROUP BY t.id
         ORDER BY t.id
         LIMIT 400""",
    )
    cities: dict[int, list[int]] = {}
    for row in rows(
        url,
        "SELECT t.id, s.city_id FROM trips t JOIN route_stops s ON s.route_id = t.route_id "
        "WHERE t.id IN (" + ",".join(str(r["id"]) for r in runs) + ") ORDER BY t.id, s.stop_no",
    ):
        cities.setdefault(row["id"], []).append(row["city_id"])
    labels: dict[int, list[str]] = {}
    for row in rows(url, "SELECT vehicle_id, label FROM coach_seats ORDER BY vehicle_id, id"):
        labels.setdefault(row["vehicle_id"], []).append(row["label"])
    rng = random.Random(18)
    lines = []
    for i in range(count):
        run = runs[i % len(runs)]
        seat = labels[run["vehicle_id"]][i // len(runs)]
        stops = cities[run["id"]]
        a = rng.randint(0, len(stops) - 2)
        b = rng.randint(a + 1, len(stops) - 1)
        body = {
            "type": "train",
            "trip_id": run["id"],
            "origin": stops[a],
            "destination": stops[b],
            "seats": [seat],
            "passengers": [{"name": "Bench Passenger", "age": 30}],
            "contact_email": "bench@travelgo.example",
        }
        lines.append(f"{tokens[i % len(tokens)]}\t/api/v1/bookings\t{json.dumps(body)}")
    return lines


async def _cleanup(url: DatabaseURL) -> None:
    """Delete the bench users' train and flight bookings and recompute the counters of the legs they held."""
    conn = await aiomysql.connect(autocommit=True, **url.connect_kwargs())
    try:
        async with conn.cursor(aiomysql.DictCursor) as cur:
            marks = ",".join(["%s"] * len(fixtures.USERS))
            await cur.execute(
                f"""SELECT b.id, b.trip_id FROM bookings b JOIN users u ON u.id = b.user_id
                     WHERE u.email IN ({marks}) AND b.type IN ('train', 'flight')""",
                fixtures.USERS,
            )
            found = await cur.fetchall()
            if not found:
                return
            ids = ",".join(str(r["id"]) for r in found)
            trips = ",".join(str(t) for t in {r["trip_id"] for r in found})
            await cur.execute(f"DELETE FROM booking_seat_legs WHERE booking_id IN ({ids})")
            await cur.execute(f"DELETE FROM booking_segment_seats WHERE booking_id IN ({ids})")
            await cur.execute(f"DELETE FROM bookings WHERE id IN ({ids})")
            await cur.execute(
                f"""UPDATE trip_legs l
                       SET l.seats_booked = (SELECT COUNT(*) FROM booking_seat_legs h
                                              WHERE h.trip_id = l.trip_id AND h.leg_no = l.leg_no AND h.held = 1)
                     WHERE l.trip_id IN ({trips})"""
            )
    finally:
        conn.close()


def phase(base_url: str, url: DatabaseURL, tokens: list[str], seconds: float, load, write_lines) -> dict:
    """Both rows; `load(name, target, **wrk_kwargs)` runs wrk and logs (bench.run's), `write_lines` a temp file."""
    results: dict = {}
    paths = search_paths(url)
    if not paths:
        return results
    env = {"WRK_PATHS": write_lines(paths), "WRK_HEADERS": GZIP}
    wrk(base_url, script="paths.lua", seconds=2, env=env)  # warm up
    results["trips_api_32"] = load("trips_api_32", base_url, script="paths.lua", env=env)
    lines = booking_lines(url, tokens, int(400 * seconds))
    try:
        figures = load("segment_booking_32", base_url, script="post.lua", env={"WRK_BODIES": write_lines(lines)})
        figures["bookings_per_s"] = round(figures["statuses"].get("201", 0) / figures["seconds"], 1)
        results["segment_booking_32"] = figures
    finally:
        asyncio.run(_cleanup(url))
    return results


def main() -> int:
    import os
    import tempfile

    from .run import api_token

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True, help="a running TravelGo (rate limits off), e.g. http://127.0.0.1:8820")
    parser.add_argument("--seconds", type=float, default=10)
    args = parser.parse_args()
    url = DatabaseURL.parse(os.environ["DATABASE_URL"])

    class Target:
        base_url = args.url

    asyncio.run(fixtures.reset(url, distinct_trips=10))  # the bench users (and a few bus trips, removed after)
    tokens = [api_token(Target, email, fixtures.PASSWORD) for email in fixtures.USERS]

    def write_lines(lines: list[str]) -> str:
        handle = tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False)
        handle.write("\n".join(lines) + "\n")
        handle.close()
        return handle.name

    def load(name: str, target: str, **kw) -> dict:
        figures = wrk(target, seconds=args.seconds, **kw)
        print(
            f"{name}: {figures['rps']} req/s, p50 {figures['latency_ms']['p50']} ms, "
            f"p99 {figures['latency_ms']['p99']} ms, statuses {figures['statuses']}",
            flush=True,
        )
        return figures

    try:
        results = phase(args.url, url, tokens, args.seconds, load, write_lines)
    finally:
        asyncio.run(fixtures.cleanup(url))
    if "segment_booking_32" in results:
        print(f"segment bookings: {results['segment_booking_32']['bookings_per_s']} bookings/s", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
