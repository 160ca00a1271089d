"""The shapes a booking has when it leaves the booking service: what pages and the API receive.

TypedDicts rather than classes because templates, the API serializer and tests read them by key; the shape lives
here, in code a type checker reads, not in prose. (The API's pydantic models in api/bookings.py are the JSON face.)
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal, TypedDict

Status = Literal["pending_payment", "confirmed", "expired", "cancelled", "requested", "rejected"]


class BookedSeat(TypedDict):
    label: str
    passenger_name: str
    passenger_age: int
    passenger_gender: str | None
    price_minor: int


class BookedNight(TypedDict):
    night: date
    rooms: int
    price_minor: int


class PaymentView(TypedDict):
    provider: str
    order_id: str
    amount_minor: int
    currency: str
    status: Literal["created", "failed", "captured"]
    payment_id: str | None
    error: str | None
    checkout_url: str  # TravelGo's checkout page for the booking
    provider_checkout_url: str | None  # the provider's hosted page, when it has one


class RefundView(TypedDict):
    id: int
    amount_minor: int
    currency: str
    reason: Literal["cancellation", "late_payment", "duplicate_payment", "wrong_amount"]
    status: Literal["pending", "processed", "failed"]
    provider_refund_id: str | None
    attempts: int
    last_error: str | None
    created_at: datetime
    updated_at: datetime


class Booking(TypedDict, total=False):
    """A booking with every detail: bookings.queries.BOOKING and its kind's SHOWN fields, plus its items,
    payment and refunds.

    Bus bookings fill the trip fields (origin, destination, operator, departs_at, …) and `seats`; hotel bookings the
    stay fields (hotel_name, room_type_name, check_in, …) and `nights`; the other side's fields are None/empty."""

    id: int
    reference: str
    user_id: int
    type: Literal["bus", "hotel", "restaurant", "train", "flight"]
    status: Status
    expires_at: datetime | None  # aware, UTC: when an unpaid hold runs out
    total_minor: int
    currency: str
    contact_email: str
    contact_phone: str | None
    starts_at: datetime
    ends_at: datetime
    created_at: datetime
    refund_minor: int | None
    cancel_reason: str | None
    cancelled_by: str | None
    itinerary_checkout_id: int | None  # held by an itinerary's checkout, paid with the trip's one payment
    cancelled_at: datetime | None
    title: str
    trip_id: int | None
    origin: str | None
    destination: str | None
    operator: str | None
    operator_phone: str | None
    departs_at: datetime | None
    arrives_at: datetime | None
    trip_status: str | None
    boarding_points: list[dict[str, Any]] | None
    dropping_points: list[dict[str, Any]] | None
    boarding_point: dict[str, Any] | None  # the chosen points (stops.service.booking_points); None without points
    dropping_point: dict[str, Any] | None
    seats: list[BookedSeat]
    room_type_id: int | None
    room_type_name: str | None
    hotel_id: int | None
    hotel_name: str | None
    hotel_address: str | None
    hotel_phone: str | None
    hotel_city: str | None
    check_in: date | None
    check_out: date | None
    rooms: int | None
    guests: int | None
    guest_name: str | None
    nights: list[BookedNight]
    restaurant_id: int | None
    restaurant_name: str | None
    restaurant_address: str | None
    restaurant_city: str | None
    restaurant_phone: str | None
    notes: str | None
    tables: list[dict[str, Any]]  # a restaurant booking's table(s): id, label, seats
    payment: PaymentView | None
    refunds: list[RefundView]
    replayed: bool  # on a create: True when an Idempotency-Key returned the original booking
    refund: dict[str, Any]  # on a cancel: the policy applied (bookings.refunds.RefundQuote.as_dict())


class BookingSummary(TypedDict):
    """A row of My bookings."""

    reference: str
    type: Literal["bus", "hotel", "restaurant", "train", "flight"]
    status: Status
    expires_at: datetime | None
    starts_at: datetime
    ends_at: datetime
    total_minor: int
    currency: str
    created_at: datetime
    title: str


class BookingPage(TypedDict):
    items: list[BookingSummary]
    total: int
