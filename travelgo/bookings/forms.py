"""Validated booking inputs, shared by the HTML forms and the JSON API."""

from __future__ import annotations

import datetime as dt
from datetime import date
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, RootModel, ValidationError, ValidationInfo, field_validator

from ..dates import TravelDate
from ..rules import GUESTS_PER_ROOM, MAX_NIGHTS, MAX_PARTY, MAX_ROOMS, MAX_SEATS
from ..text import clean_name, clean_phone
from ..web import friendly_message

IDEMPOTENCY_KEY_MAX = 64
QUOTED_TOTAL_MAX = 10**15  # minor units; far above any booking, well inside BIGINT
QUOTE_UNREADABLE = "The price on this form could not be read. Please reload the page and try again."

ExpectedTotal = Annotated[
    int | None,
    Field(
        ge=0,
        le=QUOTED_TOTAL_MAX,
        description="The total (minor units) the client showed and the traveller agreed to. When the price is "
        "different now, nothing is booked: 409 with `code: price_changed` and the current `total_minor`.",
    ),
]


class Passenger(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=120)
    age: int = Field(ge=0, le=120)
    gender: Literal["female", "male", "other"] | None = None

    _name = field_validator("name")(clean_name)

    @field_validator("gender", mode="before")
    @classmethod
    def _blank_gender(cls, value):
        return None if value == "" else value


def _clean_seats(seats: list[str]) -> list[str]:
    cleaned = [s.strip() for s in seats]
    if any(not s for s in cleaned):
        raise ValueError("Seat labels cannot be empty")
    if len(set(cleaned)) != len(cleaned):
        raise ValueError("Each seat can be chosen only once")
    return cleaned


class Contact(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    contact_email: EmailStr | None = Field(default=None, max_length=254)
    contact_phone: str | None = Field(default=None, max_length=32)

    _phone = field_validator("contact_phone")(clean_phone)

    @field_validator("contact_email", mode="before")
    @classmethod
    def _blank_email(cls, value):
        return None if isinstance(value, str) and not value.strip() else value


class BusBookingIn(Contact):
    """A bus booking: 1-6 seats on one trip and a passenger per seat, in the same order."""

    type: Literal["bus"]
    trip_id: int = Field(gt=0)
    seats: list[Annotated[str, Field(min_length=1, max_length=8)]] = Field(min_length=1, max_length=MAX_SEATS)
    passengers: list[Passenger] = Field(min_length=1, max_length=MAX_SEATS)
    expected_total_minor: ExpectedTotal = None
    boarding_point_id: int | None = Field(
        default=None, gt=0, description="one of the trip's `boarding_points` (its id); left out: the first"
    )
    dropping_point_id: int | None = Field(
        default=None, gt=0, description="one of the trip's `dropping_points` (its id); left out: the last"
    )

    _seats = field_validator("seats")(_clean_seats)

    @field_validator("passengers")
    @classmethod
    def _passenger_per_seat(cls, value: list[Passenger], info: ValidationInfo) -> list[Passenger]:
        seats = info.data.get("seats")
        if seats is not None and len(value) != len(seats):
            raise ValueError(f"Give one passenger per seat ({len(seats)} seats, {len(value)} passengers)")
        return value


class SegmentBookingIn(BusBookingIn):
    """A train or flight booking: seats or berths on one trip from `origin` to `destination` (city ids of two of its
    stops, in route order; boarding at an intermediate stop is fine) and a passenger per seat, in the same order."""

    type: Literal["train", "flight"]
    origin: int = Field(gt=0)
    destination: int = Field(gt=0)


class Stay(BaseModel):
    """Dates, rooms and guests of a hotel stay (nights are check_in .. check_out - 1)."""

    field_messages: ClassVar[dict[str, str]] = {  # in the traveller's words (web.parse_model)
        "rooms": f"Choose from 1 to {MAX_ROOMS} rooms.",
        "guests": f"Choose from 1 to {MAX_ROOMS * GUESTS_PER_ROOM} guests.",
    }

    room_type_id: int = Field(gt=0)
    check_in: TravelDate
    check_out: TravelDate
    rooms: int = Field(default=1, ge=1, le=MAX_ROOMS)
    guests: int = Field(default=1, ge=1, le=MAX_ROOMS * GUESTS_PER_ROOM)

    @field_validator("check_out")
    @classmethod
    def _after_check_in(cls, value: date, info: ValidationInfo) -> date:
        check_in = info.data.get("check_in")
        if check_in is not None and value <= check_in:
            raise ValueError("Check-out must be after check-in")
        if check_in is not None and (value - check_in).days > MAX_NIGHTS:
            raise ValueError(f"A stay can be at most {MAX_NIGHTS} nights")
        return value

    @field_validator("guests")
    @classmethod
    def _guest_per_room(cls, value: int, info: ValidationInfo) -> int:
        rooms = info.data.get("rooms")
        if rooms is not None and value < rooms:
            raise ValueError("Each room needs at least one guest")
        return value

    def quote_key(self) -> str:
        """The stay in one string, as the review form carries it (quoted_stay): another stay needs a new quote."""
        return (
            f"{self.room_type_id}:{self.check_in.isoformat()}:{self.check_out.isoformat()}:{self.rooms}:{self.guests}"
        )


class HotelBookingIn(Stay, Contact):
    """A hotel booking: rooms of one room type for every night from check_in to check_out."""

    model_config = ConfigDict(str_strip_whitespace=True)

    type: Literal["hotel"]
    guest_name: str = Field(min_length=1, max_length=120)
    expected_total_minor: ExpectedTotal = None

    _name = field_validator("guest_name")(clean_name)


class GuestForm(Contact):
    """The HTML hotel form's own fields (the stay comes from the query string)."""

    guest_name: str = Field(min_length=1, max_length=120)
    idempotency_key: str = Field(min_length=8, max_length=IDEMPOTENCY_KEY_MAX, pattern=r"^[A-Za-z0-9_\-]+$")

    _name = field_validator("guest_name")(clean_name)


class TableRequest(BaseModel):
    """A restaurant sitting: which restaurant, which day and time (the restaurant's clock), how many guests."""

    model_config = ConfigDict(str_strip_whitespace=True)

    restaurant_id: int = Field(gt=0)
    date: TravelDate
    time: dt.time = Field(description="the sitting's start, HH:MM on the restaurant's slot grid")
    party_size: int = Field(ge=1, le=MAX_PARTY)


class RestaurantBookingIn(TableRequest, Contact):
    """A table booking: the restaurant assigns the smallest free table (or two adjacent ones) that seats the party."""

    model_config = ConfigDict(str_strip_whitespace=True)

    type: Literal["restaurant"]
    guest_name: str = Field(min_length=1, max_length=120)
    notes: str | None = Field(default=None, max_length=500)
    expected_total_minor: ExpectedTotal = None

    _name = field_validator("guest_name")(clean_name)


class BookingCreate(
    RootModel[
        Annotated[BusBookingIn | SegmentBookingIn | HotelBookingIn | RestaurantBookingIn, Field(discriminator="type")]
    ]
):
    """POST /api/v1/bookings: a bus, train, flight, hotel or restaurant booking, told apart by `type`."""


class BookingScope(BaseModel):
    scope: Literal["upcoming", "past", "cancelled", "all"] = "upcoming"
    limit: int = Field(default=50, ge=1, le=100)
    offset: int = Field(default=0, ge=0, le=100_000)


class CancelIn(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    reason: str | None = Field(default=None, max_length=255)


class IdempotencyHeaders(BaseModel):
    """Send the same Idempotency-Key again (after a timeout, say) and get the original booking back."""

    idempotency_key: str | None = Field(
        default=None, min_length=1, max_length=IDEMPOTENCY_KEY_MAX, pattern=r"^[A-Za-z0-9_\-:.]+$"
    )


PASSENGER_MESSAGES = {  # for a missing or empty value, and any error of age or gender
    "name": "Enter the passenger's name",
    "age": "Enter an age from 0 to 120",
    "gender": "Choose female, male, other or leave it blank",
}


def parse_quoted_total(form: dict[str, Any]) -> tuple[int | None, str | None]:
    """The review form's hidden quoted_total_minor: (total, None), (None, None) when absent, (None, message) when
    it is not a whole number of minor units (a form tampered with or cut short)."""
    raw = (form.get("quoted_total_minor") or "").strip()
    if not raw:
        return None, None
    if not (raw.isascii() and raw.isdigit()) or int(raw) > QUOTED_TOTAL_MAX:
        return None, QUOTE_UNREADABLE
    return int(raw), None


BUS_POINT_FIELDS = ("boarding_point_id", "dropping_point_id")  # a bus's own: a train or flight boards at its stops


def parse_bus_form(form: dict[str, Any]) -> tuple[dict[str, Any] | None, dict[str, str]]:
    """The HTML bus form: seats, p-<i>-name/age/gender per seat, contact and the idempotency key.

    Errors are keyed by the form field names (p-0-name, contact_email, …) so each shows beside its input.
    """
    errors: dict[str, str] = {}
    seats = [s.strip() for s in form.get("seats", []) if s.strip()]
    if not 1 <= len(seats) <= MAX_SEATS or len(set(seats)) != len(seats):
        errors["seats"] = f"Choose between 1 and {MAX_SEATS} different seats"
    riders = []
    for i in range(len(seats)):
        values = {k: form.get(f"p-{i}-{k}") for k in ("name", "age", "gender")}
        try:
            riders.append(Passenger.model_validate(values).model_dump())
        except ValidationError as exc:
            for error in exc.errors(include_url=False, include_input=False):
                name = str(error["loc"][0]) if error["loc"] else "name"
                empty = error["type"] in ("missing", "string_too_short") or name != "name"
                errors.setdefault(f"p-{i}-{name}", PASSENGER_MESSAGES[name] if empty else friendly_message(error))
    try:
        contact = Contact.model_validate({k: form.get(k) for k in ("contact_email", "contact_phone")})
    except ValidationError as exc:
        for error in exc.errors(include_url=False, include_context=False, include_input=False):
            errors.setdefault(str(error["loc"][0]), _message(error))
        contact = None
    key = form.get("idempotency_key") or ""
    if not (8 <= len(key) <= IDEMPOTENCY_KEY_MAX) or not key.replace("-", "").replace("_", "").isalnum():
        errors["__all__"] = "This form has expired. Please reload the page and try again."
    quoted_total, quote_error = parse_quoted_total(form)
    if quote_error:
        errors.setdefault("__all__", quote_error)
    points = {}
    for name, kind in zip(BUS_POINT_FIELDS, ("boarding", "dropping"), strict=True):
        raw = (form.get(name) or "").strip()
        if raw and not (raw.isascii() and raw.isdigit() and 0 < int(raw) < 2**63):
            errors[name] = f"Choose one of this bus's {kind} points."
        points[name] = int(raw) if raw and name not in errors else None
    if errors:
        return None, errors
    return {
        "seats": seats,
        "passengers": riders,
        "contact_email": contact.contact_email,
        "contact_phone": contact.contact_phone,
        "idempotency_key": key,
        "expected_total_minor": quoted_total,
        **points,
    }, {}


def _message(error: dict) -> str:
    message = error["msg"].removeprefix("Value error, ")
    if error["type"] == "missing":
        return "This field is required"
    return message
