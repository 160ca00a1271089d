"""SQL for notifications. Cursor first; never commits."""

from __future__ import annotations

from typing import Any

from .. import dates, db
from ..bookings.queries import BOOKING_ZONE, BOOKING_ZONE_JOINS

Row = dict[str, Any]
COLUMNS = "id, kind, channel, user_id, booking_id, recipient, context, attempts"


async def claim_due(cur, limit: int, lease_seconds: float) -> list[Row]:
    """Due notifications, those someone is waiting for first (queue_rank, migration 108), then the oldest."""
    return await db.claim_due(
        cur, "notifications", COLUMNS, "status = 'pending'", limit, lease_seconds, first="queue_rank"
    )


# The outcomes of a delivery: deferred (db.defer), so the sender writes a batch's outcomes in one round trip.


async def update_sent(cur, notification_id: int, *, subject: str, body: str, provider_id: str | None) -> None:
    # A reset or confirmation link in the context is a live credential: gone from the outbox once delivered.
    await db.defer(
        cur,
        """
        UPDATE notifications
           SET status = 'sent', sent_at = UTC_TIMESTAMP(6), subject = %(subject)s, body = %(body)s,
               provider_id = %(provider_id)s, last_error = NULL,
               context = IF(kind IN ('password_reset', 'confirm_email', 'partner_invitation'), NULL, context)
         WHERE id = %(id)s
        """,
        {"id": notification_id, "subject": subject[:255], "body": body, "provider_id": provider_id},
    )


async def update_skipped(cur, notification_id: int, why: str) -> None:
    await db.defer(
        cur,
        "UPDATE notifications SET status = 'skipped', last_error = %(why)s WHERE id = %(id)s",
        {"id": notification_id, "why": why[:255]},
    )


async def update_retry(cur, notification_id: int, *, error: str, delay_seconds: float, give_up: bool) -> None:
    await db.defer(
        cur,
        """
        UPDATE notifications
           SET status = IF(%(give_up)s, 'failed', 'pending'), last_error = %(error)s,
               next_attempt_at = UTC_TIMESTAMP(6) + INTERVAL %(delay)s SECOND
         WHERE id = %(id)s
        """,
        {"id": notification_id, "error": error[:255], "delay": delay_seconds, "give_up": give_up},
    )


async def update_resend(cur, notification_id: int) -> bool:
    """An admin's resend: pending again, due now, attempts counted afresh. False when there is no such row."""
    await cur.execute(
        """
        UPDATE notifications
           SET status = 'pending', attempts = 0, next_attempt_at = UTC_TIMESTAMP(6), last_error = NULL
         WHERE id = %(id)s
        """,
        {"id": notification_id},
    )
    return cur.rowcount == 1


async def select_bookings_starting_within(cur, hours: int, zones: list[str], limit: int) -> list[Row]:
    """Confirmed bookings that start within `hours` by their own city's clock and have no reminder yet."""
    now_sql, params = dates.wall_now_sql(BOOKING_ZONE, zones)
    await cur.execute(
        f"""
        SELECT b.id, b.user_id, b.contact_email
          FROM bookings b
          {BOOKING_ZONE_JOINS}
         WHERE b.status = 'confirmed'
           AND b.starts_at > {now_sql}
           AND b.starts_at <= {now_sql} + INTERVAL %(hours)s HOUR
           AND NOT EXISTS (SELECT 1 FROM notifications n
                            WHERE n.dedupe_key = CONCAT('reminder:', b.id) AND n.channel = 'email')
         ORDER BY b.id
         LIMIT %(limit)s
        """,
        {**params, "hours": hours, "limit": limit},
    )
    return list(await cur.fetchall())


async def select_holds_expiring_within(cur, minutes: int, limit: int) -> list[Row]:
    """Unpaid holds with less than `minutes` left (UTC stamps) and no warning yet."""
    await cur.execute(
        """
        SELECT b.id, b.user_id, b.contact_email
          FROM bookings b
         WHERE b.status = 'pending_payment'
           AND b.expires_at > UTC_TIMESTAMP(6)
           AND b.expires_at <= UTC_TIMESTAMP(6) + INTERVAL %(minutes)s MINUTE
           AND b.created_at < UTC_TIMESTAMP(6) - INTERVAL %(minutes)s MINUTE
           AND NOT EXISTS (SELECT 1 FROM notifications n
                            WHERE n.dedupe_key = CONCAT('hold_expiring:', b.id) AND n.channel = 'email')
         ORDER BY b.id
         LIMIT %(limit)s
        """,
        {"minutes": minutes, "limit": limit},
    )
    return list(await cur.fetchall())


async def select_page(cur, f: dict[str, Any], page_size: int) -> dict[str, Any]:
    """Page f["page"] of notifications, newest first, filtered by status, kind and channel (each optional)."""
    where, params = ["1 = 1"], {}
    for name in ("status", "kind", "channel"):
        if f.get(name):
            where.append(f"n.{name} = %({name})s")
            params[name] = f[name]
    if f.get("q"):
        where.append("(n.recipient LIKE %(q)s OR b.reference = %(ref)s)")
        params.update(q=f"%{f['q']}%", ref=f["q"].upper())
    joins = "FROM notifications n LEFT JOIN bookings b ON b.id = n.booking_id"
    condition = " AND ".join(where)
    await cur.execute(f"SELECT COUNT(*) AS n {joins} WHERE {condition}", params)
    total = (await cur.fetchone())["n"]
    pages = db.page_count(total, page_size)
    page = min(f.get("page") or 1, pages)
    await cur.execute(
        f"""
        SELECT n.id, n.kind, n.channel, n.recipient, n.status, n.attempts, n.last_error, n.subject, n.created_at,
               n.sent_at, n.next_attempt_at, b.reference
          {joins}
         WHERE {condition}
         ORDER BY n.id DESC
         LIMIT %(limit)s OFFSET %(offset)s
        """,
        {**params, "limit": page_size, "offset": (page - 1) * page_size},
    )
    return {"items": list(await cur.fetchall()), "total": total, "page": page, "pages": pages}


async def select_notification(cur, notification_id: int) -> Row | None:
    await cur.execute(
        """
        SELECT n.*, b.reference
          FROM notifications n LEFT JOIN bookings b ON b.id = n.booking_id
         WHERE n.id = %(id)s
        """,
        {"id": notification_id},
    )
    return await cur.fetchone()
