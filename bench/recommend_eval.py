"""Offline evaluation of the recommendations on a seeded database's booking history (issue 23).

For every traveller with at least two confirmed bookings, their latest one (by created_at) is held out. The
production refresh SQL (travelgo.recommend.queries) then builds popularity and pairs from everything else, inside a
transaction that marks the held-out bookings expired and is rolled back at the end, so the database is unchanged.
Each traveller's list of 5 comes from the production ranking function (travelgo.recommend.rank) fed as the service
feeds it; a hit is the held-out item (its route or hotel) in the list. With one held-out item, precision@5 is hits/5
(at most 0.2) and recall@5 is the hit rate.

Models: `popularity` (the most booked items overall), `popularity by city` (most booked from/in the traveller's
home city, then overall) and `co-occurrence` (the service: hotels near an upcoming arrival, co-booked items, then the
two popularity tiers); each with already-booked items excluded (as the site does) and kept.

    DATABASE_URL=mysql://root@127.0.0.1:3306/travelgo_recs_eval .venv/bin/python -m bench.recommend_eval [--write]

--write appends the figures to BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
from datetime import UTC, datetime
from pathlib import Path

from travelgo import db
from travelgo.config import DatabaseURL
from travelgo.recommend import queries, service
from travelgo.recommend.rank import home_city, rank

K = 5
ROOT = Path(__file__).resolve().parent.parent

HELD_OUT = """
    SELECT x.id, x.user_id
      FROM (SELECT b.id, b.user_id,
                   ROW_NUMBER() OVER (PARTITION BY b.user_id ORDER BY b.created_at DESC, b.id DESC) AS k,
                   COUNT(*) OVER (PARTITION BY b.user_id) AS n
              FROM bookings b
             WHERE b.status = 'confirmed') x
     WHERE x.k = 1
       AND x.n >= 2
"""


async def evaluate() -> dict:
    async with db.reading() as cur:
        await cur.execute("BEGIN")  # rolled back below: the held-out bookings and the rebuilt tables are undone
        try:
            return await _evaluate(cur)
        finally:
            await cur.execute("ROLLBACK")


async def _evaluate(cur) -> dict:
    await cur.execute(HELD_OUT)
    held = {row["user_id"]: row["id"] for row in await cur.fetchall()}
    # the held-out booking's item, read before it is hidden
    targets: dict[int, str] = {}
    for user_id, booking_id in held.items():
        await cur.execute(
            """
            SELECT CASE b.type WHEN 'bus' THEN CONCAT('route:', t.origin_id, '-', t.destination_id)
                               ELSE CONCAT('hotel:', rt.hotel_id) END AS item
              FROM bookings b
              LEFT JOIN trips t ON t.id = b.trip_id
              LEFT JOIN room_types rt ON rt.id = b.room_type_id
             WHERE b.id = %(id)s
            """,
            {"id": booking_id},
        )
        targets[user_id] = (await cur.fetchone())["item"]
    ids = ", ".join(str(int(i)) for i in held.values())
    await cur.execute(f"UPDATE bookings SET status = 'expired' WHERE id IN ({ids})")  # rolled back afterwards

    started = time.perf_counter()
    await queries.set_work_memory(cur, service.WORK_MEMORY)
    await queries.replace_travellers(cur)
    items = await queries.replace_popularity(cur)
    pairs_count = await queries.replace_pairs(cur, service.RECENT_ITEMS, service.PAIRS_PER_ITEM)
    refresh_seconds = time.perf_counter() - started

    popular = await queries.select_popular(cur, limit=200)
    models = {
        (name, exclude): {"hits": 0}
        for name in ("popularity", "popularity by city", "co-occurrence")
        for exclude in (True, False)
    }
    repeats = 0
    for user_id, target in targets.items():
        rows = await queries.select_history(cur, user_id)
        history = [row["item"] for row in rows]
        repeats += target in history
        city_id = home_city(history)
        in_city = await queries.select_popular(cur, city_id=city_id, limit=200) if city_id else []
        arrival = next((row["arrival_city_id"] for row in rows if row["upcoming"] and row["arrival_city_id"]), None)
        at_arrival: list = []
        if arrival is not None:
            at_arrival = await queries.select_popular(cur, city_id=arrival, kind="hotel", limit=4)
            at_arrival = at_arrival or await queries.select_best_hotels(cur, arrival, 4)
        pairs = await queries.select_pairs(cur, list(dict.fromkeys(history))[:20])
        for exclude in (True, False):
            lists = {
                "popularity": rank(history, {}, [], popular, limit=K, exclude_booked=exclude),
                "popularity by city": rank(
                    history, {}, in_city, popular, city_id=city_id, limit=K, exclude_booked=exclude
                ),
                "co-occurrence": rank(
                    history,
                    pairs,
                    in_city,
                    popular,
                    city_id=city_id,
                    arrival_city_id=arrival,
                    hotels_at_arrival=at_arrival,
                    limit=K,
                    exclude_booked=exclude,
                ),
            }
            for name, suggestions in lists.items():
                models[(name, exclude)]["hits"] += target in [s.item for s in suggestions]
    await cur.execute("SELECT COUNT(*) AS n FROM bookings WHERE status = 'confirmed'")
    confirmed = (await cur.fetchone())["n"] + len(held)
    users = len(targets)
    return {
        "travellers": users,
        "confirmed_bookings": confirmed,
        "items": items,
        "pairs": pairs_count,
        "refresh_seconds": refresh_seconds,
        "repeat_share": repeats / users if users else 0.0,
        "models": {
            key: {"precision": m["hits"] / (K * users), "recall": m["hits"] / users} for key, m in models.items()
        },
    }


def report(result: dict, database: str) -> str:
    lines = [
        f"Run {datetime.now(UTC).isoformat(timespec='seconds')} on `{database}`: {result['confirmed_bookings']} "
        f"confirmed bookings, {result['travellers']} travellers evaluated, {result['items']} items, "
        f"{result['pairs']} pairs kept; the refresh SQL on the training history took {result['refresh_seconds']:.2f} s. "
        f"{result['repeat_share']:.0%} of held-out bookings repeat an item the traveller had booked before.",
        "",
        "| model | booked items | precision@5 | recall@5 |",
        "|---|---|---|---|",
    ]
    for (name, exclude), m in result["models"].items():
        lines.append(f"| {name} | {'excluded' if exclude else 'kept'} | {m['precision']:.3f} | {m['recall']:.3f} |")
    return "\n".join(lines)


async def measure(url: DatabaseURL) -> str:
    """The real refresh on the whole history (timed as the loop runs it), then the evaluation; the report."""
    await db.open_pools(url, size=2)
    try:
        started = time.perf_counter()
        refreshed = await service.refresh()
        full_seconds = time.perf_counter() - started
        result = await evaluate()
    finally:
        await db.close_pools()
    text = report(result, url.database)
    if refreshed:
        text += (
            f"\n\nThe background refresh on the whole history (`service.refresh()`, one transaction): "
            f"{full_seconds:.2f} s for {refreshed['items']} items and {refreshed['pairs']} pairs."
        )
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="append the figures to BENCHMARKS.md")
    args = parser.parse_args()
    url = DatabaseURL.parse(os.environ.get("DATABASE_URL", "mysql://root@127.0.0.1:3306/travelgo"))
    text = asyncio.run(measure(url))
    print(text)
    if args.write:
        with open(ROOT / "BENCHMARKS.md", "a") as out:
            out.write("\n" + text + "\n")


if __name__ == "__main__":
    main()
