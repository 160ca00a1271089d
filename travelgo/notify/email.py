"""E-mail delivery for notifications (issue 20): one message with text and HTML parts and attachments, sent by a
transport. Every e-mail sent is also recorded in `mail_outbox` (development pages and tests read it).

Transports: SMTP to SMTP_URL when it is set; otherwise (development and tests) a local SMTP server the project starts
receives the mails over a real SMTP conversation (travelgo/notify/localsmtp.py, shown at /dev/mail). In staging and
production without SMTP_URL mail is only recorded (OutboxTransport), with a warning at start-up.
"""

from __future__ import annotations

import logging
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Protocol

import aiosmtplib
from quart import current_app

from .. import db
from ..config import SmtpURL

EXTENSION = "travelgo.email"
log = logging.getLogger(__name__)


class EmailError(Exception):
    """The mail server refused the message or could not be reached; the sender retries later.

    `permanent` is true when the server refused the message or its recipient outright (a 5xx answer to MAIL, RCPT or
    DATA, or a message that cannot be built): sending it again will not help."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


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
    async def deliver(self, email: Email) -> None:
        """Hand one e-mail on or raise EmailError; the caller records it (record()). The notification sender does,
        with the outcome of each message of its batch, in one round trip."""
        ...

    async def send(self, email: Email) -> None:
        """Deliver one e-mail and record it, or raise EmailError."""
        ...


async def record(email: Email, cur=None) -> None:
    """Keep the sent e-mail in mail_outbox (its text part). On `cur`, a batching cursor (the sender's outcomes), the
    INSERT waits for its next round trip (db.defer); without one it is a statement of its own."""
    sql = "INSERT INTO mail_outbox (to_address, subject, body) VALUES (%(to)s, %(subject)s, %(body)s)"
    params = {"to": email.to, "subject": email.subject[:255], "body": email.text}
    if cur is not None:
        await db.defer(cur, sql, params)
        return
    async with db.writing() as alone:
        await alone.execute(sql, params)


class OutboxTransport:
    """Delivers nowhere: the mail_outbox record is the delivery (until SMTP is configured)."""

    async def deliver(self, email: Email) -> None:
        """Nothing leaves: the record the caller writes is all there is."""

    async def send(self, email: Email) -> None:
        await record(email)


def build_message(email: Email, sender: str) -> EmailMessage:
    """The MIME message: text/plain, with text/html as its alternative when given, then the attachments."""
    message = EmailMessage()
    try:
        message["From"] = sender
        message["To"] = email.to
        message["Subject"] = email.subject
        message["Date"] = formatdate(usegmt=True)
        message["Message-ID"] = _message_id(email.message_id, sender)
        message.set_content(email.text)
        if email.html is not None:
            message.add_alternative(email.html, subtype="html")
        for attachment in email.attachments:
            kind, *params = [p.strip() for p in attachment.content_type.split(";")]
            maintype, _, subtype = kind.partition("/")
            message.add_attachment(
                attachment.data,
                maintype=maintype,
                subtype=subtype or "octet-stream",
                filename=attachment.filename,
                params=dict(p.split("=", 1) for p in params if "=" in p),
            )
    except (ValueError, TypeError) as exc:  # a line break in a header, a malformed address or content type
        raise EmailError(f"cannot build the message: {exc}", permanent=True) from exc
    return message


def _message_id(given: str | None, sender: str) -> str:
    if given:
        return given if given.startswith("<") else f"<{given}>"
    domain = sender.rpartition("@")[2].rstrip(">") or "travelgo.example"
    return make_msgid(domain=domain)


class SmtpTransport:
    """Delivers through an SMTP server with aiosmtplib (STARTTLS or TLS and AUTH as SMTP_URL says); send() then
    records the e-mail in mail_outbox. Every failure to deliver is an EmailError."""

    def __init__(
        self, url: SmtpURL | None, sender: str, timeout: float = 10.0, tls_context: ssl.SSLContext | None = None
    ) -> None:
        self._url = url
        self.sender = sender
        self.timeout = timeout
        self.tls_context = tls_context  # None: the system's trusted certificates

    @property
    def url(self) -> SmtpURL:
        if self._url is None:
            raise EmailError("no SMTP server configured")
        return self._url

    async def send(self, email: Email) -> None:
        await self.deliver(email)
        await record(email)

    async def deliver(self, email: Email) -> None:
        url = self.url
        message = build_message(email, self.sender)
        try:
            await aiosmtplib.send(
                message,
                hostname=url.host,
                port=url.port,
                username=url.username or None,
                password=url.password or None,
                use_tls=url.security == "tls",
                start_tls={"starttls-auto": None, "starttls": True, "plain": False}.get(url.security, False),
                tls_context=self.tls_context,
                timeout=self.timeout,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            codes = [r.code for r in exc.recipients]
            raise EmailError(f"{url}: recipient refused: {exc}", permanent=all(c >= 500 for c in codes)) from exc
        except (aiosmtplib.SMTPSenderRefused, aiosmtplib.SMTPDataError) as exc:
            raise EmailError(f"{url}: message refused: {exc}", permanent=exc.code >= 500) from exc
        except aiosmtplib.SMTPException as exc:  # connect, timeout, auth, TLS, other answers
            raise EmailError(f"{url}: {type(exc).__name__}: {exc}") from exc
        except (OSError, ssl.SSLError) as exc:
            raise EmailError(f"{url}: {type(exc).__name__}: {exc}") from exc


def current() -> Transport:
    return current_app.extensions[EXTENSION]


def init_app(app, settings) -> None:
    """SMTP to SMTP_URL; else a local SMTP server (development, tests); else recorded only, with a warning."""
    if settings.smtp_url is not None:
        app.extensions[EXTENSION] = SmtpTransport(settings.smtp_url, settings.smtp_from, settings.smtp_timeout)
    elif settings.local_mail_server:
        from . import localsmtp

        localsmtp.init_app(app, settings)
    else:
        app.extensions[EXTENSION] = OutboxTransport()
        log.warning(
            "SMTP_URL is not set (TRAVELGO_ENV=%s): e-mail is recorded in mail_outbox but NOT delivered to anyone",
            settings.env,
        )
