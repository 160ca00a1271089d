"""SQL for bookings and the inventory they consume. Cursor first; never commits.

lock_* functions take row locks (SELECT … FOR UPDATE) when `lock=True`; the service decides.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any, NamedTuple

from .. import dates, db
from ..checkout.queries import BOOKING_PAYMENT_FIELDS, BOOKING_PAYMENT_JOINS
from ..notify.queue import USERS_TEXTS

Row = dict[str, Any]


# --- trips and seats --------------------------------------------------------------------------------


async def lock_trip(cur, trip_id: int, *, lock: bool = True) -> Row | None:
    """The trip row, locked (queue_lock_trip), read now."""
    rows = await (await queue_lock_trip(cur, trip_id, lock=lock)).rows(cur)
    return rows[0] if rows else None


# The trip row as its lock reads it, the hottest read of every hold: its plain integers and strings come packed in
# one JSON column that unpacked() spreads into the row, as a booking's read does (BOOKING below), since the driver
# decodes a description of every column in Python. The subqueries stay columns: inside JSON_OBJECT they cost MariaDB
# more than the packing saves (BENCHMARKS.md, session 10).
LOCKED_TRIP = """
        SELECT t.departs_at, t.arrives_at,
               JSON_OBJECT('id', t.id, 'vehicle_id', t.vehicle_id, 'origin_id', t.origin_id,
                           'destination_id', t.destination_id, 'status', t.status, 'price_minor', t.price_minor,
                           'currency', t.currency, 'seats_total', t.seats_total, 'seats_booked', t.seats_booked,
                           'base_price_minor', t.base_price_minor, 'floor_minor', t.floor_minor,
                           'ceiling_minor', t.ceiling_minor) AS packed,
               (SELECT c.timezone FROM cities c WHERE c.id = t.origin_id) AS timezone,
               (SELECT COUNT(*) FROM pricing_rules r WHERE r.trip_id = t.id
                    OR (r.origin_id = t.origin_id AND r.destination_id = t.destination_id)) AS rule_count,
               EXISTS (SELECT 1 FROM trip_points p WHERE p.trip_id = t.id) AS has_points
          FROM trips t
         WHERE t.id = %(trip_id)s"""


async def queue_lock_trip(cur, trip_id: int, *, lock: bool = True) -> db.Queued:
    """The trip row (LOCKED_TRIP); FOR UPDATE makes it the lock that serializes every booking and cancel on this trip.
    A read that goes with the cursor's next round trip (db.queue_read).

    In the same statement: `timezone`, its origin's zone, `rule_count`, how many pricing rules can apply to it
    (0 spares the repricer its read), and `has_points` (0 spares a booking its boarding-point insert). Subqueries in
    a locking read are plain reads (MySQL 8 and MariaDB alike), so neither the city row nor any rule is locked."""
    sql = LOCKED_TRIP + ("\n           FOR UPDATE" if lock else "")
    return await db.queue_read(cur, sql, {"trip_id": trip_id}, shape=unpacked)


async def select_room_nights(cur, room_type_id: int, check_in: date, check_out: date) -> list[Row]:
    """Inventory for the nights of a stay (no lock): price and rooms left per night."""
    await cur.execute(
        """
        SELECT night, price_minor, stop_sell, rooms_total - rooms_booked AS rooms_left
          FROM room_inventory
         WHERE room_type_id = %(room_type_id)s
           AND night >= %(check_in)s
           AND night < %(check_out)s
         ORDER BY night
        """,
        {"room_type_id": room_type_id, "check_in": check_in, "check_out": check_out},
    )
    return await cur.fetchall()


async def select_hotel_room_types(cur, hotel_id: int) -> list[Row]:
    await cur.execute(
        """
        SELECT rt.id, rt.name, rt.max_guests, rt.beds, rt.base_price_minor, rt.currency
          FROM room_types rt
         WHERE rt.hotel_id = %(hotel_id)s
         ORDER BY rt.base_price_minor, rt.id
        """,
        {"hotel_id": hotel_id},
    )
    return await cur.fetchall()


async def select_hotel(cur, hotel_id: int) -> Row | None:
    await cur.execute(
        """
        SELECT h.id, h.name, h.address, h.stars, c.name AS city
          FROM hotels h
          JOIN cities c ON c.id = h.city_id
         WHERE h.id = %(hotel_id)s
        """,
        {"hotel_id": hotel_id},
    )
    return await cur.fetchone()


async def queue_seat_states(cur, trip_id: int, labels: list[str]) -> db.Queued:
    """The read seat_states() takes apart: the requested labels that exist on the trip's vehicle (asked=1) and every
    seat an active booking holds on the trip (asked=0). Two index reads, not a join over every seat of the vehicle; a
    plain read that goes with the cursor's next round trip (after the trip's lock, in a hold)."""
    placeholders, params = db.in_list("s", labels)
    return await db.queue_read(
        cur,
        f"""
        SELECT vs.label, 1 AS asked
          FROM vehicle_seats vs
         WHERE vs.vehicle_id = (SELECT t.vehicle_id FROM trips t WHERE t.id = %(trip_id)s)
           AND vs.label IN ({placeholders})
        UNION ALL
        SELECT bs.seat_label, 0
          FROM booking_seats bs
         WHERE bs.trip_id = %(trip_id)s
           AND bs.held = 1
        """,
        {"trip_id": trip_id, **params},
    )


def seat_states(rows: list[Row]) -> tuple[set[str], list[str]]:
    """(the requested labels on the vehicle, the held seats) of a queue_seat_states read: the check's answer and the
    availability event's list of held seats, from one read."""
    return {row["label"] for row in rows if row["asked"]}, [row["label"] for row in rows if not row["asked"]]


async def select_vehicle_labels(cur, vehicle_id: int) -> list[str]:
    """Every seat label of a vehicle."""
    await cur.execute(
        """
        SELECT label
          FROM vehicle_seats
         WHERE vehicle_id = %(vehicle_id)s
         ORDER BY deck, row_no, col_no
        """,
        {"vehicle_id": vehicle_id},
    )
    return [row["label"] for row in await cur.fetchall()]


async def select_held_seats(cur, trip_id: int, *, lock: bool = False) -> list[str]:
    """Labels of every seat an active booking holds on the trip (a locking read sees the latest commits)."""
    await cur.execute(
        f"""
        SELECT seat_label
          FROM booking_seats
         WHERE trip_id = %(trip_id)s
           AND held = 1
         ORDER BY seat_label
        {"LOCK IN SHARE MODE" if lock else ""}
        """,
        {"trip_id": trip_id},
    )
    return [row["seat_label"] for row in await cur.fetchall()]


async def update_trip_seats_booked(cur, trip_id: int, delta: int, on_error: db.OnError | None = None) -> None:
    """Move the trip's counter (deferred: it goes with the next statement; on_error maps a CHECK refusal)."""
    await db.defer(
        cur,
        "UPDATE trips SET seats_booked = seats_booked + %(delta)s WHERE id = %(trip_id)s",
        {"trip_id": trip_id, "delta": delta},
        on_error,
    )


async def insert_booking_seats(
    cur, booking_id: int, trip_id: int, seats: list[Row], on_error: db.OnError | None = None
) -> None:
    """seats: [{label, name, age, gender, price_minor}], inserted in label order, in one statement that goes with
    the next one (on_error maps a duplicate seat)."""
    rows, params = [], {"booking_id": booking_id, "trip_id": trip_id}
    for i, seat in enumerate(seats):
        rows.append(f"(%(booking_id)s, %(trip_id)s, %(l{i})s, %(n{i})s, %(a{i})s, %(g{i})s, %(p{i})s, 1)")
        params.update(
            {
                f"l{i}": seat["label"],
                f"n{i}": seat["name"],
                f"a{i}": seat["age"],
                f"g{i}": seat["gender"],
                f"p{i}": seat["price_minor"],
            }
        )
    await db.defer(
        cur,
        f"""
        INSERT INTO booking_seats (booking_id, trip_id, seat_label, passenger_name, passenger_age,
                                   passenger_gender, price_minor, held)
        VALUES {", ".join(rows)}
        """,
        params,
        on_error,
    )


async def lock_booking_seats(cur, booking_id: int) -> list[str]:
    """The seats a booking still holds, locked for release."""
    await cur.execute(
        """
        SELECT seat_label
          FROM booking_seats
         WHERE booking_id = %(booking_id)s
           AND held = 1
         ORDER BY seat_label
           FOR UPDATE
        """,
        {"booking_id": booking_id},
    )
    return [row["seat_label"] for row in await cur.fetchall()]


async def update_booking_seats_held(cur, booking_id: int) -> None:
    """Hold a booking's released seats again (UNIQUE(trip_id, seat_label, held) refuses one sold meanwhile)."""
    await cur.execute(
        "UPDATE booking_seats SET held = 1 WHERE booking_id = %(booking_id)s AND held IS NULL",
        {"booking_id": booking_id},
    )


async def update_booking_seats_released(cur, booking_id: int) -> None:
    """held = NULL frees the seat: the UNIQUE(trip_id, seat_label, held) key ignores NULLs."""
    await cur.execute(
        "UPDATE booking_seats SET held = NULL WHERE booking_id = %(booking_id)s AND held = 1",
        {"booking_id": booking_id},
    )


# --- hotel inventory --------------------------------------------------------------------------------


async def lock_room_nights(cur, room_type_id: int, nights: list[date], *, lock: bool = True) -> list[Row]:
    """The inventory rows for these nights, locked (queue_lock_room_nights), read now."""
    return await (await queue_lock_room_nights(cur, room_type_id, nights, lock=lock)).rows(cur)


async def queue_lock_room_nights(cur, room_type_id: int, nights: list[date], *, lock: bool = True) -> db.Queued:
    """The inventory rows for these nights, locked in primary-key (room_type_id, night) order; a read that goes with
    the cursor's next round trip (db.queue_read).

    FORCE INDEX (PRIMARY) here and in the UPDATE: if the optimizer took ix_room_inventory_night for one statement
    and the primary key for another, two stays would lock the same rows in different orders and deadlock.
    """
    placeholders, params = db.in_list("n", sorted(nights))
    return await db.queue_read(
        cur,
        f"""
        SELECT night, rooms_total, rooms_booked, price_minor, base_price_minor, stop_sell
          FROM room_inventory FORCE INDEX (PRIMARY)
         WHERE room_type_id = %(room_type_id)s
           AND night IN ({placeholders})
         ORDER BY night
        {"FOR UPDATE" if lock else ""}
        """,
        {"room_type_id": room_type_id, **params},
    )


async def select_room_type(cur, room_type_id: int) -> Row | None:
    rows = await (await queue_room_type(cur, room_type_id)).rows(cur)
    return rows[0] if rows else None


async def queue_room_type(cur, room_type_id: int) -> db.Queued:
    """The room type with its hotel, city zone and how many pricing rules can apply to it (a plain read that goes
    with the cursor's next round trip)."""
    return await db.queue_read(
        cur,
        """
        SELECT rt.id, rt.hotel_id, rt.name, rt.max_guests, rt.currency, rt.floor_minor, rt.ceiling_minor,
               h.name AS hotel_name, h.city_id, c.timezone,
               (SELECT COUNT(*) FROM pricing_rules r WHERE r.room_type_id = rt.id OR r.hotel_id = rt.hotel_id)
                 AS rule_count
          FROM room_types rt
          JOIN hotels h ON h.id = rt.hotel_id
          JOIN cities c ON c.id = h.city_id
         WHERE rt.id = %(id)s
        """,
        {"id": room_type_id},
    )


async def update_room_nights_booked(
    cur, room_type_id: int, nights: list[date], delta: int, on_error: db.OnError | None = None
) -> None:
    """Move the nights' counters (deferred: it goes with the next statement; on_error maps a CHECK refusal)."""
    placeholders, params = db.in_list("n", sorted(nights))
    await db.defer(
        cur,
        f"""
        UPDATE room_inventory FORCE INDEX (PRIMARY)
           SET rooms_booked = rooms_booked + %(delta)s
         WHERE room_type_id = %(room_type_id)s
           AND night IN ({placeholders})
        """,
        {"room_type_id": room_type_id, "delta": delta, **params},
        on_error,
    )


async def insert_booking_nights(cur, booking_id: int, room_type_id: int, rooms: int, nights: list[Row]) -> None:
    """nights: [{night, price_minor}]; one multi-row insert, deferred (it goes with the next statement)."""
    rows, params = [], {"booking_id": booking_id, "room_type_id": room_type_id, "rooms": rooms}
    for i, n in enumerate(nights):
        rows.append(f"(%(booking_id)s, %(room_type_id)s, %(n{i})s, %(rooms)s, %(p{i})s)")
        params.update({f"n{i}": n["night"], f"p{i}": n["price_minor"]})
    await db.defer(
        cur,
        f"INSERT INTO booking_nights (booking_id, room_type_id, night, rooms, price_minor) VALUES {', '.join(rows)}",
        params,
    )


async def select_booking_nights(cur, booking_id: int) -> list[Row]:
    return await (await queue_booking_nights(cur, booking_id)).rows(cur)


async def queue_booking_nights(cur, booking_id: int) -> db.Queued:
    """A hotel booking's nights, read with the cursor's next round trip (db.queue_read)."""
    return await db.queue_read(
        cur,
        """
        SELECT night, rooms, price_minor
          FROM booking_nights
         WHERE booking_id = %(booking_id)s
         ORDER BY night
        """,
        {"booking_id": booking_id},
    )


# --- bookings -----------------------------------------------------------------------------------------


async def select_booking_id_by_key(cur, user_id: int, key: str) -> int | None:
    await cur.execute(
        "SELECT id FROM bookings WHERE user_id = %(user_id)s AND idempotency_key = %(key)s",
        {"user_id": user_id, "key": key},
    )
    row = await cur.fetchone()
    return row["id"] if row else None


async def insert_booking(cur, values: Row) -> int:
    """A new booking: by default a pending_payment hold that expires hold_seconds after now (UTC); a status
    (confirmed, requested) and hold_seconds (None: never expires) may say otherwise."""
    await cur.execute(
        """
        INSERT INTO bookings (reference, user_id, type, status, expires_at, total_minor, currency, contact_email,
                              contact_phone, trip_id, room_type_id, restaurant_id, check_in, check_out, rooms, guests,
                              guest_name, notes, starts_at, ends_at, idempotency_key)
        VALUES (%(reference)s, %(user_id)s, %(type)s, %(status)s, UTC_TIMESTAMP(6) + INTERVAL %(hold_seconds)s SECOND,
                %(total_minor)s, %(currency)s, %(contact_email)s, %(contact_phone)s, %(trip_id)s, %(room_type_id)s,
                %(restaurant_id)s, %(check_in)s, %(check_out)s, %(rooms)s, %(guests)s, %(guest_name)s, %(notes)s,
                %(starts_at)s, %(ends_at)s, %(idempotency_key)s)
        """,
        {
            "status": "pending_payment",
            "restaurant_id": None,
            "notes": None,
            "trip_id": None,
            "room_type_id": None,
            "check_in": None,
            "check_out": None,
            "rooms": None,
            "guests": None,
            "guest_name": None,
            **values,
        },
    )
    return cur.lastrowid


async def select_booking_core(cur, booking_id: int) -> Row | None:
    """The fields a cancel needs (they never change after booking, so a plain read is enough)."""
    await cur.execute(
        """
        SELECT id, reference, user_id, contact_email, type, trip_id, room_type_id, restaurant_id, check_in, check_out,
               rooms, guests, total_minor, currency, starts_at
          FROM bookings
         WHERE id = %(id)s
        """,
        {"id": booking_id},
    )
    return await cur.fetchone()


async def select_booking_core_by_reference(cur, user_id: int, reference: str) -> Row | None:
    await cur.execute(
        f"""
        SELECT b.id, b.type, {EFFECTIVE_STATUS} AS status, b.total_minor, b.currency, b.starts_at,
               {BOOKING_ZONE} AS timezone, zrr.free_cancel_hours, b.itinerary_checkout_id
          FROM bookings b
          {BOOKING_ZONE_JOINS}
         WHERE b.reference = %(reference)s
           AND b.user_id = %(user_id)s
        """,
        {"reference": reference, "user_id": user_id},
    )
    return await cur.fetchone()


async def lock_booking_state(cur, booking_id: int) -> Row | None:
    """The booking's status and hold expiry, locked (always after the inventory it holds)."""
    await cur.execute(
        """
        SELECT status, expires_at, expires_at <= UTC_TIMESTAMP(6) AS hold_expired
          FROM bookings
         WHERE id = %(id)s
           FOR UPDATE
        """,
        {"id": booking_id},
    )
    return await cur.fetchone()


async def update_booking_released(
    cur, booking_id: int, *, status: str, reason: str | None, cancelled_by: str | None, refund_minor: int
) -> None:
    """A booking whose inventory went back: cancelled (with its refund) or expired (an unpaid hold)."""
    await cur.execute(
        """
        UPDATE bookings
           SET status = %(status)s, refund_minor = %(refund)s, cancel_reason = %(reason)s,
               cancelled_by = %(by)s, cancelled_at = CURRENT_TIMESTAMP(6)
         WHERE id = %(id)s
        """,
        {"id": booking_id, "status": status, "refund": refund_minor, "reason": reason, "by": cancelled_by},
    )


async def update_booking_confirmed(cur, booking_id: int) -> None:
    """Paid: the hold becomes a confirmed booking (an expired one only after retake() held its items again)."""
    await cur.execute(
        """
        UPDATE bookings
           SET status = 'confirmed', expires_at = NULL, refund_minor = NULL, cancel_reason = NULL,
               cancelled_by = NULL, cancelled_at = NULL
         WHERE id = %(id)s
        """,
        {"id": booking_id},
    )


async def lock_expired_holds(cur, booking_ids: list[int]) -> list[int]:
    """Of these bookings, the holds still unpaid and past their time, locked (after their inventory)."""
    placeholders, params = db.in_list("b", sorted(booking_ids))
    await cur.execute(
        f"""
        SELECT id
          FROM bookings
         WHERE id IN ({placeholders})
           AND status = 'pending_payment'
           AND expires_at <= UTC_TIMESTAMP(6)
         ORDER BY id
           FOR UPDATE
        """,
        params,
    )
    return [row["id"] for row in await cur.fetchall()]


async def update_seats_released_of(cur, booking_ids: list[int]) -> int:
    """Free every seat these bookings hold; returns how many."""
    placeholders, params = db.in_list("b", booking_ids)
    await cur.execute(f"UPDATE booking_seats SET held = NULL WHERE booking_id IN ({placeholders}) AND held = 1", params)
    return cur.rowcount


async def update_bookings_expired(cur, booking_ids: list[int]) -> None:
    placeholders, params = db.in_list("b", booking_ids)
    await cur.execute(
        f"""
        UPDATE bookings
           SET status = 'expired', refund_minor = 0, cancel_reason = 'The hold ran out before payment.',
               cancelled_at = CURRENT_TIMESTAMP(6)
         WHERE id IN ({placeholders})
        """,
        params,
    )


async def select_nights_of(cur, booking_ids: list[int]) -> list[Row]:
    placeholders, params = db.in_list("b", booking_ids)
    await cur.execute(
        f"""
        SELECT booking_id, night, rooms
          FROM booking_nights
         WHERE booking_id IN ({placeholders})
        """,
        params,
    )
    return list(await cur.fetchall())


async def select_due_holds(cur, limit: int) -> list[Row]:
    """Holds (and restaurant requests) whose time ran out, with the inventory they hold, oldest first
    (ix_bookings_hold)."""
    await cur.execute(
        """
        SELECT id, type, COALESCE(trip_id, room_type_id, restaurant_id) AS inventory_id
          FROM bookings
         WHERE status IN ('pending_payment', 'requested')
           AND expires_at <= UTC_TIMESTAMP(6)
         ORDER BY expires_at
         LIMIT %(limit)s
        """,
        {"limit": limit},
    )
    return list(await cur.fetchall())


async def lock_user(cur, user_id: int) -> db.Queued:
    """Lock the traveller's row, reading with it `texts`, whether they take text messages (notify.queue's texts=),
    in a read that goes with the next statement."""
    return await db.queue_read(
        cur, f"SELECT {USERS_TEXTS} AS texts FROM users WHERE id = %(id)s FOR UPDATE", {"id": user_id}
    )


# How many unexpired holds a traveller has, counted up to a limit: enough to say whether the limit is reached.
# ix_bookings_user_open (migration 116) answers it from the traveller's open holds alone (bench/explain.py checks).
OPEN_HOLDS = """
        SELECT COUNT(*) AS n
          FROM (SELECT 1
                  FROM bookings
                 WHERE user_id = %(id)s
                   AND status = 'pending_payment'
                   AND expires_at > UTC_TIMESTAMP(6)
                 LIMIT %(limit)s) AS open_holds
"""


async def queue_open_holds(cur, user_id: int, limit: int) -> db.Queued:
    """The traveller's open holds up to `limit` (OPEN_HOLDS; exact under lock_user): one row, n, read with the next
    statement."""
    return await db.queue_read(cur, OPEN_HOLDS, {"id": user_id, "limit": limit})


# The zone of a booking's starts_at/ends_at: the bus's origin, the hotel's or the restaurant's city.
BOOKING_ZONE = "COALESCE(zo.timezone, zh.timezone, zrc.timezone)"
BOOKING_ZONE_JOINS = """LEFT JOIN trips zt ON zt.id = b.trip_id
          LEFT JOIN cities zo ON zo.id = zt.origin_id
          LEFT JOIN room_types zr ON zr.id = b.room_type_id
          LEFT JOIN hotels zhh ON zhh.id = zr.hotel_id
          LEFT JOIN cities zh ON zh.id = zhh.city_id
          LEFT JOIN restaurants zrr ON zrr.id = b.restaurant_id
          LEFT JOIN cities zrc ON zrc.id = zrr.city_id"""

# A hold (or a restaurant request) whose time ran out reads as expired at once, before the sweeper releases it.
EFFECTIVE_STATUS = (
    "IF(b.status IN ('pending_payment', 'requested') AND b.expires_at <= UTC_TIMESTAMP(6), 'expired', b.status)"
)


# A booking as pages and the API show it (bookings.service._complete) is read in two parts. BOOKING, the part every
# kind shares: the bookings row and its payment (its own, or its itinerary checkout's: checkout.queries) with a count
# of its refunds. And SHOWN[type], what a booking of that kind shows of its trip, hotel or restaurant (and the joins
# it needs). The driver decodes a description of every column of every read in Python, about 9 µs each here (issue
# 24, bench/readback.py), so a booking reads its own kind's fields only (_complete gives it the other kinds' keys,
# SHOWN_KEYS, as None), and its plain values, strings and integers, come in ONE column: `packed`, a JSON object that
# unpacked() spreads into the row. Moments, dates and the JSON point lists stay columns (the driver makes datetime
# and date of them; _complete decodes the points).
class Fields(NamedTuple):
    """Fields of a booking read, each key of the booking -> SQL expression."""

    columns: dict[str, str]  # DATETIME, DATE, JSON: a column each
    packed: dict[str, str]  # strings and integers: one JSON column together
    joins: str = ""


BOOKING = Fields(
    {
        "expires_at": "b.expires_at",
        "check_in": "b.check_in",
        "check_out": "b.check_out",
        "starts_at": "b.starts_at",
        "ends_at": "b.ends_at",
        "cancelled_at": "b.cancelled_at",
        "created_at": "b.created_at",
    },
    {
        "id": "b.id",
        "reference": "b.reference",
        "user_id": "b.user_id",
        "type": "b.type",
        "status": EFFECTIVE_STATUS,
        "total_minor": "b.total_minor",
        "currency": "b.currency",
        "contact_email": "b.contact_email",
        "contact_phone": "b.contact_phone",
        "trip_id": "b.trip_id",
        "room_type_id": "b.room_type_id",
        "rooms": "b.rooms",
        "guests": "b.guests",
        "guest_name": "b.guest_name",
        "refund_minor": "b.refund_minor",
        "cancel_reason": "b.cancel_reason",
        "cancelled_by": "b.cancelled_by",
        "itinerary_checkout_id": "b.itinerary_checkout_id",
        "restaurant_id": "b.restaurant_id",
        "notes": "b.notes",
        **BOOKING_PAYMENT_FIELDS,
    },
    BOOKING_PAYMENT_JOINS,
)
# A bus trip: its times, cities, operator and vehicle, its points as its row lists them, and its cities' zones.
BUS_SHOWN = Fields(
    {
        "departs_at": "t.departs_at",
        "arrives_at": "t.arrives_at",
        "boarding_points": "t.boarding_points",
        "dropping_points": "t.dropping_points",
    },
    {
        "trip_status": "t.status",
        "origin": "o.name",
        "destination": "d.name",
        "operator": "op.name",
        "vehicle_name": "v.name",
        "is_ac": "v.is_ac",
        "berth": "v.berth",
        "operator_phone": "op.contact_phone",
        "timezone": "o.timezone",
        "end_timezone": "d.timezone",
    },
    """LEFT JOIN trips t ON t.id = b.trip_id
          LEFT JOIN cities o ON o.id = t.origin_id
          LEFT JOIN cities d ON d.id = t.destination_id
          LEFT JOIN operators op ON op.id = t.operator_id
          LEFT JOIN vehicles v ON v.id = t.vehicle_id""",
)
# A train or flight run: its segment's cities, times, operator and status come from the segment's own reads
# (segments.service.booking_segment); the run gives its zones (its moments are the run's wall-clock times), the
# operator's phone and the points the itinerary planner places it by.
SEGMENT_SHOWN = Fields(
    {"boarding_points": "t.boarding_points"},
    {"operator_phone": "op.contact_phone", "timezone": "o.timezone", "end_timezone": "d.timezone"},
    """LEFT JOIN trips t ON t.id = b.trip_id
          LEFT JOIN cities o ON o.id = t.origin_id
          LEFT JOIN cities d ON d.id = t.destination_id
          LEFT JOIN operators op ON op.id = t.operator_id""",
)
# A stay or a table ends in the zone it starts in: _complete copies `timezone` to `end_timezone`.
HOTEL_SHOWN = Fields(
    {},
    {
        "room_type_name": "rt.name",
        "hotel_id": "h.id",
        "hotel_name": "h.name",
        "hotel_address": "h.address",
        "hotel_city": "hc.name",
        "hotel_phone": "h.contact_phone",
        "timezone": "hc.timezone",
    },
    """LEFT JOIN room_types rt ON rt.id = b.room_type_id
          LEFT JOIN hotels h ON h.id = rt.hotel_id
          LEFT JOIN cities hc ON hc.id = h.city_id""",
)
RESTAURANT_SHOWN = Fields(
    {},
    {
        "restaurant_name": "rs.name",
        "restaurant_address": "rs.address",
        "restaurant_phone": "rs.contact_phone",
        "restaurant_city": "rc.name",
        "free_cancel_hours": "rs.free_cancel_hours",
        "timezone": "rc.timezone",
    },
    """LEFT JOIN restaurants rs ON rs.id = b.restaurant_id
          LEFT JOIN cities rc ON rc.id = rs.city_id""",
)
SHOWN = {
    "bus": BUS_SHOWN,
    "train": SEGMENT_SHOWN,
    "flight": SEGMENT_SHOWN,
    "hotel": HOTEL_SHOWN,
    "restaurant": RESTAURANT_SHOWN,
}
SHOWN_KEYS = tuple(
    dict.fromkeys(["end_timezone", *(key for shown in SHOWN.values() for key in (*shown.columns, *shown.packed))])
)


def _select(*parts: Fields) -> str:
    """A booking read of these fields: its select list, FROM bookings b and the joins."""
    columns = [f"{expression} AS {key}" for part in parts for key, expression in part.columns.items()]
    packed = ", ".join(f"'{key}', {expression}" for part in parts for key, expression in part.packed.items())
    joins = "\n          ".join(part.joins for part in parts if part.joins)
    return f"""
        SELECT {", ".join([*columns, f"JSON_OBJECT({packed}) AS packed"])}
          FROM bookings b
          {joins}"""


def unpacked(row: Row | None) -> Row | None:
    """A booking read's row with its `packed` values spread as keys of their own."""
    if row is None:
        return None
    packed = row.pop("packed")
    return {**row, **json.loads(packed)}


BOOKING_ROW = _select(BOOKING)
# The row with its kind's fields, for a caller that knows the kind (the booking it just made): one statement.
BOOKING_OF_KIND = {kind: _select(BOOKING, shown) + "\n         WHERE b.id = %(id)s" for kind, shown in SHOWN.items()}
# The kind's fields alone, for a row read without knowing its kind: they go with its items' reads.
SHOWN_OF = {kind: _select(shown) + "\n         WHERE b.id = %(id)s" for kind, shown in SHOWN.items()}


async def select_booking(cur, booking_id: int) -> Row | None:
    """The bookings row and its payment (BOOKING_ROW), unpacked, without its kind's fields (queue_booking_shown)."""
    await cur.execute(BOOKING_ROW + " WHERE b.id = %(id)s", {"id": booking_id})
    return unpacked(await cur.fetchone())


async def select_booking_by_reference(cur, user_id: int, reference: str) -> Row | None:
    """select_booking by the traveller's reference (None for another traveller's)."""
    await cur.execute(
        BOOKING_ROW + " WHERE b.reference = %(reference)s AND b.user_id = %(user_id)s",
        {"reference": reference, "user_id": user_id},
    )
    return unpacked(await cur.fetchone())


async def queue_booking_of_kind(cur, booking_id: int, kind: str) -> db.Queued:
    """The bookings row, its payment and the fields its kind shows (the caller knows the kind), read with the
    cursor's next round trip (db.queue_read); its row is packed (unpacked())."""
    return await db.queue_read(cur, BOOKING_OF_KIND[kind], {"id": booking_id})


async def queue_bookings_of_kind(cur, booking_ids: list[int], kind: str) -> db.Queued:
    """Of several bookings, those of one kind, each with its payment and its kind's fields (a batch of messages about
    them: one such read per kind goes in one round trip); rows packed (unpacked())."""
    marks, params = db.in_list("id", booking_ids)
    return await db.queue_read(
        cur,
        _select(BOOKING, SHOWN[kind]) + f"\n         WHERE b.id IN ({marks}) AND b.type = %(kind)s",
        {**params, "kind": kind},
    )


async def queue_booking_shown(cur, booking_id: int, kind: str) -> db.Queued:
    """The fields a booking of this kind shows of its trip, hotel or restaurant, read with the next round trip; its
    row is packed (unpacked())."""
    return await db.queue_read(cur, SHOWN_OF[kind], {"id": booking_id})


async def select_booking_seats(cur, booking_id: int) -> list[Row]:
    return await (await queue_booking_seats(cur, booking_id)).rows(cur)


async def queue_booking_seats(cur, booking_id: int) -> db.Queued:
    """A booking's seats, read with the cursor's next round trip (db.queue_read)."""
    return await db.queue_read(
        cur,
        """
        SELECT seat_label, passenger_name, passenger_age, passenger_gender, price_minor, held
          FROM booking_seats
         WHERE booking_id = %(booking_id)s
         ORDER BY id
        """,
        {"booking_id": booking_id},
    )


async def queue_seats_of_bookings(cur, booking_ids: list[int]) -> db.Queued:
    """The seats of several bookings (queue_booking_seats' columns and order, with booking_id), read with the
    cursor's next round trip."""
    marks, params = db.in_list("id", booking_ids)
    return await db.queue_read(
        cur,
        f"""
        SELECT booking_id, seat_label, passenger_name, passenger_age, passenger_gender, price_minor, held
          FROM booking_seats
         WHERE booking_id IN ({marks})
         ORDER BY booking_id, id
        """,
        params,
    )


# A trip or stay under way is still "upcoming" (the traveller needs its ticket); it is "past" once it has ended.
# Holds awaiting payment are upcoming; expired holds are listed with the cancelled bookings.
# %(now)s stands for the booking's own city's clock (dates.wall_now_sql).
SCOPES = {
    "upcoming": f"{EFFECTIVE_STATUS} IN ('confirmed', 'pending_payment', 'requested') AND b.ends_at > %(now)s",
    "past": "b.status = 'confirmed' AND b.ends_at <= %(now)s",
    "cancelled": f"{EFFECTIVE_STATUS} IN ('cancelled', 'expired', 'rejected')",
    "all": "1 = 1",
}


# By travel date, as travellers scan their trips: what is coming, soonest first; what is over, latest first.
# "all" lists the bookings still ahead (soonest first) above the rest (latest first).
SCOPE_ORDERS = {
    "upcoming": "b.starts_at ASC, b.id ASC",
    "past": "b.starts_at DESC, b.id DESC",
    "cancelled": "b.starts_at DESC, b.id DESC",
    "all": f"({SCOPES['upcoming']}) DESC, CASE WHEN {SCOPES['upcoming']} THEN b.starts_at END ASC, b.starts_at DESC, b.id DESC",
}


def _scope(scope: str, zones: list[str]) -> tuple[str, dict]:
    """The scope's condition with "now" in each booking's zone (the zones of every city, so each row finds its own)."""
    now_sql, params = dates.wall_now_sql(BOOKING_ZONE, zones)
    return SCOPES[scope].replace("%(now)s", now_sql), params


async def select_bookings_page(cur, user_id: int, scope: str, zones: list[str], limit: int, offset: int) -> list[Row]:
    """A page of a user's bookings by travel date (SCOPE_ORDERS), with a title (route or hotel), the seat count
    and the zone."""
    condition, params = _scope(scope, zones)
    now_sql, _ = dates.wall_now_sql(BOOKING_ZONE, zones)
    order = SCOPE_ORDERS[scope].replace("%(now)s", now_sql)
    await cur.execute(
        f"""
        SELECT b.reference, b.type, {EFFECTIVE_STATUS} AS status, b.expires_at, b.starts_at, b.ends_at,
               b.total_minor, b.currency, b.created_at,
               b.check_in, b.check_out, b.rooms, b.guests, b.refund_minor, b.trip_id,
               CASE WHEN b.type = 'bus' THEN CONCAT(o.name, ' → ', d.name)
                    WHEN b.type = 'hotel' THEN h.name
                    WHEN b.type = 'restaurant' THEN zrr.name
                    ELSE (SELECT CONCAT(so.name, ' → ', sd.name)
                            FROM booking_segment_seats ss
                            JOIN route_stops rso ON rso.route_id = t.route_id AND rso.stop_no = ss.from_stop
                            JOIN route_stops rsd ON rsd.route_id = t.route_id AND rsd.stop_no = ss.to_stop
                            JOIN cities so ON so.id = rso.city_id
                            JOIN cities sd ON sd.id = rsd.city_id
                           WHERE ss.booking_id = b.id
                           LIMIT 1) END AS title,
               (SELECT COUNT(*) FROM booking_seats bs WHERE bs.booking_id = b.id)
               + (SELECT COUNT(*) FROM booking_segment_seats ss WHERE ss.booking_id = b.id) AS seat_count,
               {BOOKING_ZONE} AS timezone, COALESCE(d.timezone, zh.timezone) AS end_timezone,
               b.itinerary_checkout_id, ic.itinerary_id, it.name AS itinerary_name
          FROM bookings b
          LEFT JOIN trips t ON t.id = b.trip_id
          LEFT JOIN cities o ON o.id = t.origin_id
          LEFT JOIN cities d ON d.id = t.destination_id
          LEFT JOIN room_types rt ON rt.id = b.room_type_id
          LEFT JOIN hotels h ON h.id = rt.hotel_id
          LEFT JOIN itinerary_checkouts ic ON ic.id = b.itinerary_checkout_id
          LEFT JOIN itineraries it ON it.id = ic.itinerary_id
          {BOOKING_ZONE_JOINS}
         WHERE b.user_id = %(user_id)s
           AND {condition}
         ORDER BY {order}
         LIMIT %(limit)s OFFSET %(offset)s
        """,
        {"user_id": user_id, "limit": limit, "offset": offset, **params},
    )
    return await cur.fetchall()


async def select_bookings_count(cur, user_id: int, scope: str, zones: list[str]) -> int:
    condition, params = _scope(scope, zones)
    await cur.execute(
        f"SELECT COUNT(*) AS n FROM bookings b {BOOKING_ZONE_JOINS} WHERE b.user_id = %(user_id)s AND {condition}",
        {"user_id": user_id, **params},
    )
    return (await cur.fetchone())["n"]
