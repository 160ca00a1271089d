"""Development and tests without SMTP_URL: the app starts a local SMTP server, mail goes to it over SMTP and
/dev/mail shows it. With SMTP_URL, mail goes there only; staging and production never show /dev/mail."""

from __future__ import annotations

import logging
import re
from html import unescape

import pytest

from travelgo import create_app, mail
from travelgo.notify import email, localsmtp
from travelgo.notify.email import Attachment, Email, OutboxTransport, SmtpTransport

from .smtpservers import Inbox, Server

ICS = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nSUMMARY:Pune to Goa\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"


def ticket(**changes) -> Email:
    fields = dict(
        to="ravi@example.com",
        subject="Your e-ticket TG7654321",
        text="Seat 12 on the 21:30 Pune → Goa.",
        html='<h1 style="color: teal">E-ticket</h1><script>alert("x")</script><p>Seat 12</p>',
        attachments=(Attachment("TG7654321.ics", "text/calendar", ICS),),
        message_id="<ticket-7@travelgo.example>",
    )
    return Email(**{**fields, **changes})


async def test_the_app_sends_to_its_own_smtp_server_and_dev_mail_shows_it(app, client):
    transport = app.extensions[email.EXTENSION]
    assert isinstance(transport, SmtpTransport) and transport.url.host == "127.0.0.1" and transport.url.port

    async with app.app_context():
        await email.current().send(ticket())

    [listed] = await localsmtp.received()
    assert (listed["rcpt_to"], listed["subject"]) == ("ravi@example.com", "Your e-ticket TG7654321")
    assert listed["message_id"] == "<ticket-7@travelgo.example>" and listed["sent_at"] is not None
    assert (await mail.outbox("ravi@example.com"))[0]["subject"] == "Your e-ticket TG7654321"  # still recorded

    page = await client.get("/dev/mail")
    assert page.status_code == 200
    body = await page.get_data(as_text=True)
    assert "Your e-ticket TG7654321" in body and "ravi@example.com" in body
    detail_path = re.search(r'href="(/dev/mail/\d+)"', body).group(1)

    detail = await client.get(detail_path)
    assert detail.status_code == 200
    html = await detail.get_data(as_text=True)
    assert "Seat 12 on the 21:30 Pune → Goa." in html
    assert "TG7654321.ics" in html and f"{len(ICS)} bytes" in html
    # the HTML part only inside a sandboxed iframe (no allow-scripts), escaped into its srcdoc attribute
    frame = re.search(r'<iframe[^>]*\ssandbox\s[^>]*srcdoc="([^"]*)"', html)
    assert frame, html
    assert "<script>" not in html and '<h1 style="color: teal">' in unescape(frame.group(1))
    assert "allow-scripts" not in html
    assert "'unsafe-inline'" in detail.headers["Content-Security-Policy"].split("style-src")[1].split(";")[0]
    assert "script-src 'self'" in detail.headers["Content-Security-Policy"]

    attachment = await client.get(f"{detail_path}/attachments/0")
    assert attachment.status_code == 200 and await attachment.get_data() == ICS
    raw = await client.get(f"{detail_path}/raw")
    assert b"Message-ID: <ticket-7@travelgo.example>" in await raw.get_data()
    assert (await client.get(f"{detail_path}/attachments/1")).status_code == 404
    assert (await client.get("/dev/mail/999999999")).status_code == 404


async def test_dev_mail_lists_newest_first(app, client):
    async with app.app_context():
        for n in (1, 2, 3):
            await email.current().send(ticket(subject=f"Message {n}", message_id=None, html=None, attachments=()))

    body = await (await client.get("/dev/mail")).get_data(as_text=True)
    assert body.index("Message 3") < body.index("Message 2") < body.index("Message 1")

    async with app.app_context():
        await email.current().send(ticket(to="someone.else@example.com", subject="For someone else"))
    only = await (await client.get("/dev/mail?to=someone.else@example.com")).get_data(as_text=True)
    assert "For someone else" in only and "Message 1" not in only


async def test_without_the_running_server_sending_is_an_email_error_not_a_silent_record(app):
    server = localsmtp.LocalMailServer()  # never started
    transport = localsmtp.LocalSmtpTransport(server, "TravelGo <no-reply@travelgo.example>", 1)
    with pytest.raises(email.EmailError, match="not running"):
        await transport.send(ticket())
    assert await mail.outbox() == []


async def test_the_local_server_answers_451_when_it_cannot_store(app, monkeypatch):
    async def broken(*args):
        raise RuntimeError("database is down")

    monkeypatch.setattr(localsmtp, "store", broken)
    with pytest.raises(email.EmailError) as refused:
        async with app.app_context():
            await email.current().send(ticket())
    assert not refused.value.permanent  # retried later


async def test_with_smtp_url_mail_goes_there_and_nowhere_else(app):
    inbox = Inbox()
    server = await Server(inbox).start()
    try:
        configured = create_app({"smtp_url": f"smtp://127.0.0.1:{server.port}"})
        transport = configured.extensions[email.EXTENSION]
        assert type(transport) is SmtpTransport and transport.url.port == server.port
        async with configured.app_context():
            await email.current().send(ticket())
    finally:
        await server.stop()
    assert inbox.received[0].message["Message-ID"] == "<ticket-7@travelgo.example>"
    assert await localsmtp.received() == []
    assert len(await mail.outbox()) == 1


@pytest.mark.parametrize("env", ["staging", "production"])
async def test_production_like_apps_have_no_dev_mail_and_warn_that_mail_is_only_recorded(app, env, caplog):
    overrides = {"env": env, "secret_key": "k" * 32, "admin_password": "not-the-default-one"}
    if env == "production":
        overrides.update(payments="razorpay", razorpay_key_id="a", razorpay_key_secret="b", razorpay_webhook_secret="c")
    with caplog.at_level(logging.WARNING, logger="travelgo.notify.email"):
        production_like = create_app(overrides)
    assert isinstance(production_like.extensions[email.EXTENSION], OutboxTransport)
    assert any("SMTP_URL is not set" in r.getMessage() and "NOT delivered" in r.getMessage() for r in caplog.records)

    test_client = production_like.test_client()
    for path in ("/dev/mail", "/dev/mail/1", "/dev/mail/1/raw"):
        assert (await test_client.get(path)).status_code == 404, path


async def test_starting_the_local_server_never_yields_so_loops_cannot_run_before_the_pool_opens(app):
    """before_serving hooks run in order; the database pool opens in a later one. A hook that yields lets the
    background loops that earlier hooks started run a round against a pool that is not open yet."""
    server = localsmtp.LocalMailServer()
    starting = server.start()
    with pytest.raises(StopIteration):
        starting.send(None)  # done without suspending once
    try:
        assert server.url is not None
        transport = localsmtp.LocalSmtpTransport(server, "TravelGo <no-reply@travelgo.example>", 5)
        await transport.send(ticket(subject="Right after start"))  # queued in the backlog until the server runs
    finally:
        await server.stop()
    assert server.url is None
    assert [m["subject"] for m in await localsmtp.received()] == ["Right after start"]
