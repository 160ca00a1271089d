"""SQL for payments, refunds, provider events and expiring holds. Cursor first; never commits."""

from __future__ import annotations

from typing import Any

from .. import db

Row = dict[str, Any]

PAYMENT_COLUMNS = """p.id, p.booking_id, p.provider, p.order_id, p.amount_minor, p.currency, p.status,
               p.provider_payment_id, p.last_error, p.captured_at, p.created_at, p.updated_at"""


# A booking's payment as fields of a booking read (bookings.queries.BOOKING): its own, or its itinerary
# checkout's (on the checkout's lead booking), so a booking and its payment are one statement.
PAID_FIELDS = ("provider", "order_id", "amount_minor", "currency", "status", "provider_payment_id", "last_error")
BOOKING_PAYMENT_FIELDS = {f"payment_{field}": f"pay.{field}" for field in PAID_FIELDS} | {
    "payment_refunds": "(SELECT COUNT(*) FROM refunds pay_r WHERE pay_r.booking_id = b.id)"
}  # key -> SQL expression
BOOKING_PAYMENT_JOINS = """LEFT JOIN itinerary_checkouts pay_ic ON pay_ic.id = b.itinerary_checkout_id
          LEFT JOIN payments pay ON pay.booking_id = COALESCE(pay_ic.lead_booking_id, b.id)"""


async def insert_payment(cur, booking_id: int, provider: str, order_id: str, amount_minor: int, currency: str) -> None:
    """Our row for a provider order (deferred: on a batching cursor it goes with the next statement)."""
    await db.defer(
        cur,
        """
        INSERT INTO payments (booking_id, provider, order_id, amount_minor, currency)
        VALUES (%(booking_id)s, %(provider)s, %(order_id)s, %(amount)s, %(currency)s)
        """,
        {
            "booking_id": booking_id,
            "provider": provider,
            "order_id": order_id,
            "amount": amount_minor,
            "currency": currency,
        },
    )


async def select_payment_by_booking(cur, booking_id: int) -> Row | None:
    """The payment that pays for a booking: its own, or its itinerary checkout's (on the checkout's lead booking)."""
    await cur.execute(
        f"""
        SELECT {PAYMENT_COLUMNS}
          FROM payments p
         WHERE p.booking_id = COALESCE((SELECT c.lead_booking_id
                                          FROM bookings b
                                          JOIN itinerary_checkouts c ON c.id = b.itinerary_checkout_id
                                         WHERE b.id = %(id)s), %(id)s)
        """,
        {"id": booking_id},
    )
    return await cur.fetchone()


async def select_covered_bookings(cur, booking_id: int) -> list[int]:
    """The bookings one payment pays for, given the booking its row belongs to: that booking alone, or every
    booking of its itinerary checkout. Ids ascending (the order their rows are locked in)."""
    await cur.execute(
        """
        SELECT o.id
          FROM bookings b
          JOIN bookings o ON o.itinerary_checkout_id = b.itinerary_checkout_id
         WHERE b.id = %(id)s
         ORDER BY o.id
        """,
        {"id": booking_id},
    )
    return [row["id"] for row in await cur.fetchall()] or [booking_id]


async def select_payment_by_order(cur, provider: str, order_id: str) -> Row | None:
    await cur.execute(
        f"SELECT {PAYMENT_COLUMNS} FROM payments p WHERE p.provider = %(provider)s AND p.order_id = %(order_id)s",
        {"provider": provider, "order_id": order_id},
    )
    return await cur.fetchone()


async def select_order_of_booking(cur, provider: str, order_id: str, reference: str) -> bool:
    """Does this provider order pay for the booking with this reference?"""
    await cur.execute(
        """
        SELECT 1
          FROM payments p
          JOIN bookings b ON b.id = p.booking_id
         WHERE p.provider = %(provider)s
           AND p.order_id = %(order_id)s
           AND b.reference = %(reference)s
        """,
        {"provider": provider, "order_id": order_id, "reference": reference},
    )
    return await cur.fetchone() is not None


async def lock_payment(cur, payment_id: int) -> Row:
    await cur.execute(f"SELECT {PAYMENT_COLUMNS} FROM payments p WHERE p.id = %(id)s FOR UPDATE", {"id": payment_id})
    return await cur.fetchone()


async def update_payment(cur, payment_id: int, *, status: str, provider_payment_id: str | None, error: str | None):
    await cur.execute(
        """
        UPDATE payments
           SET status = %(status)s, provider_payment_id = COALESCE(%(pid)s, provider_payment_id),
               last_error = %(error)s, updated_at = UTC_TIMESTAMP(6),
               captured_at = IF(%(status)s = 'captured', UTC_TIMESTAMP(6), captured_at)
         WHERE id = %(id)s
        """,
        {"id": payment_id, "status": status, "pid": provider_payment_id, "error": error},
    )


async def insert_payment_event(cur, event, booking_id: int | None) -> bool:
    """Record a provider event; False when it was already recorded (a duplicate or a retry)."""
    await cur.execute(
        """
        INSERT IGNORE INTO payment_events (provider, event_id, kind, booking_id, order_id, outcome)
        VALUES (%(provider)s, %(event_id)s, %(kind)s, %(booking_id)s, %(order_id)s, 'received')
        """,
        {
            "provider": event.provider,
            "event_id": event.event_id[:100],
            "kind": event.kind,
            "booking_id": booking_id,
            "order_id": event.order_id[:64],
        },
    )
    return cur.rowcount == 1


async def update_payment_event_outcome(cur, event, outcome: str) -> None:
    await cur.execute(
        "UPDATE payment_events SET outcome = %(o)s WHERE provider = %(p)s AND event_id = %(e)s",
        {"o": outcome, "p": event.provider, "e": event.event_id[:100]},
    )


async def insert_refund(
    cur, booking_id: int, payment: Row, provider_payment_id: str, amount_minor: int, reason: str
) -> int:
    await cur.execute(
        """
        INSERT INTO refunds (booking_id, payment_id, provider_payment_id, amount_minor, currency, reason,
                             next_attempt_at)
        VALUES (%(booking_id)s, %(payment_id)s, %(ppid)s, %(amount)s, %(currency)s, %(reason)s, UTC_TIMESTAMP(6))
        """,
        {
            "booking_id": booking_id,
            "payment_id": payment["id"],
            "ppid": provider_payment_id,
            "amount": amount_minor,
            "currency": payment["currency"],
            "reason": reason,
        },
    )
    return cur.lastrowid


async def select_refunds(cur, booking_id: int) -> list[Row]:
    await cur.execute(
        """
        SELECT id, amount_minor, currency, reason, status, provider_refund_id, attempts, last_error, created_at,
               updated_at
          FROM refunds
         WHERE booking_id = %(id)s
         ORDER BY id
        """,
        {"id": booking_id},
    )
    return list(await cur.fetchall())


async def lock_refund_by_provider_id(cur, provider_refund_id: str) -> Row | None:
    await cur.execute(
        "SELECT id, booking_id, status, attempts FROM refunds WHERE provider_refund_id = %(r)s FOR UPDATE",
        {"r": provider_refund_id},
    )
    return await cur.fetchone()


async def claim_due_refunds(cur, limit: int, lease_seconds: int) -> list[Row]:
    """Refunds not yet accepted by the provider and due, leased to this worker."""
    return await db.claim_due(
        cur,
        "refunds",
        "id, booking_id, provider_payment_id, amount_minor, attempts",
        "status = 'pending' AND provider_refund_id IS NULL",
        limit,
        lease_seconds,
    )


async def update_refund_sent(cur, refund_id: int, provider_refund_id: str, status: str) -> None:
    await cur.execute(
        """
        UPDATE refunds
           SET provider_refund_id = %(r)s, status = %(s)s, last_error = NULL, updated_at = UTC_TIMESTAMP(6)
         WHERE id = %(id)s
        """,
        {"id": refund_id, "r": provider_refund_id, "s": status},
    )


async def update_refund_retry(cur, refund_id: int, *, error: str, delay_seconds: float, give_up: bool) -> None:
    """The provider refused or failed the refund: try again after a delay (a new provider refund), or give up."""
    await cur.execute(
        """
        UPDATE refunds
           SET status = IF(%(give_up)s, 'failed', 'pending'), provider_refund_id = IF(%(give_up)s,
               provider_refund_id, NULL), last_error = %(error)s, updated_at = UTC_TIMESTAMP(6),
               next_attempt_at = UTC_TIMESTAMP(6) + INTERVAL %(delay)s SECOND
         WHERE id = %(id)s
        """,
        {"id": refund_id, "error": error[:255], "delay": delay_seconds, "give_up": give_up},
    )


async def update_refund_status(cur, refund_id: int, status: str) -> None:
    await cur.execute(
        "UPDATE refunds SET status = %(s)s, updated_at = UTC_TIMESTAMP(6) WHERE id = %(id)s",
        {"id": refund_id, "s": status},
    )


async def update_refund_retry_now(cur, refund_id: int) -> bool:
    """An admin's retry of a failed refund: pending again, due now, with a fresh provider refund."""
    await cur.execute(
        """
        UPDATE refunds
           SET status = 'pending', provider_refund_id = NULL, attempts = 0, next_attempt_at = UTC_TIMESTAMP(6),
               updated_at = UTC_TIMESTAMP(6)
         WHERE id = %(id)s
           AND status = 'failed'
        """,
        {"id": refund_id},
    )
    return cur.rowcount == 1


# --- admin: money lists and a booking's payment history ----------------------------------------------------


def _money_filter(f: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """WHERE clauses for the admin lists: status, reference, traveller e-mail."""
    clauses, params = ["1 = 1"], {}
    if f.get("status"):
        clauses.append("x.status = %(status)s")
        params["status"] = f["status"]
    if f.get("reference"):
        clauses.append("b.reference = %(reference)s")
        params["reference"] = f["reference"]
    if f.get("email"):
        clauses.append("u.email = %(email)s")
        params["email"] = f["email"]
    return " AND ".join(clauses), params


PAYMENT_LIST_COLUMNS = """x.id, x.provider, x.order_id, x.amount_minor, x.currency, x.status, x.provider_payment_id,
               x.last_error, x.created_at, x.captured_at, b.reference, b.status AS booking_status,
               u.email AS traveller_email"""
REFUND_LIST_COLUMNS = """x.id, x.amount_minor, x.currency, x.reason, x.status, x.provider_refund_id, x.attempts,
               x.last_error, x.created_at, x.updated_at, b.reference, u.email AS traveller_email"""


async def select_money_page(cur, table: str, f: dict[str, Any], page_size: int) -> dict[str, Any]:
    """Page f["page"] of payments or refunds (`table`, a name from this module, never from input), newest first."""
    columns = {"payments": PAYMENT_LIST_COLUMNS, "refunds": REFUND_LIST_COLUMNS}[table]
    where, params = _money_filter(f)
    joins = f"FROM {table} x JOIN bookings b ON b.id = x.booking_id JOIN users u ON u.id = b.user_id"
    await cur.execute(f"SELECT COUNT(*) AS n {joins} WHERE {where}", params)
    total = (await cur.fetchone())["n"]
    pages = db.page_count(total, page_size)
    page = min(f["page"], pages)
    await cur.execute(
        f"""
        SELECT {columns}
          {joins}
         WHERE {where}
         ORDER BY x.id DESC
         LIMIT %(limit)s OFFSET %(offset)s
        """,
        {**params, "limit": page_size, "offset": (page - 1) * page_size},
    )
    return {"items": list(await cur.fetchall()), "total": total, "page": page, "pages": pages}


async def select_payment_events(cur, booking_id: int) -> list[Row]:
    """Every provider event applied to a booking, oldest first (its payment history)."""
    await cur.execute(
        """
        SELECT provider, event_id, kind, outcome, received_at
          FROM payment_events
         WHERE booking_id = %(id)s
         ORDER BY received_at, event_id
        """,
        {"id": booking_id},
    )
    return list(await cur.fetchall())
