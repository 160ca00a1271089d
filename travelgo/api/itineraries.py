"""JSON API: itineraries (a trip planned item by item, held whole at checkout, paid once) and their calendar."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from quart import Response, g, request
from quart_schema import tag, validate_request, validate_response

from .. import ratelimit
from ..auth import api_auth_required
from ..bookings import service as bookings
from ..bookings.forms import BookingCreate, CancelIn
from ..itineraries import calendar, service
from ..problems import Alternative, Problem, validation_errors
from ..text import clean_name
from ..web import public_base_url
from . import bp, optional_body, problems, text_response, validate_query
from .bookings import BookingOut, CancelledBookingOut, PaymentOut, _out, _problem


class ItineraryIn(BaseModel):
    """A new itinerary: its name and, optionally, notes."""

    model_config = ConfigDict(str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=120)
    notes: str | None = Field(default=None, max_length=2000)

    _name = field_validator("name")(clean_name)


class ItineraryPage(BaseModel):
    limit: int = Field(default=50, ge=1, le=100)
    offset: int = Field(default=0, ge=0, le=100_000)


ItemStatus = Literal["planned", "pending_payment", "confirmed", "expired", "cancelled"]


class ItemOut(BaseModel):
    """One item: its booking body as sent, what it is (title, times in its cities' zones, places, price) and its
    status: planned until a checkout holds it, then its booking's (reference in booking_reference)."""

    id: int
    position: int
    type: str
    body: dict[str, Any]
    title: str
    starts_at: datetime
    ends_at: datetime
    from_city: str | None = None
    to_city: str | None = None
    location: str | None = None
    total_minor: int
    currency: str
    status: ItemStatus
    booking_reference: str | None = None


class ItemListOut(BaseModel):
    items: list[ItemOut]


class PlanWarningOut(BaseModel):
    """Where the plan does not fit: arrival_after_check_in, short_connection, connection_missed, overlapping_stays,
    city_gap."""

    code: str
    message: str
    item_ids: list[int]


class SuggestionOut(BaseModel):
    """Help for the next step: a hotel for the arrival night, or a journey back or onward."""

    kind: Literal["hotel", "journey"]
    after_item_id: int
    text: str
    check_in: date | None = None
    check_out: date | None = None
    options: list[Alternative]


class TotalOut(BaseModel):
    currency: str
    total_minor: int


class CheckoutSummaryOut(BaseModel):
    id: int
    total_minor: int
    currency: str
    lead_reference: str
    created_at: datetime
    payment: PaymentOut | None = None


class ItineraryOut(BaseModel):
    id: int
    name: str
    notes: str | None = None
    created_at: datetime
    updated_at: datetime
    items: list[ItemOut]
    totals: list[TotalOut]
    warnings: list[PlanWarningOut]
    suggestions: list[SuggestionOut]
    checkout: CheckoutSummaryOut | None = None


class ItinerarySummaryOut(BaseModel):
    id: int
    name: str
    notes: str | None = None
    created_at: datetime
    item_count: int
    starts_at: datetime | None = None
    ends_at: datetime | None = None


class ItineraryListOut(BaseModel):
    items: list[ItinerarySummaryOut]
    total: int
    limit: int
    offset: int


class CheckoutOut(BaseModel):
    """An itinerary's checkout: every item held in one transaction, one payment for the total (`payment`), each
    booking with its own reference, ticket and cancellation. status: pending_payment until paid, then confirmed
    (mixed once some of its bookings are cancelled or expired)."""

    id: int
    itinerary_id: int
    status: Literal["pending_payment", "confirmed", "expired", "cancelled", "mixed"]
    total_minor: int
    currency: str
    expires_at: datetime | None = None
    bookings: list[BookingOut]
    payment: PaymentOut | None = None


class TripCancelledOut(BaseModel):
    bookings: list[CancelledBookingOut]


def _raise(exc: bookings.BookingError):
    """A service outcome as problem+json (an unavailable trip names its items)."""
    if isinstance(exc, service.TripUnavailable):
        raise Problem(409, "Items unavailable", exc.detail, unavailable_items=exc.items) from exc
    if isinstance(exc, (service.ItineraryNotFound, service.ItemNotFound)):
        raise Problem(404, "Not found", exc.detail) from exc
    raise _problem(exc) from exc


async def _itinerary(itinerary_id: int) -> dict[str, Any]:
    try:
        return await service.get_itinerary(g.api_user.id, itinerary_id)
    except service.ItineraryNotFound as exc:
        raise Problem(404, "Not found", exc.detail) from exc


def _checkout_out(state: dict[str, Any]) -> dict[str, Any]:
    return {**state, "bookings": [_out(b) for b in state["bookings"]]}


@bp.post("/itineraries")
@tag(["itineraries"])
@api_auth_required
@validate_request(ItineraryIn)
@validate_response(ItineraryOut, 201)
@problems(401, 422)
async def api_itinerary_create(data: ItineraryIn):
    """Start an itinerary: `{name, notes?}`. Add items, then check it out whole."""
    itinerary = await service.create_itinerary(g.api_user.id, data.name, data.notes or None)
    return itinerary, 201, {"Location": f"/api/v1/itineraries/{itinerary['id']}"}


@bp.get("/itineraries")
@tag(["itineraries"])
@api_auth_required
@validate_query(ItineraryPage)
@validate_response(ItineraryListOut, 200)
@problems(401, 422)
async def api_itinerary_list(query_args: ItineraryPage):
    """The caller's itineraries, newest first."""
    page = await service.list_itineraries(g.api_user.id, query_args.limit, query_args.offset)
    return {**page, "limit": query_args.limit, "offset": query_args.offset}


@bp.get("/itineraries/<int:itinerary_id>")
@tag(["itineraries"])
@api_auth_required
@validate_response(ItineraryOut, 200)
@problems(401, 404)
async def api_itinerary_show(itinerary_id: int):
    """One of the caller's itineraries: its items in time order, warnings, suggestions and its latest checkout."""
    return await _itinerary(itinerary_id)


@bp.delete("/itineraries/<int:itinerary_id>")
@tag(["itineraries"])
@api_auth_required
@problems(401, 404, 409)
async def api_itinerary_delete(itinerary_id: int):
    """Delete an itinerary that was never checked out (409 once it was: it is kept with its bookings): 204."""
    try:
        await service.delete_itinerary(g.api_user.id, itinerary_id)
    except bookings.BookingError as exc:
        _raise(exc)
    return "", 204


@bp.post("/itineraries/<int:itinerary_id>/items")
@tag(["itineraries"])
@api_auth_required
@validate_request(BookingCreate)
@validate_response(ItemOut, 201)
@problems(401, 404, 409, 422, 503)
async def api_itinerary_item_add(itinerary_id: int, data: BookingCreate):
    """Add an item: the same body as POST /api/v1/bookings. Nothing is held (checkout holds the whole trip); it is
    checked against live inventory now, so 409/422 say what POST /api/v1/bookings would."""
    try:
        item = await service.add_item(g.api_user, itinerary_id, data.root)
    except bookings.BookingError as exc:
        _raise(exc)
    return item, 201, {"Location": f"/api/v1/itineraries/{itinerary_id}/items/{item['id']}"}


@bp.get("/itineraries/<int:itinerary_id>/items")
@tag(["itineraries"])
@api_auth_required
@validate_response(ItemListOut, 200)
@problems(401, 404)
async def api_itinerary_item_list(itinerary_id: int):
    """The itinerary's items in time order."""
    return {"items": (await _itinerary(itinerary_id))["items"]}


@bp.get("/itineraries/<int:itinerary_id>/items/<int:item_id>")
@tag(["itineraries"])
@api_auth_required
@validate_response(ItemOut, 200)
@problems(401, 404)
async def api_itinerary_item_show(itinerary_id: int, item_id: int):
    """One item."""
    try:
        return await service.get_item(g.api_user.id, itinerary_id, item_id)
    except bookings.BookingError as exc:
        _raise(exc)


@bp.delete("/itineraries/<int:itinerary_id>/items/<int:item_id>")
@tag(["itineraries"])
@api_auth_required
@problems(401, 404, 409)
async def api_itinerary_item_delete(itinerary_id: int, item_id: int):
    """Take an item out of the plan (409 while it is booked: cancel it first): 204."""
    try:
        await service.delete_item(g.api_user.id, itinerary_id, item_id)
    except bookings.BookingError as exc:
        _raise(exc)
    return "", 204


@bp.post("/itineraries/<int:itinerary_id>/checkout")
@tag(["itineraries"])
@api_auth_required
@validate_response(CheckoutOut, 201)
@problems(401, 404, 409, 422, 429, 503)
async def api_itinerary_checkout(itinerary_id: int):
    """Hold every item not yet held in ONE transaction and open one payment for the total: 201 with
    `status: pending_payment`, the bookings and the payment (pay at `payment.checkout_url`).

    409 holds nothing: `unavailable_items` names each item that cannot be held, why, and alternatives."""
    await ratelimit.limit_booking(g.api_user.id)
    try:
        state = await service.checkout_itinerary(g.api_user, itinerary_id)
    except bookings.BookingError as exc:
        _raise(exc)
    return _checkout_out(state), 201


@bp.get("/itineraries/<int:itinerary_id>/checkout")
@tag(["itineraries"])
@api_auth_required
@validate_response(CheckoutOut, 200)
@problems(401, 404, 409)
async def api_itinerary_checkout_show(itinerary_id: int):
    """The itinerary's latest checkout: its bookings and the payment (409 if it was never checked out)."""
    try:
        state = await service.checkout_state(g.api_user.id, itinerary_id)
    except bookings.BookingError as exc:
        _raise(exc)
    return _checkout_out(state)


@bp.post("/itineraries/<int:itinerary_id>/cancel")
@tag(["itineraries"])
@api_auth_required
@optional_body(CancelIn)
@validate_response(TripCancelledOut, 200)
@problems(400, 401, 404, 409, 422, 503)
async def api_itinerary_cancel(itinerary_id: int):
    """Cancel the whole trip: every held or paid booking, in one transaction, each with its own refund.
    The body is optional: `{"reason": "…"}`. (One item: POST /api/v1/bookings/{reference}/cancel.)"""
    sent = (await request.get_data()).strip()
    body = await request.get_json(force=True) if sent else {}
    try:
        data = CancelIn.model_validate(body)
    except ValidationError as exc:
        raise Problem(422, "Invalid input", "The request is not valid.", errors=validation_errors(exc)) from exc
    try:
        cancelled = await service.cancel_trip(g.api_user.id, itinerary_id, data.reason)
    except bookings.BookingError as exc:
        _raise(exc)
    return {"bookings": [{**_out(b), "refund": b["refund"]} for b in cancelled]}


@bp.get("/itineraries/<int:itinerary_id>.ics")
@tag(["itineraries"])
@api_auth_required
@text_response("text/calendar", "The whole trip as an iCalendar file: an event per item, at its place.")
@problems(401, 404)
async def api_itinerary_calendar(itinerary_id: int):
    """The itinerary as an iCalendar (.ics) file."""
    itinerary = await _itinerary(itinerary_id)
    body = calendar.ics(itinerary, public_base_url() or "http://localhost")
    return Response(
        body,
        mimetype="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="itinerary-{itinerary_id}.ics"'},
    )
