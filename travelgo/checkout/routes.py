"""Checkout pages: what the traveller is buying, the time left on the hold, Pay (to the provider) and Cancel; the
page the provider sends them back to (confirmed, failed, or expired and what happened to the money)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from quart import Blueprint, abort, flash, g, redirect, request

from .. import payments
from ..auth import login_required
from ..bookings import service as bookings
from ..itineraries import service as itineraries
from ..payments.base import InvalidSignature
from ..security import CSP
from ..web import csrf_exempt, render
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
    if booking.get("itinerary_checkout_id"):  # part of a trip: one payment for all of it, on the trip's page
        return redirect(await itineraries.payment_page(booking["itinerary_checkout_id"]), 303)
    if booking["status"] == "confirmed":
        return redirect(f"/bookings/{booking['reference']}", 303)
    provider = payments.current()
    provider_form = None
    if booking["payment"]:
        provider_form = provider.checkout_form(
            booking["payment"]["order_id"],
            booking["total_minor"],
            booking["currency"],
            f"{service.base_url()}/checkout/{booking['reference']}/return",
        )
    response = await render(
        "checkout/checkout.html",
        booking=booking,
        seconds_left=_seconds_left(booking),
        provider_form=provider_form,
        quote=bookings.cancellation_quote(booking),
    )
    if provider_form:  # this page alone may post its form to the provider's hosted checkout
        origin = "/".join(provider_form["action"].split("/")[:3])
        response.headers["Content-Security-Policy"] = CSP.replace("form-action 'self'", f"form-action 'self' {origin}")
    return response


@bp.route("/checkout/<reference>/return", methods=["GET", "POST"])
@csrf_exempt
async def checkout_return(reference: str):
    """Where the provider sends the traveller back (TestPay: a GET; Razorpay: a cross-site POST, which carries no
    session cookie). The provider's signature is the authority here: the result is applied like its webhook
    (whichever comes first), then the traveller sees it on their own signed-in page."""
    reference = reference.strip().upper()
    params = dict(request.args) | dict(await request.form)
    if params.get("status") == "cancelled":
        await flash("The payment was not completed. Your booking is still held until the time runs out.", "info")
        return redirect(f"/checkout/{reference}", 303)
    try:
        event = await payments.current().verify_return(params)
    except InvalidSignature:
        abort(400, description="This payment result could not be verified. Open My bookings to see the booking.")
    if not await service.order_belongs_to(event, reference):
        abort(400, description="This payment result belongs to another booking.")
    await service.apply_event(event)
    return redirect(f"/checkout/{reference}/result", 303)


@bp.get("/checkout/<reference>/result")
@login_required
async def checkout_result(reference: str):
    """Confirmed (the e-ticket), failed (try again), or expired (what happened to the money)."""
    booking = await _own_booking(reference.strip().upper())
    if booking.get("itinerary_checkout_id"):
        return redirect(await itineraries.payment_page(booking["itinerary_checkout_id"]), 303)
    return await render("checkout/result.html", booking=booking)
