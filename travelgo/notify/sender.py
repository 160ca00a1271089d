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

from quart import Quart

from .. import db
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
SCAN_EVERY_SECONDS = 30  # how often the time-based scans run (their queries are indexed but not free)


def backoff(attempts: int) -> float:
    return min(FIRST_RETRY_SECONDS * 2**attempts, 3600)


async def send_due(limit: int = BATCH) -> int:
    """Deliver up to `limit` due notifications; how many were claimed."""
    async with db.transaction(read_committed=True) as cur:  # a claim must not hold back a hold's new message
        due = await queries.claim_due(cur, limit, LEASE_SECONDS)
    for row in due:
        await _deliver(row)
    return len(due)


async def _deliver(row: dict) -> None:
    try:
        message = await messages.render(row)
        if row["channel"] == "email":
            body, provider_id = message.text, None
            await email.current().send(
                email.Email(
                    row["recipient"],
                    message.subject,
                    message.text,
                    message.html,
                    message.attachments,
                    message_id=f"<notification-{row['id']}@travelgo>",
                )
            )
        else:
            body = message.sms
            provider_id = await messenger.current().send(row["channel"], row["recipient"], body)
    except messages.Obsolete as exc:
        async with db.writing() as cur:  # one statement: its own transaction
            await queries.update_skipped(cur, row["id"], str(exc))
        return
    except (email.EmailError, messenger.MessengerError) as exc:
        error = str(exc) or type(exc).__name__
    except Exception as exc:  # a message that cannot be rendered: counted and visible, never retried forever
        log.exception("notification %s (%s) failed", row["id"], row["kind"])
        error = f"{type(exc).__name__}: {exc}"
    else:
        async with db.writing() as cur:
            await queries.update_sent(cur, row["id"], subject=message.subject, body=body, provider_id=provider_id)
        return
    async with db.writing() as cur:
        await queries.update_retry(
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
