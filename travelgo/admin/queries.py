"""SQL for the admin area. Cursor first; never commits. Filters are built from fixed fragments, values are
always bound parameters.

The list and analytics queries also serve the partner pages: their `scope` (None for an admin) becomes a WHERE
condition from travelgo.partners.ownership, the one place that knows which business owns which row."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from typing import Any

from .. import db
from ..partners.ownership import HasPartner, where, where_booking

PAGE_SIZE = 25


def like(text: str) -> str:
    """A LIKE pattern matching `text` anywhere, with LIKE's wildcards escaped."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


async def _page(cur, select_sql: str, count_sql: str, params: dict, page: int, page_size: int = PAGE_SIZE) -> dict:
    await cur.execute(count_sql, params)
    total = (await cur.fetchone())["n"]
    pages = db.page_count(total, page_size)
    page = min(page, pages)
    await cur.execute(
        select_sql + " LIMIT %(limit)s OFFSET %(offset)s",
        {**params, "limit": page_size, "offset": (page - 1) * page_size},
    )
    return {
        "items": await cur.fetchall(),
        "total": total,
        "page": page,
        "page_size": page_size,
        "pages": pages,
    }


# --- audit ------------------------------------------------------------------------------------------


async def insert_audit(
    cur,
    *,
    user_id: int | None,
    action: str,
    entity: str,
    entity_id: str,
    before: Any,
    after: Any,
    partner_id: int | None = None,
) -> None:
    await cur.execute(
        """
        INSERT INTO audit_log (user_id, partner_id, action, entity, entity_id, before_data, after_data)
        VALUES (%(user_id)s, %(partner_id)s, %(action)s, %(entity)s, %(entity_id)s, %(before)s, %(after)s)
        """,
        {
            "user_id": user_id,
            "partner_id": partner_id,
            "action": action,
            "entity": entity,
            "entity_id": str(entity_id),
            "before": None if before is None else json.dumps(before, default=str, sort_keys=True),
            "after": None if after is None else json.dumps(after, default=str, sort_keys=True),
        },
    )


async def select_audit(cur, *, entity, action, user_email, date_from, date_to, page, partner_id=None) -> dict:
    where, params = ["1 = 1"], {}
    if partner_id:
        where.append("a.partner_id = %(partner_id)s")
        params["partner_id"] = partner_id
    if entity:
        where.append("a.entity = %(entity)s")
        params["entity"] = entity
    if action:
        where.append("a.action = %(action)s")
        params["action"] = action
    if user_email:
        where.append("u.email LIKE %(email)s")
        params["email"] = like(user_email)
    if date_from:
        where.append("a.created_at >= %(date_from)s")
        params["date_from"] = date_from
    if date_to:
        where.append("a.created_at < %(date_to)s")
        params["date_to"] = date_to + timedelta(days=1)
    clause = " AND ".join(where)
    return await _page(
        cur,
        f"""
        SELECT a.id, a.action, a.entity, a.entity_id, a.before_data, a.after_data, a.created_at,
               u.email AS user_email, u.full_name AS user_name, a.partner_id, p.name AS partner_name
          FROM audit_log a
          LEFT JOIN users u ON u.id = a.user_id
          LEFT JOIN partners p ON p.id = a.partner_id
         WHERE {clause}
         ORDER BY a.id DESC
        """,
        f"SELECT COUNT(*) AS n FROM audit_log a LEFT JOIN users u ON u.id = a.user_id WHERE {clause}",
        params,
        page,
    )


async def select_audit_choices(cur) -> dict:
    await cur.execute("SELECT DISTINCT entity FROM audit_log ORDER BY entity")
    entities = [r["entity"] for r in await cur.fetchall()]
    await cur.execute("SELECT DISTINCT action FROM audit_log ORDER BY action")
    return {"entities": entities, "actions": [r["action"] for r in await cur.fetchall()]}


# --- cities and operators -----------------------------------------------------------------------------

CITY_FIELDS = "id, name, region, country, latitude, longitude, timezone"


async def select_cities(cur, q: str | None, page: int) -> dict:
    where = "WHERE name LIKE %(q)s OR region LIKE %(q)s" if q else ""
    params = {"q": like(q)} if q else {}
    return await _page(
        cur,
        f"SELECT {CITY_FIELDS} FROM cities {where} ORDER BY name",
        f"SELECT COUNT(*) AS n FROM cities {where}",
        params,
        page,
    )


async def select_city_options(cur) -> list[dict]:
    await cur.execute("SELECT id, name, country, CONCAT(name, ', ', country) AS label FROM cities ORDER BY name")
    return await cur.fetchall()


async def select_city(cur, city_id: int, *, lock: bool = False) -> dict | None:
    await cur.execute(
        f"SELECT {CITY_FIELDS} FROM cities WHERE id = %(id)s" + (" FOR UPDATE" if lock else ""), {"id": city_id}
    )
    return await cur.fetchone()


async def insert_city(cur, data: dict) -> int:
    await cur.execute(
        """
        INSERT INTO cities (name, region, country, latitude, longitude, timezone)
        VALUES (%(name)s, %(region)s, %(country)s, %(latitude)s, %(longitude)s, %(timezone)s)
        """,
        data,
    )
    return cur.lastrowid


async def update_city(cur, city_id: int, data: dict) -> None:
    await cur.execute(
        """
        UPDATE cities
           SET name = %(name)s, region = %(region)s, country = %(country)s,
               latitude = %(latitude)s, longitude = %(longitude)s, timezone = %(timezone)s
         WHERE id = %(id)s
        """,
        {**data, "id": city_id},
    )


OPERATOR_FIELDS = "o.id, o.name, o.rating, o.contact_email"


async def select_operators(cur, q: str | None, page: int, scope: HasPartner | None = None) -> dict:
    owned, params = where(scope, "operator", "o.id")
    clause = f"WHERE {owned}" + (" AND o.name LIKE %(q)s" if q else "")
    params |= {"q": like(q)} if q else {}
    return await _page(
        cur,
        f"""
        SELECT {OPERATOR_FIELDS},
               (SELECT COUNT(*) FROM vehicles v WHERE v.operator_id = o.id) AS vehicles
          FROM operators o {clause}
         ORDER BY o.name
        """,
        f"SELECT COUNT(*) AS n FROM operators o {clause}",
        params,
        page,
    )


async def select_operator_options(cur, scope: HasPartner | None = None) -> list[dict]:
    owned, params = where(scope, "operator", "o.id")
    await cur.execute(f"SELECT o.id, o.name FROM operators o WHERE {owned} ORDER BY o.name", params)
    return await cur.fetchall()


async def select_operator(cur, operator_id: int, *, lock: bool = False) -> dict | None:
    await cur.execute(
        f"SELECT {OPERATOR_FIELDS} FROM operators o WHERE o.id = %(id)s" + (" FOR UPDATE" if lock else ""),
        {"id": operator_id},
    )
    return await cur.fetchone()


async def insert_operator(cur, data: dict) -> int:
    await cur.execute(
        "INSERT INTO operators (name, rating, contact_email) VALUES (%(name)s, %(rating)s, %(contact_email)s)", data
    )
    return cur.lastrowid


async def update_operator(cur, operator_id: int, data: dict) -> None:
    await cur.execute(
        "UPDATE operators SET name = %(name)s, rating = %(rating)s, contact_email = %(contact_email)s WHERE id = %(id)s",
        {**data, "id": operator_id},
    )


# --- vehicles -----------------------------------------------------------------------------------------

VEHICLE_FIELDS = """v.id, v.operator_id, v.name, v.is_ac, v.berth, v.layout, v.decks, v.rows_count, v.cols_count,
                    v.seat_count"""


async def select_vehicles(cur, q: str | None, page: int, scope: HasPartner | None = None) -> dict:
    owned, params = where(scope, "vehicle", "v.id")
    # Buses only: a train's rake or an aircraft (layout 'rake') has coaches and cabins (travelgo/segments), not a map.
    clause = f"WHERE {owned} AND v.layout <> 'rake'" + (" AND (v.name LIKE %(q)s OR o.name LIKE %(q)s)" if q else "")
    params |= {"q": like(q)} if q else {}
    return await _page(
        cur,
        f"""
        SELECT {VEHICLE_FIELDS}, o.name AS operator_name,
               (SELECT COUNT(*) FROM trips t WHERE t.vehicle_id = v.id) AS trips
          FROM vehicles v
          JOIN operators o ON o.id = v.operator_id
         {clause}
         ORDER BY o.name, v.name, v.id
        """,
        f"SELECT COUNT(*) AS n FROM vehicles v JOIN operators o ON o.id = v.operator_id {clause}",
        params,
        page,
    )


async def select_vehicle_options(cur, scope: HasPartner | None = None) -> list[dict]:
    owned, params = where(scope, "vehicle", "v.id")
    await cur.execute(
        f"""
        SELECT v.id, v.name, v.seat_count, v.layout, o.name AS operator_name,
               CONCAT(o.name, ' · ', v.name, ' (', v.layout, ', ', v.seat_count, ' seats)') AS label
          FROM vehicles v
          JOIN operators o ON o.id = v.operator_id
         WHERE {owned}
           AND v.layout <> 'rake'
         ORDER BY o.name, v.name
        """,
        params,
    )
    return await cur.fetchall()


async def select_vehicle(cur, vehicle_id: int, *, lock: bool = False) -> dict | None:
    await cur.execute(
        f"""
        SELECT {VEHICLE_FIELDS}, o.name AS operator_name
          FROM vehicles v
          JOIN operators o ON o.id = v.operator_id
         WHERE v.id = %(id)s
        """
        + (" FOR UPDATE" if lock else ""),
        {"id": vehicle_id},
    )
    return await cur.fetchone()


async def select_vehicle_seats(cur, vehicle_id: int) -> list[dict]:
    await cur.execute(
        """
        SELECT label, deck, row_no, col_no, kind
          FROM vehicle_seats
         WHERE vehicle_id = %(id)s
         ORDER BY deck, row_no, col_no
        """,
        {"id": vehicle_id},
    )
    return await cur.fetchall()


async def select_vehicle_trip_count(cur, vehicle_id: int) -> int:
    await cur.execute("SELECT COUNT(*) AS n FROM trips WHERE vehicle_id = %(id)s", {"id": vehicle_id})
    return (await cur.fetchone())["n"]


async def insert_vehicle(cur, data: dict) -> int:
    await cur.execute(
        """
        INSERT INTO vehicles (operator_id, name, is_ac, berth, layout, decks, rows_count, cols_count, seat_count)
        VALUES (%(operator_id)s, %(name)s, %(is_ac)s, %(berth)s, %(layout)s, %(decks)s, %(rows_count)s,
                %(cols_count)s, %(seat_count)s)
        """,
        data,
    )
    return cur.lastrowid


async def update_vehicle(cur, vehicle_id: int, data: dict) -> None:
    assignments = ", ".join(f"{column} = %({column})s" for column in data)
    await cur.execute(f"UPDATE vehicles SET {assignments} WHERE id = %(id)s", {**data, "id": vehicle_id})


async def delete_vehicle_seats(cur, vehicle_id: int) -> None:
    await cur.execute("DELETE FROM vehicle_seats WHERE vehicle_id = %(id)s", {"id": vehicle_id})


async def insert_vehicle_seats(cur, vehicle_id: int, seats: list[dict]) -> None:
    await cur.executemany(
        """
        INSERT INTO vehicle_seats (vehicle_id, label, deck, row_no, col_no, kind)
        VALUES (%(vehicle_id)s, %(label)s, %(deck)s, %(row_no)s, %(col_no)s, %(kind)s)
        """,
        [{**seat, "vehicle_id": vehicle_id} for seat in seats],
    )


# --- trips --------------------------------------------------------------------------------------------

TRIP_FIELDS = """t.id, t.mode, t.route_id, t.operator_id, t.vehicle_id, t.origin_id, t.destination_id, t.departs_at,
                 t.arrives_at, t.duration_minutes, t.price_minor, t.currency, t.seats_total, t.seats_booked, t.status,
                 t.cancel_reason, t.amenities"""
TRIP_JOINS = """JOIN cities oc ON oc.id = t.origin_id
                JOIN cities dc ON dc.id = t.destination_id
                JOIN operators op ON op.id = t.operator_id
                JOIN vehicles v ON v.id = t.vehicle_id"""
TRIP_NAMES = "oc.name AS origin_name, dc.name AS destination_name, op.name AS operator_name, v.name AS vehicle_name"


async def select_trips(cur, f, scope: HasPartner | None = None) -> dict:
    owned, params = where(scope, "trip", "t.id")
    where_, params = [owned], dict(params)
    for column in ("origin_id", "destination_id", "operator_id", "status"):
        if getattr(f, column):
            where_.append(f"t.{column} = %({column})s")
            params[column] = getattr(f, column)
    if f.date_from:
        where_.append("t.departs_at >= %(date_from)s")
        params["date_from"] = f.date_from
    if f.date_to:
        where_.append("t.departs_at < %(date_to)s")
        params["date_to"] = f.date_to + timedelta(days=1)
    if f.q:
        where_.append("(oc.name LIKE %(q)s OR dc.name LIKE %(q)s OR op.name LIKE %(q)s)")
        params["q"] = like(f.q)
    clause = " AND ".join(where_)
    return await _page(
        cur,
        f"SELECT {TRIP_FIELDS}, {TRIP_NAMES} FROM trips t {TRIP_JOINS} WHERE {clause} ORDER BY t.departs_at, t.id",
        f"SELECT COUNT(*) AS n FROM trips t {TRIP_JOINS} WHERE {clause}",
        params,
        f.page,
    )


async def select_trip(cur, trip_id: int) -> dict | None:
    await cur.execute(
        f"SELECT {TRIP_FIELDS}, {TRIP_NAMES} FROM trips t {TRIP_JOINS} WHERE t.id = %(id)s", {"id": trip_id}
    )
    return await cur.fetchone()


async def lock_trip(cur, trip_id: int) -> dict | None:
    await cur.execute(f"SELECT {TRIP_FIELDS} FROM trips t WHERE t.id = %(id)s FOR UPDATE", {"id": trip_id})
    return await cur.fetchone()


async def insert_trip(cur, row: dict) -> int:
    await cur.execute(
        """
        INSERT INTO trips (operator_id, vehicle_id, origin_id, destination_id, departs_at, arrives_at,
                           duration_minutes, price_minor, currency, seats_total, amenities,
                           boarding_points, dropping_points)
        VALUES (%(operator_id)s, %(vehicle_id)s, %(origin_id)s, %(destination_id)s, %(departs_at)s, %(arrives_at)s,
                %(duration_minutes)s, %(price_minor)s, %(currency)s, %(seats_total)s, %(amenities)s,
                %(boarding_points)s, %(dropping_points)s)
        """,
        row,
    )
    return cur.lastrowid


async def update_trip(cur, trip_id: int, data: dict) -> None:
    assignments = ", ".join(f"{column} = %({column})s" for column in data)
    await cur.execute(f"UPDATE trips SET {assignments} WHERE id = %(id)s", {**data, "id": trip_id})


async def select_held_seats(cur, trip_id: int) -> list[str]:
    await cur.execute(
        "SELECT seat_label FROM booking_seats WHERE trip_id = %(id)s AND held = 1 ORDER BY seat_label",
        {"id": trip_id},
    )
    return [r["seat_label"] for r in await cur.fetchall()]


async def lock_confirmed_trip_bookings(cur, trip_id: int) -> list[dict]:
    """Bookings of a trip that hold seats (confirmed, or held awaiting payment), locked in id order (after the trip
    row: the booking engine's order)."""
    await cur.execute(
        """
        SELECT id, status, total_minor
          FROM bookings
         WHERE trip_id = %(id)s AND status IN ('confirmed', 'pending_payment')
         ORDER BY id
           FOR UPDATE
        """,
        {"id": trip_id},
    )
    return await cur.fetchall()


# --- hotels -------------------------------------------------------------------------------------------

HOTEL_FIELDS = """h.id, h.city_id, h.name, h.description, h.address, h.area, h.stars, h.rating, h.amenities,
                  h.latitude, h.longitude, h.distance_km, h.contact_email"""


def _catalogue_filter(scope: HasPartner | None, entity: str, alias: str, f, searched: tuple[str, ...]):
    """The WHERE clause and parameters of an admin catalogue list (hotels, restaurants): the scope's rows, in the
    chosen city, matching `q` in any of the `searched` columns."""
    owned, params = where(scope, entity, f"{alias}.id")
    conditions, params = [owned], dict(params)
    if f.city_id:
        conditions.append(f"{alias}.city_id = %(city_id)s")
        params["city_id"] = f.city_id
    if f.q:
        conditions.append("(" + " OR ".join(f"{alias}.{column} LIKE %(q)s" for column in searched) + ")")
        params["q"] = like(f.q)
    return " AND ".join(conditions), params


async def select_hotels(cur, f, scope: HasPartner | None = None) -> dict:
    clause, params = _catalogue_filter(scope, "hotel", "h", f, ("name", "area"))
    return await _page(
        cur,
        f"""
        SELECT {HOTEL_FIELDS}, c.name AS city_name,
               (SELECT COUNT(*) FROM room_types rt WHERE rt.hotel_id = h.id) AS room_types
          FROM hotels h
          JOIN cities c ON c.id = h.city_id
         WHERE {clause}
         ORDER BY c.name, h.name
        """,
        f"SELECT COUNT(*) AS n FROM hotels h WHERE {clause}",
        params,
        f.page,
    )


async def select_hotel(cur, hotel_id: int, *, lock: bool = False) -> dict | None:
    await cur.execute(
        f"SELECT {HOTEL_FIELDS}, c.name AS city_name FROM hotels h JOIN cities c ON c.id = h.city_id "
        "WHERE h.id = %(id)s" + (" FOR UPDATE" if lock else ""),
        {"id": hotel_id},
    )
    return await cur.fetchone()


async def insert_hotel(cur, data: dict) -> int:
    await cur.execute(
        """
        INSERT INTO hotels (city_id, name, description, address, area, stars, rating, amenities,
                            latitude, longitude, distance_km, contact_email)
        VALUES (%(city_id)s, %(name)s, %(description)s, %(address)s, %(area)s, %(stars)s, %(rating)s,
                %(amenities)s, %(latitude)s, %(longitude)s, %(distance_km)s, %(contact_email)s)
        """,
        data,
    )
    return cur.lastrowid


async def update_hotel(cur, hotel_id: int, data: dict) -> None:
    assignments = ", ".join(f"{column} = %({column})s" for column in data)
    await cur.execute(f"UPDATE hotels SET {assignments} WHERE id = %(id)s", {**data, "id": hotel_id})


RT_FIELDS = "rt.id, rt.hotel_id, rt.name, rt.max_guests, rt.beds, rt.base_price_minor, rt.currency"


async def select_room_types(cur, hotel_id: int) -> list[dict]:
    await cur.execute(
        f"SELECT {RT_FIELDS} FROM room_types rt WHERE rt.hotel_id = %(id)s ORDER BY rt.id", {"id": hotel_id}
    )
    return await cur.fetchall()


async def select_room_type(cur, room_type_id: int, *, lock: bool = False) -> dict | None:
    await cur.execute(
        f"SELECT {RT_FIELDS} FROM room_types rt WHERE rt.id = %(id)s" + (" FOR UPDATE" if lock else ""),
        {"id": room_type_id},
    )
    return await cur.fetchone()


async def insert_room_type(cur, data: dict) -> int:
    await cur.execute(
        """
        INSERT INTO room_types (hotel_id, name, max_guests, beds, base_price_minor, currency)
        VALUES (%(hotel_id)s, %(name)s, %(max_guests)s, %(beds)s, %(base_price_minor)s, %(currency)s)
        """,
        data,
    )
    return cur.lastrowid


async def update_room_type(cur, room_type_id: int, data: dict) -> None:
    assignments = ", ".join(f"{column} = %({column})s" for column in data)
    await cur.execute(f"UPDATE room_types SET {assignments} WHERE id = %(id)s", {**data, "id": room_type_id})


async def select_inventory(cur, hotel_id: int, start: date, days: int) -> list[dict]:
    await cur.execute(
        """
        SELECT ri.room_type_id, ri.night, ri.rooms_total, ri.rooms_booked, ri.price_minor, ri.stop_sell
          FROM room_inventory ri
          JOIN room_types rt ON rt.id = ri.room_type_id
         WHERE rt.hotel_id = %(hotel_id)s
           AND ri.night >= %(start)s AND ri.night < %(end)s
         ORDER BY ri.room_type_id, ri.night
        """,
        {"hotel_id": hotel_id, "start": start, "end": start + timedelta(days=days)},
    )
    return await cur.fetchall()


async def lock_inventory(cur, room_type_id: int, start: date, end: date) -> list[dict]:
    """The existing nights of a room type in [start, end], locked in primary-key order."""
    await cur.execute(
        """
        SELECT night, rooms_total, rooms_booked, price_minor, stop_sell
          FROM room_inventory
         WHERE room_type_id = %(id)s AND night BETWEEN %(start)s AND %(end)s
         ORDER BY night
           FOR UPDATE
        """,
        {"id": room_type_id, "start": start, "end": end},
    )
    return await cur.fetchall()


async def upsert_inventory(cur, room_type_id: int, nights: list[date], rooms_total: int, price_minor: int) -> None:
    await cur.executemany(
        """
        INSERT INTO room_inventory (room_type_id, night, rooms_total, price_minor, base_price_minor)
        VALUES (%(id)s, %(night)s, %(rooms_total)s, %(price_minor)s, %(price_minor)s)
            ON DUPLICATE KEY UPDATE rooms_total = VALUES(rooms_total), price_minor = VALUES(price_minor),
                                    base_price_minor = VALUES(base_price_minor)
        """,
        [{"id": room_type_id, "night": n, "rooms_total": rooms_total, "price_minor": price_minor} for n in nights],
    )


async def update_stop_sell(cur, room_type_id: int, start: date, end: date, stop_sell: bool) -> int:
    await cur.execute(
        """
        UPDATE room_inventory
           SET stop_sell = %(stop)s
         WHERE room_type_id = %(id)s AND night BETWEEN %(start)s AND %(end)s
        """,
        {"id": room_type_id, "start": start, "end": end, "stop": 1 if stop_sell else 0},
    )
    return cur.rowcount


# --- restaurants --------------------------------------------------------------------------------------
# (a restaurant's own row is read with travelgo.restaurants.queries.select_restaurant, the booking engine's)

ACTIVE_TABLE_BOOKING = "('confirmed', 'pending_payment', 'requested')"  # the statuses that hold tables


async def select_restaurants(cur, f, scope: HasPartner | None = None) -> dict:
    clause, params = _catalogue_filter(scope, "restaurant", "r", f, ("name", "area", "cuisine"))
    return await _page(
        cur,
        f"""
        SELECT r.id, r.name, r.area, r.cuisine, r.price_level, r.rating, r.confirmation, c.name AS city_name,
               p.name AS partner_name,
               (SELECT COUNT(*) FROM restaurant_tables t WHERE t.restaurant_id = r.id AND t.active = 1) AS tables
          FROM restaurants r
          JOIN cities c ON c.id = r.city_id
          LEFT JOIN partners p ON p.id = r.partner_id
         WHERE {clause}
         ORDER BY c.name, r.name
        """,
        f"SELECT COUNT(*) AS n FROM restaurants r WHERE {clause}",
        params,
        f.page,
    )


async def insert_restaurant(cur, data: dict) -> int:
    columns = ", ".join(data)
    values = ", ".join(f"%({column})s" for column in data)
    await cur.execute(f"INSERT INTO restaurants ({columns}) VALUES ({values})", data)
    return cur.lastrowid


async def update_restaurant(cur, restaurant_id: int, data: dict) -> None:
    assignments = ", ".join(f"{column} = %({column})s" for column in data)
    await cur.execute(f"UPDATE restaurants SET {assignments} WHERE id = %(id)s", {**data, "id": restaurant_id})


async def count_active_restaurant_bookings(cur, restaurant_id: int) -> int:
    """Bookings of the restaurant holding (or having held) tables: their slot rows follow today's slot grid."""
    await cur.execute(
        f"SELECT COUNT(*) AS n FROM bookings WHERE restaurant_id = %(r)s AND status IN {ACTIVE_TABLE_BOOKING}",
        {"r": restaurant_id},
    )
    return (await cur.fetchone())["n"]


async def select_restaurant_tables(cur, restaurant_id: int, now: datetime) -> list[dict]:
    """The tables in service, each with how many bookings still to come (or seated now) hold it."""
    await cur.execute(
        """
        SELECT t.id, t.label, t.seats,
               (SELECT COUNT(DISTINCT s.booking_id) FROM restaurant_table_slots s
                 WHERE s.table_id = t.id AND s.slot_at >= %(now)s) AS upcoming
          FROM restaurant_tables t
         WHERE t.restaurant_id = %(r)s AND t.active = 1
         ORDER BY t.id
        """,
        {"r": restaurant_id, "now": now},
    )
    return await cur.fetchall()


async def select_table(cur, table_id: int) -> dict | None:
    """A table in service (a removed one reads as missing)."""
    await cur.execute(
        "SELECT id, restaurant_id, label, seats FROM restaurant_tables WHERE id = %(id)s AND active = 1",
        {"id": table_id},
    )
    return await cur.fetchone()


async def insert_table(cur, data: dict) -> int:
    await cur.execute(
        "INSERT INTO restaurant_tables (restaurant_id, label, seats) VALUES (%(restaurant_id)s, %(label)s, %(seats)s)",
        data,
    )
    return cur.lastrowid


async def update_table(cur, table_id: int, data: dict) -> None:
    await cur.execute(
        "UPDATE restaurant_tables SET label = %(label)s, seats = %(seats)s WHERE id = %(id)s", {**data, "id": table_id}
    )


async def update_table_removed(cur, table_id: int) -> None:
    """Out of service: never offered again, kept as the record of its past bookings (and its label freed)."""
    await cur.execute("UPDATE restaurant_tables SET active = NULL WHERE id = %(id)s", {"id": table_id})
    await cur.execute(
        "DELETE FROM restaurant_table_links WHERE table_id = %(id)s OR adjacent_id = %(id)s", {"id": table_id}
    )


async def select_upcoming_table_bookings(cur, table_id: int, now: datetime, limit: int = 5) -> list[dict]:
    """Active bookings holding the table from `now` (the restaurant's clock) on: slot rows exist only for those."""
    await cur.execute(
        """
        SELECT b.reference, b.starts_at, b.guests
          FROM bookings b
         WHERE b.id IN (SELECT s.booking_id FROM restaurant_table_slots s
                         WHERE s.table_id = %(t)s AND s.slot_at >= %(now)s)
         ORDER BY b.starts_at, b.id
         LIMIT %(limit)s
        """,
        {"t": table_id, "now": now, "limit": limit},
    )
    return await cur.fetchall()


async def select_bookings_outgrowing(cur, table_id: int, seats: int) -> list[dict]:
    """Active bookings at this table whose party its tables would no longer seat if it had `seats` seats."""
    await cur.execute(
        f"""
        SELECT b.reference, b.starts_at, b.guests
          FROM bookings b
          JOIN booking_tables bt ON bt.booking_id = b.id
          JOIN restaurant_tables t ON t.id = bt.table_id
         WHERE b.id IN (SELECT booking_id FROM booking_tables WHERE table_id = %(t)s)
           AND b.status IN {ACTIVE_TABLE_BOOKING}
         GROUP BY b.id, b.reference, b.starts_at, b.guests
        HAVING SUM(CASE WHEN t.id = %(t)s THEN %(seats)s ELSE t.seats END) < b.guests
         ORDER BY b.starts_at, b.id
         LIMIT 1
        """,
        {"t": table_id, "seats": seats},
    )
    return await cur.fetchall()


async def replace_hours(cur, restaurant_id: int, spans: list[tuple]) -> None:
    """The week's opening hours: (weekday, opens, closes) rows, all of them (a day without a row is closed)."""
    await cur.execute("DELETE FROM restaurant_hours WHERE restaurant_id = %(r)s", {"r": restaurant_id})
    await cur.executemany(
        "INSERT INTO restaurant_hours (restaurant_id, weekday, opens, closes) VALUES (%s, %s, %s, %s)",
        [(restaurant_id, weekday, opens, closes) for weekday, opens, closes in spans],
    )


async def upsert_link(cur, pair: tuple[int, int]) -> None:
    await cur.execute(
        """
        INSERT INTO restaurant_table_links (table_id, adjacent_id) VALUES (%(a)s, %(b)s)
            ON DUPLICATE KEY UPDATE table_id = table_id
        """,
        {"a": pair[0], "b": pair[1]},
    )


async def delete_link(cur, pair: tuple[int, int]) -> None:
    await cur.execute(
        "DELETE FROM restaurant_table_links WHERE table_id = %(a)s AND adjacent_id = %(b)s",
        {"a": pair[0], "b": pair[1]},
    )


# --- bookings -----------------------------------------------------------------------------------------

BOOKING_SELECT = """
SELECT b.id, b.reference, b.user_id, b.type, b.status, b.total_minor, b.currency, b.contact_email, b.contact_phone,
       b.trip_id, b.room_type_id, b.check_in, b.check_out, b.rooms, b.guests, b.guest_name, b.starts_at, b.ends_at,
       b.refund_minor, b.cancel_reason, b.cancelled_by, b.cancelled_at, b.created_at,
       u.email AS traveller_email, u.full_name AS traveller_name,
       oc.name AS origin_name, dc.name AS destination_name, op.name AS operator_name,
       h.id AS hotel_id, h.name AS hotel_name, rt.name AS room_type_name,
       b.restaurant_id, rs.name AS restaurant_name,
       COALESCE(oc.timezone, hc.timezone, rc.timezone) AS timezone,
       COALESCE(dc.timezone, hc.timezone, rc.timezone) AS end_timezone
  FROM bookings b
  JOIN users u ON u.id = b.user_id
  LEFT JOIN trips t ON t.id = b.trip_id
  LEFT JOIN cities oc ON oc.id = t.origin_id
  LEFT JOIN cities dc ON dc.id = t.destination_id
  LEFT JOIN operators op ON op.id = t.operator_id
  LEFT JOIN room_types rt ON rt.id = b.room_type_id
  LEFT JOIN hotels h ON h.id = rt.hotel_id
  LEFT JOIN cities hc ON hc.id = h.city_id
  LEFT JOIN restaurants rs ON rs.id = b.restaurant_id
  LEFT JOIN cities rc ON rc.id = rs.city_id
"""


def _booking_where(f) -> tuple[str, dict]:
    where, params = ["1 = 1"], {}
    if getattr(f, "trip_id", None):
        where.append("b.trip_id = %(trip_id)s")
        params["trip_id"] = f.trip_id
    if f.reference:
        where.append("b.reference LIKE %(reference)s")
        params["reference"] = like(f.reference)
    if f.email:
        where.append("(u.email LIKE %(email)s OR b.contact_email LIKE %(email)s)")
        params["email"] = like(f.email)
    if f.type:
        where.append("b.type = %(type)s")
        params["type"] = f.type
    if f.status:
        where.append("b.status = %(status)s")
        params["status"] = f.status
    column = "b.created_at" if f.date_on == "booked" else "b.starts_at"
    if f.date_from:
        where.append(f"{column} >= %(date_from)s")
        params["date_from"] = f.date_from
    if f.date_to:
        where.append(f"{column} < %(date_to)s")
        params["date_to"] = f.date_to + timedelta(days=1)
    return " AND ".join(where), params


async def select_bookings(cur, f, *, limit: int, offset: int, scope: HasPartner | None = None) -> dict:
    clause, params = _booking_where(f)
    owned, scope_params = where_booking(scope)
    clause, params = f"{clause} AND {owned}", {**params, **scope_params}
    await cur.execute(f"SELECT COUNT(*) AS n FROM bookings b JOIN users u ON u.id = b.user_id WHERE {clause}", params)
    total = (await cur.fetchone())["n"]
    await cur.execute(
        f"{BOOKING_SELECT} WHERE {clause} ORDER BY b.created_at DESC, b.id DESC LIMIT %(limit)s OFFSET %(offset)s",
        {**params, "limit": limit, "offset": offset},
    )
    return {"items": await cur.fetchall(), "total": total, "limit": limit, "offset": offset}


async def select_booking(cur, reference: str) -> dict | None:
    await cur.execute(f"{BOOKING_SELECT} WHERE b.reference = %(reference)s", {"reference": reference})
    return await cur.fetchone()


async def select_booking_key(cur, reference: str) -> dict | None:
    await cur.execute(
        "SELECT id, reference, trip_id, room_type_id, type, status, total_minor FROM bookings WHERE reference = %(r)s",
        {"r": reference},
    )
    return await cur.fetchone()


# --- analytics ----------------------------------------------------------------------------------------


def _range(date_from: date, date_to: date) -> dict:
    return {"start": date_from, "end": date_to + timedelta(days=1)}


async def select_daily_bookings(cur, date_from: date, date_to: date, scope: HasPartner | None = None) -> list[dict]:
    """Bookings made per day and currency: count, cancelled count, and net revenue (total minus refunds).

    Amounts in different currencies are never added together."""
    owned, params = where_booking(scope)
    await cur.execute(
        f"""
        SELECT DATE(b.created_at) AS day, b.currency,
               COUNT(*) AS bookings,
               SUM(b.status = 'cancelled') AS cancelled,
               SUM(b.total_minor - COALESCE(b.refund_minor, 0)) AS revenue_minor
          FROM bookings b
         WHERE b.created_at >= %(start)s AND b.created_at < %(end)s
           AND {owned}
         GROUP BY DATE(b.created_at), b.currency
         ORDER BY day, b.currency
        """,
        {**_range(date_from, date_to), **params},
    )
    return await cur.fetchall()


async def select_catalogue_currency(cur) -> str | None:
    """The currency most of the latest trips and room types are priced in (None for an empty catalogue).

    The latest thousand of each, by primary key: counting every trip took 1.8 s on the large seed, on every admin
    hotel page; this reads 2,000 index entries."""
    await cur.execute(
        """
        SELECT currency, COUNT(*) AS n
          FROM ((SELECT currency FROM trips ORDER BY id DESC LIMIT 1000)
                 UNION ALL
                (SELECT currency FROM room_types ORDER BY id DESC LIMIT 1000)) latest
         GROUP BY currency
         ORDER BY n DESC, currency
         LIMIT 1
        """
    )
    row = await cur.fetchone()
    return row["currency"] if row else None


async def select_route_occupancy(cur, date_from: date, date_to: date, scope: HasPartner | None = None) -> list[dict]:
    """Seats sold / offered per route over scheduled trips departing in the range."""
    owned, params = where(scope, "trip", "t.id")
    await cur.execute(
        f"""
        SELECT t.origin_id, t.destination_id, oc.name AS origin_name, dc.name AS destination_name,
               COUNT(*) AS trips, SUM(t.seats_total) AS offered, SUM(t.seats_booked) AS sold
          FROM trips t
          JOIN cities oc ON oc.id = t.origin_id
          JOIN cities dc ON dc.id = t.destination_id
         WHERE t.departs_at >= %(start)s AND t.departs_at < %(end)s
           AND t.status = 'scheduled'
           AND {owned}
         GROUP BY t.origin_id, t.destination_id, oc.name, dc.name
         ORDER BY SUM(t.seats_booked) / NULLIF(SUM(t.seats_total), 0) DESC, oc.name, dc.name
        """,
        {**_range(date_from, date_to), **params},
    )
    return await cur.fetchall()


async def select_hotel_occupancy(cur, date_from: date, date_to: date, scope: HasPartner | None = None) -> list[dict]:
    """Room-nights sold / offered per hotel over nights in the range."""
    owned, params = where(scope, "hotel", "h.id")
    await cur.execute(
        f"""
        SELECT h.id AS hotel_id, h.name AS hotel_name, c.name AS city_name,
               SUM(ri.rooms_total) AS offered, SUM(ri.rooms_booked) AS sold
          FROM room_inventory ri
          JOIN room_types rt ON rt.id = ri.room_type_id
          JOIN hotels h ON h.id = rt.hotel_id
          JOIN cities c ON c.id = h.city_id
         WHERE ri.night >= %(start)s AND ri.night < %(end)s
           AND {owned}
         GROUP BY h.id, h.name, c.name
         ORDER BY SUM(ri.rooms_booked) / NULLIF(SUM(ri.rooms_total), 0) DESC, h.name
        """,
        {**_range(date_from, date_to), **params},
    )
    return await cur.fetchall()


async def select_top_routes(
    cur, date_from: date, date_to: date, limit: int = 5, scope: HasPartner | None = None
) -> list[dict]:
    """Routes by net revenue of the bus bookings made in the range, one row per route and currency."""
    owned, params = where_booking(scope)
    await cur.execute(
        f"""
        SELECT oc.name AS origin_name, dc.name AS destination_name, b.currency,
               COUNT(*) AS bookings, SUM(b.total_minor - COALESCE(b.refund_minor, 0)) AS revenue_minor
          FROM bookings b
          JOIN trips t ON t.id = b.trip_id
          JOIN cities oc ON oc.id = t.origin_id
          JOIN cities dc ON dc.id = t.destination_id
         WHERE b.type = 'bus' AND b.status = 'confirmed'
           AND b.created_at >= %(start)s AND b.created_at < %(end)s
           AND {owned}
         GROUP BY t.origin_id, t.destination_id, oc.name, dc.name, b.currency
         ORDER BY revenue_minor DESC, bookings DESC, oc.name, b.currency
         LIMIT %(limit)s
        """,
        {**_range(date_from, date_to), "limit": limit, **params},
    )
    return await cur.fetchall()


async def select_top_hotels(
    cur, date_from: date, date_to: date, limit: int = 5, scope: HasPartner | None = None
) -> list[dict]:
    """Hotels by net revenue of the hotel bookings made in the range, one row per hotel and currency."""
    owned, params = where_booking(scope)
    await cur.execute(
        f"""
        SELECT h.id AS hotel_id, h.name AS hotel_name, c.name AS city_name, b.currency,
               COUNT(*) AS bookings, SUM(b.total_minor - COALESCE(b.refund_minor, 0)) AS revenue_minor
          FROM bookings b
          JOIN room_types rt ON rt.id = b.room_type_id
          JOIN hotels h ON h.id = rt.hotel_id
          JOIN cities c ON c.id = h.city_id
         WHERE b.type = 'hotel' AND b.status = 'confirmed'
           AND b.created_at >= %(start)s AND b.created_at < %(end)s
           AND {owned}
         GROUP BY h.id, h.name, c.name, b.currency
         ORDER BY revenue_minor DESC, bookings DESC, h.name, b.currency
         LIMIT %(limit)s
        """,
        {**_range(date_from, date_to), "limit": limit, **params},
    )
    return await cur.fetchall()
