"""The sender: in every worker, every TRAVELGO_NOTIFY_POLL_SECONDS, queue the time-based messages (reminders 24 h
before a journey or stay, a warning shortly before an unpaid hold runs out), then deliver due notifications.

Rows are claimed with FOR UPDATE SKIP LOCKED and leased (db.claim_due), so two workers or hosts never send one at
once; a failed delivery is retried with backoff and, after MAX_ATTEMPTS, stays 'failed' for an admin to see and
resend. Delivery is at least once: if a message went out but recording it failed, the lease runs out and it is sent
again, with the same Message-ID, which mail clients use to show it once.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from quart import Quart

from .. import db
from ..bookings.service import booking_details
from ..loops import Loop, run_while_serving
from ..places import service as places
from . import email, messages, messenger, queries
from .queue import queue

log = logging.getLogger(__name__)

BATCH = 20
LEASE_SECONDS = 60
MAX_ATTEMPTS = 6
FIRST_RETRY_SECONDS = 5
REMINDER_HOURS = 24
HOLD_WARNING_MINUTES = 3
RECORD_EVERY_SECONDS = 5  # how long a batch's outcomes may wait to be written (well within the lease)
SCAN_EVERY_SECONDS = 30  # how often the time-based scans run (their queries are indexed but not free)


def backoff(attempts: int) -> float:
    return min(FIRST_RETRY_SECONDS * 2**attempts, 3600)


async def send_due(limit: int = BATCH) -> int:
    """Deliver up to `limit` due notifications; how many were claimed.

    The batch's bookings are read together before (bookings.service.booking_details) and the outcomes (sent with the
    e-mail's mail_outbox record, skipped, retry) are written together after, in one round trip; the deliveries go one
    by one, since a real provider's send is a remote call per message. Outcomes wait at most RECORD_EVERY_SECONDS, so
    a slow provider's batch cannot outlast the lease with messages delivered and not yet marked sent."""
    async with db.transaction(read_committed=True) as cur:  # a claim must not hold back a hold's new message
        due = await queries.claim_due(cur, limit, LEASE_SECONDS)
    if not due:
        return 0
    bookings, unread = await _bookings(due)
    outcomes: list[Outcome] = []
    last_record = time.monotonic()
    try:
        for row in due:
            if row["booking_id"] and unread is not None:
                outcomes.append(_retry(row, unread))
            else:
                outcomes.append(await _deliver(row, bookings.get(row["booking_id"])))
            if time.monotonic() - last_record >= RECORD_EVERY_SECONDS:
                await _record(outcomes)
                outcomes, last_record = [], time.monotonic()
    finally:  # also when the round is cancelled mid-batch (a worker stopping): what went out is marked sent
        await _record(outcomes)
    return len(due)


# What became of one message, written on the cursor of the batch's outcomes (the queries defer their statements).
Outcome = Callable[[Any], Awaitable[None]]


async def _bookings(due: list[dict]) -> tuple[dict[int, Any], str | None]:
    """The claimed messages' bookings as their pages show them; or, when they cannot be read, why (each message
    about a booking is then retried like one that could not be rendered)."""
    try:
        return await booking_details(row["booking_id"] for row in due if row["booking_id"]), None
    except Exception as exc:
        log.exception("notifications %s: their bookings could not be read", [row["id"] for row in due])
        return {}, f"{type(exc).__name__}: {exc}"


async def _record(outcomes: list[Outcome]) -> None:
    if not outcomes:
        return
    async with db.batch() as cur:
        for outcome in outcomes:
            await outcome(cur)


async def _deliver(row: dict, booking: Any) -> Outcome:
    """Render and deliver one message (`booking`: its booking as read for the batch, None when it has none or it
    is gone)."""
    try:
        message = await messages.render(row, booking)
        if row["channel"] == "email":
            body, provider_id = message.text, None
            mail = email.Email(
                row["recipient"],
                message.subject,
                message.text,
                message.html,
                message.attachments,
                message_id=f"<notification-{row['id']}@travelgo>",
            )
            await email.current().deliver(mail)
        else:
            mail = None
            body = message.sms
            provider_id = await messenger.current().send(row["channel"], row["recipient"], body)
    except messages.Obsolete as exc:
        why = str(exc)
        return lambda cur: queries.update_skipped(cur, row["id"], why)
    except (email.EmailError, messenger.MessengerError) as exc:
        return _retry(row, str(exc) or type(exc).__name__)
    except Exception as exc:  # a message that cannot be rendered: counted and visible, never retried forever
        log.exception("notification %s (%s) failed", row["id"], row["kind"])
        return _retry(row, f"{type(exc).__name__}: {exc}")

    async def sent(cur) -> None:
        if mail is not None:
            await email.record(mail, cur)  # before the row says sent: a batch stops at a failed statement
        await queries.update_sent(cur, row["id"], subject=message.subject, body=body, provider_id=provider_id)

    return sent


def _retry(row: dict, error: str) -> Outcome:
    return lambda cur: queries.update_retry(
        cur,
        row["id"],
        error=error,
        delay_seconds=backoff(row["attempts"]),
        give_up=row["attempts"] + 1 >= MAX_ATTEMPTS,
    )


async def queue_time_based(limit: int = 500) -> int:
    """Queue the reminders and hold warnings that are due (each once: their dedupe keys). Workers scanning at the
    same moment insert the same keys: one may meet the other's locks (a deadlock, retried) or its rows (kept)."""
    return await db.run_in_transaction(_queue_time_based, await places.zones(), limit)


async def _queue_time_based(cur, zones: list[str], limit: int) -> int:
    starting = await queries.select_bookings_starting_within(cur, REMINDER_HOURS, zones, limit)
    for b in starting:
        await queue(
            cur, "reminder", user_id=b["user_id"], booking_id=b["id"], email=b["contact_email"],
            dedupe_key=f"reminder:{b['id']}",
        )  # fmt: skip
    expiring = await queries.select_holds_expiring_within(cur, HOLD_WARNING_MINUTES, limit)
    for b in expiring:
        await queue(
            cur, "hold_expiring", user_id=b["user_id"], booking_id=b["id"], email=b["contact_email"],
            dedupe_key=f"hold_expiring:{b['id']}",
        )  # fmt: skip
    return len(starting) + len(expiring)


async def resend(notification_id: int) -> bool:
    """An admin sends a notification again (failed, or sent and lost): due now."""
    async with db.transaction() as cur:
        found = await queries.update_resend(cur, notification_id)
    if found:
        await send_due()
    return found


def init_app(app: Quart, interval: float) -> None:
    last_scan = [0.0]

    async def round_() -> bool:
        async with app.app_context():
            if time.monotonic() - last_scan[0] >= SCAN_EVERY_SECONDS:
                last_scan[0] = time.monotonic()
                await queue_time_based()
            return await send_due() >= BATCH  # a full batch: more are due, go again at once

    run_while_serving(app, Loop("travelgo-notifications", round_, interval))
