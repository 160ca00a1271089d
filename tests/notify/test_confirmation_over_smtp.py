"""A booking confirmation delivered by the notification sender through the app's real transport: over SMTP to the
local server, taken apart again from what arrived there (no stand-in transport)."""

from __future__ import annotations

import re

from travelgo import mail
from travelgo.notify import email, localsmtp

from ..bookings.helpers import as_user, passengers, trip_and_user
from ..conftest import deliver_notifications
from ..inapp import service
from ..payhelpers import paid


async def test_the_confirmation_arrives_over_smtp_with_html_text_and_its_ics(app, client):
    assert isinstance(app.extensions[email.EXTENSION], localsmtp.LocalSmtpTransport)
    trip, user = await trip_and_user(price_minor=2500)
    hold = await service.book_trip(as_user(user), trip["id"], ["4"], passengers(1))
    booking = await paid(hold)
    await deliver_notifications()

    received = {m["subject"]: m for m in await localsmtp.received()}
    [subject] = [s for s in received if s.startswith("Confirmed:")]
    message = await localsmtp.received_one(received[subject]["id"])
    assert message.rcpt_to == booking["contact_email"]
    assert re.fullmatch(r"<[^<>@\s]+@[^<>\s]+>", message.message_id)
    assert "e-ticket" in message.text and booking["reference"] in message.html
    (ics,) = message.attachments
    assert ics.filename == f"{booking['reference']}.ics" and ics.content_type == "text/calendar"
    assert ics.data.startswith(b"BEGIN:VCALENDAR") and b"BEGIN:VEVENT" in ics.data
    assert subject in [m["subject"] for m in await mail.outbox(booking["contact_email"])]  # still recorded

    page = await (await client.get(f"/dev/mail/{message.id}")).get_data(as_text=True)
    assert f"{booking['reference']}.ics" in page and "sandbox" in page
