"""The cancellation policy, in one place so the page, the API and the cancel itself agree."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta

FULL_REFUND_BEFORE = timedelta(hours=24)
LATE_REFUND_PERCENT = 50
POLICY_TEXT = (
    "Full refund when you cancel at least 24 hours before departure or check-in, "
    "50% when you cancel later than that, nothing once the trip or stay has started."
)


@dataclass(frozen=True)
class RefundQuote:
    cancellable: bool
    percent: int
    amount_minor: int
    currency: str
    policy: str
    reason: str

    def as_dict(self) -> dict:
        return asdict(self)


def quote(
    *, status: str, total_minor: int, currency: str, starts_at: datetime, now: datetime | None = None
) -> RefundQuote:
    """What cancelling this booking now would refund, and whether it can be cancelled at all.

    starts_at is aware (in its city's zone, dates.local), so the window is the same on any host."""
    now = now or datetime.now(UTC)
    if status == "expired":
        return RefundQuote(False, 0, 0, currency, POLICY_TEXT, "This hold ran out before payment; nothing was charged.")
    if status not in ("confirmed", "pending_payment"):
        return RefundQuote(False, 0, 0, currency, POLICY_TEXT, "This booking is already cancelled.")
    if now >= starts_at:
        return RefundQuote(False, 0, 0, currency, POLICY_TEXT, "This trip or stay has already started.")
    if status == "pending_payment":
        return RefundQuote(
            True, 0, 0, currency, POLICY_TEXT, "Not paid yet: cancelling lets the hold go, nothing is charged."
        )
    if starts_at - now >= FULL_REFUND_BEFORE:
        return RefundQuote(
            True, 100, total_minor, currency, POLICY_TEXT, "More than 24 hours before the start: full refund."
        )
    amount = total_minor * LATE_REFUND_PERCENT // 100
    return RefundQuote(
        True, LATE_REFUND_PERCENT, amount, currency, POLICY_TEXT, "Less than 24 hours before the start: 50% refund."
    )
