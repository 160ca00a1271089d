"""Itinerary pages: my trips, one trip day by day (where you sleep, when you leave), add from the bus and hotel
booking forms ("Add to trip", without JavaScript too), checkout to one payment, cancel, print and calendar."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from quart import Blueprint, Response, abort, flash, g, redirect, request

from .. import db, payments, ratelimit
from ..auth import browser_user, login_required
from ..bookings import service as bookings
from ..bookings.forms import BookingCreate, Stay, parse_bus_form
from ..checkout import service as checkout
from ..security import CSP
from ..templating import money
from ..text import clean_name
from ..web import form_dict, hx_redirect, parse_model, public_base_url, render
from . import calendar, queries, service

bp = Blueprint("itineraries", __name__)


class ItineraryForm(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=120)
    notes: str | None = Field(default=None, max_length=2000)

    _name = field_validator("name")(clean_name)


@bp.app_context_processor
def _choices() -> dict[str, Any]:
    """`itinerary_choices()` in any template: the signed-in traveller's itineraries (the "Add to trip" picker)."""

    async def itinerary_choices() -> list[dict[str, Any]]:
        user = await browser_user()
        if user is None:
            return []
        async with db.reading() as cur:
            return await queries.select_itineraries(cur, user.id, 20, 0)

    return {"itinerary_choices": itinerary_choices}


async def _own(itinerary_id: int) -> dict[str, Any]:
    try:
        return await service.get_itinerary(g.current_user.id, itinerary_id)
    except service.ItineraryNotFound:
        abort(404)  # also another traveller's: do not reveal that it exists


@bp.get("/itineraries")
@login_required
async def itinerary_list():
    """My trips, newest first, and a form to start one."""
    page = await service.list_itineraries(g.current_user.id)
    return await render("itineraries/list.html", itineraries=page["items"], values={}, errors={})


@bp.post("/itineraries")
@login_required
async def itinerary_create():
    """Start a trip; on to its page."""
    values = form_dict(await request.form)
    data, errors = parse_model(ItineraryForm, {k: v for k, v in values.items() if v != ""})
    if data is None:
        page = await service.list_itineraries(g.current_user.id)
        return await render("itineraries/list.html", status=422, itineraries=page["items"], values=values,
                            errors=errors)  # fmt: skip
    itinerary = await service.create_itinerary(g.current_user.id, data.name, data.notes)
    return hx_redirect(f"/itineraries/{itinerary['id']}")


@bp.get("/itineraries/<int:itinerary_id>")
@login_required
async def itinerary_show(itinerary_id: int):
    """One trip: day by day, its items, the planner's warnings and suggestions, checkout."""
    return await render("itineraries/show.html", itinerary=await _own(itinerary_id), unavailable=None)


@bp.get("/itineraries/<int:itinerary_id>/print")
@login_required
async def itinerary_print(itinerary_id: int):
    """The day-by-day plan, for paper."""
    return await render("itineraries/print.html", itinerary=await _own(itinerary_id))


@bp.get("/itineraries/<int:itinerary_id>.ics")
@login_required
async def itinerary_calendar(itinerary_id: int):
    """The whole trip as an iCalendar file."""
    itinerary = await _own(itinerary_id)
    return Response(
        calendar.ics(itinerary, public_base_url() or "http://localhost"),
        mimetype="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="itinerary-{itinerary_id}.ics"'},
    )


@bp.post("/itineraries/<int:itinerary_id>/items/<int:item_id>/delete")
@login_required
async def itinerary_item_delete(itinerary_id: int, item_id: int):
    """Take an item out of the plan."""
    try:
        await service.delete_item(g.current_user.id, itinerary_id, item_id)
    except (service.ItineraryNotFound, service.ItemNotFound):
        abort(404)
    except bookings.BookingError as exc:
        await flash(exc.detail, "error")
    return hx_redirect(f"/itineraries/{itinerary_id}")


@bp.post("/itineraries/<int:itinerary_id>/checkout")
@login_required
async def itinerary_checkout(itinerary_id: int):
    """Hold the whole trip (all or nothing) and go to its one payment; or show which items are gone and what
    could replace them, with nothing held."""
    await ratelimit.limit_booking(g.current_user.id)
    try:
        await service.checkout_itinerary(g.current_user, itinerary_id)
    except service.ItineraryNotFound:
        abort(404)
    except service.TripUnavailable as exc:
        itinerary = await _own(itinerary_id)
        return await render("itineraries/show.html", status=409, itinerary=itinerary, unavailable=exc.items)
    except bookings.BookingError as exc:
        await flash(exc.detail, "error")
        return hx_redirect(f"/itineraries/{itinerary_id}")
    return hx_redirect(f"/itineraries/{itinerary_id}/pay")


@bp.get("/itineraries/<int:itinerary_id>/pay")
@login_required
async def itinerary_pay(itinerary_id: int):
    """The trip's one payment: what is held, the total, the time left, Pay (the provider's form) and Cancel."""
    itinerary = await _own(itinerary_id)
    try:
        state = await service.checkout_state(g.current_user.id, itinerary_id)
    except service.NothingToCheckOut:
        return redirect(f"/itineraries/{itinerary_id}", 303)
    provider_form = None
    payment = state["bookings"][0]["payment"] if state["bookings"] else None
    if state["status"] == "pending_payment" and payment and not payment.get("provider_checkout_url"):
        provider_form = payments.current().checkout_form(
            payment["order_id"],
            payment["amount_minor"],
            payment["currency"],
            f"{checkout.base_url()}/checkout/{state['lead_reference']}/return",
        )
    expires_at = state["expires_at"]
    seconds_left = max(int((expires_at - datetime.now(UTC)).total_seconds()), 0) if expires_at else 0
    response = await render(
        "itineraries/pay.html",
        itinerary=itinerary,
        state=state,
        payment=payment,
        provider_form=provider_form,
        seconds_left=seconds_left,
    )
    if provider_form:  # this page alone may post its form to the provider's hosted checkout
        origin = "/".join(provider_form["action"].split("/")[:3])
        response.headers["Content-Security-Policy"] = CSP.replace("form-action 'self'", f"form-action 'self' {origin}")
    return response


@bp.post("/itineraries/<int:itinerary_id>/cancel")
@login_required
async def itinerary_cancel(itinerary_id: int):
    """Cancel the whole trip: every booking, each with its own refund, in one go."""
    reason = ((await request.form).get("reason") or "").strip()[:255] or None
    try:
        cancelled = await service.cancel_trip(g.current_user.id, itinerary_id, reason)
    except service.ItineraryNotFound:
        abort(404)
    except bookings.BookingError as exc:
        await flash(exc.detail, "error")
        return hx_redirect(f"/itineraries/{itinerary_id}")
    refund = sum(b["refund"]["amount_minor"] for b in cancelled)
    currency = cancelled[0]["currency"]
    message = f"Trip cancelled: {len(cancelled)} booking{'s' if len(cancelled) != 1 else ''}"
    await flash(message + (f", {money(refund, currency)} refunded." if refund else "."), "success")
    return hx_redirect(f"/itineraries/{itinerary_id}")


# --- "Add to trip" from the booking forms -----------------------------------------------------------------------


async def _add(body: dict[str, Any], back: str):
    """Add one booking body to the chosen itinerary (or a new one), then show that itinerary."""
    form = await request.form
    choice = form.get("itinerary_id") or "new"
    try:
        item = BookingCreate.model_validate(body).root
    except ValidationError as exc:
        messages = "; ".join(e["msg"].removeprefix("Value error, ") for e in exc.errors(include_url=False))
        return await render("itineraries/not_added.html", status=422, message=messages, back=back)
    try:
        if choice == "new":
            name = (form.get("new_trip_name") or "").strip()[:120] or "My trip"
            itinerary_id = (await service.create_itinerary(g.current_user.id, name))["id"]
        elif choice.isdigit():
            itinerary_id = int(choice)
        else:
            abort(400)
        await service.add_item(g.current_user, itinerary_id, item)
    except service.ItineraryNotFound:
        abort(404)
    except bookings.BookingError as exc:
        return await render("itineraries/not_added.html", status=exc.status if exc.status < 500 else 409,
                            message=exc.detail, back=back)  # fmt: skip
    await flash("Added to your trip. Nothing is held until you check out the trip.", "success")
    return hx_redirect(f"/itineraries/{itinerary_id}")


@bp.post("/itineraries/add/bus/<int:trip_id>")
@login_required
async def itinerary_add_bus(trip_id: int):
    """The bus booking form's "Add to trip": the same seats and passengers, planned instead of booked."""
    values = form_dict(await request.form, "seats")
    data, errors = parse_bus_form(values)
    back = f"/buses/{trip_id}"
    if data is None:
        return await render("itineraries/not_added.html", status=422, message="; ".join(errors.values()), back=back)
    body = {
        "type": "bus",
        "trip_id": trip_id,
        "seats": data["seats"],
        "passengers": data["passengers"],
        "contact_email": data["contact_email"],
        "contact_phone": data["contact_phone"],
    }
    return await _add(body, back)


@bp.post("/itineraries/add/hotel/<int:hotel_id>")
@login_required
async def itinerary_add_hotel(hotel_id: int):
    """The hotel booking form's "Add to trip": the stay on screen, planned instead of booked."""
    values = form_dict(await request.form)
    back = f"/hotels/{hotel_id}"
    stay, errors = parse_model(Stay, {k: values.get(k, "") for k in ("room_type_id", "check_in", "check_out",
                                                                    "rooms", "guests")})  # fmt: skip
    if stay is None:
        return await render("itineraries/not_added.html", status=422, message="; ".join(errors.values()), back=back)
    hotel = await bookings.hotel_for_booking(hotel_id)
    if hotel is None or stay.room_type_id not in {rt["id"] for rt in hotel["room_types"]}:
        abort(404)
    body = {
        "type": "hotel",
        **stay.model_dump(mode="json"),
        "guest_name": values.get("guest_name") or g.current_user.full_name,
        "contact_email": values.get("contact_email") or None,
        "contact_phone": values.get("contact_phone") or None,
    }
    return await _add(body, back)
