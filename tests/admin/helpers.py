"""Bookings inserted straight into the tables (as the booking engine would leave them), so admin tests do not
depend on the booking flow: bookings + booking_seats (held=1) + trips.seats_booked, or bookings + booking_nights
+ room_inventory.rooms_booked."""

from __future__ import annotations

import itertools
import json
from datetime import date, datetime, timedelta

from travelgo.dates import utc_now

_refs = itertools.count(1)


def next_reference() -> str:
    return f"TG-T{next(_refs):05d}"


async def book_bus(
    cur,
    user: dict,
    trip: dict,
    seats: list[str],
    *,
    price_minor: int | None = None,
    created_at: datetime | None = None,
    status: str = "confirmed",
    reference: str | None = None,
    contact_email: str | None = None,
) -> dict:
    """A bus booking holding `seats` (a cancelled one holds nothing and is fully refunded)."""
    price = price_minor if price_minor is not None else trip["price_minor"]
    total = price * len(seats)
    reference = reference or next_reference()
    cancelled = status == "cancelled"
    await cur.execute(
        """INSERT INTO bookings (reference, user_id, type, status, total_minor, currency, contact_email, trip_id,
                                 starts_at, ends_at, created_at, refund_minor, cancel_reason, cancelled_by, cancelled_at)
           VALUES (%s, %s, 'bus', %s, %s, 'EUR', %s, %s, %s, %s, %s, %s, %s, %s, %s)""",
        (
            reference,
            user["id"],
            status,
            total,
            contact_email or user["email"],
            trip["id"],
            trip["departs_at"],
            trip["departs_at"] + timedelta(hours=3),
            created_at or utc_now(),
            total if cancelled else None,
            "changed plans" if cancelled else None,
            "traveller" if cancelled else None,
            utc_now() if cancelled else None,
        ),
    )
    booking_id = cur.lastrowid
    await cur.executemany(
        """INSERT INTO booking_seats (booking_id, trip_id, seat_label, passenger_name, passenger_age, price_minor, held)
           VALUES (%s, %s, %s, 'Pat Passenger', 30, %s, %s)""",
        [(booking_id, trip["id"], s, price, None if cancelled else 1) for s in seats],
    )
    if not cancelled:
        await cur.execute("UPDATE trips SET seats_booked = seats_booked + %s WHERE id = %s", (len(seats), trip["id"]))
    return {"id": booking_id, "reference": reference, "total_minor": total, "seats": seats}


async def book_hotel(
    cur,
    user: dict,
    room_type: dict,
    check_in: date,
    nights: int,
    *,
    rooms: int = 1,
    created_at: datetime | None = None,
    status: str = "confirmed",
    reference: str | None = None,
) -> dict:
    """A hotel booking of `rooms` rooms for `nights` nights from check_in."""
    price = room_type["price_minor"]
    total = price * rooms * nights
    reference = reference or next_reference()
    cancelled = status == "cancelled"
    check_out = check_in + timedelta(days=nights)
    await cur.execute(
        """INSERT INTO bookings (reference, user_id, type, status, total_minor, currency, contact_email, room_type_id,
                                 check_in, check_out, rooms, guests, guest_name, starts_at, ends_at, created_at,
                                 refund_minor, cancel_reason, cancelled_by, cancelled_at)
           VALUES (%s, %s, 'hotel', %s, %s, 'EUR', %s, %s, %s, %s, %s, 2, 'Pat Guest', %s, %s, %s, %s, %s, %s, %s)""",
        (
            reference,
            user["id"],
            status,
            total,
            user["email"],
            room_type["id"],
            check_in,
            check_out,
            rooms,
            datetime.combine(check_in, datetime.min.time()).replace(hour=15),
            datetime.combine(check_out, datetime.min.time()).replace(hour=11),
            created_at or utc_now(),
            total if cancelled else None,
            "changed plans" if cancelled else None,
            "traveller" if cancelled else None,
            utc_now() if cancelled else None,
        ),
    )
    booking_id = cur.lastrowid
    days = [check_in + timedelta(days=i) for i in range(nights)]
    await cur.executemany(
        "INSERT INTO booking_nights (booking_id, room_type_id, night, rooms, price_minor) VALUES (%s, %s, %s, %s, %s)",
        [(booking_id, room_type["id"], d, rooms, price) for d in days],
    )
    if not cancelled:
        await cur.execute(
            "UPDATE room_inventory SET rooms_booked = rooms_booked + %s WHERE room_type_id = %s AND night BETWEEN %s AND %s",
            (rooms, room_type["id"], days[0], days[-1]),
        )
    return {"id": booking_id, "reference": reference, "total_minor": total}


async def book_table(
    cur,
    user: dict,
    restaurant: dict,
    table_ids: list[int],
    starts_at: datetime,
    *,
    guests: int = 2,
    status: str = "confirmed",
    reference: str | None = None,
    sitting_minutes: int = 90,
    slot_minutes: int = 15,
) -> dict:
    """A table booking holding `table_ids` for one sitting (a slot row per table per slot), as the engine leaves
    it; a `requested` one awaits the restaurant's answer for two hours."""
    reference = reference or next_reference()
    await cur.execute(
        """INSERT INTO bookings (reference, user_id, type, status, total_minor, currency, contact_email, restaurant_id,
                                 guests, guest_name, starts_at, ends_at, expires_at)
           VALUES (%s, %s, 'restaurant', %s, 0, 'INR', %s, %s, %s, 'Pat Diner', %s, %s, %s)""",
        (
            reference,
            user["id"],
            status,
            user["email"],
            restaurant["id"],
            guests,
            starts_at,
            starts_at + timedelta(minutes=sitting_minutes),
            utc_now() + timedelta(hours=2) if status in ("requested", "pending_payment") else None,
        ),
    )
    booking_id = cur.lastrowid
    await cur.executemany(
        "INSERT INTO booking_tables (booking_id, table_id) VALUES (%s, %s)", [(booking_id, t) for t in table_ids]
    )
    await cur.executemany(
        "INSERT INTO restaurant_table_slots (table_id, slot_at, booking_id) VALUES (%s, %s, %s)",
        [
            (t, starts_at + timedelta(minutes=m), booking_id)
            for t in table_ids
            for m in range(0, sitting_minutes, slot_minutes)
        ],
    )
    return {"id": booking_id, "reference": reference}


async def fetch_one(cur, sql: str, *args):
    await cur.execute(sql, args)
    return await cur.fetchone()


async def fetch_all(cur, sql: str, *args):
    await cur.execute(sql, args)
    return list(await cur.fetchall())


async def events_for(cur, topic: str) -> list[dict]:
    rows = await fetch_all(cur, "SELECT kind, payload FROM events WHERE topic = %s ORDER BY id", topic)
    return [{"kind": r["kind"], "payload": json.loads(r["payload"])} for r in rows]
