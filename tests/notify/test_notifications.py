"""Notifications: written with the change that causes them, delivered once by the sender, retried, visible to admins.

Delivery here goes through the app's e-mail transport and the local Messenger; a recording transport stands in
where a test reads the whole e-mail (HTML part, attachments) rather than its mail_outbox record.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, timedelta

import pytest

from travelgo import db, mail
from travelgo.dates import wall_now
from travelgo.notify import email, messenger, sender
from travelgo.notify.queries import claim_due
from travelgo.notify.queue import queue

from .. import factories
from ..bookings.helpers import as_user, passengers, scalar, trip_and_user
from ..conftest import deliver_notifications, login, post_form
from ..inapp import notifications, service
from ..payhelpers import paid, pay
from ..roundtrips import counted


class Recording:
    """An e-mail transport that keeps what it was given (and fails while `down`)."""

    def __init__(self) -> None:
        self.sent: list[email.Email] = []
        self.down = False
        self.refused: set[str] = set()  # addresses the server refuses

    async def deliver(self, message: email.Email) -> None:
        if self.down:
            raise email.EmailError("connection refused")
        if message.to in self.refused:
            raise email.EmailError("recipient refused")
        self.sent.append(message)

    async def send(self, message: email.Email) -> None:
        await self.deliver(message)
        await email.record(message)


@pytest.fixture
def outbox(app, monkeypatch) -> Recording:
    recording = Recording()
    monkeypatch.setitem(app.extensions, email.EXTENSION, recording)
    return recording


async def kinds(booking_reference: str | None = None) -> list[str]:
    async with db.reading() as cur:
        await cur.execute("SELECT kind FROM notifications WHERE channel = 'email' ORDER BY id")
        return [r["kind"] for r in await cur.fetchall()]


async def test_a_booking_s_life_is_told_by_mail_held_confirmed_cancelled(client, outbox):
    trip, user = await trip_and_user(price_minor=2500)
    hold = await service.book_trip(as_user(user), trip["id"], ["4"], passengers(1))
    assert await deliver_notifications() == 1
    booking = await paid(hold)
    assert await deliver_notifications() == 1
    await service.cancel_booking(user["id"], booking["reference"])
    assert await deliver_notifications() == 1
    assert await kinds() == ["booking_held", "booking_confirmed", "booking_cancelled"]
    held, confirmed, cancelled = outbox.sent
    assert held.to == booking["contact_email"] and hold["reference"] in held.subject and "UTC" in held.subject
    assert confirmed.subject.startswith("Confirmed:") and "e-ticket" in confirmed.text
    assert "Seats: 4 (" in confirmed.text and f"/bookings/{booking['reference']}" in confirmed.text
    assert booking["reference"] in confirmed.html and "<script" not in confirmed.html
    (ics,) = confirmed.attachments
    assert ics.filename == f"{booking['reference']}.ics" and ics.content_type == "text/calendar"
    assert f"DTSTART:{booking['starts_at'].astimezone(UTC):%Y%m%dT%H%M%S}Z".encode() in ics.data
    assert "refund of €25" in cancelled.text
    assert len({m.message_id for m in outbox.sent}) == 3  # one Message-ID per notification
    assert [m["subject"] for m in await mail.outbox(booking["contact_email"])][::-1] == [
        held.subject, confirmed.subject, cancelled.subject
    ]  # fmt: skip
    assert await scalar("SELECT COUNT(*) FROM notifications WHERE status = 'sent'") == 3


async def test_a_failed_payment_and_an_operator_cancellation_are_told(client, app, outbox):
    from travelgo.admin import service as admin

    trip, user = await trip_and_user(price_minor=3000)
    hold = await service.book_trip(as_user(user), trip["id"], ["1"], passengers(1))
    await pay(hold, "failed")
    await deliver_notifications()
    await paid(hold)
    async with app.app_context():
        await admin.cancel_trip(user["id"], trip["id"], "Bus broke down")
    assert await kinds() == ["booking_held", "payment_failed", "booking_confirmed", "trip_cancelled"]
    await deliver_notifications()
    failed, cancelled = outbox.sent[1], outbox.sent[3]
    assert "did not go through" in failed.subject and "Nothing was charged" in failed.text
    assert "operator has cancelled" in cancelled.text and "Bus broke down" in cancelled.text
    assert "full refund of €30" in cancelled.text


async def test_a_message_about_a_hold_that_was_paid_meanwhile_is_skipped(client, outbox):
    trip, user = await trip_and_user()
    await paid(await service.book_trip(as_user(user), trip["id"], ["1"], passengers(1)))  # paid before the sender came
    await deliver_notifications()
    assert [m.subject.split(":")[0] for m in outbox.sent] == ["Confirmed"]
    async with db.reading() as cur:
        await cur.execute("SELECT kind, status, last_error FROM notifications ORDER BY id")
        rows = await cur.fetchall()
    assert [(r["kind"], r["status"]) for r in rows] == [("booking_held", "skipped"), ("booking_confirmed", "sent")]
    assert rows[0]["last_error"] == "the booking is confirmed"


async def test_a_booking_that_rolls_back_leaves_no_message(client, outbox):
    trip, user = await trip_and_user()
    other = (await trip_and_user())[1]
    await service.book_trip(as_user(user), trip["id"], ["2"], passengers(1))
    with pytest.raises(service.SeatsUnavailable):
        await service.book_trip(as_user(other), trip["id"], ["2"], passengers(1))
    assert await kinds() == ["booking_held"]  # only the booking that committed


async def test_a_verified_phone_that_opted_in_gets_sms_too(client, outbox):
    trip, user = await trip_and_user()
    async with db.transaction() as cur:
        await cur.execute(
            "UPDATE users SET phone = '+919876543210', notify_sms = 1, phone_verified_at = UTC_TIMESTAMP(6)"
            " WHERE id = %(id)s",
            {"id": user["id"]},
        )
        unverified = await factories.make_user(cur)
        await cur.execute(
            "UPDATE users SET phone = '+919800000000', notify_sms = 1 WHERE id = %(id)s", {"id": unverified["id"]}
        )
    await paid(await service.book_trip(as_user(user), trip["id"], ["3"], passengers(1)))
    await service.book_trip(as_user(unverified), trip["id"], ["5"], passengers(1))
    await deliver_notifications()
    (text,) = [m["body"] for m in await messenger.sent("+919876543210")]  # "held" was skipped: paid by then
    assert "confirmed" in text and len(text) < 320  # two SMS segments at most
    assert await messenger.sent("+919800000000") == []  # opted in, but the number is not verified
    # The hold's own message (queued under the traveller's lock, which read whether they take texts) too.
    async with db.reading() as cur:
        for who, channels in ((user, ["email", "sms"]), (unverified, ["email"])):
            await cur.execute(
                "SELECT channel FROM notifications WHERE kind = 'booking_held' AND user_id = %s ORDER BY channel",
                (who["id"],),
            )
            assert [row["channel"] for row in await cur.fetchall()] == channels


async def test_two_senders_at_once_deliver_each_message_once(client, outbox, many_holds):
    trip, user = await trip_and_user(seats=40)
    for seat in range(1, 7):
        await service.book_trip(as_user(user), trip["id"], [str(seat)], passengers(1))
    queued = await scalar("SELECT COUNT(*) FROM notifications")
    await asyncio.gather(*(notifications.send_due(limit=2) for _ in range(6)))
    await deliver_notifications()
    assert len(outbox.sent) == queued == 6
    assert len({m.message_id for m in outbox.sent}) == queued


async def test_a_claim_refuses_to_run_at_repeatable_read(client):
    """Every outbox claim must run at READ COMMITTED (below); one that forgot would hold back every new row."""
    with pytest.raises(RuntimeError, match="read_committed=True"):
        async with db.transaction() as cur:
            await claim_due(cur, 10, 30)


async def test_a_hold_never_waits_for_a_sender_s_claim_in_progress(client, outbox, many_holds):
    """The sender claims due messages with SELECT … FOR UPDATE SKIP LOCKED on their due index. At REPEATABLE READ
    that scan also locks the gap where a new message goes, so a hold's message INSERT would wait for the claim to
    commit (and could deadlock with it); the claim runs at READ COMMITTED."""
    trip, user = await trip_and_user(seats=40)
    await service.book_trip(as_user(user), trip["id"], ["1"], passengers(1))  # one message due
    async with db.transaction(read_committed=True) as cur:  # the sender's claim, held open
        assert len(await claim_due(cur, 10, 30)) == 1
        held = await asyncio.wait_for(service.book_trip(as_user(user), trip["id"], ["2"], passengers(1)), timeout=3)
    assert held["status"] == "pending_payment"
    assert await scalar("SELECT COUNT(*) FROM notifications") == 2


async def test_a_mail_server_down_for_a_while_delays_then_delivers_once_and_gives_up_after_its_attempts(client, outbox):
    trip, user = await trip_and_user()
    await service.book_trip(as_user(user), trip["id"], ["1"], passengers(1))
    outbox.down = True
    assert await deliver_notifications() == 1
    row = await _row()
    assert row["status"] == "pending" and row["attempts"] == 1 and row["last_error"] == "connection refused"
    assert await deliver_notifications() == 0  # not due again before its backoff
    await _due_now()
    outbox.down = False
    assert await deliver_notifications() == 1 and len(outbox.sent) == 1
    assert (await _row())["status"] == "sent"

    await service.book_trip(as_user(user), trip["id"], ["2"], passengers(1))
    outbox.down = True
    for _ in range(sender.MAX_ATTEMPTS):
        await _due_now()
        await deliver_notifications()
    assert (await _row())["status"] == "failed" and (await _row())["attempts"] == sender.MAX_ATTEMPTS


async def _row() -> dict:
    async with db.reading() as cur:
        await cur.execute("SELECT status, attempts, last_error FROM notifications ORDER BY id DESC LIMIT 1")
        return await cur.fetchone()


async def _due_now() -> None:
    async with db.transaction() as cur:
        await cur.execute("UPDATE notifications SET next_attempt_at = UTC_TIMESTAMP(6) WHERE status = 'pending'")


async def test_reminders_and_hold_warnings_are_queued_once(client, outbox):
    soon, user = await trip_and_user(departs_at=wall_now() + timedelta(hours=20))
    later, _ = await trip_and_user(departs_at=wall_now() + timedelta(hours=30))
    await paid(await service.book_trip(as_user(user), soon["id"], ["1"], passengers(1)))
    await paid(await service.book_trip(as_user(user), later["id"], ["1"], passengers(1)))
    hold = await service.book_trip(as_user(user), later["id"], ["2"], passengers(1))
    async with db.transaction() as cur:  # two minutes left on the hold, made a while ago
        await cur.execute(
            "UPDATE bookings SET expires_at = UTC_TIMESTAMP(6) + INTERVAL 2 MINUTE,"
            " created_at = UTC_TIMESTAMP(6) - INTERVAL 8 MINUTE WHERE reference = %(r)s",
            {"r": hold["reference"]},
        )
    assert await notifications.queue_time_based() == 2
    assert await notifications.queue_time_based() == 0  # once each
    assert (await kinds())[-2:] == ["reminder", "hold_expiring"]
    await deliver_notifications()
    reminder = next(m for m in outbox.sent if m.subject.startswith("Tomorrow"))
    assert soon["origin"]["name"] in reminder.subject
    warning = next(m for m in outbox.sent if "few minutes left" in m.subject)
    assert hold["reference"] in warning.subject


async def test_admins_see_failed_notifications_and_resend_them(client, app, outbox):
    async with db.transaction() as cur:
        admin = await factories.make_user(cur, "ops@example.com", role="admin")
    trip, user = await trip_and_user()
    await service.book_trip(as_user(user), trip["id"], ["1"], passengers(1))
    outbox.down = True
    for _ in range(sender.MAX_ATTEMPTS):
        await _due_now()
        await deliver_notifications()
    outbox.down = False
    await login(client, admin["email"])
    listing = await (await client.get("/admin/notifications?status=failed")).get_data(as_text=True)
    assert "booking held" in listing and "connection refused" in listing
    notification_id = await scalar("SELECT id FROM notifications")
    answer = await post_form(client, f"/admin/notifications/{notification_id}/resend", {})
    assert answer.status_code == 303
    assert (await _row())["status"] == "sent" and len(outbox.sent) == 1
    shown = await (await client.get(f"/admin/notifications/{notification_id}")).get_data(as_text=True)
    assert "What was sent" in shown and "held for you" in shown
    assert await scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'notification.resend'") == 1
    traveller = app.test_client()
    await login(traveller, user["email"])
    assert (await traveller.get("/admin/notifications")).status_code == 403


async def test_the_operator_hears_of_a_paid_booking_at_its_bookings_address(client, app, outbox):
    trip, user = await trip_and_user()
    async with db.transaction() as cur:
        await cur.execute(
            "UPDATE operators SET contact_email = 'desk@coaches.example' WHERE id = %(id)s",
            {"id": trip["operator"]["id"]},
        )
    hold = await service.book_trip(as_user(user), trip["id"], ["6"], passengers(1))
    await deliver_notifications()
    assert [m.to for m in outbox.sent] == [user["email"]]  # a hold is not news for the operator
    await paid(hold)
    await deliver_notifications()
    (partner,) = [m for m in outbox.sent if m.to == "desk@coaches.example"]
    assert partner.subject.startswith(f"New booking {hold['reference']}") and "1 seat" in partner.text
    assert "/bookings/" not in partner.text and "Notification settings" not in partner.text  # a traveller's links


async def test_a_link_someone_waits_for_goes_before_a_backlog_of_reminders(client, outbox):
    """A start-up scan can queue hundreds of reminders at once; a new account's confirmation link still goes in the
    next batch, not after them."""
    async with db.transaction() as cur:
        traveller = await factories.make_user(cur)
        for n in range(sender.BATCH + 5):
            await queue(cur, "reminder", user_id=traveller["id"], dedupe_key=f"reminder:test-{n}")
        await queue(cur, "confirm_email", user_id=traveller["id"], context={"url": "http://localhost/x"})
    async with db.transaction(read_committed=True) as cur:
        claimed = await claim_due(cur, sender.BATCH, sender.LEASE_SECONDS)
    assert claimed[0]["kind"] == "confirm_email" and len(claimed) == sender.BATCH


async def test_one_batch_records_each_message_s_own_outcome(client, outbox):
    """The sender reads a batch's bookings together and writes their outcomes together: a message about a hold paid
    meanwhile is skipped, one the mail server refuses waits for its retry, the others are sent; each row records its
    own outcome, and only the sent e-mails are in mail_outbox."""
    trip, payer = await trip_and_user()
    async with db.transaction() as cur:
        refused, fine = await factories.make_user(cur), await factories.make_user(cur)
    hold = await service.book_trip(as_user(payer), trip["id"], ["1"], passengers(1))
    await service.book_trip(as_user(refused), trip["id"], ["2"], passengers(1))
    await service.book_trip(as_user(fine), trip["id"], ["3"], passengers(1))
    await paid(hold)  # its "held" message is obsolete before the sender comes; "confirmed" is queued
    outbox.refused.add(refused["email"])
    assert await notifications.send_due() == 4  # one batch
    async with db.reading() as cur:
        await cur.execute(
            "SELECT kind, recipient, status, attempts, last_error, subject, body, next_attempt_at > UTC_TIMESTAMP(6)"
            " AS later FROM notifications ORDER BY id"
        )
        rows = list(await cur.fetchall())
    assert [(r["kind"], r["recipient"], r["status"]) for r in rows] == [
        ("booking_held", payer["email"], "skipped"),
        ("booking_held", refused["email"], "pending"),
        ("booking_held", fine["email"], "sent"),
        ("booking_confirmed", payer["email"], "sent"),
    ]
    skipped, retried, held, confirmed = rows
    assert skipped["last_error"] == "the booking is confirmed" and skipped["subject"] is None
    assert retried["last_error"] == "recipient refused" and retried["attempts"] == 1 and retried["later"]
    assert [held["subject"], confirmed["subject"]] == [m.subject for m in outbox.sent]
    assert [held["body"], confirmed["body"]] == [m.text for m in outbox.sent]
    assert held["last_error"] is None and confirmed["last_error"] is None
    recorded = [(m["to_address"], m["subject"]) for m in await mail.outbox()]
    assert sorted(recorded) == sorted((m.to, m.subject) for m in outbox.sent)


async def test_when_a_batch_s_bookings_cannot_be_read_its_messages_about_bookings_wait_for_a_retry(
    client, outbox, monkeypatch
):
    """A message that needs no booking still goes; those about a booking are retried with the error, as a message
    that cannot be rendered is."""
    trip, user = await trip_and_user()
    await service.book_trip(as_user(user), trip["id"], ["1"], passengers(1))
    async with db.transaction() as cur:
        await queue(cur, "welcome", user_id=user["id"])

    async def unreadable(ids):
        raise RuntimeError("the bookings are unreadable")

    monkeypatch.setattr(sender, "booking_details", unreadable)
    assert await notifications.send_due() == 2
    async with db.reading() as cur:
        await cur.execute("SELECT kind, status, attempts, last_error FROM notifications ORDER BY id")
        rows = list(await cur.fetchall())
    assert [(r["kind"], r["status"], r["last_error"]) for r in rows] == [
        ("booking_held", "pending", "RuntimeError: the bookings are unreadable"),
        ("welcome", "sent", None),
    ]
    assert [m.to for m in outbox.sent] == [user["email"]]


@pytest.mark.usefixtures("statements")  # counts what counted() runs
async def test_a_batch_costs_the_same_few_round_trips_however_many_messages_it_holds(client, outbox, many_holds):
    """The claim (2: its lease goes with the COMMIT), the bookings with their seats and points (1), the outcomes with
    the mail_outbox rows (1)."""
    trip, user = await trip_and_user(seats=40)
    for seat in range(1, 11):
        await service.book_trip(as_user(user), trip["id"], [str(seat)], passengers(1))
    claimed, log = await counted(notifications.send_due)
    assert claimed == 10 and len(outbox.sent) == 10
    assert len(log) == 4, log
    assert await scalar("SELECT COUNT(*) FROM mail_outbox") == 10


@pytest.mark.usefixtures("statements")
async def test_a_slow_batch_records_its_outcomes_as_it_goes(client, outbox, many_holds, monkeypatch):
    """Outcomes wait at most RECORD_EVERY_SECONDS: a batch whose deliveries take long (a slow mail server) does not
    hold messages delivered and unrecorded until its lease runs out. At 0 each outcome is written after its send."""
    monkeypatch.setattr(sender, "RECORD_EVERY_SECONDS", 0)
    trip, user = await trip_and_user(seats=40)
    for seat in range(1, 4):
        await service.book_trip(as_user(user), trip["id"], [str(seat)], passengers(1))
    claimed, log = await counted(notifications.send_due)
    assert claimed == 3 and len(log) == 2 + 1 + 3, log  # the claim, the bookings, one write per outcome
    assert await scalar("SELECT COUNT(*) FROM notifications WHERE status = 'sent'") == 3
    assert await scalar("SELECT COUNT(*) FROM mail_outbox") == 3


async def test_a_round_cancelled_mid_batch_still_records_what_went_out(client, outbox, many_holds, monkeypatch):
    """A worker stopping cancels the sender's round: the messages delivered before are marked sent (not sent again
    when their lease runs out); the one in flight and the rest stay leased, for a later round."""
    trip, user = await trip_and_user(seats=40)
    for seat in range(1, 4):
        await service.book_trip(as_user(user), trip["id"], [str(seat)], passengers(1))
    deliver = outbox.deliver

    async def stopping(message: email.Email) -> None:
        if outbox.sent:
            raise asyncio.CancelledError
        await deliver(message)

    monkeypatch.setattr(outbox, "deliver", stopping)
    with pytest.raises(asyncio.CancelledError):
        await notifications.send_due()
    async with db.reading() as cur:
        await cur.execute("SELECT status, attempts FROM notifications ORDER BY id")
        assert [(r["status"], r["attempts"]) for r in await cur.fetchall()] == [
            ("sent", 1), ("pending", 1), ("pending", 1)
        ]  # fmt: skip
    assert await scalar("SELECT COUNT(*) FROM mail_outbox") == 1


async def test_a_batch_s_bookings_read_together_are_each_as_its_pages_show_it(client, many_holds):
    """bookings.service.booking_details (the sender's one read for a batch) gives what booking_detail gives for each
    booking, whatever its kind: a bus trip with points chosen or not, one without points, a stay, a table, a train."""
    from datetime import time

    from travelgo.dates import today_in

    from ..bookings.helpers import hotel_and_user, stay
    from ..segments.helpers import train
    from ..stops.helpers import trip_with_points

    trip, user = await trip_and_user()
    ptrip, puser, points = await trip_with_points()
    made = [
        await service.book_trip(as_user(user), trip["id"], ["1", "2"], passengers(2)),
        await service.book_trip(as_user(puser), ptrip["id"], ["1"], passengers(1)),
        await service.book_trip(
            as_user(puser), ptrip["id"], ["2"], passengers(1),
            boarding_point_id=points["boarding"][1]["id"], dropping_point_id=points["dropping"][1]["id"],
        ),
    ]  # fmt: skip
    _, room_type, guest = await hotel_and_user()
    made.append(await service.book_room(as_user(guest), room_type["id"], *stay(), 1, 2, "Asha Rao"))
    async with db.transaction() as cur:
        restaurant = await factories.make_restaurant(cur)
    day = today_in() + timedelta(days=1)
    made.append(await service.book_table(as_user(guest), restaurant["id"], day, time(20, 0), 2, "Asha Rao"))
    rail = await train(stops=3, size=4)
    a, _, c = (city["id"] for city in rail["cities"])
    made.append(await service.book_segment(as_user(guest), rail["id"], a, c, ["A1-1"], passengers(1)))
    ids = [b["id"] for b in made]
    read = await service.booking_details([*ids, ids[0], 10**9])  # a repeat and a booking that is gone
    assert sorted(read) == sorted(ids)
    for booking_id in ids:
        assert read[booking_id] == await service.booking_detail(booking_id)
    assert read[ids[2]]["boarding_point"]["name"] == points["boarding"][1]["name"]
    assert [s["label"] for s in read[ids[0]]["seats"]] == ["1", "2"]
