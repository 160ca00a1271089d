"""SQL for pricing rules and for repricing the price columns (never commits)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from .. import db

Row = dict[str, Any]

RULE_COLUMNS = """
    r.id, r.name, r.kind, r.origin_id, r.destination_id, r.trip_id, r.hotel_id, r.room_type_id,
    r.threshold_percent, r.days_min, r.days_max, r.weekdays, r.starts_on, r.ends_on, r.adjust_percent,
    r.priority, r.enabled, r.created_at, r.updated_at
"""
EDITABLE = (
    "name",
    "kind",
    "origin_id",
    "destination_id",
    "trip_id",
    "hotel_id",
    "room_type_id",
    "threshold_percent",
    "days_min",
    "days_max",
    "weekdays",
    "starts_on",
    "ends_on",
    "adjust_percent",
    "priority",
    "enabled",
)


# --- rules --------------------------------------------------------------------------------------------


async def select_rules(cur) -> list[Row]:
    """Every rule with the names of its scope, for the admin list."""
    await cur.execute(
        f"""
        SELECT {RULE_COLUMNS},
               o.name AS origin_name, d.name AS destination_name, h.name AS hotel_name,
               rt.name AS room_type_name, rth.name AS room_type_hotel_name
          FROM pricing_rules r
          LEFT JOIN cities o ON o.id = r.origin_id
          LEFT JOIN cities d ON d.id = r.destination_id
          LEFT JOIN hotels h ON h.id = r.hotel_id
          LEFT JOIN room_types rt ON rt.id = r.room_type_id
          LEFT JOIN hotels rth ON rth.id = rt.hotel_id
         ORDER BY r.enabled DESC, r.priority, r.id
        """
    )
    return await cur.fetchall()


async def select_rule(cur, rule_id: int, *, lock: bool = False) -> Row | None:
    await cur.execute(
        f"SELECT {RULE_COLUMNS} FROM pricing_rules r WHERE r.id = %(id)s {'FOR UPDATE' if lock else ''}",
        {"id": rule_id},
    )
    return await cur.fetchone()


async def insert_rule(cur, data: Row) -> int:
    columns = ", ".join(EDITABLE)
    values = ", ".join(f"%({c})s" for c in EDITABLE)
    await cur.execute(f"INSERT INTO pricing_rules ({columns}) VALUES ({values})", {c: data.get(c) for c in EDITABLE})
    return cur.lastrowid


async def update_rule(cur, rule_id: int, data: Row) -> None:
    assignments = ", ".join(f"{c} = %({c})s" for c in EDITABLE)
    await cur.execute(
        f"UPDATE pricing_rules SET {assignments} WHERE id = %(id)s",
        {**{c: data.get(c) for c in EDITABLE}, "id": rule_id},
    )


async def select_trip_rules(cur, trip_id: int | None, origin_id: int, destination_id: int) -> list[Row]:
    """The rules of one trip: its own and its route's."""
    await cur.execute(
        f"""
        SELECT {RULE_COLUMNS}
          FROM pricing_rules r
         WHERE r.trip_id = %(trip)s
            OR (r.origin_id = %(origin)s AND r.destination_id = %(destination)s)
        """,
        {"trip": trip_id, "origin": origin_id, "destination": destination_id},
    )
    return await cur.fetchall()


async def select_segment_rules(cur, trip_ids: list[int], origin_id: int, destination_id: int) -> list[Row]:
    """The rules of train or flight runs sold from one city to another: the runs' own and that city pair's."""
    placeholders, params = db.in_list("t", trip_ids)
    await cur.execute(
        f"""
        SELECT {RULE_COLUMNS}
          FROM pricing_rules r
         WHERE r.trip_id IN ({placeholders})
            OR (r.origin_id = %(origin)s AND r.destination_id = %(destination)s)
        """,
        {**params, "origin": origin_id, "destination": destination_id},
    )
    return await cur.fetchall()


async def select_room_type_rules(cur, room_type_id: int | None, hotel_id: int) -> list[Row]:
    """The rules of one room type: its own and its hotel's."""
    await cur.execute(
        f"SELECT {RULE_COLUMNS} FROM pricing_rules r WHERE r.room_type_id = %(rt)s OR r.hotel_id = %(hotel)s",
        {"rt": room_type_id, "hotel": hotel_id},
    )
    return await cur.fetchall()


async def select_bus_rules(cur) -> list[Row]:
    """Every route and trip rule (a small table: the background repricer reads it once a round)."""
    await cur.execute(
        f"SELECT {RULE_COLUMNS} FROM pricing_rules r WHERE r.trip_id IS NOT NULL OR r.origin_id IS NOT NULL"
    )
    return await cur.fetchall()


async def select_hotel_rules(cur) -> list[Row]:
    await cur.execute(
        f"SELECT {RULE_COLUMNS} FROM pricing_rules r WHERE r.hotel_id IS NOT NULL OR r.room_type_id IS NOT NULL"
    )
    return await cur.fetchall()


# --- products ---------------------------------------------------------------------------------------

TRIP_PRICING = """
    t.id, t.origin_id, t.destination_id, t.departs_at, t.price_minor, t.base_price_minor, t.floor_minor,
    t.ceiling_minor, t.seats_total, t.seats_booked, t.currency
"""


async def lock_trips(
    cur,
    *,
    since: datetime,
    ids: list[int] | None = None,
    route: tuple[int, int] | None = None,
    after_id: int | None = None,
    limit: int | None = None,
) -> list[Row]:
    """Scheduled bus trips departing from `since` on, of some ids, a route or a batch after an id, locked in id order
    (the booking engine's order for trips). Trains and flights are not here: their seats are priced per class and
    segment when quoted and booked (travelgo/segments/kind.py), so trips.price_minor is no one's price for them."""
    params: dict[str, Any] = {"since": since}
    where = ["t.status = 'scheduled'", "t.mode = 'bus'", "t.departs_at >= %(since)s"]
    if ids is not None:
        placeholders, id_params = db.in_list("t", ids)
        where.append(f"t.id IN ({placeholders})")
        params.update(id_params)
    if route is not None:
        where.append("t.origin_id = %(origin)s AND t.destination_id = %(destination)s")
        params.update(origin=route[0], destination=route[1])
    if after_id is not None:
        where.append("t.id > %(after)s")
        params["after"] = after_id
    await cur.execute(
        f"""
        SELECT {TRIP_PRICING}
          FROM trips t
         WHERE {" AND ".join(where)}
         ORDER BY t.id
        {"LIMIT %(limit)s" if limit else ""}
           FOR UPDATE
        """,
        {**params, "limit": limit},
    )
    return await cur.fetchall()


async def select_trip_pricing(cur, trip_id: int) -> Row | None:
    """One trip's pricing columns (no lock: the admin preview)."""
    await cur.execute(f"SELECT {TRIP_PRICING} FROM trips t WHERE t.id = %(id)s", {"id": trip_id})
    return await cur.fetchone()


async def update_trip_prices(cur, rows: list[Row]) -> None:
    """rows: [{id, price_minor, base_price_minor}] (sorted by id: the lock order)."""
    await cur.executemany(
        "UPDATE trips SET price_minor = %(price_minor)s, base_price_minor = %(base_price_minor)s WHERE id = %(id)s",
        sorted(rows, key=lambda r: r["id"]),
    )


NIGHT_PRICING = """
    i.room_type_id, i.night, i.price_minor, i.base_price_minor, i.rooms_total, i.rooms_booked
"""


async def lock_nights(
    cur,
    *,
    since: date,
    room_type_ids: list[int] | None = None,
    after: tuple[int, date] | None = None,
    limit: int | None = None,
) -> list[Row]:
    """Inventory rows from `since` on, of some room types or a batch after a key, locked in primary-key order (the
    booking engine's order for room-nights)."""
    params: dict[str, Any] = {"since": since}
    where = ["i.night >= %(since)s"]
    if room_type_ids is not None:
        placeholders, id_params = db.in_list("rt", room_type_ids)
        where.append(f"i.room_type_id IN ({placeholders})")
        params.update(id_params)
    if after is not None:
        where.append("(i.room_type_id > %(after_rt)s OR (i.room_type_id = %(after_rt)s AND i.night > %(after_night)s))")
        params.update(after_rt=after[0], after_night=after[1])
    await cur.execute(
        f"""
        SELECT {NIGHT_PRICING}
          FROM room_inventory i FORCE INDEX (PRIMARY)
         WHERE {" AND ".join(where)}
         ORDER BY i.room_type_id, i.night
        {"LIMIT %(limit)s" if limit else ""}
           FOR UPDATE
        """,
        {**params, "limit": limit},
    )
    return await cur.fetchall()


async def select_room_types(cur, room_type_ids: Iterable[int]) -> dict[int, Row]:
    """Pricing facts of room types: hotel, floor, ceiling and the hotel city's zone (a plain read)."""
    placeholders, params = db.in_list("rt", sorted(set(room_type_ids)))
    await cur.execute(
        f"""
        SELECT rt.id, rt.hotel_id, rt.floor_minor, rt.ceiling_minor, rt.currency, c.timezone
          FROM room_types rt
          JOIN hotels h ON h.id = rt.hotel_id
          JOIN cities c ON c.id = h.city_id
         WHERE rt.id IN ({placeholders})
        """,
        params,
    )
    return {row["id"]: row for row in await cur.fetchall()}


async def select_hotel_room_type_ids(cur, hotel_id: int) -> list[int]:
    await cur.execute("SELECT id FROM room_types WHERE hotel_id = %(id)s ORDER BY id", {"id": hotel_id})
    return [row["id"] for row in await cur.fetchall()]


async def update_night_prices(cur, rows: list[Row]) -> None:
    """rows: [{room_type_id, night, price_minor, base_price_minor}] (sorted: the lock order)."""
    await cur.executemany(
        """
        UPDATE room_inventory FORCE INDEX (PRIMARY)
           SET price_minor = %(price_minor)s, base_price_minor = %(base_price_minor)s
         WHERE room_type_id = %(room_type_id)s
           AND night = %(night)s
        """,
        sorted(rows, key=lambda r: (r["room_type_id"], r["night"])),
    )


async def update_product_bounds(cur, table: str, product_id: int, floor_minor: int | None, ceiling: int | None) -> None:
    assert table in ("trips", "room_types")
    await cur.execute(
        f"UPDATE {table} SET floor_minor = %(floor)s, ceiling_minor = %(ceiling)s WHERE id = %(id)s",
        {"floor": floor_minor, "ceiling": ceiling, "id": product_id},
    )


async def select_next_trip(cur, origin_id: int, destination_id: int, after: datetime, day: date | None) -> Row | None:
    """The route's next scheduled trip (from `day` when given): the preview's sample."""
    await cur.execute(
        f"""
        SELECT {TRIP_PRICING}
          FROM trips t
         WHERE t.origin_id = %(origin)s
           AND t.destination_id = %(destination)s
           AND t.status = 'scheduled'
           AND t.departs_at >= %(after)s
         ORDER BY t.departs_at
         LIMIT 1
        """,
        {
            "origin": origin_id,
            "destination": destination_id,
            "after": max(after, datetime.combine(day, datetime.min.time())) if day else after,
        },
    )
    return await cur.fetchone()


async def select_next_night(cur, room_type_ids: list[int], day: date) -> Row | None:
    """The first night on sale from `day` among these room types: the preview's sample."""
    placeholders, params = db.in_list("rt", room_type_ids)
    await cur.execute(
        f"""
        SELECT {NIGHT_PRICING}
          FROM room_inventory i
         WHERE i.room_type_id IN ({placeholders})
           AND i.night >= %(day)s
         ORDER BY i.night, i.room_type_id
         LIMIT 1
        """,
        {**params, "day": day},
    )
    return await cur.fetchone()
