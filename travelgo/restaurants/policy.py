"""A restaurant's cancellation policy: the deposit back in full up to `free_cancel_hours` before the sitting,
kept after that; nothing to refund when no deposit was paid. One place, so the page, the API and the cancel agree."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ..bookings.refunds import RefundQuote


def policy_text(free_cancel_hours: int, deposit_minor: int) -> str:
    if not deposit_minor:
        return (
            f"No deposit: cancel free of charge until the sitting starts (please tell us {free_cancel_hours} h ahead)."
        )
    return (
        f"The deposit is refunded in full when you cancel at least {free_cancel_hours} hours before the sitting, "
        "and kept when you cancel later or do not come."
    )


def quote(
    *,
    status: str,
    total_minor: int,
    currency: str,
    starts_at: datetime,
    free_cancel_hours: int,
    now: datetime | None = None,
) -> RefundQuote:
    """What cancelling this table booking now would refund (starts_at aware, in the restaurant's zone)."""
    now = now or datetime.now(UTC)
    text = policy_text(free_cancel_hours, total_minor)
    if status == "expired":
        return RefundQuote(False, 0, 0, currency, text, "This booking ran out before it was confirmed.")
    if status == "rejected":
        return RefundQuote(False, 0, 0, currency, text, "The restaurant could not take this booking.")
    if status not in ("confirmed", "pending_payment", "requested"):
        return RefundQuote(False, 0, 0, currency, text, "This booking is already cancelled.")
    if now >= starts_at:
        return RefundQuote(False, 0, 0, currency, text, "This sitting has already started.")
    if status == "requested":
        return RefundQuote(True, 0, 0, currency, text, "Not confirmed yet: withdrawing the request costs nothing.")
    if status == "pending_payment" or total_minor == 0:
        return RefundQuote(True, 0, 0, currency, text, "Nothing was paid: cancelling costs nothing.")
    if starts_at - now >= timedelta(hours=free_cancel_hours):
        return RefundQuote(
            True, 100, total_minor, currency, text, f"More than {free_cancel_hours} hours ahead: deposit refunded."
        )
    return RefundQuote(True, 0, 0, currency, text, f"Less than {free_cancel_hours} hours ahead: the deposit is kept.")
