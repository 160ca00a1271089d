"""SQL for bus search and trip pages. Every search is one statement answered from an index on trips:
(origin_id, destination_id, departs_at) for a route, (origin_id, departs_at) / (destination_id, departs_at)
for one end, (departs_at) to browse a day. seats_left comes from the trip's own counter, so a result page
costs one query whatever its length (no N+1)."""

from __future__ import annotations

from datetime import datetime

from .. import dates
from .forms import WINDOWS

BUS_TYPES = {
    "ac_seater": "(v.is_ac = 1 AND v.berth = 'seater')",
    "ac_sleeper": "(v.is_ac = 1 AND v.berth = 'sleeper')",
    "non_ac_seater": "(v.is_ac = 0 AND v.berth = 'seater')",
    "non_ac_sleeper": "(v.is_ac = 0 AND v.berth = 'sleeper')",
}
ORDER_BY = {
    "departure": "t.departs_at, t.id",
    "price": "t.price_minor, t.departs_at, t.id",
    "duration": "t.duration_minutes, t.departs_at, t.id",
    "rating": "o.rating DESC, t.departs_at, t.id",
}
TRIP_COLUMNS = """
       t.id, t.mode, t.status, t.departs_at, t.arrives_at, t.duration_minutes, t.price_minor, t.currency,
       t.seats_total, t.seats_total - t.seats_booked AS seats_left, t.amenities, t.vehicle_id,
       t.operator_id, o.name AS operator_name, o.rating AS operator_rating, o.review_count AS operator_review_count,
       v.is_ac, v.berth,
       t.origin_id, co.name AS origin_name, t.destination_id, cd.name AS destination_name,
       co.timezone AS origin_timezone, cd.timezone AS destination_timezone"""
TRIP_JOINS = """
  JOIN operators o ON o.id = t.operator_id
  JOIN vehicles v ON v.id = t.vehicle_id
  JOIN cities co ON co.id = t.origin_id
  JOIN cities cd ON cd.id = t.destination_id"""
VEHICLE_JOIN = """
  JOIN vehicles v ON v.id = t.vehicle_id"""
OPERATOR_JOIN = """
  JOIN operators o ON o.id = t.operator_id"""
ORIGIN_JOIN = """
  JOIN cities co ON co.id = t.origin_id"""


def trip_search_sql(
    *,
    origin: int | None,
    destination: int | None,
    windows: list[str],
    bus_types: list[str],
    operators: list[int],
    amenities: list[str],
    min_price: int | None,
    max_price: int | None,
    sort: str,
    zone_starts: dict[str, datetime] | None = None,
    count_only: bool = False,
) -> tuple[str, dict]:
    """The search statement and its fixed parameters (the caller adds start, end, min_seats, limit, offset).

    zone_starts: when the origins' time zones disagree on the earliest departure still to come, the first
    departure per origin zone (start is then the earliest of them, for the index range).
    Only fixed SQL fragments are joined; every value travels as a named parameter.
    """
    where = [
        "t.departs_at >= %(start)s",
        "t.departs_at < %(end)s",
        "t.status = 'scheduled'",
        "t.mode = 'bus'",  # trains and flights share the table; the cross-mode search is travelgo/segments
        "t.seats_total - t.seats_booked >= %(min_seats)s",
    ]
    params: dict = {}
    if zone_starts:
        zone_start, zone_params = dates.zone_case_sql("co.timezone", zone_starts, max(zone_starts.values()))
        where.append(f"t.departs_at >= {zone_start}")
        params.update(zone_params)
    if origin is not None:
        where.append("t.origin_id = %(origin)s")
        params["origin"] = origin
    if destination is not None:
        where.append("t.destination_id = %(destination)s")
        params["destination"] = destination
    if min_price is not None:
        where.append("t.price_minor >= %(min_price)s")
        params["min_price"] = min_price
    if max_price is not None:
        where.append("t.price_minor <= %(max_price)s")
        params["max_price"] = max_price
    if windows:
        parts = []
        for name in windows:
            low, high = WINDOWS[name]
            parts.append(f"(HOUR(t.departs_at) >= {int(low)} AND HOUR(t.departs_at) < {int(high)})")
        where.append("(" + " OR ".join(parts) + ")")
    if bus_types:
        where.append("(" + " OR ".join(BUS_TYPES[b] for b in bus_types) + ")")
    if operators:
        keys = [f"op{i}" for i in range(len(operators))]
        params.update(zip(keys, operators, strict=True))
        where.append(f"t.operator_id IN ({', '.join(f'%({k})s' for k in keys)})")
    for i, amenity in enumerate(amenities):
        params[f"am{i}"] = amenity
        where.append(f"FIND_IN_SET(%(am{i})s, t.amenities) > 0")
    condition = "\n   AND ".join(where)
    if count_only:
        sql = f"SELECT COUNT(*) AS n, MIN(t.departs_at) AS first_departure\n  FROM trips t{TRIP_JOINS}\n WHERE {condition}"
        return sql, params
    if origin is None and destination is None:
        # Browsing a whole day matches ~12,000 trips on the large seed: joining each to four tables before the
        # count and sort cost ~70 ms. Matching, counting, sorting and paging need only trips (plus vehicles for
        # a bus-type filter, operators for the rating sort); the other joins then run for the page's rows only.
        # A route search matches a few dozen trips, where the extra derived table would cost more than it saves.
        joins = (
            (VEHICLE_JOIN if bus_types else "")
            + (OPERATOR_JOIN if sort == "rating" else "")
            + (ORIGIN_JOIN if zone_starts else "")
        )
        sql = f"""
        SELECT {TRIP_COLUMNS},
               page.total_count, page.first_departure
          FROM (SELECT t.id, COUNT(*) OVER () AS total_count, MIN(t.departs_at) OVER () AS first_departure
                  FROM trips t{joins}
                 WHERE {condition}
                 ORDER BY {ORDER_BY[sort]}
                 LIMIT %(limit)s OFFSET %(offset)s) page
          JOIN trips t ON t.id = page.id{TRIP_JOINS}
         ORDER BY {ORDER_BY[sort]}
        """
        return sql, params
    sql = f"""
        SELECT {TRIP_COLUMNS},
               COUNT(*) OVER () AS total_count, MIN(t.departs_at) OVER () AS first_departure
          FROM trips t{TRIP_JOINS}
         WHERE {condition}
         ORDER BY {ORDER_BY[sort]}
         LIMIT %(limit)s OFFSET %(offset)s
        """
    return sql, params


async def select_trips(
    cur, filters: dict, *, start: datetime, end: datetime, min_seats: int, limit: int, offset: int
) -> tuple[list[dict], int, datetime | None]:
    """One page of matching trips, the total number of matches and the first departure among all of them
    (when the answer stops being true by itself: that bus leaves the results)."""
    sql, params = trip_search_sql(**filters)
    params.update(start=start, end=end, min_seats=min_seats, limit=limit, offset=offset)
    await cur.execute(sql, params)
    rows = await cur.fetchall()
    if rows:
        return rows, rows[0]["total_count"], rows[0]["first_departure"]
    if offset == 0:
        return [], 0, None
    count_sql, count_params = trip_search_sql(**filters, count_only=True)  # paged past the end: still say how many
    count_params.update(start=start, end=end, min_seats=min_seats)
    await cur.execute(count_sql, count_params)
    row = await cur.fetchone()
    return [], row["n"], row["first_departure"]


async def select_trip(cur, trip_id: int) -> dict | None:
    await cur.execute(
        f"""
        SELECT {TRIP_COLUMNS},
               t.boarding_points, t.dropping_points
          FROM trips t{TRIP_JOINS}
         WHERE t.id = %(trip_id)s
           AND t.mode = 'bus'
        """,
        {"trip_id": trip_id},
    )
    return await cur.fetchone()


async def select_trip_seats(cur, trip_id: int, vehicle_id: int) -> list[dict]:
    """Every seat of the vehicle with whether an active booking holds it on this trip."""
    await cur.execute(
        """
        SELECT vs.label, vs.deck, vs.row_no, vs.col_no, vs.kind, bs.id IS NULL AS available
          FROM vehicle_seats vs
          LEFT JOIN booking_seats bs
                 ON bs.trip_id = %(trip_id)s AND bs.seat_label = vs.label AND bs.held = 1
         WHERE vs.vehicle_id = %(vehicle_id)s
         ORDER BY vs.deck, vs.row_no, vs.col_no
        """,
        {"trip_id": trip_id, "vehicle_id": vehicle_id},
    )
    return await cur.fetchall()


async def select_operators(cur) -> list[dict]:
    await cur.execute(
        """
        SELECT o.id, o.name, o.rating
          FROM operators o
         WHERE NOT EXISTS (SELECT 1 FROM routes r WHERE r.operator_id = o.id AND r.mode <> 'bus')
         ORDER BY o.name
        """
    )
    return await cur.fetchall()
