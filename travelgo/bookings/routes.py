"""Booking pages: book seats and rooms, My bookings, booking details and e-ticket, cancellation.

Every form carries a hidden idempotency key, random per render: a double click or a retry after a timeout sends
the same key again and gets the booking the first submit made, never a second one.
"""

from __future__ import annotations

import secrets
from typing import Any

from quart import Blueprint, abort, flash, g, redirect, request

from .. import db, ratelimit
from ..auth import login_required
from ..buses.service import get_trip, seat_decks
from ..reviews import service as reviews
from ..reviews.forms import ReviewIn
from ..rules import MAX_SEATS
from ..templating import money
from ..web import form_dict, hx_redirect, page_number, parse_model, render
from . import service
from .forms import GuestForm, Stay, parse_bus_form, parse_quoted_total

bp = Blueprint("bookings", __name__)

TABS = {"upcoming": "Upcoming", "past": "Past", "cancelled": "Cancelled"}
PAGE_SIZE = 20


def _new_key() -> str:
    return secrets.token_urlsafe(18)


def _contact_defaults() -> dict[str, str]:
    user = g.current_user
    return {"contact_email": user.email, "contact_phone": user.phone or ""}


# --- bus -----------------------------------------------------------------------------------------------


async def _trip_or_404(trip_id: int) -> dict[str, Any]:
    """The trip in get_trip()'s shape (the search pages' seat map renders it; `bookable` says if it is on sale)."""
    trip = await get_trip(trip_id)
    if trip is None:
        abort(404, description="We could not find that bus. It may have been removed.")
    return trip


def _check_selection(trip: dict[str, Any], seats: list[str]) -> tuple[list[str], str | None]:
    """The chosen seats that are still free, and a message about the others (None when all is well)."""
    if not trip["bookable"]:  # the page says why (closed_reason)
        return [], None
    by_label = {s["label"]: s for s in trip["seats"]}
    unknown = [s for s in seats if s not in by_label]
    taken = [s for s in seats if s in by_label and not by_label[s]["available"]]
    kept = [s for s in dict.fromkeys(seats) if s in by_label and by_label[s]["available"]]
    if unknown:
        return kept, f"There is no seat {', '.join(unknown)} on this bus."
    if taken:
        return kept, service.SeatsUnavailable(taken).detail
    if len(kept) > MAX_SEATS:
        return kept[:MAX_SEATS], f"You can book at most {MAX_SEATS} seats at a time."
    return kept, None


async def _bus_page(
    trip: dict[str, Any],
    selected: list[str],
    *,
    status: int = 200,
    values: dict | None = None,
    errors: dict | None = None,
    notice: str | None = None,
    key: str | None = None,
    wanted: int | None = None,
    price_notice: str | None = None,
):
    """The bus booking page, or its #booking region for htmx.

    With a notice (a seat taken, say) it shows the refreshed seat map so the traveller can pick again; otherwise
    the passenger form and the review for the selected seats, at the trip's current price (the form carries that
    total as quoted_total_minor). A price_notice says the price changed since the last review, above the form.
    """
    return await render(
        "bookings/bus_book.html",
        block="booking",
        status=status,
        trip=trip,
        selected=selected,
        values=values if values is not None else _contact_defaults(),
        errors=errors or {},
        notice=notice,
        idempotency_key=key or _new_key(),
        passengers=max(wanted or len(selected), 1),
        decks=seat_decks(trip),
        price_notice=price_notice,
    )


@bp.get("/buses/<int:trip_id>/book")
@login_required
async def bus_booking_form(trip_id: int):
    """Passenger details and review for the seats chosen on the seat map (?seats=12&seats=13)."""
    seats = [s.strip() for s in request.args.getlist("seats") if s.strip()][: MAX_SEATS + 1]
    if not seats:  # seats are chosen on the trip page's seat map
        return redirect(f"/buses/{trip_id}", 303)
    trip = await _trip_or_404(trip_id)
    selected, notice = _check_selection(trip, seats)
    return await _bus_page(trip, selected, notice=notice, wanted=min(len(seats), MAX_SEATS))


@bp.post("/buses/<int:trip_id>/book")
@login_required
async def bus_booking_create(trip_id: int):
    """Book the seats at the total reviewed; a seat taken meanwhile gives 409 with its name and the refreshed seat
    map; a price changed since the review gives 409 with the new total, the passengers kept, to confirm again."""
    values = form_dict(await request.form, "seats")
    data, errors = parse_bus_form(values)
    if data is None:
        trip = await _trip_or_404(trip_id)
        if "seats" in errors:
            return await _bus_page(trip, [], status=422, notice=errors["seats"])
        return await _bus_page(
            trip, values["seats"], status=422, values=values, errors=errors, key=values.get("idempotency_key")
        )
    await ratelimit.limit_booking(g.current_user.id)
    try:
        booking = await service.book_trip(g.current_user, trip_id, **data)
    except service.NotFound:
        abort(404, description="We could not find that bus. It may have been removed.")
    except service.PriceChanged as exc:  # nothing booked: the same form at the new price
        trip = await _trip_or_404(trip_id)
        selected, notice = _check_selection(trip, data["seats"])
        if notice is None and selected == data["seats"]:
            return await _bus_page(
                trip, selected, status=409, values=values, key=data["idempotency_key"], price_notice=exc.detail
            )
        return await _bus_page(trip, selected, status=409, notice=notice or exc.detail, wanted=len(data["seats"]))
    except service.BookingError as exc:  # seats taken, not on this bus, trip cancelled or departed
        trip = await _trip_or_404(trip_id)
        selected, _ = _check_selection(trip, data["seats"])
        status = 422 if isinstance(exc, service.InvalidBooking) else 409
        return await _bus_page(trip, selected, status=status, notice=exc.detail, wanted=len(data["seats"]))
    return await _to_checkout(booking)


async def _to_checkout(booking: dict[str, Any]):
    """After Book: pay for the hold (a replayed submit lands on the same checkout, or the ticket once paid)."""
    if booking["status"] != "pending_payment":
        return hx_redirect(f"/bookings/{booking['reference']}")
    if not booking["replayed"]:
        await flash(f"Held for you: reference {booking['reference']}. Pay to confirm.", "success")
    return hx_redirect(f"/checkout/{booking['reference']}")


# --- hotel ---------------------------------------------------------------------------------------------


async def _hotel_or_404(hotel_id: int) -> dict[str, Any]:
    hotel = await service.hotel_for_booking(hotel_id)
    if hotel is None:
        abort(404)
    return hotel


async def _hotel_page(
    hotel: dict[str, Any],
    stay_values: dict,
    *,
    status: int = 200,
    stay: Stay | None = None,
    stay_errors: dict | None = None,
    values: dict | None = None,
    errors: dict | None = None,
    notice: str | None = None,
    key: str | None = None,
    requoted: str | None = None,
):
    """The hotel booking page: the stay (room type, dates, rooms, guests), its review and the guest form.

    `requoted` explains why a Confirm booked nothing and the stay was priced again; it shows only when the stay can
    be confirmed now (otherwise the sold-out nights or the field errors say what to change)."""
    quote = None
    stay_errors = dict(stay_errors or {})
    if stay is not None:
        try:
            quote = await service.quote_stay(
                hotel["id"], stay.room_type_id, stay.check_in, stay.check_out, stay.rooms, stay.guests
            )
        except service.NotFound as exc:
            stay_errors["room_type_id"] = exc.detail
        else:
            if quote["over_capacity"]:
                stay_errors["guests"] = (
                    f"A {quote['room_type']['name']} sleeps at most "
                    f"{quote['room_type']['max_guests']}; choose more rooms or fewer guests"
                )
            if quote["sold_out"] and notice is None:
                notice = service.RoomsUnavailable(quote["sold_out"]).detail
            elif requoted and not stay_errors:
                notice = requoted
    if values is None:
        values = {**_contact_defaults(), "guest_name": g.current_user.full_name}
    return await render(
        "bookings/hotel_book.html",
        block="booking",
        status=status,
        hotel=hotel,
        stay=stay,
        stay_values=stay_values,
        stay_errors=stay_errors,
        quote=quote,
        values=values,
        errors=errors or {},
        notice=notice,
        idempotency_key=key or _new_key(),
    )


STAY_FIELDS = ("room_type_id", "check_in", "check_out", "rooms", "guests")


@bp.get("/hotels/<int:hotel_id>/book")
@login_required
async def hotel_booking_form(hotel_id: int):
    """Review a stay (?room_type_id=&check_in=&check_out=&rooms=&guests=) and enter the lead guest."""
    hotel = await _hotel_or_404(hotel_id)
    stay_values = {k: request.args.get(k, "") for k in STAY_FIELDS}
    if not any(stay_values.values()):
        return await _hotel_page(hotel, stay_values)
    stay, stay_errors = parse_model(Stay, {k: v for k, v in stay_values.items() if v != ""})
    return await _hotel_page(
        hotel, stay_values, stay=stay, stay_errors=stay_errors, status=200 if stay is not None else 422
    )


STAY_CHANGED = (
    "You changed your stay after its price was checked, so nothing was booked. "
    "Here is the stay as it is now, with its price: confirm to book it."
)


@bp.post("/hotels/<int:hotel_id>/book")
@login_required
async def hotel_booking_create(hotel_id: int):
    """Book exactly the stay on the form at the total it was reviewed at, or book nothing and price it anew.

    "Check price" (action=quote) only prices the stay on screen. Confirm with a stay other than the one reviewed
    (quoted_stay: edited without "Check price") or a price changed since (quoted_total_minor) gives 409 with the
    stay on screen priced anew, ready to confirm; nights sold out meanwhile give 409 naming them."""
    hotel = await _hotel_or_404(hotel_id)
    values = form_dict(await request.form)
    stay_values = {k: values.get(k, "") for k in STAY_FIELDS}
    stay, stay_errors = parse_model(Stay, stay_values)
    if values.get("action") == "quote":  # a fresh idempotency key: a new review is a new booking to confirm
        return await _hotel_page(
            hotel, stay_values, status=200 if stay else 422, stay=stay, stay_errors=stay_errors, values=values
        )
    guest, errors = parse_model(GuestForm, values)
    quoted_total, quote_error = parse_quoted_total(values)
    key = values.get("idempotency_key")
    if (
        stay is None
        or guest is None
        or quote_error
        or stay.room_type_id not in {rt["id"] for rt in hotel["room_types"]}
    ):
        if "idempotency_key" in errors:
            errors["__all__"] = "This form has expired. Please reload the page and try again."
        elif quote_error:
            errors["__all__"] = quote_error
        if stay is not None and not stay_errors and stay.room_type_id not in {rt["id"] for rt in hotel["room_types"]}:
            stay_errors["room_type_id"] = "Choose a room type of this hotel"
        return await _hotel_page(
            hotel, stay_values, status=422, stay=stay, stay_errors=stay_errors, values=values, errors=errors, key=key
        )
    if values.get("quoted_stay", stay.quote_key()) != stay.quote_key():
        # The stay on screen is not the one priced: the old quote's key and total must not book it.
        return await _hotel_page(hotel, stay_values, status=409, stay=stay, values=values, requoted=STAY_CHANGED)
    await ratelimit.limit_booking(g.current_user.id)
    try:
        booking = await service.book_room(
            g.current_user,
            stay.room_type_id,
            stay.check_in,
            stay.check_out,
            stay.rooms,
            stay.guests,
            guest.guest_name,
            guest.contact_email,
            guest.contact_phone,
            guest.idempotency_key,
            expected_total_minor=quoted_total,
        )
    except service.PriceChanged as exc:  # nothing booked: the stay at its new price, ready to confirm again
        return await _hotel_page(hotel, stay_values, status=409, stay=stay, values=values, requoted=exc.detail, key=key)
    except service.RoomsUnavailable as exc:
        return await _hotel_page(hotel, stay_values, status=409, stay=stay, values=values, notice=exc.detail, key=key)
    except (service.InvalidBooking, service.NotFound) as exc:
        field_errors = getattr(exc, "errors", None) or {"room_type_id": exc.detail}
        return await _hotel_page(
            hotel, stay_values, status=422, stay=stay, stay_errors=field_errors, values=values, key=key
        )
    return await _to_checkout(booking)


# --- my bookings ---------------------------------------------------------------------------------------


@bp.get("/bookings")
@login_required
async def booking_list():
    """My bookings: tabs for upcoming, past and cancelled, newest first."""
    tab = request.args.get("tab", "upcoming")
    if tab not in TABS:
        tab = "upcoming"
    page = page_number(request.args)
    result = await service.list_bookings(g.current_user.id, tab, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    pages = db.page_count(result["total"], PAGE_SIZE)
    if page > pages:  # a page past the last: show the last one
        page = pages
        result = await service.list_bookings(g.current_user.id, tab, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    return await render(
        "bookings/list.html",
        block="panel",
        tabs=TABS,
        tab=tab,
        items=result["items"],
        total=result["total"],
        page=page,
        pages=pages,
    )


async def _booking_or_404(reference: str) -> dict[str, Any]:
    booking = await service.get_booking(g.current_user.id, reference)
    if booking is None:  # also for another traveller's reference: do not reveal that it exists
        abort(404)
    return booking


@bp.get("/bookings/<reference>")
@login_required
async def booking_show(reference: str):
    """Booking details; for a confirmed booking, the e-ticket / voucher that prints well."""
    booking = await _booking_or_404(reference)
    return await _detail_page(booking)


async def _detail_page(booking: dict[str, Any], *, status: int = 200, values: dict | None = None, errors=None):
    """The booking page, or its #review region for htmx: the review once written, else the form when due."""
    review = await reviews.review_of_booking(booking["id"])
    return await render(
        "bookings/detail.html",
        block="review",
        status=status,
        booking=booking,
        quote=service.cancellation_quote(booking),
        review=review,
        reviewable=review is None and reviews.can_review(booking),
        review_values=values or {},
        review_errors=errors or {},
    )


@bp.post("/bookings/<reference>/review")
@login_required
async def booking_review(reference: str):
    """Review a completed trip or stay, once: rating 1-5 and a few words; a second try is refused (409)."""
    booking = await _booking_or_404(reference.strip().upper())
    values = form_dict(await request.form)
    form, errors = parse_model(ReviewIn, {k: values.get(k, "") for k in ("rating", "body")})
    if form is None:
        return await _detail_page(booking, status=422, values=values, errors=errors)
    try:
        await reviews.create_review(g.current_user.id, booking["reference"], form.rating, form.body)
    except reviews.NotFound:
        abort(404)
    except reviews.ReviewError as exc:
        return await _detail_page(booking, status=exc.status, values=values, errors={"__all__": exc.detail})
    await flash("Thank you: your review is published.", "success")
    return hx_redirect(f"/bookings/{booking['reference']}")


@bp.get("/bookings/<reference>/cancel")
@login_required
async def booking_cancel_form(reference: str):
    """What cancelling now refunds, under the visible policy, before the traveller confirms."""
    booking = await _booking_or_404(reference)
    return await render("bookings/cancel.html", booking=booking, quote=service.cancellation_quote(booking))


@bp.post("/bookings/<reference>/cancel")
@login_required
async def booking_cancel(reference: str):
    """Cancel: seats or room-nights are released at once; the refund follows the policy shown."""
    form = form_dict(await request.form)
    reason = (form.get("reason") or "").strip()[:255] or None
    try:
        booking = await service.cancel_booking(g.current_user.id, reference.strip().upper(), reason)
    except service.NotFound:
        abort(404)
    except service.NotCancellable as exc:
        await flash(exc.detail, "error")
        return hx_redirect(f"/bookings/{reference.strip().upper()}")
    refund = booking["refund"]
    await flash(
        f"Booking {booking['reference']} is cancelled. Refund: "
        f"{money(refund['amount_minor'], refund['currency'])} ({refund['percent']}%).",
        "success",
    )
    return hx_redirect(f"/bookings/{booking['reference']}")
