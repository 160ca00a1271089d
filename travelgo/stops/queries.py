"""SQL for trip points (trip_points) and a booking's chosen points (booking_points). No commits here."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .. import db

Row = dict[str, Any]


async def select_trip_points(cur, trip_id: int) -> list[Row]:
    """Every point of a trip: boarding first, each kind in its order."""
    await cur.execute(
        """
        SELECT id, kind, position, name, landmark, at
          FROM trip_points
         WHERE trip_id = %(trip_id)s
         ORDER BY kind, position
        """,
        {"trip_id": trip_id},
    )
    return await cur.fetchall()


async def insert_trip_points(cur, trip_id: int, kind: str, points: list[tuple[str, str | None, datetime]]) -> None:
    """A trip's points of one kind, in the order given: (name, landmark, wall-clock time of the origin)."""
    if not points:
        return
    await cur.executemany(
        """
        INSERT INTO trip_points (trip_id, kind, position, name, landmark, at)
        VALUES (%s, %s, %s, %s, %s, %s)
        """,
        [(trip_id, kind, i, name, landmark, at) for i, (name, landmark, at) in enumerate(points)],
    )


# A booking's boarding and dropping points (insert_booking_points says which).
INSERT_BOOKING_POINTS = """
        INSERT INTO booking_points (booking_id, trip_id, boarding_point_id, dropping_point_id)
        SELECT %(booking_id)s, %(trip_id)s, c.boarding, c.dropping
          FROM (SELECT (SELECT b.id
                          FROM trip_points b
                         WHERE b.trip_id = %(trip_id)s AND b.kind = 'boarding'
                           AND (%(boarding)s IS NULL OR b.id = %(boarding)s)
                         ORDER BY b.position
                         LIMIT 1) AS boarding,
                       (SELECT d.id
                          FROM trip_points d
                         WHERE d.trip_id = %(trip_id)s AND d.kind = 'dropping'
                           AND (%(dropping)s IS NULL OR d.id = %(dropping)s)
                         ORDER BY d.position DESC
                         LIMIT 1) AS dropping) c
         WHERE c.boarding IS NOT NULL
           AND c.dropping IS NOT NULL
        """


async def insert_booking_points(
    cur, booking_id: int, trip_id: int, boarding_id: int | None, dropping_id: int | None
) -> int:
    """Record a booking's points in one statement: the ones asked for when they are the trip's own of that kind,
    the first boarding and the last dropping point for one left out (None). Returns the rows written: 0 when the
    trip has no points of a kind, or an id asked for is not one of them."""
    await cur.execute(INSERT_BOOKING_POINTS, _points_params(booking_id, trip_id, boarding_id, dropping_id))
    return cur.rowcount


async def defer_default_booking_points(cur, booking_id: int, trip_id: int) -> None:
    """insert_booking_points for a booking that asked for no point (nothing to check, so it goes with the next
    statement of the transaction)."""
    await db.defer(cur, INSERT_BOOKING_POINTS, _points_params(booking_id, trip_id, None, None))


def _points_params(booking_id: int, trip_id: int, boarding_id: int | None, dropping_id: int | None) -> dict:
    return {"booking_id": booking_id, "trip_id": trip_id, "boarding": boarding_id, "dropping": dropping_id}


async def queue_bus_bookings_trip_points(cur, booking_ids: list[int]) -> db.Queued:
    """queue_booking_trip_points for the bus bookings among several (each row with its booking_id)."""
    marks, params = db.in_list("id", booking_ids)
    return await db.queue_read(
        cur,
        f"""
        SELECT b.id AS booking_id, tp.id, tp.kind, tp.position, tp.name, tp.landmark, tp.at,
               (bp.booking_id IS NOT NULL) AS chosen
          FROM bookings b
          JOIN trip_points tp ON tp.trip_id = b.trip_id
          LEFT JOIN booking_points bp
            ON bp.booking_id = b.id AND tp.id IN (bp.boarding_point_id, bp.dropping_point_id)
         WHERE b.id IN ({marks})
           AND b.type = 'bus'
         ORDER BY b.id, tp.kind, tp.position
        """,
        params,
    )


async def queue_booking_trip_points(cur, booking_id: int, trip_id: int) -> db.Queued:
    """Every point of a booking's trip (as select_trip_points, in their order but without it), each marked `chosen`
    when the booking chose it: one statement for what a ticket shows, read with the cursor's next round trip
    (db.queue_read)."""
    return await db.queue_read(
        cur,
        """
        SELECT tp.id, tp.kind, tp.name, tp.landmark, tp.at, (bp.booking_id IS NOT NULL) AS chosen
          FROM trip_points tp
          LEFT JOIN booking_points bp
            ON bp.booking_id = %(booking_id)s AND tp.id IN (bp.boarding_point_id, bp.dropping_point_id)
         WHERE tp.trip_id = %(trip_id)s
         ORDER BY tp.kind, tp.position
        """,
        {"booking_id": booking_id, "trip_id": trip_id},
    )
