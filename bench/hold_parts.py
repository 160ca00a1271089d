"""What each of the hold's features costs against issue 24's minimal transaction: the hold, then the hold without
one feature at a time, then without all three, each beside the minimal booking-shaped transaction.

The features are the engine's own work that the minimal transaction has no counterpart for:
- the open-holds limit: the traveller's row lock and the count of their unpaid holds (`max_open_holds=None`; the
  message then reads the account for its channels, as the engine does without that lock);
- the traveller's "held: pay by" message, written in the same transaction (the outbox: no message without its hold);
- the trip lock's extras: its origin's zone, its pricing-rule count and whether it has boarding points, subqueries
  of the locking read (replaced by constants: the bench trips have no rules and no points, and their zone is UTC).

A feature is taken out by replacing one function in this process only; nothing here changes the product. CPU per
booking on each side as bench/floor_split.py measures it (this process's Python; the local MariaDB's from /proc),
16 tasks, uvloop, distinct seats of the bench fixtures; every variant runs twice, in a mirrored order.

    python -m bench.hold_parts [--seconds 5]      (needs `make bench`'s travelgo_bench database)
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from unittest import mock

import uvloop

from travelgo import db
from travelgo.bookings import engine, queries

from . import fixtures, floor
from .floor_split import cpu_of
from .run import bench_url


async def _no_message(*_args, **_kwargs) -> None:
    return None


async def _lock_trip_plain(cur, trip_id: int, *, lock: bool = True) -> db.Queued:
    """queries.queue_lock_trip without its three subqueries (their answers for a bench trip as constants)."""
    sql = queries.LOCKED_TRIP.split("(SELECT c.timezone")[0] + "'UTC' AS timezone, 0 AS rule_count, 0 AS has_points"
    sql += " FROM trips t WHERE t.id = %(trip_id)s" + (" FOR UPDATE" if lock else "")
    return await db.queue_read(cur, sql, {"trip_id": trip_id}, shape=queries.unpacked)


@contextmanager
def without(*features: str) -> Iterator[dict]:
    """The hold's settings with `features` taken out (see the module's docstring)."""
    settings = {"max_open_holds": None if "limit" in features else 10**6}
    with ExitStack() as stack:
        if "message" in features:
            stack.enter_context(mock.patch.object(engine, "notify", _no_message))
        if "trip extras" in features:
            stack.enter_context(mock.patch.object(queries, "queue_lock_trip", _lock_trip_plain))
        yield settings


VARIANTS: dict[str, tuple[str, ...]] = {
    "the hold": (),
    "without the open-holds limit": ("limit",),
    "without the message": ("message",),
    "without the trip lock's extras": ("trip extras",),
    "without all three": ("limit", "message", "trip extras"),
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=5)
    args = parser.parse_args()
    url = bench_url()
    rounds = ["minimal", *VARIANTS]
    rounds += list(reversed(rounds))
    setup = asyncio.run(fixtures.reset(url, distinct_trips=300 * len(rounds)))
    users = [user_id for user_id, _ in asyncio.run(fixtures.travellers(url))]
    trips, per_round = setup["trips"], len(setup["trips"]) // len(rounds)

    def items(k: int) -> list[tuple[int, int, str]]:
        group = trips[k * per_round : (k + 1) * per_round]
        return [
            (users[i % len(users)], trip, seat)
            for i, trip, seat in fixtures.spread_seats(group, setup["seats_per_trip"])
        ]

    uvloop.run(
        floor.prepare_minimal(url, [item for k, name in enumerate(rounds) if name == "minimal" for item in items(k)])
    )
    figures: dict[str, list[dict]] = {}
    for k, name in enumerate(rounds):
        if name == "minimal":
            result = cpu_of(floor.run_minimal(url, items(k), 16, args.seconds))
        else:
            with without(*VARIANTS[name]) as settings:
                result = cpu_of(floor.run_service(url, items(k), 16, args.seconds, order=False, **settings))
        figures.setdefault(name, []).append(result)
    asyncio.run(fixtures.cleanup(url))

    def mean(name: str, key: str) -> float | None:
        values = [f[key] for f in figures[name]]
        return None if None in values else sum(values) / len(values)

    minimal = mean("minimal", "per_s")
    print(f"{'':34s} {'bookings/s':>10s} {'× minimal':>9s} {'Python ms':>9s} {'MariaDB ms':>10s}  (mean of 2 rounds)")
    for name in rounds[: len(rounds) // 2]:
        server = mean(name, "mariadb_ms")
        errors = sum(f["errors"] for f in figures[name])
        print(
            f"{name:34s} {mean(name, 'per_s'):10.1f} {mean(name, 'per_s') / minimal:9.2f} "
            f"{mean(name, 'python_ms'):9.3f} {'–' if server is None else f'{server:10.3f}'}"
            + (f"  ({errors} errors)" if errors else "")
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
