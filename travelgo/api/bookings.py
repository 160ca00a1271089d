"""JSON API: book seats and rooms, list, read and cancel bookings (routes are added to travelgo.api.bp)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError
from quart import g, request
from quart_schema import (
    tag,
    validate_headers,
    validate_request,
    validate_response,
)

from .. import ratelimit
from ..auth import api_auth_required
from ..bookings import service
from ..bookings.forms import (
    BookingCreate,
    BookingScope,
    BusBookingIn,
    CancelIn,
    IdempotencyHeaders,
    RestaurantBookingIn,
    SegmentBookingIn,
)
from ..problems import Problem, validation_errors
from . import bp, optional_body, problems, validate_query
from .search import StopOut


class BookedSeatOut(BaseModel):
    label: str
    passenger_name: str
    passenger_age: int
    passenger_gender: Literal["female", "male", "other"] | None = None
    price_minor: int
    coach: str | None = Field(default=None, description="Train coach or flight cabin (trains and flights)")
    berth: str | None = Field(default=None, description="lower, middle, upper, side_lower, side_upper, window, …")
    class_code: str | None = Field(default=None, description="SL, 3A, 2A, 1A, CC, EC (trains); Y, J (flights)")


class BookedCityOut(BaseModel):
    id: int
    name: str


class BookedStopOut(BaseModel):
    city: BookedCityOut
    station: str
    iata: str | None = None
    arrives_at: datetime | None = None
    departs_at: datetime | None = None
    day: int


class NightOut(BaseModel):
    night: date
    rooms: int
    price_minor: int


class BookedTripOut(BaseModel):
    """The trip; for a train or flight, the booked segment (origin, destination and times at its stops)."""

    id: int
    origin: str
    destination: str
    operator: str
    departs_at: datetime
    arrives_at: datetime
    status: str
    boarding_point: StopOut | None = Field(default=None, description="where the traveller boards (their choice)")
    dropping_point: StopOut | None = Field(default=None, description="where the traveller gets off")
    operator_phone: str | None = Field(default=None, description="the operator's number for the day of travel")
    mode: Literal["bus", "train", "flight"] = "bus"
    code: str | None = Field(default=None, description="Train or flight number")
    name: str | None = None
    stops: list[BookedStopOut] = Field(default=[], description="Train or flight: the segment's stops in order")


class BookedHotelOut(BaseModel):
    id: int
    name: str
    address: str
    city: str
    phone: str | None = Field(default=None, description="the hotel's number for the guest (as on the booking page)")
    room_type_id: int
    room_type: str


class BookedRestaurantOut(BaseModel):
    id: int
    name: str
    address: str
    city: str
    phone: str | None = Field(
        default=None, description="the restaurant's number for the guest (as on the booking page)"
    )


class BookedTableOut(BaseModel):
    """A table a restaurant booking was given (two when adjacent tables were combined for a large party)."""

    id: int
    label: str
    seats: int


class RefundOut(BaseModel):
    """The cancellation policy applied to this booking (now, or when it was cancelled)."""

    cancellable: bool
    percent: int
    amount_minor: int
    currency: str
    policy: str
    reason: str


class PaymentOut(BaseModel):
    """The provider order a hold is paid through; the price fixed when the hold was made is what is charged."""

    provider: str
    order_id: str
    amount_minor: int
    currency: str
    status: Literal["created", "failed", "captured"]
    checkout_url: str


class RefundRecordOut(BaseModel):
    """Money going back to the payer: pending until the provider confirms it (processed), or failed."""

    id: int
    amount_minor: int
    currency: str
    reason: Literal["cancellation", "late_payment", "duplicate_payment", "wrong_amount"]
    status: Literal["pending", "processed", "failed"]


BookingStatus = Literal["pending_payment", "confirmed", "expired", "cancelled", "requested", "rejected"]
BookingType = Literal["bus", "hotel", "restaurant", "train", "flight"]


class BookingOut(BaseModel):
    reference: str
    type: BookingType
    status: BookingStatus
    expires_at: datetime | None = None
    payment: PaymentOut | None = None
    refunds: list[RefundRecordOut] = []
    total_minor: int
    currency: str
    created_at: datetime
    starts_at: datetime
    ends_at: datetime
    contact_email: str
    contact_phone: str | None = None
    trip_id: int | None = None
    trip: BookedTripOut | None = None
    seats: list[BookedSeatOut] = []
    room_type_id: int | None = None
    hotel: BookedHotelOut | None = None
    check_in: date | None = None
    check_out: date | None = None
    rooms: int | None = None
    guests: int | None = None
    guest_name: str | None = None
    nights: list[NightOut] = []
    restaurant_id: int | None = None
    restaurant: BookedRestaurantOut | None = None
    tables: list[BookedTableOut] = []
    notes: str | None = None
    refund_minor: int | None = None
    cancel_reason: str | None = None
    cancelled_at: datetime | None = None
    cancellation: RefundOut


class CancelledBookingOut(BookingOut):
    refund: RefundOut


class BookingSummaryOut(BaseModel):
    reference: str
    type: BookingType
    status: BookingStatus
    expires_at: datetime | None = None
    title: str
    starts_at: datetime
    ends_at: datetime
    total_minor: int
    currency: str
    created_at: datetime


class BookingListOut(BaseModel):
    items: list[BookingSummaryOut]
    total: int
    scope: str
    limit: int
    offset: int


def _out(booking: dict[str, Any]) -> dict[str, Any]:
    """The API shape of a service booking."""
    out = {
        key: booking.get(key)
        for key in BookingOut.model_fields
        if key not in ("trip", "hotel", "restaurant", "cancellation")
    }
    out["cancellation"] = service.cancellation_quote(booking).as_dict()
    if booking["type"] in ("bus", "train", "flight"):
        out["trip"] = {
            "id": booking["trip_id"],
            "origin": booking["origin"],
            "destination": booking["destination"],
            "operator": booking["operator"],
            "departs_at": booking["departs_at"],
            "arrives_at": booking["arrives_at"],
            "status": booking["trip_status"],
            "boarding_point": booking.get("boarding_point"),
            "dropping_point": booking.get("dropping_point"),
            "operator_phone": booking.get("operator_phone"),
            "mode": booking.get("mode") or "bus",
            "code": booking.get("route_code"),
            "name": booking.get("route_name"),
            "stops": booking.get("stops") or [],
        }
    elif booking["type"] == "restaurant":
        out["restaurant"] = {
            "id": booking["restaurant_id"],
            "name": booking["restaurant_name"],
            "address": booking["restaurant_address"],
            "city": booking["restaurant_city"],
            "phone": booking.get("restaurant_phone"),
        }
    else:
        out["hotel"] = {
            "id": booking["hotel_id"],
            "name": booking["hotel_name"],
            "address": booking["hotel_address"],
            "city": booking["hotel_city"],
            "phone": booking.get("hotel_phone"),
            "room_type_id": booking["room_type_id"],
            "room_type": booking["room_type_name"],
        }
    return out


def _problem(exc: service.BookingError) -> Problem:
    """A service outcome as problem+json: 409 names what is unavailable, 422 names the field."""
    if isinstance(exc, service.SeatsUnavailable):
        return Problem(409, "Seats unavailable", exc.detail, unavailable_seats=exc.seats, trip_id=exc.trip_id)
    if isinstance(exc, service.NotEnoughSeats):
        return Problem(409, "Not enough seats", exc.detail, seats_left=exc.seats_left, trip_id=exc.trip_id)
    if isinstance(exc, service.PriceChanged):
        return Problem(
            409,
            "Price changed",
            exc.detail,
            code="price_changed",
            total_minor=exc.total_minor,
            expected_total_minor=exc.expected_minor,
            currency=exc.currency,
        )
    if isinstance(exc, service.TablesUnavailable):
        return Problem(
            409,
            "No table available",
            exc.detail,
            restaurant_id=exc.restaurant_id,
            party_size=exc.party_size,
        )
    if isinstance(exc, service.RoomsUnavailable):
        return Problem(409, "Rooms unavailable", exc.detail, unavailable_nights=[n.isoformat() for n in exc.nights])
    if isinstance(exc, service.InvalidBooking):
        errors = [{"loc": [f], "field": f, "msg": m, "type": "value_error"} for f, m in exc.errors.items()]
        return Problem(422, "Invalid input", exc.detail, errors=errors)
    if isinstance(exc, service.NotFound) and exc.field:
        return Problem(
            422,
            "Invalid input",
            exc.detail,
            errors=[{"loc": [exc.field], "field": exc.field, "msg": exc.detail, "type": "value_error"}],
        )
    return Problem(exc.status, detail=exc.detail)


@bp.post("/bookings")
@tag(["bookings"])
@api_auth_required
@validate_headers(IdempotencyHeaders)
@validate_request(BookingCreate)
@validate_response(BookingOut, 201)
@validate_response(BookingOut, 200)
@problems(401, 409, 422, 429, 503)
async def api_booking_create(data: BookingCreate, headers: IdempotencyHeaders):
    """Book bus seats (`type: bus`), train berths or seats (`type: train`), flight seats (`type: flight`), hotel
    rooms (`type: hotel`) or a restaurant table (`type: restaurant`). Trains and flights are sold per segment:
    `origin` and `destination` are city ids of two of the trip's stops in route order (GET /api/v1/trips/{id} lists
    them), `seats` labels such as "B2-34".

    A table booking names the table(s) assigned in `tables`; it is `confirmed` at once (no deposit), a
    `pending_payment` hold (a deposit to pay) or `requested` (an "on request" restaurant answers by `expires_at`).

    201 with the booking; the same Idempotency-Key again returns the original booking with 200.
    409 names the seats or nights that are unavailable; with `expected_total_minor`, a different price now is a 409
    with `code: price_changed` and the current `total_minor` (nothing booked; send it again to book at that price).
    503 (with Retry-After) only under genuine overload.
    """
    body = data.root
    user = g.api_user
    await ratelimit.limit_booking(user.id)  # 429 with Retry-After past the per-account / per-address limits
    try:
        if isinstance(body, SegmentBookingIn):
            booking = await service.book_segment(
                user,
                body.trip_id,
                body.origin,
                body.destination,
                body.seats,
                [p.model_dump() for p in body.passengers],
                body.contact_email,
                body.contact_phone,
                headers.idempotency_key,
                expected_total_minor=body.expected_total_minor,
            )
        elif isinstance(body, BusBookingIn):
            booking = await service.book_trip(
                user,
                body.trip_id,
                body.seats,
                [p.model_dump() for p in body.passengers],
                body.contact_email,
                body.contact_phone,
                headers.idempotency_key,
                expected_total_minor=body.expected_total_minor,
                boarding_point_id=body.boarding_point_id,
                dropping_point_id=body.dropping_point_id,
            )
        elif isinstance(body, RestaurantBookingIn):
            booking = await service.book_table(
                user,
                body.restaurant_id,
                body.date,
                body.time,
                body.party_size,
                body.guest_name,
                body.notes,
                body.contact_email,
                body.contact_phone,
                headers.idempotency_key,
                expected_total_minor=body.expected_total_minor,
            )
        else:
            booking = await service.book_room(
                user,
                body.room_type_id,
                body.check_in,
                body.check_out,
                body.rooms,
                body.guests,
                body.guest_name,
                body.contact_email,
                body.contact_phone,
                headers.idempotency_key,
                expected_total_minor=body.expected_total_minor,
            )
    except service.BookingError as exc:
        raise _problem(exc) from exc
    status = 200 if booking["replayed"] else 201
    return _out(booking), status, {"Location": f"/api/v1/bookings/{booking['reference']}"}


@bp.get("/bookings")
@tag(["bookings"])
@api_auth_required
@validate_query(BookingScope)
@validate_response(BookingListOut, 200)
@problems(401, 422)
async def api_booking_list(query_args: BookingScope):
    """The caller's bookings: scope upcoming (default), past, cancelled or all; by travel date
    (upcoming soonest first, past and cancelled latest first, all: upcoming ones first)."""
    page = await service.list_bookings(g.api_user.id, query_args.scope, query_args.limit, query_args.offset)
    return {**page, "scope": query_args.scope, "limit": query_args.limit, "offset": query_args.offset}


@bp.get("/bookings/<reference>")
@tag(["bookings"])
@api_auth_required
@validate_response(BookingOut, 200)
@problems(401, 404)
async def api_booking_show(reference: str):
    """One of the caller's bookings with every detail and what cancelling now would refund."""
    booking = await service.get_booking(g.api_user.id, reference)
    if booking is None:
        raise Problem(404, "Not found", "No booking with that reference.")
    return _out(booking)


@bp.post("/bookings/<reference>/cancel")
@tag(["bookings"])
@api_auth_required
@optional_body(CancelIn)
@validate_response(CancelledBookingOut, 200)
@problems(400, 401, 404, 409, 422, 503)
async def api_booking_cancel(reference: str):
    """Cancel an upcoming booking: seats or rooms are released at once; the response carries the refund.

    The body is optional: `{"reason": "…"}`.
    """
    # The body is optional, but one that is sent must be valid: a typo in it must not cancel anyway.
    sent = (await request.get_data()).strip()
    body = await request.get_json(force=True) if sent else {}  # malformed JSON: 400, whatever the Content-Type
    try:
        data = CancelIn.model_validate(body)
    except ValidationError as exc:
        raise Problem(422, "Invalid input", "The request is not valid.", errors=validation_errors(exc)) from exc
    try:
        booking = await service.cancel_booking(g.api_user.id, reference.strip().upper(), data.reason)
    except service.NotFound as exc:
        raise Problem(404, "Not found", "No booking with that reference.") from exc
    except service.BookingError as exc:
        raise _problem(exc) from exc
    return {**_out(booking), "refund": booking["refund"]}
