"""The `mail_outbox` record of every e-mail TravelGo sent (written by travelgo/notify/email.py after each delivery),
read by development pages and tests."""

from __future__ import annotations

from . import db


async def outbox(to: str | None = None) -> list[dict]:
    """Messages in the local outbox, newest first (development and tests)."""
    async with db.reading() as cur:
        await cur.execute(
            """
            SELECT id, to_address, subject, body, created_at
              FROM mail_outbox
             WHERE %(to)s IS NULL OR to_address = %(to)s
             ORDER BY id DESC
            """,
            {"to": to},
        )
        return list(await cur.fetchall())
