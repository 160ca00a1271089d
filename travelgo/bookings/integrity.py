"""Inventory invariants over the whole database (`make check-inventory`): each query returns the breaches.

Seats, room-nights and restaurant tables (a table slot held twice is impossible: its primary key)."""

from __future__ import annotations

from .. import db

CHECKS: list[tuple[str, str]] = [
    (
        "seat held twice",
        """
        SELECT CONCAT('trip ', trip_id, ' seat ', seat_label, ' is held by ', COUNT(*), ' active bookings') AS problem
          FROM booking_seats
         WHERE held = 1
         GROUP BY trip_id, seat_label
        HAVING COUNT(*) > 1
        """,
    ),
    (
        "night oversold",
        """
        SELECT CONCAT('room type ', room_type_id, ' night ', night, ': ', rooms_booked, ' booked of ', rooms_total)
               AS problem
          FROM room_inventory
         WHERE rooms_booked > rooms_total
        """,
    ),
    (
        "trip oversold",
        """
        SELECT CONCAT('trip ', id, ': ', seats_booked, ' booked of ', seats_total) AS problem
          FROM trips
         WHERE seats_booked > seats_total
        """,
    ),
    (
        "seat counter differs from held seats",
        """
        SELECT CONCAT('trip ', t.id, ': seats_booked = ', t.seats_booked, ' but ', COALESCE(h.n, 0),
                      ' seats are held') AS problem
          FROM trips t
          LEFT JOIN (SELECT trip_id, COUNT(*) AS n FROM booking_seats WHERE held = 1 GROUP BY trip_id) h
            ON h.trip_id = t.id
         WHERE t.seats_booked <> COALESCE(h.n, 0)
        """,
    ),
    (
        "held seat not on the vehicle",
        """
        SELECT CONCAT('trip ', bs.trip_id, ': held seat ', bs.seat_label, ' does not exist on its vehicle') AS problem
          FROM booking_seats bs
          JOIN trips t ON t.id = bs.trip_id
          LEFT JOIN vehicle_seats vs ON vs.vehicle_id = t.vehicle_id AND vs.label = bs.seat_label
         WHERE bs.held = 1
           AND vs.id IS NULL
        """,
    ),
    (
        "seat hold and booking status disagree",
        """
        SELECT CONCAT('booking ', b.reference, ' is ', b.status, ' but seat ', bs.seat_label,
                      IF(bs.held = 1, ' is still held', ' was released')) AS problem
          FROM booking_seats bs
          JOIN bookings b ON b.id = bs.booking_id
         WHERE (b.status IN ('cancelled', 'expired') AND bs.held = 1)
            OR (b.status IN ('confirmed', 'pending_payment') AND bs.held IS NULL)
        """,
    ),
    (
        "room counter differs from bookings",
        """
        SELECT CONCAT('room type ', ri.room_type_id, ' night ', ri.night, ': rooms_booked = ', ri.rooms_booked,
                      ' but active bookings hold ', COALESCE(s.n, 0)) AS problem
          FROM room_inventory ri
          LEFT JOIN (SELECT bn.room_type_id, bn.night, SUM(bn.rooms) AS n
                       FROM booking_nights bn
                       JOIN bookings b ON b.id = bn.booking_id
                      WHERE b.status IN ('confirmed', 'pending_payment')
                      GROUP BY bn.room_type_id, bn.night) s
            ON s.room_type_id = ri.room_type_id AND s.night = ri.night
         WHERE ri.rooms_booked <> COALESCE(s.n, 0)
        """,
    ),
    (
        "table slot held by an inactive booking",
        """
        SELECT CONCAT('booking ', b.reference, ' is ', b.status, ' but holds table ', s.table_id, ' at ', s.slot_at)
               AS problem
          FROM restaurant_table_slots s
          JOIN bookings b ON b.id = s.booking_id
         WHERE b.status NOT IN ('confirmed', 'pending_payment', 'requested')
        """,
    ),
    (
        "table slots differ from the booking's sitting",
        """
        SELECT CONCAT('booking ', b.reference, ' (', b.status, ') holds ', COALESCE(h.n, 0), ' table slots, not ',
                      t.n * r.sitting_minutes DIV r.slot_minutes) AS problem
          FROM bookings b
          JOIN restaurants r ON r.id = b.restaurant_id
          JOIN (SELECT booking_id, COUNT(*) AS n FROM booking_tables GROUP BY booking_id) t ON t.booking_id = b.id
          LEFT JOIN (SELECT booking_id, COUNT(*) AS n FROM restaurant_table_slots GROUP BY booking_id) h
            ON h.booking_id = b.id
         WHERE b.type = 'restaurant'
           AND b.status IN ('confirmed', 'pending_payment', 'requested')
           AND COALESCE(h.n, 0) <> t.n * r.sitting_minutes DIV r.slot_minutes
        """,
    ),
    (
        "table slot outside its booking's sitting or restaurant",
        """
        SELECT CONCAT('booking ', b.reference, ' holds table ', s.table_id, ' at ', s.slot_at,
                      ' outside its sitting at restaurant ', b.restaurant_id) AS problem
          FROM restaurant_table_slots s
          JOIN bookings b ON b.id = s.booking_id
          JOIN restaurant_tables t ON t.id = s.table_id
         WHERE t.restaurant_id <> b.restaurant_id
            OR s.slot_at < b.starts_at
            OR s.slot_at >= b.ends_at
            OR NOT EXISTS (SELECT 1 FROM booking_tables bt WHERE bt.booking_id = b.id AND bt.table_id = s.table_id)
        """,
    ),
    (
        "party larger than its tables",
        """
        SELECT CONCAT('booking ', b.reference, ': ', b.guests, ' guests at tables seating ', SUM(t.seats)) AS problem
          FROM bookings b
          JOIN booking_tables bt ON bt.booking_id = b.id
          JOIN restaurant_tables t ON t.id = bt.table_id
         WHERE b.type = 'restaurant'
           AND b.status IN ('confirmed', 'pending_payment', 'requested')
         GROUP BY b.id, b.reference, b.guests
        HAVING SUM(t.seats) < b.guests
        """,
    ),
    (
        "money kept without a booking",
        """
        SELECT CONCAT('booking ', b.reference, ' is ', b.status, ' but its captured payment of ', p.amount_minor,
                      ' has ', COALESCE(r.n, 0), ' refunded') AS problem
          FROM payments p
          JOIN bookings b ON b.id = p.booking_id
          LEFT JOIN (SELECT booking_id, SUM(amount_minor) AS n FROM refunds WHERE reason <> 'cancellation'
                      GROUP BY booking_id) r
            ON r.booking_id = b.id
         WHERE p.status = 'captured'
           AND b.status IN ('expired', 'pending_payment', 'requested', 'rejected')
           AND COALESCE(r.n, 0) < p.amount_minor
        """,
    ),
    (
        "confirmed booking with an unpaid order",
        """
        SELECT CONCAT('booking ', b.reference, ' is confirmed but its payment is ', p.status) AS problem
          FROM bookings b
          JOIN payments p ON p.booking_id = b.id
         WHERE b.status = 'confirmed'
           AND p.status <> 'captured'
        """,
    ),
]


# Trains and flights: seats sold per segment (travelgo/segments). The UNIQUE key makes the first check impossible to
# breach; it is here so `make check-inventory` says so in words.
CHECKS += [
    (
        "seat held twice on a leg",
        """
        SELECT CONCAT('trip ', trip_id, ' seat ', seat_label, ' leg ', leg_no, ' is held by ', COUNT(*),
                      ' active bookings') AS problem
          FROM booking_seat_legs
         WHERE held = 1
         GROUP BY trip_id, seat_label, leg_no
        HAVING COUNT(*) > 1
        """,
    ),
    (
        "leg counter differs from held seats",
        """
        SELECT CONCAT('trip ', l.trip_id, ' leg ', l.leg_no, ': seats_booked = ', l.seats_booked, ' but ',
                      COALESCE(h.n, 0), ' seats are held') AS problem
          FROM trip_legs l
          LEFT JOIN (SELECT trip_id, leg_no, COUNT(*) AS n FROM booking_seat_legs WHERE held = 1
                      GROUP BY trip_id, leg_no) h
            ON h.trip_id = l.trip_id AND h.leg_no = l.leg_no
         WHERE l.seats_booked <> COALESCE(h.n, 0) OR l.seats_booked > l.seats_total
        """,
    ),
    (
        "segment hold and booking disagree",
        """
        SELECT CONCAT('booking ', b.reference, ' is ', b.status, ' and holds ', COALESCE(h.held, 0), ' of the ',
                      s.seats * (s.to_stop - s.from_stop), ' seat-legs of its segment') AS problem
          FROM bookings b
          JOIN (SELECT booking_id, COUNT(*) AS seats, MIN(from_stop) AS from_stop, MAX(to_stop) AS to_stop
                  FROM booking_segment_seats GROUP BY booking_id) s
            ON s.booking_id = b.id
          LEFT JOIN (SELECT booking_id, COUNT(held) AS held, COUNT(*) AS n FROM booking_seat_legs
                      GROUP BY booking_id) h
            ON h.booking_id = b.id
         WHERE (b.status IN ('confirmed', 'pending_payment') AND COALESCE(h.held, 0) <> s.seats * (s.to_stop - s.from_stop))
            OR (b.status IN ('cancelled', 'expired') AND COALESCE(h.held, 0) > 0)
        """,
    ),
    (
        "held seat not on the train or flight",
        """
        SELECT CONCAT('trip ', h.trip_id, ': held seat ', h.seat_label, ' does not exist on its vehicle') AS problem
          FROM booking_seat_legs h
          JOIN trips t ON t.id = h.trip_id
          LEFT JOIN coach_seats cs ON cs.vehicle_id = t.vehicle_id AND cs.label = h.seat_label
         WHERE h.held = 1
           AND cs.id IS NULL
        """,
    ),
]


async def check_inventory() -> list[str]:
    """Every breach of the inventory invariants, as readable lines (empty when all is well)."""
    problems: list[str] = []
    async with db.reading() as cur:
        # One snapshot for all checks, so a booking committing mid-run cannot look like a breach.
        await cur.execute("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY")
        try:
            for name, sql in CHECKS:
                await cur.execute(sql)
                problems.extend(f"{name}: {row['problem']}" for row in await cur.fetchall())
        finally:
            await cur.execute("COMMIT")
    return problems
