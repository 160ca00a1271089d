"""Restaurant pages: search with bookable times, the restaurant's day of slots (live), booking a table.
(The admin's page for answering requests is admin/routes/restaurants.py.)"""

from __future__ import annotations

import secrets

from pydantic import ConfigDict, Field, field_validator
from quart import Blueprint, abort, flash, g, request

from .. import events, ratelimit
from ..auth import login_required
from ..bookings import service as bookings
from ..bookings.forms import IDEMPOTENCY_KEY_MAX, Contact, TableRequest
from ..chips import clear_url, filter_chips
from ..dates import today_in
from ..live import service as live
from ..live.routes import subscribe
from ..places.pickers import city_datalist, resolve_city_fields
from ..querystring import canonical_query, query_args
from ..text import clean_name
from ..web import form_dict, hx_redirect, parse_model, render
from . import service
from .forms import SORT_LABELS, RestaurantSearch, RestaurantView

bp = Blueprint("restaurants", __name__)

PRICE_SIGNS = {1: "₹", 2: "₹₹", 3: "₹₹₹", 4: "₹₹₹₹"}
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
CHIP_LABELS = {"cuisine": str}  # the one filter beside the search itself: a chip to drop it


@bp.record_once
def restaurant_labels(state) -> None:
    state.app.jinja_env.globals.update(price_signs=PRICE_SIGNS, weekday_names=WEEKDAYS)


@bp.get("/restaurants")
async def restaurant_list():
    """Restaurant search: city, date, time, party size, cuisine; each result with bookable times near the time."""
    raw = query_args(request.args)
    args, errors, names = await resolve_city_fields(dict(raw), ("city",))
    search, field_errors = parse_model(RestaurantSearch, args)
    errors = {**field_errors, **errors}
    page = None
    if search is not None and not errors and raw:
        try:
            page = await service.search(search)
        except service.SearchInvalid as exc:
            errors.update(exc.errors)
    shown = search or RestaurantSearch()
    return await render(
        "restaurants/search.html",
        block="search",
        status=422 if errors else 200,
        values={k: (v[0] if isinstance(v, list) else v) for k, v in raw.items()},
        errors=errors,
        page=page,
        search=shown,
        today=today_in(),
        city_name=names.get("city"),
        city_datalist=await city_datalist(),
        cuisines=await service.cuisines(),
        sort_labels=SORT_LABELS,
        offset_query=lambda offset: canonical_query(shown, offset=offset),
        chips=filter_chips("/restaurants", shown, CHIP_LABELS) if search is not None else [],
        clear_filters=clear_url("/restaurants", shown, CHIP_LABELS),
    )


@bp.get("/restaurants/<int:restaurant_id>")
async def restaurant_detail(restaurant_id: int):
    """A restaurant: hours, policy and the day's slots for a party (htmx and live updates swap #slots)."""
    view, errors = parse_model(RestaurantView, query_args(request.args))
    status = 200
    if view is None:
        view, status = RestaurantView(), 422
    restaurant = await service.restaurant_day(restaurant_id, view.date, view.party_size)
    if restaurant is None:
        abort(404, description="We could not find that restaurant.")
    return await render(
        "restaurants/restaurant.html",
        block="slots",
        status=status,
        r=restaurant,
        errors=errors,
        today=today_in(),
    )


@bp.get("/restaurants/<int:restaurant_id>/live")
async def restaurant_live(restaurant_id: int):
    """Server-sent `slots-changed` messages (data: the dates) when a booking, cancellation or expiry changes the restaurant's free
    tables on ?date= (every day without it); the page re-fetches its #slots region on each."""
    day = request.args.get("date", "")
    if not await service.exists(restaurant_id):
        abort(404)
    sub = await subscribe([f"restaurant:{restaurant_id}"])

    async def render_event(event: events.Event) -> bytes | None:
        if not live.is_availability(event) or (day and day not in event.payload.get("dates", [])):
            return None
        return live.sse_message(",".join(event.payload.get("dates", [])), event="slots-changed", id=event.id)

    # An opening `listening` message says the subscription is live (nothing on the page listens to it).
    return live.stream_response(sub, [live.sse_message(day or "all", event="listening")], render_event)


# --- booking a table ----------------------------------------------------------------------------------------


class GuestDetails(Contact):
    """The table form's own fields (the sitting comes from the hidden restaurant_id/date/time/party_size)."""

    model_config = ConfigDict(str_strip_whitespace=True)

    guest_name: str = Field(min_length=1, max_length=120)
    notes: str | None = Field(default=None, max_length=500)
    idempotency_key: str = Field(min_length=8, max_length=IDEMPOTENCY_KEY_MAX, pattern=r"^[A-Za-z0-9_\-]+$")

    _name = field_validator("guest_name")(clean_name)

    @field_validator("notes", mode="before")
    @classmethod
    def _blank_notes(cls, value):
        return None if isinstance(value, str) and not value.strip() else value


SITTING_FIELDS = ("date", "time", "party_size")


async def _book_page(restaurant_id: int, sitting_values: dict, *, status=200, values=None, errors=None, notice=None):
    sitting, sitting_errors = parse_model(TableRequest, {"restaurant_id": restaurant_id, **sitting_values})
    day = sitting.date if sitting else None
    party = sitting.party_size if sitting else 2
    restaurant = await service.restaurant_day(restaurant_id, day, party)
    if restaurant is None:
        abort(404, description="We could not find that restaurant.")
    if values is None:
        user = g.current_user
        values = {"guest_name": user.full_name, "contact_email": user.email, "contact_phone": user.phone or ""}
    return await render(
        "restaurants/book.html",
        block="booking",
        status=status if not sitting_errors else 422,
        r=restaurant,
        sitting=sitting,
        sitting_values=sitting_values,
        sitting_errors=sitting_errors,
        values=values,
        errors=errors or {},
        notice=notice,
        idempotency_key=(values or {}).get("idempotency_key") or secrets.token_urlsafe(18),
    )


@bp.get("/restaurants/<int:restaurant_id>/book")
@login_required
async def restaurant_booking_form(restaurant_id: int):
    """The guest's details for a sitting (?date=&time=&party_size=)."""
    return await _book_page(restaurant_id, {k: request.args.get(k, "") for k in SITTING_FIELDS})


@bp.post("/restaurants/<int:restaurant_id>/book")
@login_required
async def restaurant_booking_create(restaurant_id: int):
    """Book the sitting on the form: the smallest free table that seats the party is assigned."""
    values = form_dict(await request.form)
    sitting_values = {k: values.get(k, "") for k in SITTING_FIELDS}
    sitting, sitting_errors = parse_model(TableRequest, {"restaurant_id": restaurant_id, **sitting_values})
    guest, errors = parse_model(GuestDetails, values)
    if sitting is None or guest is None:
        if "idempotency_key" in errors:
            errors["__all__"] = "This form has expired. Please reload the page and try again."
        return await _book_page(restaurant_id, sitting_values, status=422, values=values, errors=errors)
    await ratelimit.limit_booking(g.current_user.id)
    try:
        booking = await bookings.book_table(
            g.current_user,
            restaurant_id,
            sitting.date,
            sitting.time,
            sitting.party_size,
            guest.guest_name,
            guest.notes,
            guest.contact_email,
            guest.contact_phone,
            guest.idempotency_key,
        )
    except bookings.InvalidBooking as exc:
        return await _book_page(restaurant_id, sitting_values, status=422, values=values, notice=exc.detail)
    except bookings.BookingError as exc:  # no table free any more, too many holds, no such restaurant
        return await _book_page(restaurant_id, sitting_values, status=exc.status, values=values, notice=exc.detail)
    if booking["status"] == "pending_payment":
        if not booking["replayed"]:
            await flash(f"Table held: reference {booking['reference']}. Pay the deposit to confirm.", "success")
        return hx_redirect(f"/checkout/{booking['reference']}")
    if not booking["replayed"]:
        message = {
            "confirmed": f"Table booked: reference {booking['reference']}.",
            "requested": f"Request sent: reference {booking['reference']}. The restaurant will answer soon.",
        }.get(booking["status"])
        if message:
            await flash(message, "success")
    return hx_redirect(f"/bookings/{booking['reference']}")
