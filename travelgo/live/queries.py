"""SQL for the outbox poller and the live streams (cursor first, never commits)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from .. import db


@dataclass(frozen=True, slots=True)
class EventRow:
    id: int
    topic: str
    kind: str
    payload: dict[str, Any]


def _event(row: dict) -> EventRow:
    payload = row["payload"]
    return EventRow(int(row["id"]), row["topic"], row["kind"], json.loads(payload) if payload else {})


async def select_max_event_id(cur) -> int | None:
    await cur.execute("SELECT MAX(id) AS id FROM events")
    row = await cur.fetchone()
    return int(row["id"]) if row and row["id"] is not None else None


async def select_events_after(cur, after: int, limit: int) -> list[EventRow]:
    await cur.execute(
        """
        SELECT id, topic, kind, payload
          FROM events
         WHERE id > %(after)s
         ORDER BY id
         LIMIT %(limit)s
        """,
        {"after": after, "limit": limit},
    )
    return [_event(row) for row in await cur.fetchall()]


async def select_events_by_ids(cur, ids: list[int]) -> list[EventRow]:
    """Re-check ids that were missing (uncommitted or rolled back) at an earlier poll."""
    if not ids:
        return []
    placeholders, params = db.in_list("id", ids)
    await cur.execute(
        f"""
        SELECT id, topic, kind, payload
          FROM events
         WHERE id IN ({placeholders})
         ORDER BY id
        """,
        params,
    )
    return [_event(row) for row in await cur.fetchall()]


async def select_topic_events_after(cur, topic: str, after: int, limit: int = 500) -> list[EventRow]:
    """Events of one topic after a Last-Event-ID (replay on reconnect)."""
    await cur.execute(
        """
        SELECT id, topic, kind, payload
          FROM events
         WHERE topic = %(topic)s
           AND id > %(after)s
         ORDER BY id
         LIMIT %(limit)s
        """,
        {"topic": topic, "after": after, "limit": limit},
    )
    return [_event(row) for row in await cur.fetchall()]


async def select_topic_events_before(cur, topic: str, before: int, limit: int = 500) -> list[dict]:
    """(id, created_at) of one topic's events up to and including `before`, newest first."""
    await cur.execute(
        """
        SELECT id, created_at
          FROM events
         WHERE topic = %(topic)s
           AND id <= %(before)s
         ORDER BY id DESC
         LIMIT %(limit)s
        """,
        {"topic": topic, "before": before, "limit": limit},
    )
    return await cur.fetchall()


async def select_topic_last_event_id(cur, topic: str) -> int:
    await cur.execute("SELECT COALESCE(MAX(id), 0) AS id FROM events WHERE topic = %(topic)s", {"topic": topic})
    return int((await cur.fetchone())["id"])


async def select_min_event_id(cur) -> int | None:
    await cur.execute("SELECT MIN(id) AS id FROM events")
    row = await cur.fetchone()
    return int(row["id"]) if row and row["id"] is not None else None


async def delete_events_before(cur, hours: int, limit: int) -> int:
    """Delete up to `limit` events older than `hours`; returns how many went (batches keep Galera happy)."""
    await cur.execute(
        """
        DELETE FROM events
         WHERE created_at < NOW(6) - INTERVAL %(hours)s HOUR
         ORDER BY created_at
         LIMIT %(limit)s
        """,
        {"hours": hours, "limit": limit},
    )
    return cur.rowcount


async def select_trip_seats(cur, trip_id: int) -> dict | None:
    """seats_left of one trip (with what decides whether it is on sale), or None when it does not exist."""
    await cur.execute(
        """
        SELECT t.id, t.vehicle_id, t.status, t.departs_at, c.timezone,
               CAST(t.seats_total AS SIGNED) - CAST(t.seats_booked AS SIGNED) AS seats_left
          FROM trips t
          JOIN cities c ON c.id = t.origin_id
         WHERE t.id = %(trip_id)s
        """,
        {"trip_id": trip_id},
    )
    return await cur.fetchone()


async def select_held_seat_labels(cur, trip_id: int) -> list[str]:
    await cur.execute(
        """
        SELECT seat_label
          FROM booking_seats
         WHERE trip_id = %(trip_id)s
           AND held = 1
         ORDER BY seat_label
        """,
        {"trip_id": trip_id},
    )
    return [row["seat_label"] for row in await cur.fetchall()]


async def select_trips_seats_left(cur, trip_ids: list[int]) -> dict[int, int]:
    if not trip_ids:
        return {}
    placeholders, params = db.in_list("trip", trip_ids)
    await cur.execute(
        f"""
        SELECT id, CAST(seats_total AS SIGNED) - CAST(seats_booked AS SIGNED) AS seats_left
          FROM trips
         WHERE id IN ({placeholders})
        """,
        params,
    )
    return {int(row["id"]): int(row["seats_left"]) for row in await cur.fetchall()}


async def select_hotel_id(cur, hotel_id: int) -> int | None:
    await cur.execute("SELECT id FROM hotels WHERE id = %(hotel_id)s", {"hotel_id": hotel_id})
    row = await cur.fetchone()
    return int(row["id"]) if row else None


async def select_hotel_rooms_left(cur, hotel_id: int, check_in: date, check_out: date) -> dict[int, dict[str, int]]:
    """room_type_id -> {night ISO date: rooms left} for the nights of a stay (stop-sell counts as none left)."""
    await cur.execute(
        """
        SELECT ri.room_type_id, ri.night,
               CASE WHEN ri.stop_sell THEN 0
                    ELSE CAST(ri.rooms_total AS SIGNED) - CAST(ri.rooms_booked AS SIGNED) END AS rooms_left
          FROM room_inventory ri
          JOIN room_types rt ON rt.id = ri.room_type_id
         WHERE rt.hotel_id = %(hotel_id)s
           AND ri.night >= %(check_in)s
           AND ri.night < %(check_out)s
         ORDER BY ri.room_type_id, ri.night
        """,
        {"hotel_id": hotel_id, "check_in": check_in, "check_out": check_out},
    )
    nights: dict[int, dict[str, int]] = {}
    for row in await cur.fetchall():
        nights.setdefault(int(row["room_type_id"]), {})[row["night"].isoformat()] = int(row["rooms_left"])
    return nights


async def select_hotel_room_type_ids(cur, hotel_id: int) -> list[int]:
    await cur.execute("SELECT id FROM room_types WHERE hotel_id = %(hotel_id)s ORDER BY id", {"hotel_id": hotel_id})
    return [int(row["id"]) for row in await cur.fetchall()]
