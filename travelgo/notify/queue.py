"""Writing notifications: one INSERT … SELECT per event, in the caller's transaction, so a message exists exactly
when the change that causes it commits (a rolled-back booking leaves none).

Each event gets an e-mail row, and an SMS and a WhatsApp row when the traveller opted in with a verified phone.
`dedupe_key` makes a time-based event (a reminder, a hold about to expire) queue once however often it is looked
for. What a message says is rendered when it is sent (messages.py), from the booking as it then stands and the
facts the event recorded in `context` (a refund amount, a reset link).
"""

from __future__ import annotations

import json
from typing import Any

from .. import db
from ..partners.ownership import booking_partner

# Kinds whose messages go by e-mail only (account mail: links into the account belong in the mailbox).
EMAIL_ONLY = frozenset({"password_reset", "confirm_email", "account_exists", "welcome"})


async def queue(
    cur,
    kind: str,
    *,
    user_id: int,
    booking_id: int | None = None,
    email: str | None = None,
    context: dict[str, Any] | None = None,
    dedupe_key: str | None = None,
    texts: bool | None = None,
) -> None:
    """Queue `kind` for a user: to `email` (default: the account's address) and their opted-in phone channels.
    texts=False: the caller read, under a lock on the account, that it takes no text message (USERS_TEXTS), so
    with an address given the e-mail row is written without reading the account. Deferred: on a transaction's cursor
    the insert goes with the next statement (often the COMMIT)."""
    params = {
        "kind": kind,
        "user_id": user_id,
        "booking_id": booking_id,
        "email": email,
        "context": json.dumps(context, default=str) if context else None,
        "dedupe_key": dedupe_key,
        "email_only": kind in EMAIL_ONLY,
    }
    if texts is False and email is not None:
        await db.defer(
            cur,
            """
            INSERT INTO notifications (kind, channel, user_id, booking_id, recipient, context, dedupe_key)
            VALUES (%(kind)s, 'email', %(user_id)s, %(booking_id)s, %(email)s, %(context)s, %(dedupe_key)s)
                ON DUPLICATE KEY UPDATE notifications.id = notifications.id
            """,
            params,
        )
        return
    await db.defer(
        cur,
        """
        INSERT INTO notifications (kind, channel, user_id, booking_id, recipient, context, dedupe_key)
        SELECT %(kind)s, c.channel, u.id, %(booking_id)s, IF(c.channel = 'email', COALESCE(%(email)s, u.email), u.phone),
               %(context)s, %(dedupe_key)s
          FROM users u
          JOIN (SELECT 'email' AS channel UNION ALL SELECT 'sms' UNION ALL SELECT 'whatsapp') c
         WHERE u.id = %(user_id)s
           AND (c.channel = 'email'
                OR (NOT %(email_only)s AND u.phone IS NOT NULL AND u.phone_verified_at IS NOT NULL
                    AND ((c.channel = 'sms' AND u.notify_sms) OR (c.channel = 'whatsapp' AND u.notify_whatsapp))))
            ON DUPLICATE KEY UPDATE notifications.id = notifications.id
        """,
        params,
    )


# Whether an account takes text messages (SMS or WhatsApp), as queue() would decide it: for a read that locks the
# account anyway (bookings.queries.lock_user), so queue(texts=...) need not read it again.
USERS_TEXTS = "(phone IS NOT NULL AND phone_verified_at IS NOT NULL AND (notify_sms OR notify_whatsapp))"


async def queue_address(cur, kind: str, recipient: str, context: dict[str, Any]) -> None:
    """Queue an e-mail of `kind` to an address that may have no account yet (a partner invitation)."""
    await cur.execute(
        "INSERT INTO notifications (kind, channel, recipient, context) VALUES (%(kind)s, 'email', %(to)s, %(context)s)",
        {"kind": kind, "to": recipient, "context": json.dumps(context, default=str)},
    )


async def queue_partner(cur, kind: str, booking_id: int) -> None:
    """Queue `kind` for the business a booking is with: its operator's, hotel's or restaurant's bookings e-mail, if
    it has one, and every member of the partner business that runs it (travelgo.partners), each at their account's
    address."""
    await cur.execute(
        """
        INSERT INTO notifications (kind, channel, booking_id, recipient)
        SELECT %(kind)s, 'email', b.id, COALESCE(o.contact_email, h.contact_email, r.contact_email)
          FROM bookings b
          LEFT JOIN trips t ON t.id = b.trip_id
          LEFT JOIN vehicles v ON v.id = t.vehicle_id
          LEFT JOIN operators o ON o.id = v.operator_id
          LEFT JOIN room_types rt ON rt.id = b.room_type_id
          LEFT JOIN hotels h ON h.id = rt.hotel_id
          LEFT JOIN restaurants r ON r.id = b.restaurant_id
         WHERE b.id = %(booking_id)s
           AND COALESCE(o.contact_email, h.contact_email, r.contact_email) IS NOT NULL
        """,
        {"kind": kind, "booking_id": booking_id},
    )
    partner_id = await booking_partner(cur, booking_id)
    if partner_id is not None:
        await cur.execute(
            """
            INSERT INTO notifications (kind, channel, booking_id, recipient)
            SELECT %(kind)s, 'email', %(booking_id)s, u.email
              FROM partner_members m
              JOIN users u ON u.id = m.user_id
             WHERE m.partner_id = %(partner_id)s
            """,
            {"kind": kind, "booking_id": booking_id, "partner_id": partner_id},
        )
