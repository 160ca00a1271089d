"""The local SMTP server for development and tests (issue 20): when SMTP_URL is unset and TRAVELGO_ENV is development
or test, every worker starts one (aiosmtpd) on 127.0.0.1 at a free port before serving, and its e-mail transport is
SmtpTransport pointed at it: mail goes through a real SMTP conversation. What the server receives is kept in
`dev_mailbox` (shared by all workers) and shown at /dev/mail (travelgo/notify/devmail.py)."""

from __future__ import annotations

import asyncio
import logging
import socket
from dataclasses import dataclass
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.smtp import SMTP, Envelope, Session

from .. import db
from ..config import SmtpURL
from . import email

log = logging.getLogger(__name__)
HOST = "127.0.0.1"
# The message travels to MariaDB as hex (see store()), twice its size, inside max_allowed_packet (16 MB by default).
MAX_MESSAGE_BYTES = 6 * 1024 * 1024


class MailboxHandler:
    """aiosmtpd handler: stores each message it accepts in dev_mailbox."""

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or envelope.content
        raw = raw if isinstance(raw, bytes) else raw.encode()
        try:
            mail_id = await store(envelope.mail_from or "", list(envelope.rcpt_tos), raw)
        except Exception:
            log.exception("the local SMTP server could not store a message")
            return "451 4.3.0 Could not store the message, try again later"
        return f"250 2.0.0 OK: stored as dev_mailbox {mail_id}"


class LocalMailServer:
    """One aiosmtpd server on this worker's event loop, on 127.0.0.1 at a port the system picks."""

    def __init__(self) -> None:
        self.port: int | None = None
        self._starting: asyncio.Task[asyncio.AbstractServer] | None = None
        self._connections: set[SMTP] = set()

    async def start(self) -> None:
        """Bind now, serve from the next turn of the loop. Nothing here waits: a before_serving hook that yields lets
        background loops started by earlier hooks run before the database pool opens (a later hook)."""
        loop = asyncio.get_running_loop()
        handler = MailboxHandler()
        connections = self._connections

        class Connection(SMTP):
            def connection_made(self, transport) -> None:
                connections.add(self)
                super().connection_made(transport)

            def connection_lost(self, error) -> None:
                connections.discard(self)
                super().connection_lost(error)

        def protocol() -> SMTP:
            # hostname given: aiosmtpd would otherwise ask DNS for this machine's name on every connection
            return Connection(handler, hostname="localhost", data_size_limit=MAX_MESSAGE_BYTES, loop=loop)

        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind((HOST, 0))
        sock.listen(100)  # a client that connects before the server task runs waits in the backlog
        sock.setblocking(False)
        self.port = sock.getsockname()[1]
        self._starting = loop.create_task(loop.create_server(protocol, sock=sock), name="local-smtp-server")
        log.info("local SMTP server for development mail at %s:%s (see /dev/mail)", HOST, self.port)

    async def stop(self) -> None:
        if self._starting is None:
            return
        self.port = None
        starting, self._starting = self._starting, None
        try:
            server = await starting
        except Exception:
            log.exception("the local SMTP server did not start")
            return
        server.close()
        for connection in list(self._connections):  # a client still talking: hang up
            if connection.transport is not None:
                connection.transport.close()
        await server.wait_closed()

    @property
    def url(self) -> SmtpURL | None:
        return None if self.port is None else SmtpURL(host=HOST, port=self.port, security="plain")


class LocalSmtpTransport(email.SmtpTransport):
    """SmtpTransport to this worker's local server; EmailError while the server is not running."""

    def __init__(self, server: LocalMailServer, sender: str, timeout: float) -> None:
        super().__init__(None, sender, timeout)
        self.server = server

    @property
    def url(self) -> SmtpURL:
        url = self.server.url
        if url is None:
            raise email.EmailError("the local SMTP server is not running (it starts when the app serves)")
        return url


def init_app(app, settings) -> None:
    # aiosmtpd logs every connection and command at INFO: one line per request is this app's log
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    server = LocalMailServer()
    app.extensions[email.EXTENSION] = LocalSmtpTransport(server, settings.smtp_from, settings.smtp_timeout)
    app.before_serving(server.start)
    app.after_serving(server.stop)


async def store(mail_from: str, rcpt_tos: list[str], raw: bytes) -> int:
    """Keep one received message with its envelope and the headers the list shows; returns its id."""
    parsed = parse(raw)
    async with db.transaction() as cur:
        await cur.execute(
            """
            INSERT INTO dev_mailbox (mail_from, rcpt_to, to_header, subject, message_id, sent_at, size_bytes, raw)
            VALUES (%(mail_from)s, %(rcpt_to)s, %(to)s, %(subject)s, %(message_id)s, %(sent_at)s, %(size)s,
                    UNHEX(%(raw_hex)s))
            """,
            {
                "mail_from": mail_from[:254],
                "rcpt_to": ", ".join(rcpt_tos)[:1000],
                "to": str(parsed.get("To", ""))[:1000],
                "subject": str(parsed.get("Subject", ""))[:255],
                "message_id": str(parsed.get("Message-ID", "")).strip()[:255],
                "sent_at": _date_header(parsed),
                "size": len(raw),
                # as hex: aiomysql 0.3.2 cannot escape bytes with PyMySQL 1.2 (escape_bytes_prefixed is gone)
                "raw_hex": raw.hex(),
            },
        )
        return cur.lastrowid


def _date_header(message: EmailMessage) -> datetime | None:
    """The Date header in UTC (naive, as the database keeps times), or None when missing or unreadable."""
    try:
        date = message["Date"].datetime if message["Date"] is not None else None
    except (AttributeError, TypeError, ValueError):
        return None
    if date is None:
        return None
    return (date.astimezone(UTC) if date.tzinfo else date).replace(tzinfo=None)


def parse(raw: bytes) -> EmailMessage:
    return message_from_bytes(raw, policy=policy.default)


@dataclass(frozen=True)
class Part:
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class Received:
    """A stored message taken apart for the detail page and tests."""

    id: int
    mail_from: str
    rcpt_to: str
    to: str
    subject: str
    message_id: str
    sent_at: object
    received_at: object
    size_bytes: int
    raw: bytes
    text: str | None
    html: str | None
    attachments: tuple[Part, ...]


async def received(limit: int = 100, to: str | None = None) -> list[dict]:
    """The newest messages the local server received (without their raw bytes), newest first."""
    async with db.reading() as cur:
        await cur.execute(
            """
            SELECT id, mail_from, rcpt_to, to_header, subject, message_id, sent_at, size_bytes, received_at
              FROM dev_mailbox
             WHERE %(to)s IS NULL OR rcpt_to = %(to)s
             ORDER BY id DESC
             LIMIT %(limit)s
            """,
            {"to": to, "limit": limit},
        )
        return list(await cur.fetchall())


async def received_one(mail_id: int) -> Received | None:
    """One stored message with its text, HTML and attachments, or None."""
    async with db.reading() as cur:
        await cur.execute("SELECT * FROM dev_mailbox WHERE id = %(id)s", {"id": mail_id})
        row = await cur.fetchone()
    if row is None:
        return None
    raw = bytes(row["raw"])
    message = parse(raw)
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    attachments = tuple(
        Part(part.get_filename() or "(unnamed)", part.get_content_type(), part.get_payload(decode=True) or b"")
        for part in message.iter_attachments()
    )
    return Received(
        id=row["id"],
        mail_from=row["mail_from"],
        rcpt_to=row["rcpt_to"],
        to=row["to_header"],
        subject=row["subject"],
        message_id=row["message_id"],
        sent_at=row["sent_at"],
        received_at=row["received_at"],
        size_bytes=row["size_bytes"],
        raw=raw,
        text=text.get_content() if text is not None else None,
        html=html.get_content() if html is not None else None,
        attachments=attachments,
    )
