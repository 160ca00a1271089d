"""The notification sender's CPU per message (issue 24): what a web worker spends on each hold's "pay by" message.

1. N held bus bookings, each with its TestPay order and its booking_held message, made through the booking engine
   (bench/floor.py's service transaction) over the bench fixtures' trips;
2. sender.send_due in a Quart app context of the real app (staging settings, as `make bench`'s server: e-mail goes
   to the OutboxTransport, a mail_outbox row), one round after another until none is due, as one worker's loop
   runs it. The first rounds are a warm-up (imports, template compilation, the pool), then the next N are timed:
   this process's CPU (time.process_time) and, when the server runs on this machine, MariaDB's (from /proc);
3. with --profile, the same again under cProfile with a CPU clock: the split per layer and the top functions by self
   time go to stderr (cProfile slows Python calls: read the shares, not the milliseconds).

Prints one JSON line. About 10-20 s for 400 messages.

    python -m bench.sender [--messages 400] [--profile]     (BENCH_DATABASE_NAME, default travelgo_bench; migrated
                                                              here if needed)
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import os
import pstats
import sys
import time
from pathlib import Path

import uvloop

from travelgo.config import DatabaseURL

WARM_UP = 40


async def seed(n: int, setup: dict) -> None:
    """n holds, each with its booking_held message (8 at a time, over distinct seats)."""
    from . import floor

    work, _ = floor.service_transaction()
    trips, per_trip = setup["trips"], setup["seats_per_trip"]
    items = [(setup["users"][i % len(setup["users"])], trips[i // per_trip], str(i % per_trip + 1)) for i in range(n)]
    passenger = [{"name": "Bench Passenger", "age": 30}]

    async def worker(part: int) -> None:
        for user_id, trip_id, seat in items[part::8]:
            await work(user_id, trip_id, [seat], passenger, "bench@travelgo.example")

    await asyncio.gather(*(worker(k) for k in range(8)))


async def drain(limit: int | None = None) -> int:
    """Run the sender's rounds until nothing is due (or `limit` messages have been claimed)."""
    from travelgo.notify import sender

    claimed = 0
    while limit is None or claimed < limit:
        n = await sender.send_due()
        if not n:
            break
        claimed += n
    return claimed


async def statuses() -> dict[str, int]:
    from travelgo import db

    async with db.reading() as cur:
        await cur.execute("SELECT status, COUNT(*) AS n FROM notifications WHERE kind = 'booking_held' GROUP BY status")
        return {r["status"]: r["n"] for r in await cur.fetchall()}


async def run(url: DatabaseURL, n: int, profile: bool) -> dict:
    from travelgo import create_app

    from . import fixtures
    from .floor_split import mariadb_cpu

    setup = await fixtures.reset(url, distinct_trips=-(-(2 * n + 2 * WARM_UP) // fixtures.SEATS_PER_TRIP))
    app = create_app()
    report: dict = {}
    async with app.test_app(), app.app_context():
        await drain()  # whatever an earlier run left due
        before = await statuses()
        await seed(n + WARM_UP, setup)
        await drain(WARM_UP)
        python0, server0, wall0 = time.process_time(), mariadb_cpu(), time.perf_counter()
        sent = await drain()
        python, server, wall = time.process_time() - python0, mariadb_cpu(), time.perf_counter() - wall0
        after = await statuses()
        report = {
            "messages": sent,
            "seconds": round(wall, 2),
            "messages_per_s": round(sent / wall, 1),
            "python_cpu_ms_per_message": round(python * 1000 / sent, 3),
            "mariadb_cpu_ms_per_message": round((server - server0) * 1000 / sent, 3) if server is not None else None,
            "outcomes": {s: after.get(s, 0) - before.get(s, 0) for s in after if after.get(s, 0) != before.get(s, 0)},
        }
        if profile:
            setup = {**setup, "trips": setup["trips"][len(setup["trips"]) // 2 :]}
            await seed(n, setup)
            profiler = cProfile.Profile(time.process_time)
            profiler.enable()
            await drain()
            profiler.disable()
            report["profiled_messages"] = n
            _print_profile(profiler)
    await fixtures.cleanup(url)
    return report


def _print_profile(profiler: cProfile.Profile) -> None:
    from .cpu_split import layer_of

    layers: dict[str, float] = {}
    functions: dict[str, float] = {}
    cumulative: dict[str, float] = {}
    stats = pstats.Stats(profiler)
    for (filename, line, name), (_cc, _nc, self_time, cum, _callers) in stats.stats.items():
        layer = "templates (compiled Jinja)" if filename.startswith("<template>") or "/templates/" in filename else None
        layer = layer or layer_of(filename)
        layers[layer] = layers.get(layer, 0.0) + self_time
        where = f"{name} ({'/'.join(Path(filename).parts[-2:])}:{line})"
        functions[where] = functions.get(where, 0.0) + self_time
        if "/travelgo/" in filename:
            cumulative[where] = cum
    total = sum(layers.values()) or 1.0
    print("split (self time per layer):", file=sys.stderr)
    for layer, t in sorted(layers.items(), key=lambda kv: -kv[1]):
        print(f"  {t / total:6.1%}  {layer}", file=sys.stderr)
    print("top functions (self time):", file=sys.stderr)
    for where, t in sorted(functions.items(), key=lambda kv: -kv[1])[:25]:
        print(f"  {t / total:6.1%}  {where}", file=sys.stderr)
    print("our functions (cumulative):", file=sys.stderr)
    for where, t in sorted(cumulative.items(), key=lambda kv: -kv[1])[:20]:
        print(f"  {t / total:6.1%}  {where}", file=sys.stderr)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=400)
    parser.add_argument("--profile", action="store_true", help="then profile as many more (split on stderr)")
    args = parser.parse_args()
    from travelgo.migrations import migrate

    from .run import bench_url, url_string

    url = bench_url()
    # make bench's server settings (bench/server.py): staging, so e-mail goes to the OutboxTransport; the sender's
    # own loop off, since this process drives its rounds.
    os.environ.update(
        {
            "DATABASE_URL": url_string(url),
            "TRAVELGO_ENV": "staging",
            "SECRET_KEY": os.environ.get("SECRET_KEY") or "bench-and-scale-tests-only-not-a-real-secret",
            "TRAVELGO_PUBLIC_URL": "http://127.0.0.1:8700",
            "TRAVELGO_NOTIFY_POLL_SECONDS": "0",
            "TRAVELGO_PAYMENTS_POLL_SECONDS": "0",
            "TRAVELGO_RECOMMEND_REFRESH_SECONDS": "0",
            "TRAVELGO_PRICING_REFRESH_SECONDS": "0",
            "LOG_LEVEL": "WARNING",
        }
    )
    asyncio.run(migrate(url))
    print(json.dumps(uvloop.run(run(url, args.messages, args.profile))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
