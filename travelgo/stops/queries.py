"""SQL for trip points (trip_points) and a booking's chosen points (booking_points). No commits here."""

from __future__ import annotations

from datetime import datetime
from typing import Any

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


async def insert_booking_points(cur, booking_id: int, trip_id: int, boarding_id: int, dropping_id: int) -> None:
    await cur.execute(
        """
        INSERT INTO booking_points (booking_id, trip_id, boarding_point_id, dropping_point_id)
        VALUES (%(booking_id)s, %(trip_id)s, %(boarding)s, %(dropping)s)
        """,
        {"booking_id": booking_id, "trip_id": trip_id, "boarding": boarding_id, "dropping": dropping_id},
    )


async def select_booking_points(cur, booking_id: int) -> Row | None:
    """The chosen points' ids of a booking, or None (a trip without points, or a booking made before them)."""
    await cur.execute(
        """
        SELECT boarding_point_id, dropping_point_id
          FROM booking_points
         WHERE booking_id = %(booking_id)s
        """,
        {"booking_id": booking_id},
    )
    return await cur.fetchone()
