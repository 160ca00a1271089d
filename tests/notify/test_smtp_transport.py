"""SmtpTransport against real SMTP servers (aiosmtpd): MIME parts, attachments, Message-ID, STARTTLS and TLS with
AUTH, refusals and outages as EmailError, and mail_outbox keeps recording what was sent."""

from __future__ import annotations

import asyncio
import ssl
import time

import pytest

from travelgo import mail
from travelgo.config import SmtpURL
from travelgo.notify.email import Attachment, Email, EmailError, SmtpTransport, build_message

from .smtpservers import Inbox, Server, password_check, self_signed_certificate

SENDER = "TravelGo <no-reply@travelgo.example>"
ICS = (
    b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//TravelGo//EN\r\nBEGIN:VEVENT\r\nUID:TG1234567@travelgo.example\r\n"
    b"DTSTART:20270115T063000Z\r\nSUMMARY:Bus Pune \xe2\x86\x92 Goa\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)
TICKET = bytes(range(256)) * 40  # binary, like a PDF e-ticket


def confirmation(**changes) -> Email:
    fields = dict(
        to="asha@example.com",
        subject="Booking TG1234567 confirmed — Pune → Goa",
        text="Your seats 3A, 3B are booked.\nReference TG1234567.",
        html="<p>Your seats <b>3A, 3B</b> are booked.</p>",
        attachments=(
            Attachment("TG1234567.ics", "text/calendar; method=PUBLISH", ICS),
            Attachment("e-ticket-TG1234567.pdf", "application/pdf", TICKET),
        ),
        message_id="<notification-42@travelgo.example>",
    )
    return Email(**{**fields, **changes})


@pytest.fixture
async def inbox():
    box = Inbox()
    server = await Server(box).start()
    box.server = server
    yield box
    await server.stop()


def plain(port: int, query: str = "?starttls=0") -> SmtpURL:
    return SmtpURL.parse(f"smtp://127.0.0.1:{port}{query}")


async def test_a_confirmation_arrives_with_text_html_attachments_and_its_message_id(app, inbox):
    transport = SmtpTransport(plain(inbox.server.port), SENDER, timeout=5)

    await transport.send(confirmation())

    [received] = inbox.received
    assert received.rcpt_tos == ["asha@example.com"]
    assert received.mail_from == "no-reply@travelgo.example"
    message = received.message
    assert message["Message-ID"] == "<notification-42@travelgo.example>"
    assert message["From"] == SENDER and message["To"] == "asha@example.com"
    assert message["Subject"] == "Booking TG1234567 confirmed — Pune → Goa"
    assert message["Date"].datetime is not None
    assert message.get_body(("plain",)).get_content().splitlines() == [
        "Your seats 3A, 3B are booked.",
        "Reference TG1234567.",
    ]
    assert message.get_body(("html",)).get_content().strip() == "<p>Your seats <b>3A, 3B</b> are booked.</p>"
    attachments = {part.get_filename(): part for part in message.iter_attachments()}
    assert attachments["TG1234567.ics"].get_content_type() == "text/calendar"
    assert attachments["TG1234567.ics"].get_param("method") == "PUBLISH"
    assert attachments["TG1234567.ics"].get_payload(decode=True) == ICS
    assert attachments["e-ticket-TG1234567.pdf"].get_payload(decode=True) == TICKET

    [row] = await mail.outbox("asha@example.com")
    assert (row["subject"], row["body"]) == (confirmation().subject, confirmation().text)


async def test_without_html_or_message_id_the_message_is_plain_text_with_a_generated_id(app, inbox):
    await SmtpTransport(plain(inbox.server.port), SENDER).send(Email("b@example.com", "Hello", "Just text."))

    message = inbox.received[0].message
    assert message.get_content_type() == "text/plain"
    assert message.get_content().strip() == "Just text."
    assert message["Message-ID"].endswith("@travelgo.example>")


def test_a_line_break_in_a_header_is_refused_for_good_not_sent():
    with pytest.raises(EmailError) as refused:
        build_message(confirmation(subject="Hi\r\nBcc: everyone@example.com"), SENDER)
    assert refused.value.permanent


async def test_starttls_and_auth(app, inbox, tmp_path):
    cert, key = self_signed_certificate(tmp_path)
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(cert, key)
    client_tls = ssl.create_default_context(cafile=str(cert))
    secured = Inbox()
    server = await Server(
        secured,
        tls_context=server_tls,
        require_starttls=True,
        auth_required=True,
        authenticator=password_check("mailer", "s3cret@pass"),
    ).start()
    try:
        url = SmtpURL.parse(f"smtp://mailer:s3cret%40pass@127.0.0.1:{server.port}?starttls=1")
        await SmtpTransport(url, SENDER, timeout=5, tls_context=client_tls).send(confirmation())
        assert secured.received[0].message["Message-ID"] == "<notification-42@travelgo.example>"

        wrong = SmtpURL.parse(f"smtp://mailer:guess@127.0.0.1:{server.port}?starttls=1")
        with pytest.raises(EmailError, match="SMTPAuthenticationError") as refused:
            await SmtpTransport(wrong, SENDER, timeout=5, tls_context=client_tls).send(confirmation())
        assert not refused.value.permanent

        untrusted = SmtpTransport(url, SENDER, timeout=5)  # the system's CAs do not know the self-signed certificate
        with pytest.raises(EmailError):
            await untrusted.send(confirmation())
        assert len(secured.received) == 1
    finally:
        await server.stop()

    # starttls=1 refuses a server that does not offer STARTTLS rather than send in the clear
    with pytest.raises(EmailError):
        await SmtpTransport(plain(inbox.server.port, "?starttls=1"), SENDER, timeout=5).send(confirmation())
    assert inbox.received == []


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
async def test_implicit_tls_with_auth(app, tmp_path):
    cert, key = self_signed_certificate(tmp_path)
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(cert, key)
    secured = Inbox()
    # aiosmtpd counts only STARTTLS as TLS for AUTH; this connection is TLS from its first byte
    server = await Server(
        secured,
        ssl_context=server_tls,
        auth_required=True,
        auth_require_tls=False,
        authenticator=password_check("mailer", "pw"),
    ).start()
    try:
        url = SmtpURL.parse(f"smtps://mailer:pw@127.0.0.1:{server.port}")
        client_tls = ssl.create_default_context(cafile=str(cert))
        await SmtpTransport(url, SENDER, timeout=5, tls_context=client_tls).send(confirmation())
    finally:
        await server.stop()
    assert secured.received[0].message["Subject"] == confirmation().subject


@pytest.mark.parametrize(
    "refusal, permanent",
    [
        (dict(rcpt_answer="550 5.1.1 No such mailbox"), True),
        (dict(rcpt_answer="450 4.2.1 Mailbox busy, try later"), False),
        (dict(data_answer="554 5.7.1 Message rejected as spam"), True),
        (dict(data_answer="451 4.3.0 Local error, try later"), False),
    ],
)
async def test_refusals_are_email_errors_and_nothing_is_recorded(app, inbox, refusal, permanent):
    for name, answer in refusal.items():
        setattr(inbox, name, answer)

    with pytest.raises(EmailError) as refused:
        await SmtpTransport(plain(inbox.server.port), SENDER, timeout=5).send(confirmation())

    assert refused.value.permanent is permanent
    assert inbox.received == []
    assert await mail.outbox() == []


async def test_a_server_that_is_down_fails_fast_and_mail_goes_again_when_it_is_back(app, inbox):
    transport = SmtpTransport(plain(inbox.server.port), SENDER, timeout=5)
    await inbox.server.stop()

    started = time.monotonic()
    with pytest.raises(EmailError, match="127.0.0.1"):
        await transport.send(confirmation())
    assert time.monotonic() - started < 2
    assert await mail.outbox() == []

    await inbox.server.start()  # the same port again
    await transport.send(confirmation())
    assert len(inbox.received) == 1
    assert len(await mail.outbox()) == 1


async def test_a_server_that_never_answers_times_out_as_an_email_error(app):
    async def silent(reader, writer):
        await asyncio.sleep(30)

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        started = time.monotonic()
        with pytest.raises(EmailError):
            await SmtpTransport(plain(port), SENDER, timeout=0.5).send(confirmation())
        assert time.monotonic() - started < 3
    finally:
        server.close()
    assert await mail.outbox() == []
