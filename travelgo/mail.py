"""Outgoing mail behind one small interface.

`OutboxMailer` (the only implementation today) writes each message to the `mail_outbox` table, which
development and tests read (`python -m travelgo.cli` users can `SELECT * FROM mail_outbox`). A real
provider (SMTP, an HTTP mail API) is another class with the same `send`, or a relay that reads the
outbox and marks rows sent, so a message is never lost when the provider is down.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from . import db


@dataclass(frozen=True)
class Message:
    to: str
    subject: str
    body: str


class Mailer(Protocol):
    async def send(self, message: Message, cur=None) -> None:
        """Queue or send one message; `cur` lets it join the caller's transaction."""


class OutboxMailer:
    """Writes messages to mail_outbox, on the caller's transaction when one is given."""

    async def send(self, message: Message, cur=None) -> None:
        if cur is not None:
            await _insert(cur, message)
            return
        async with db.transaction() as own:
            await _insert(own, message)


async def _insert(cur, message: Message) -> None:
    await cur.execute(
        """
        INSERT INTO mail_outbox (to_address, subject, body)
        VALUES (%(to)s, %(subject)s, %(body)s)
        """,
        {"to": message.to, "subject": message.subject[:255], "body": message.body},
    )


_mailer: Mailer = OutboxMailer()


def get_mailer() -> Mailer:
    return _mailer


def set_mailer(mailer: Mailer) -> None:
    """Swap the implementation (a real provider in production, a fake in a test)."""
    global _mailer
    _mailer = mailer


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
