"""Checkout: a booking is held (pending_payment) while the traveller pays; payments confirm it, refunds go back.

The money rules, in one place:
- A hold is created by the engine like any booking (same locks, counters and keys); its provider order is opened
  right after, and its price is the hold's total, fixed under the lock: that is what the provider charges.
- Every provider event (webhook or browser return) is applied once, in one transaction that takes the engine's
  locks in the engine's order (inventory, then the booking, then its payment), so a payment, the sweeper and a
  cancellation can race in any order: exactly one of them decides, the others find nothing to do.
- A payment that arrives after the hold was released takes the inventory again if it is still free (confirmed);
  otherwise, and for a cancelled booking or a second payment, the money goes back in full (a refund row written
  in the same transaction, sent to the provider right after and retried until the provider accepts it).
"""

from __future__ import annotations

import logging
from typing import Any

from quart import current_app

from .. import db, payments
from ..bookings import engine, kinds
from ..bookings import queries as booking_queries
from ..bookings.errors import BookingError
from ..bookings.models import PaymentView, RefundView
from ..notify.queue import queue as notify
from ..notify.queue import queue_partner as notify_partner
from ..payments.base import Order, PaymentEvent, PaymentProvider, ProviderError
from ..templating import money
from ..web import public_base_url
from . import queries

log = logging.getLogger(__name__)
REFUND_LEASE_SECONDS = 60
REFUND_MAX_ATTEMPTS = 6


class PaymentsUnavailable(BookingError):
    """The payment provider could not open an order; the hold was let go (HTTP 503)."""

    status = 503


class RetryLater(Exception):
    """An event the database cannot apply yet (a refund the provider answered before we stored its id): 503, so
    the provider delivers it again."""


def settings():
    return current_app.config["TRAVELGO"]


def base_url() -> str:
    """Where the provider sends the traveller back and posts webhooks (web.public_base_url; in a background task
    outside production with no request to read the host from, the local default)."""
    return public_base_url() or "http://localhost"


# --- opening an order ---------------------------------------------------------------------------------------


async def open_order(hold: engine.Created, provider: PaymentProvider | None = None, base: str | None = None) -> None:
    """The provider order for a hold just created (create_order) and our payment row for it, on its own connection.
    A caller that holds a pooled connection calls create_order first and record_order on its cursor instead: the
    provider call may take a connection of its own (TestPay), and callers each holding one while waiting for a
    second would drain the pool (503 after the acquire timeout)."""
    order = await create_order(hold, provider, base)
    async with db.writing() as cur:
        await record_order(cur, hold, order)


async def create_order(hold: engine.Created, provider: PaymentProvider | None = None, base: str | None = None) -> Order:
    """The provider order for a hold just created, at the price the hold fixed. Call it holding no pooled
    connection. If the provider refuses, the hold is let go and PaymentsUnavailable raised."""
    provider = provider or payments.current()
    base = base or base_url()
    try:
        return await provider.create_order(
            receipt=hold.reference,
            amount_minor=hold.total_minor,
            currency=hold.currency,
            return_url=f"{base}/checkout/{hold.reference}/return",
            webhook_url=f"{base}/api/v1/payments/webhooks/{provider.name}",
        )
    except ProviderError as exc:
        log.warning("payment provider refused an order for %s: %s", hold.reference, exc)

        async def let_go(cur):
            for booking_id in await queries.select_covered_bookings(cur, hold.booking_id):
                await engine.release(
                    cur, booking_id, reason="The payment provider was unavailable.", cancelled_by="system"
                )

        await db.run_in_transaction(let_go)
        raise PaymentsUnavailable("Payments are unavailable right now. Nothing was booked; please try again.") from exc


async def record_order(cur, hold: engine.Created, order: Order) -> None:
    """Our payment row for a provider order (create_order), on the caller's cursor."""
    await queries.insert_payment(
        cur, hold.booking_id, order.provider, order.order_id, order.amount_minor, order.currency
    )


def checkout_url(reference: str) -> str:
    """TravelGo's checkout page for a booking: it links on to the provider's hosted page or embeds its widget."""
    return f"{base_url()}/checkout/{reference}"


async def payment_state(cur, booking: dict[str, Any]) -> tuple[PaymentView | None, list[RefundView]]:
    """(payment, refunds) as pages and the API show them. A booking read with bookings.queries.BOOKING brings its
    payment's fields and its refund count (payment_*, read in the same statement); for any other row both are read
    here."""
    if "payment_order_id" in booking:
        paid = {field: booking[f"payment_{field}"] for field in queries.PAID_FIELDS}
        payment = paid if paid["order_id"] is not None else None
    else:
        payment = await queries.select_payment_by_booking(cur, booking["id"])
    # That read also counts the refunds: most bookings have none, and then there is nothing more to read.
    none = booking.get("payment_refunds") == 0
    refunds = [] if none else await queries.select_refunds(cur, booking["id"])
    if payment is None:
        return None, refunds
    shown = PaymentView(
        provider=payment["provider"],
        order_id=payment["order_id"],
        amount_minor=payment["amount_minor"],
        currency=payment["currency"],
        status=payment["status"],
        payment_id=payment["provider_payment_id"],
        error=payment["last_error"],
        checkout_url=checkout_url(booking["reference"]),
        provider_checkout_url=payments.current().checkout_url(payment["order_id"]),
    )
    return shown, refunds


async def order_belongs_to(event: PaymentEvent, reference: str) -> bool:
    """Does this provider order pay for this booking?"""
    async with db.reading() as cur:
        return await queries.select_order_of_booking(cur, event.provider, event.order_id, reference)


# --- provider events ----------------------------------------------------------------------------------------


async def apply_event(event: PaymentEvent) -> str:
    """Apply a verified provider event once; returns what it did (for logs, tests and the event row)."""
    if event.kind.startswith("refund."):
        return await db.run_in_transaction(_apply_refund_event, event)
    outcome = await db.run_in_transaction(_apply_payment_event, event)
    if outcome.startswith("refunded"):
        await send_due_refunds()
    return outcome


async def _apply_payment_event(cur, event: PaymentEvent) -> str:
    found = await queries.select_payment_by_order(cur, event.provider, event.order_id)
    if found is None:
        await queries.insert_payment_event(cur, event, None)
        await queries.update_payment_event_outcome(cur, event, "unknown_order")
        return "unknown_order"
    booking_id = found["booking_id"]  # the booking the payment row belongs to (an itinerary checkout's lead)
    # Every booking the payment pays for (one, or an itinerary checkout's set), in the engine's order: their
    # inventory (sorted by the global lock order), then the bookings, then the payment.
    covered = await queries.select_covered_bookings(cur, booking_id)
    cores = {b: await booking_queries.select_booking_core(cur, b) for b in covered}
    units = {b: await kinds.of_booking(cur, cores[b]) for b in covered}
    for b in sorted(covered, key=lambda b: units[b].lock_order()):
        await units[b].lock(cur)
    states = {b: await booking_queries.lock_booking_state(cur, b) for b in covered}
    payment = await queries.lock_payment(cur, found["id"])
    if not await queries.insert_payment_event(cur, event, booking_id):
        return "duplicate"
    outcome = await _decide(cur, event, units, booking_id, states, payment)
    await queries.update_payment_event_outcome(cur, event, outcome)
    if outcome in MESSAGES:
        kind, context = MESSAGES[outcome](event)
        if len(covered) > 1 and kind == "booking_confirmed":
            kind = "itinerary_confirmed"  # one message for the whole trip
        core = cores[booking_id]
        await notify(
            cur, kind, user_id=core["user_id"], booking_id=booking_id, email=core["contact_email"], context=context
        )
        if kind in ("booking_confirmed", "itinerary_confirmed"):
            for b in covered:
                await notify_partner(cur, "partner_new_booking", b)
    return outcome


# What the traveller is told of a payment event's outcome: (notification kind, the facts it records).
MESSAGES = {
    "confirmed": lambda e: ("booking_confirmed", None),
    "confirmed_late": lambda e: ("booking_confirmed", None),
    "failed": lambda e: ("payment_failed", {"error": e.error}),
    "refunded_late": lambda e: (
        "payment_refunded",
        {"amount_minor": e.amount_minor, "currency": e.currency, "why": "it arrived after the booking was released"},
    ),
    "refunded_wrong_amount": lambda e: (
        "payment_refunded",
        {"amount_minor": e.amount_minor, "currency": e.currency, "why": "it was not the booking's price"},
    ),
    "refunded_duplicate": lambda e: (
        "payment_refunded",
        {"amount_minor": e.amount_minor, "currency": e.currency, "why": "the booking was already paid"},
    ),
}


async def _decide(
    cur, event: PaymentEvent, units: dict[int, kinds.Inventory], booking_id: int, states: dict, payment: dict
) -> str:
    """What a payment event does to the bookings it pays for (`units`, `states`: by booking id; `booking_id`: the
    one the payment row belongs to). Several bookings paid together are confirmed together or not at all."""
    if event.kind == "payment.failed":
        if payment["status"] == "captured":
            return "ignored_after_capture"
        await queries.update_payment(cur, payment["id"], status="failed", provider_payment_id=None, error=event.error)
        return "failed"
    # payment.captured
    if payment["status"] == "captured":
        if payment["provider_payment_id"] == event.payment_id:
            return "already_applied"  # the return and the webhook of one payment: whichever came second
        await _refund(cur, booking_id, payment, event.payment_id, event.amount_minor, "duplicate_payment")
        return "refunded_duplicate"
    if event.amount_minor != payment["amount_minor"] or event.currency != payment["currency"]:
        # Not the order's price: give it back; the order is still unpaid and the traveller can pay it.
        paid, due = money(event.amount_minor, event.currency), money(payment["amount_minor"], payment["currency"])
        error = f"Paid {paid}, not {due}: refunded."
        await queries.update_payment(
            cur, payment["id"], status=payment["status"], provider_payment_id=None, error=error
        )
        await _refund(cur, booking_id, {**payment, "currency": event.currency}, event.payment_id,
                      event.amount_minor, "wrong_amount")  # fmt: skip
        return "refunded_wrong_amount"
    await queries.update_payment(
        cur, payment["id"], status="captured", provider_payment_id=event.payment_id, error=None
    )
    status = {b: state["status"] for b, state in states.items()}
    if all(s == "pending_payment" for s in status.values()):
        # Paid in time, or after expires_at but before the sweeper came: the items are still held either way.
        for b in status:
            await booking_queries.update_booking_confirmed(cur, b)
        return "confirmed"
    expired = [(units[b], b) for b, s in status.items() if s == "expired"]
    if all(s in ("pending_payment", "expired") for s in status.values()) and await engine.retake_all(cur, expired):
        for b in status:
            await booking_queries.update_booking_confirmed(cur, b)
        return "confirmed_late"
    if all(s == "confirmed" for s in status.values()):
        return "already_confirmed"
    # expired and resold, or cancelled: never oversold, never money kept without a booking. Several bookings paid
    # together are all or nothing: the ones still held are let go with the whole payment refunded.
    for b, s in status.items():
        if s == "pending_payment":
            await engine.release(cur, b, reason="Part of this trip was no longer available; the payment was refunded.")
    await _refund(cur, booking_id, payment, event.payment_id, event.amount_minor, "late_payment")
    return "refunded_late"


async def _refund(cur, booking_id, payment, provider_payment_id, amount_minor, reason) -> None:
    if amount_minor > 0:
        await queries.insert_refund(cur, booking_id, payment, provider_payment_id, amount_minor, reason)


async def _apply_refund_event(cur, event: PaymentEvent) -> str:
    refund = await queries.lock_refund_by_provider_id(cur, event.refund_id or "")
    if refund is None:
        raise RetryLater(f"refund {event.refund_id} is not known yet")
    if not await queries.insert_payment_event(cur, event, refund["booking_id"]):
        return "duplicate"
    if event.kind == "refund.processed":
        if refund["status"] != "processed":
            await queries.update_refund_status(cur, refund["id"], "processed")
        outcome = "refund_processed"
    else:
        give_up = refund["attempts"] >= REFUND_MAX_ATTEMPTS
        await queries.update_refund_retry(
            cur,
            refund["id"],
            error=event.error or "The provider could not process the refund.",
            delay_seconds=_backoff(refund["attempts"]),
            give_up=give_up,
        )
        outcome = "refund_failed" if give_up else "refund_retrying"
    await queries.update_payment_event_outcome(cur, event, outcome)
    return outcome


def _backoff(attempts: int) -> float:
    return min(settings().testpay_retry_seconds * 2**attempts, 3600)


# --- cancellations ------------------------------------------------------------------------------------------


async def refund_cancellation(cur, booking_id: int, amount_minor: int) -> None:
    """Inside a cancellation's transaction: the refund row for a paid booking (sent after the commit)."""
    payment = await queries.select_payment_by_booking(cur, booking_id)
    if payment is not None and payment["status"] == "captured" and amount_minor > 0:
        await queries.insert_refund(
            cur, booking_id, payment, payment["provider_payment_id"], amount_minor, "cancellation"
        )


# --- background work: the sweeper ---------------------------------------------------------------------------


SWEEP_BATCH = 5000


async def expire_due_holds() -> int:
    """Release every hold whose time ran out (the engine's set-based release; see engine.expire_due_holds)."""
    return await engine.expire_due_holds(SWEEP_BATCH)


async def send_due_refunds(limit: int = 20) -> int:
    """Send refunds the provider has not accepted yet (leased, so two workers never send one twice)."""
    async with db.transaction(read_committed=True) as cur:  # a claim must not hold back a new refund
        due = await queries.claim_due_refunds(cur, limit, REFUND_LEASE_SECONDS)
    provider = payments.current()
    for row in due:
        try:
            result = await provider.refund(
                payment_id=row["provider_payment_id"], amount_minor=row["amount_minor"], receipt=f"refund-{row['id']}"
            )
        except ProviderError as exc:
            async with db.transaction() as cur:
                await queries.update_refund_retry(
                    cur,
                    row["id"],
                    error=str(exc),
                    delay_seconds=_backoff(row["attempts"]),
                    give_up=row["attempts"] + 1 >= REFUND_MAX_ATTEMPTS,
                )
            continue
        async with db.transaction() as cur:
            await queries.update_refund_sent(cur, row["id"], result.refund_id, result.status)
    return len(due)


async def retry_refund(refund_id: int) -> bool:
    """An admin retries a failed refund now."""
    async with db.transaction() as cur:
        retried = await queries.update_refund_retry_now(cur, refund_id)
    if retried:
        await send_due_refunds()
    return retried
