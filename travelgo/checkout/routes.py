"""Checkout pages: what the traveller is buying, the time left on the hold, Pay (to the provider) and Cancel; the
page the provider sends them back to (confirmed, failed, or expired and what happened to the money)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from quart import Blueprint, abort, flash, g, redirect, request

from .. import payments
from ..auth import login_required
from ..bookings import service as bookings
from ..payments.base import InvalidSignature
from ..web import render
from . import service

bp = Blueprint("checkout", __name__)


async def _own_booking(reference: str) -> dict[str, Any]:
    booking = await bookings.get_booking(g.current_user.id, reference)
    if booking is None:  # also another traveller's reference: do not reveal that it exists
        abort(404)
    return booking


def _seconds_left(booking: dict[str, Any]) -> int:
    expires_at = booking.get("expires_at")
    return max(int((expires_at - datetime.now(UTC)).total_seconds()), 0) if expires_at else 0


@bp.get("/checkout/<reference>")
@login_required
async def checkout_show(reference: str):
    """The hold being paid for: items, total, time left, Pay and Cancel."""
    booking = await _own_booking(reference.strip().upper())
    if booking["status"] == "confirmed":
        return redirect(f"/bookings/{booking['reference']}", 303)
    return await render(
        "checkout/checkout.html",
        booking=booking,
        seconds_left=_seconds_left(booking),
        provider=payments.current().name,
        quote=bookings.cancellation_quote(booking),
    )


@bp.get("/checkout/<reference>/return")
@login_required
async def checkout_return(reference: str):
    """Where the provider sends the traveller back: a signed result, applied like its webhook (whichever is first)."""
    booking = await _own_booking(reference.strip().upper())
    if request.args.get("status") == "cancelled":
        await flash("The payment was not completed. Your seats are still held until the time runs out.", "info")
        return redirect(f"/checkout/{booking['reference']}", 303)
    try:
        event = await payments.current().verify_return(request.args)
    except InvalidSignature:
        abort(400, description="This payment result could not be verified. Open My bookings to see the booking.")
    if booking["payment"] is None or event.order_id != booking["payment"]["order_id"]:
        abort(400, description="This payment result belongs to another booking.")
    outcome = await service.apply_event(event)
    booking = await _own_booking(booking["reference"])
    return await render("checkout/result.html", booking=booking, outcome=outcome, event=event)
