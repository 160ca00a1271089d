"""SQL for restaurants, their tables and the table-slots bookings hold. Cursor first; never commits."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from .. import db
from ..partners.ownership import HasPartner, where

Row = dict[str, Any]

RESTAURANT_COLUMNS = """r.id, r.city_id, r.partner_id, r.name, r.description, r.address, r.area, r.cuisine,
               r.price_level, r.rating, r.slot_minutes, r.sitting_minutes, r.confirmation, r.response_minutes,
               r.deposit_minor, r.currency, r.free_cancel_hours, r.combine_tables, r.max_party,
               r.contact_email, r.contact_phone, c.name AS city, c.timezone"""


async def select_restaurant(cur, restaurant_id: int, *, lock: bool = False) -> Row | None:
    """A restaurant with its city's name and time zone (`lock`: its row FOR UPDATE, for a change to it)."""
    rows = await (await queue_restaurant(cur, restaurant_id, lock=lock)).rows(cur)
    return rows[0] if rows else None


async def queue_restaurant(cur, restaurant_id: int, *, lock: bool = False) -> db.Queued:
    """select_restaurant's read, going with the cursor's next round trip (db.queue_read)."""
    return await db.queue_read(
        cur,
        f"""
        SELECT {RESTAURANT_COLUMNS}
          FROM restaurants r
          JOIN cities c ON c.id = r.city_id
         WHERE r.id = %(id)s
        {"FOR UPDATE" if lock else ""}
        """,
        {"id": restaurant_id},
    )


async def lock_tables(cur, restaurant_id: int, *, lock: bool = True) -> list[Row]:
    """Every table of the restaurant, locked (queue_lock_tables), read now."""
    return await (await queue_lock_tables(cur, restaurant_id, lock=lock)).rows(cur)


async def queue_lock_tables(cur, restaurant_id: int, *, lock: bool = True) -> db.Queued:
    """Every table of the restaurant, locked in primary-key order: the lock every booking, release and expiry of
    this restaurant takes first, so they queue here and each later read sees the previous holder's commit. A read
    that goes with the cursor's next round trip."""
    return await db.queue_read(
        cur,
        f"""
        SELECT id, label, seats
          FROM restaurant_tables
         WHERE restaurant_id = %(id)s
           AND active = 1
         ORDER BY id
        {"FOR UPDATE" if lock else ""}
        """,
        {"id": restaurant_id},
    )


async def select_tables(cur, restaurant_ids: list[int]) -> list[Row]:
    if not restaurant_ids:
        return []
    placeholders, params = db.in_list("r", restaurant_ids)
    await cur.execute(
        f"""
        SELECT id, restaurant_id, label, seats
          FROM restaurant_tables
         WHERE restaurant_id IN ({placeholders})
           AND active = 1
         ORDER BY id
        """,
        params,
    )
    return list(await cur.fetchall())


async def select_links(cur, restaurant_ids: list[int]) -> list[Row]:
    """Adjacent table pairs (lower id first) of these restaurants."""
    return await (await queue_links(cur, restaurant_ids)).rows(cur) if restaurant_ids else []


async def queue_links(cur, restaurant_ids: list[int]) -> db.Queued:
    placeholders, params = db.in_list("r", restaurant_ids)
    return await db.queue_read(
        cur,
        f"""
        SELECT t.restaurant_id, l.table_id, l.adjacent_id
          FROM restaurant_table_links l
          JOIN restaurant_tables t ON t.id = l.table_id
         WHERE t.restaurant_id IN ({placeholders})
         ORDER BY l.table_id, l.adjacent_id
        """,
        params,
    )


async def select_hours(cur, restaurant_ids: list[int], weekday: int | None = None) -> list[Row]:
    """Opening periods (restaurant_id, weekday, opens, closes), of one weekday or all."""
    return await (await queue_hours(cur, restaurant_ids, weekday)).rows(cur) if restaurant_ids else []


async def queue_hours(cur, restaurant_ids: list[int], weekday: int | None = None) -> db.Queued:
    placeholders, params = db.in_list("r", restaurant_ids)
    return await db.queue_read(
        cur,
        f"""
        SELECT restaurant_id, weekday, opens, closes
          FROM restaurant_hours
         WHERE restaurant_id IN ({placeholders})
           {"AND weekday = %(weekday)s" if weekday is not None else ""}
         ORDER BY restaurant_id, weekday, opens
        """,
        {**params, "weekday": weekday},
    )


async def queue_taken_slots(cur, restaurant_id: int, start: datetime) -> db.Queued:
    """(table_id, slot_at) of every slot an active booking holds on the restaurant's tables during a sitting that
    starts at `start` (as long as the restaurant's sittings); a read that goes with the cursor's next round trip."""
    return await db.queue_read(
        cur,
        """
        SELECT s.table_id, s.slot_at
          FROM restaurants r
          JOIN restaurant_tables t ON t.restaurant_id = r.id
          JOIN restaurant_table_slots s ON s.table_id = t.id
         WHERE r.id = %(id)s
           AND s.slot_at >= %(start)s
           AND s.slot_at < %(start)s + INTERVAL r.sitting_minutes MINUTE
        """,
        {"id": restaurant_id, "start": start},
    )


async def insert_slots(
    cur, booking_id: int, table_ids: list[int], slots: list[datetime], on_error: db.OnError | None = None
) -> None:
    """Hold every slot of the sitting on each table, in (table_id, slot_at) order, in one deferred statement. The
    primary key refuses a slot another booking holds (only reachable with the lock off, or on a retake): on_error
    says what that means."""
    rows = [(t, s) for t in sorted(table_ids) for s in sorted(slots)]
    params = {
        "b": booking_id,
        **{f"t{i}": t for i, (t, _) in enumerate(rows)},
        **{f"s{i}": s for i, (_, s) in enumerate(rows)},
    }
    values = ", ".join(f"(%(t{i})s, %(s{i})s, %(b)s)" for i in range(len(rows)))
    await db.defer(
        cur, f"INSERT INTO restaurant_table_slots (table_id, slot_at, booking_id) VALUES {values}", params, on_error
    )


async def delete_slots_of(cur, booking_ids: list[int]) -> int:
    """Give back every slot these bookings hold; returns how many."""
    placeholders, params = db.in_list("b", sorted(booking_ids))
    await cur.execute(f"DELETE FROM restaurant_table_slots WHERE booking_id IN ({placeholders})", params)
    return cur.rowcount


async def insert_booking_tables(cur, booking_id: int, table_ids: list[int]) -> None:
    """The tables a new booking was given; deferred."""
    placeholders = ", ".join(f"(%(b)s, %(t{i})s)" for i in range(len(table_ids)))
    params = {"b": booking_id, **{f"t{i}": t for i, t in enumerate(sorted(table_ids))}}
    await db.defer(cur, f"INSERT INTO booking_tables (booking_id, table_id) VALUES {placeholders}", params)


async def replace_booking_tables(cur, booking_id: int, table_ids: list[int]) -> None:
    """The tables a retaken booking was given (maybe other tables than the first time); deferred."""
    await db.defer(cur, "DELETE FROM booking_tables WHERE booking_id = %(b)s", {"b": booking_id})
    await insert_booking_tables(cur, booking_id, table_ids)


async def select_booking_tables(cur, booking_id: int) -> list[Row]:
    return await (await queue_booking_tables(cur, booking_id)).rows(cur)


async def queue_booking_tables(cur, booking_id: int) -> db.Queued:
    """A table booking's table(s), read with the cursor's next round trip (db.queue_read)."""
    return await db.queue_read(
        cur,
        """
        SELECT t.id, t.label, t.seats
          FROM booking_tables bt
          JOIN restaurant_tables t ON t.id = bt.table_id
         WHERE bt.booking_id = %(b)s
         ORDER BY t.id
        """,
        {"b": booking_id},
    )


async def lock_due_restaurant_holds(cur, booking_ids: list[int]) -> list[Row]:
    """Of these bookings, the unpaid holds and unanswered requests past their time, locked (after the tables)."""
    placeholders, params = db.in_list("b", sorted(booking_ids))
    await cur.execute(
        f"""
        SELECT id, status, user_id, contact_email, starts_at
          FROM bookings
         WHERE id IN ({placeholders})
           AND status IN ('pending_payment', 'requested')
           AND expires_at <= UTC_TIMESTAMP(6)
         ORDER BY id
           FOR UPDATE
        """,
        params,
    )
    return list(await cur.fetchall())


async def update_bookings_expired(cur, booking_ids: list[int], reason: str) -> None:
    placeholders, params = db.in_list("b", sorted(booking_ids))
    await cur.execute(
        f"""
        UPDATE bookings
           SET status = 'expired', refund_minor = 0, cancel_reason = %(reason)s, cancelled_at = CURRENT_TIMESTAMP(6)
         WHERE id IN ({placeholders})
        """,
        {**params, "reason": reason},
    )


async def update_request_answered(cur, booking_id: int, *, status: str, hold_seconds: int | None) -> None:
    """An accepted request: confirmed (no deposit), or a pending_payment hold of hold_seconds (deposit due)."""
    await cur.execute(
        """
        UPDATE bookings
           SET status = %(status)s, expires_at = UTC_TIMESTAMP(6) + INTERVAL %(hold)s SECOND
         WHERE id = %(id)s
        """,
        {"id": booking_id, "status": status, "hold": hold_seconds},
    )


# --- search -------------------------------------------------------------------------------------------------

SORTS = {
    "rating": "r.rating DESC, r.id",
    "price": "r.price_level, r.rating DESC, r.id",
    "price_desc": "r.price_level DESC, r.rating DESC, r.id",
    "name": "r.name, r.id",
}


async def select_restaurants(
    cur, city_id: int | None, cuisine: str | None, party_size: int, sort: str, weekday: int
) -> list[Row]:
    """Restaurants of a city (every city: None) open that weekday and taking parties that large, sorted."""
    await cur.execute(
        f"""
        SELECT {RESTAURANT_COLUMNS}
          FROM restaurants r
          JOIN cities c ON c.id = r.city_id
         WHERE r.max_party >= %(party)s
           {"AND r.city_id = %(city)s" if city_id else ""}
           {"AND r.cuisine = %(cuisine)s" if cuisine else ""}
           AND EXISTS (SELECT 1 FROM restaurant_hours h WHERE h.restaurant_id = r.id AND h.weekday = %(weekday)s)
         ORDER BY {SORTS[sort]}
        """,
        {"city": city_id, "party": party_size, "cuisine": cuisine, "weekday": weekday},
    )
    return list(await cur.fetchall())


async def select_cuisines(cur, city_id: int | None = None) -> list[str]:
    await cur.execute(
        f"SELECT DISTINCT cuisine FROM restaurants {'WHERE city_id = %(city)s' if city_id else ''} ORDER BY cuisine",
        {"city": city_id},
    )
    return [row["cuisine"] for row in await cur.fetchall()]


async def select_taken_for_day(cur, restaurant_ids: list[int], day: date) -> list[Row]:
    """(restaurant_id, table_id, slot_at) held on these restaurants' tables on one day."""
    if not restaurant_ids:
        return []
    placeholders, params = db.in_list("r", restaurant_ids)
    await cur.execute(
        f"""
        SELECT t.restaurant_id, s.table_id, s.slot_at
          FROM restaurant_tables t
          JOIN restaurant_table_slots s ON s.table_id = t.id
         WHERE t.restaurant_id IN ({placeholders})
           AND s.slot_at >= %(start)s
           AND s.slot_at < %(start)s + INTERVAL 1 DAY
        """,
        {**params, "start": datetime.combine(day, datetime.min.time())},
    )
    return list(await cur.fetchall())


async def select_requests(
    cur, restaurant_id: int | None, limit: int = 100, scope: HasPartner | None = None
) -> list[Row]:
    """Open requests (awaiting the restaurant's answer), soonest deadline first (a partner's restaurants' only)."""
    owned, params = where(scope, "restaurant", "b.restaurant_id")
    await cur.execute(
        f"""
        SELECT b.id, b.reference, b.starts_at, b.guests, b.guest_name, b.notes, b.expires_at, b.contact_email,
               r.id AS restaurant_id, r.name AS restaurant_name, c.name AS city
          FROM bookings b
          JOIN restaurants r ON r.id = b.restaurant_id
          JOIN cities c ON c.id = r.city_id
         WHERE b.status = 'requested'
           AND b.expires_at > UTC_TIMESTAMP(6)
           {"AND b.restaurant_id = %(r)s" if restaurant_id else ""}
           AND {owned}
         ORDER BY b.expires_at
         LIMIT %(limit)s
        """,
        {**params, "r": restaurant_id, "limit": limit},
    )
    return list(await cur.fetchall())
