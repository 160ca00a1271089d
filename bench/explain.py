"""EXPLAIN every search statement, and the hold's count of a traveller's open holds, and check each is answered from
its index (no full scans).

    DATABASE_URL=mysql://root@127.0.0.1:3306/travelgo .venv/bin/python -m bench.explain

Prints each plan and exits non-zero when a search stops using its index. tests/search/test_explain.py
runs the same checks on seeded test data, so CI fails too.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import date, datetime, time, timedelta

from travelgo.bookings import queries as booking_queries
from travelgo.buses import queries as bus_queries
from travelgo.hotels import queries as hotel_queries
from travelgo.segments import queries as segment_queries

SMALL_TABLES = {"o", "v", "co", "cd", "c", "op", "r"}  # operators, vehicles, cities, routes: key look-ups or tiny


async def sample_ids(cur) -> dict:
    """A busy route and a city with hotels from the data at hand."""
    await cur.execute("SELECT origin_id, destination_id FROM trips ORDER BY id LIMIT 1")
    route = await cur.fetchone()
    await cur.execute("SELECT city_id, id FROM hotels ORDER BY id LIMIT 1")
    hotel = await cur.fetchone()
    # two stops of a train (boarding after its first stop), when the data has trains
    await cur.execute(
        """SELECT a.city_id AS a, b.city_id AS b FROM route_stops a
             JOIN route_stops b ON b.route_id = a.route_id AND b.stop_no = a.stop_no + 2
            WHERE a.stop_no = 1 ORDER BY a.route_id LIMIT 1"""
    )
    stops = await cur.fetchone()
    await cur.execute("SELECT user_id FROM bookings ORDER BY id LIMIT 1")
    traveller = await cur.fetchone()
    return {
        "traveller": traveller["user_id"] if traveller else 0,
        "origin": route["origin_id"],
        "destination": route["destination_id"],
        "city": hotel["city_id"],
        "hotel": hotel["id"],
        "stop_a": stops["a"] if stops else None,
        "stop_b": stops["b"] if stops else None,
    }


def search_statements(ids: dict, day: date) -> list[tuple[str, str, dict, dict[str, set[str]]]]:
    """(name, sql, params, {alias: acceptable keys}) for each search the app runs."""
    start = datetime.combine(day, time.min)
    window = dict(start=start, end=start + timedelta(days=1), min_seats=1, limit=20, offset=0)
    no_filters = dict(windows=[], bus_types=[], operators=[], amenities=[], min_price=None, max_price=None)
    statements = []
    for name, origin, destination, keys in [
        ("bus route on a day", ids["origin"], ids["destination"], {"ix_trips_route_departure"}),
        ("buses from a city on a day", ids["origin"], None, {"ix_trips_origin_departure", "ix_trips_route_departure"}),
        ("buses to a city on a day", None, ids["destination"], {"ix_trips_destination_departure"}),
        ("all buses on a day", None, None, {"ix_trips_departure"}),
    ]:
        sql, params = bus_queries.trip_search_sql(origin=origin, destination=destination, sort="price", **no_filters)
        statements.append((name, sql, {**params, **window}, {"t": keys}))
    sql, params = bus_queries.trip_search_sql(
        origin=ids["origin"],
        destination=ids["destination"],
        sort="rating",
        windows=["morning", "evening"],
        bus_types=["ac_sleeper"],
        operators=[1],
        amenities=["water"],
        min_price=10000,
        max_price=500000,
    )
    statements.append(("bus route, every filter", sql, {**params, **window}, {"t": {"ix_trips_route_departure"}}))

    # The cross-mode search (GET /api/v1/trips): buses on the route, then trains and flights calling at both cities.
    span = dict(start=start, end=start + timedelta(days=1))
    statements.append(
        (
            "cross-mode search: buses",
            segment_queries.BUS_RUNS_SQL,
            {"origin": ids["origin"], "destination": ids["destination"], **span},
            {"t": {"ix_trips_route_departure"}},
        )
    )
    if ids.get("stop_a"):
        sql, params = segment_queries.segment_runs_sql(["train", "flight"])
        statements.append(
            (
                "cross-mode search: trains and flights between two stops",
                sql,
                {**params, "origin": ids["stop_a"], "destination": ids["stop_b"], **span},
                {
                    # either end may lead (the rarer city first): one by city, the other by (route, city)
                    "a": {"ix_route_stops_city", "uq_route_stops_city"},
                    "b": {"ix_route_stops_city", "uq_route_stops_city"},
                    "t": {"ix_trips_route_run"},
                    "h": {"ix_booking_seat_legs_leg", "uq_booking_seat_legs_hold"},
                    "l": {"PRIMARY"},
                },
            )
        )

    stay = dict(check_in=day, check_out=day + timedelta(days=3), nights=3, rooms=1, guests=2, limit=20, offset=0)
    sql, params = hotel_queries.hotel_search_sql(
        city=ids["city"],
        min_stars=None,
        min_rating=None,
        max_distance=None,
        amenities=[],
        min_price=None,
        max_price=None,
        show_sold_out=False,
        sort="price",
    )
    # h/rh are reached either through the city index or by primary key from the other side of the join.
    hotel_keys = {
        "h": {"ix_hotels_city", "PRIMARY"},
        "rh": {"ix_hotels_city", "PRIMARY"},
        "rt": {"ix_room_types_hotel"},
        "ri": {"PRIMARY"},
    }
    statements.append(("hotels in a city for a stay", sql, {**params, **stay}, hotel_keys))
    sql, params = hotel_queries.hotel_search_sql(
        city=ids["city"],
        min_stars=3,
        min_rating=7.5,
        max_distance=5.0,
        amenities=["wifi"],
        min_price=1000,
        max_price=900000,
        show_sold_out=True,
        sort="rating",
    )
    statements.append(("hotels in a city, every filter", sql, {**params, **stay}, hotel_keys))

    # Not a search, but in every hold: read by the traveller's open holds, not their whole history or every pending
    # hold of the site (which grow without bound).
    statements.append(
        (
            "a traveller's open holds (every hold)",
            booking_queries.OPEN_HOLDS,
            {"id": ids["traveller"], "limit": 3},
            {"bookings": {"ix_bookings_user_open"}},
        )
    )
    return statements


def check_plan(name: str, plan: list[dict], expected: dict[str, set[str]]) -> list[str]:
    """Problems with one plan: a full scan of a big table, or a search table answered by another index."""
    problems = []
    for row in plan:
        table, kind, key = row.get("table") or "", (row.get("type") or "").upper(), row.get("key")
        if table.startswith("<") or table in SMALL_TABLES and kind != "ALL":
            continue  # derived tables are checked through their own rows
        if kind == "EQ_REF" and key == "PRIMARY" and table != "ri":
            continue  # one row by primary key per row of a page (the day browse joins its page back to trips)
        if kind == "ALL" and table not in SMALL_TABLES:
            problems.append(f"{name}: full scan of {table} ({row.get('rows')} rows)")
        elif table in expected and not set((key or "").split("|")) & expected[table]:
            # "a|b" is an index merge or a rowid filter: fine when one of them is the search index
            problems.append(f"{name}: {table} used {key!r}, expected one of {sorted(expected[table])}")
        elif table == "ri" and kind != "EQ_REF":
            # a join on room_type_id alone with a range on night reads every night the room type has on sale
            problems.append(
                f"{name}: room_inventory reached by {kind} on {row.get('key_len')} bytes, not by its full key"
            )
    return problems


async def explain_all(cur, day: date | None = None) -> tuple[list[tuple[str, list[dict]]], list[str]]:
    """Run EXPLAIN for every search; return the plans and the problems found."""
    day = day or date.today() + timedelta(days=2)
    ids = await sample_ids(cur)
    plans, problems = [], []
    for name, sql, params, expected in search_statements(ids, day):
        await cur.execute("EXPLAIN " + sql, params)
        plan = await cur.fetchall()
        plans.append((name, plan))
        problems.extend(check_plan(name, plan, expected))
    return plans, problems


async def main() -> int:
    from travelgo import db
    from travelgo.config import Settings

    settings = Settings.from_env()
    await db.open_pools(settings.database_url, size=2)
    try:
        async with db.reading() as cur:
            plans, problems = await explain_all(cur)
    finally:
        await db.close_pools()
    for name, plan in plans:
        print(f"\n== {name}")
        for row in plan:
            print(
                f"   {row['table']!s:<14} type={row['type']!s:<7} key={row['key']!s:<32} rows={row['rows']} "
                f"extra={row.get('Extra') or ''}"
            )
    print("\nall searches use their indexes" if not problems else "\n" + "\n".join(f"PROBLEM: {p}" for p in problems))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
