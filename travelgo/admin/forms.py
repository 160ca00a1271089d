"""Validated inputs for the admin pages and the admin API (pydantic; a bad field → 422 with its message)."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import ClassVar, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    ValidationInfo,
    create_model,
    field_validator,
    model_validator,
)

from ..buses.forms import TRIP_AMENITIES
from ..dates import AdminDate, known_zone, today_in, wall_now
from ..hotels.forms import HOTEL_AMENITIES
from ..rules import GUESTS_PER_ROOM
from ..text import clean_phone
from ..web import MAX_PAGE

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MAX_SCHEDULE_TRIPS = 500
MAX_INVENTORY_DAYS = 366
REFERENCE = re.compile(r"^TG-[A-Z0-9]{6}$")


def _blank_to_none(value):
    return None if isinstance(value, str) and not value.strip() else value


def _blank_to_zero(value):
    return "0" if isinstance(value, str) and not value.strip() else value


def _minor(price: Decimal) -> int:
    return int((price * 100).to_integral_value())


DEFAULT_CURRENCY = "INR"  # the seed's; new trips and room types are offered the catalogue's (catalogue_currency)
CURRENCY_MESSAGE = {"currency": "Use a three-letter currency code in capitals, such as INR."}


class _Form(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)


# --- places and operators ---------------------------------------------------------------------------


class CityForm(_Form):
    name: str = Field(min_length=1, max_length=100)
    region: str = Field(min_length=1, max_length=100)
    country: str = Field(min_length=2, max_length=2, pattern=r"^[A-Za-z]{2}$")
    latitude: Decimal = Field(ge=-90, le=90, max_digits=9, decimal_places=6)
    longitude: Decimal = Field(ge=-180, le=180, max_digits=9, decimal_places=6)
    timezone: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z_]+(/[A-Za-z0-9_+\-]+)*$")
    format_messages: ClassVar[dict[str, str]] = {
        "country": "Use the country's two-letter code, such as IN.",
        "timezone": "Use a time zone name such as Asia/Kolkata or UTC.",
    }

    @field_validator("country")
    @classmethod
    def _upper(cls, value: str) -> str:
        return value.upper()

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        if not known_zone(value):  # departures and "today" are read on this city's clock
            raise ValueError("This machine does not know that time zone; use a name such as Asia/Kolkata.")
        return value


class OperatorForm(_Form):
    name: str = Field(min_length=1, max_length=100)
    rating: Decimal = Field(default=Decimal("0"), ge=0, le=5, decimal_places=1)  # le and places bound the digits
    contact_email: EmailStr | None = Field(default=None, max_length=254)  # hears of each new booking

    _blank = field_validator("rating", mode="before")(_blank_to_zero)
    _no_contact = field_validator("contact_email", mode="before")(_blank_to_none)


# --- vehicles and their seat layout -------------------------------------------------------------------


class SeatLayout(_Form):
    """A grid of seats: `columns` seats a row, an aisle after seat `aisle_after` (0 = none), on 1 or 2 decks."""

    decks: int = Field(default=1, ge=1, le=2)
    rows: int = Field(ge=1, le=20)
    columns: int = Field(ge=1, le=6)
    aisle_after: int = Field(default=2, ge=0, le=5)
    berth: Literal["seater", "sleeper"] = "seater"

    @model_validator(mode="after")
    def _aisle_inside(self):
        if self.aisle_after >= self.columns and self.aisle_after != 0:
            raise ValueError("The aisle must come after a seat and before the last one (0 means no aisle).")
        return self

    @property
    def layout(self) -> str:
        if not self.aisle_after:
            return str(self.columns)
        return f"{self.aisle_after}+{self.columns - self.aisle_after}"

    @property
    def grid_columns(self) -> int:
        """Columns on the map: the aisle is a column without seats."""
        return self.columns + (1 if self.aisle_after else 0)

    def seats(self) -> list[dict]:
        """Every seat: label, deck, row_no, col_no (aisle column skipped) and kind (window/aisle/middle)."""
        seats = []
        for deck in range(1, self.decks + 1):
            prefix = "" if self.decks == 1 else ("L" if deck == 1 else "U")
            number = 0
            for row in range(1, self.rows + 1):
                for position in range(1, self.columns + 1):
                    number += 1
                    col = position + (1 if self.aisle_after and position > self.aisle_after else 0)
                    if position in (1, self.columns):
                        kind = "window"
                    elif self.aisle_after and position in (self.aisle_after, self.aisle_after + 1):
                        kind = "aisle"
                    else:
                        kind = "middle"
                    seats.append(
                        {"label": f"{prefix}{number}", "deck": deck, "row_no": row, "col_no": col, "kind": kind}
                    )
        return seats


class VehicleForm(SeatLayout):
    operator_id: int = Field(ge=1)
    field_messages: ClassVar[dict[str, str]] = {"operator_id": "Choose an operator."}
    name: str = Field(min_length=1, max_length=100)
    is_ac: bool = False

    @field_validator("is_ac", mode="before")
    @classmethod
    def _checkbox(cls, value):
        return value in (True, "1", "on", "true", "yes", 1)


class VehicleRename(_Form):
    name: str = Field(min_length=1, max_length=100)
    is_ac: bool = False

    _checkbox = field_validator("is_ac", mode="before")(VehicleForm._checkbox.__func__)


# --- trips ------------------------------------------------------------------------------------------


class _TripBase(_Form):
    vehicle_id: int = Field(ge=1)
    origin_id: int = Field(ge=1)
    destination_id: int = Field(ge=1)
    duration_minutes: int = Field(ge=10, le=4000)
    price: Decimal = Field(gt=0, le=100000, decimal_places=2)
    currency: str = Field(default=DEFAULT_CURRENCY, pattern=r"^[A-Z]{3}$")  # pages fill in the catalogue's
    format_messages: ClassVar[dict[str, str]] = CURRENCY_MESSAGE
    amenities: list[Literal[TRIP_AMENITIES]] = Field(default_factory=list)  # type: ignore[valid-type]
    boarding_point: str = Field(default="Central Bus Station", min_length=1, max_length=100)
    dropping_point: str = Field(default="Coach Terminal", min_length=1, max_length=100)
    # more points, one a line: "minutes after departure (boarding) or before arrival (dropping), name, landmark"
    boarding_stops: str = Field(default="", max_length=2000)
    dropping_stops: str = Field(default="", max_length=2000)
    field_messages: ClassVar[dict[str, str]] = {
        "vehicle_id": "Choose a vehicle.",
        "origin_id": "Choose the city the bus leaves from.",
        "destination_id": "Choose the city the bus goes to.",
        "weekdays": "Choose at least one day of the week.",
        "amenities": "Choose amenities from the list.",
    }

    _boarding_stops = field_validator("boarding_stops")(lambda v: _stop_lines(v, "after departure"))
    _dropping_stops = field_validator("dropping_stops")(lambda v: _stop_lines(v, "before arrival"))

    @model_validator(mode="after")
    def _route(self):
        if self.origin_id == self.destination_id:
            raise ValueError("Origin and destination must be different cities.")
        return self

    @model_validator(mode="after")
    def _stops_within_trip(self):
        for name in ("boarding_stops", "dropping_stops"):
            if any(minutes >= self.duration_minutes for minutes, _, _ in parse_stops(getattr(self, name))):
                raise ValueError("Each extra point's minutes must be less than the trip's duration.")
        return self

    @property
    def price_minor(self) -> int:
        return _minor(self.price)

    def points(self, departs_at: datetime) -> dict[str, list[tuple[str, str | None, datetime]]]:
        """The trip's boarding and dropping points in order, (name, landmark, wall-clock time at the origin)."""
        arrives_at = departs_at + timedelta(minutes=self.duration_minutes)
        boarding = [(self.boarding_point, None, departs_at)] + [
            (name, landmark, departs_at + timedelta(minutes=m))
            for m, name, landmark in parse_stops(self.boarding_stops)
        ]
        dropping = [
            (name, landmark, arrives_at - timedelta(minutes=m))
            for m, name, landmark in reversed(parse_stops(self.dropping_stops))
        ] + [(self.dropping_point, None, arrives_at)]
        return {"boarding": boarding, "dropping": dropping}


MAX_EXTRA_STOPS = 6
STOP_LINE = re.compile(r"^\s*(\d{1,4})\s*,\s*([^,]{1,100}?)\s*(?:,\s*(.{0,200}?))?\s*$")


def parse_stops(text: str) -> list[tuple[int, str, str | None]]:
    """The extra points typed one a line ("30, Silk Board, Hosur road flyover"), sorted by minutes."""
    stops = []
    for line in text.splitlines():
        match = STOP_LINE.match(line)
        if match:
            stops.append((int(match.group(1)), match.group(2), match.group(3) or None))
    return sorted(stops)


def _stop_lines(value: str, relative: str) -> str:
    lines = [line.strip() for line in value.splitlines() if line.strip()]
    if len(lines) > MAX_EXTRA_STOPS:
        raise ValueError(f"Give at most {MAX_EXTRA_STOPS} extra points.")
    for line in lines:
        match = STOP_LINE.match(line)
        if not match or not 1 <= int(match.group(1)):
            raise ValueError(
                f"Write each point as: minutes {relative}, name, landmark (e.g. 30, Silk Board, Hosur road). "
                f"This line is not: {line[:60]}"
            )
    minutes = [int(STOP_LINE.match(line).group(1)) for line in lines]
    if len(set(minutes)) != len(minutes):
        raise ValueError("Give each extra point its own time.")
    return "\n".join(lines)


class TripForm(_TripBase):
    """One trip, departing in the future."""

    departs_time: time  # before departs_on, so that departs_on's check can see it
    departs_on: AdminDate

    @field_validator("departs_on")
    @classmethod
    def _in_future(cls, value: date, info: ValidationInfo) -> date:
        if datetime.combine(value, info.data.get("departs_time", time.max)) <= wall_now():
            raise ValueError("The departure must be in the future.")
        return value

    @property
    def departures(self) -> list[datetime]:
        return [datetime.combine(self.departs_on, self.departs_time.replace(second=0, microsecond=0))]


class ScheduleForm(_TripBase):
    """A recurring schedule: every chosen weekday in [start, end] at each of the given times."""

    start: AdminDate
    end: AdminDate
    weekdays: list[Literal[WEEKDAYS]] = Field(min_length=1)  # type: ignore[valid-type]
    times: str = Field(min_length=4, max_length=200)

    @field_validator("times")
    @classmethod
    def _times(cls, value: str) -> str:
        parts = [p.strip() for p in re.split(r"[,\s]+", value) if p.strip()]
        for part in parts:
            if not re.fullmatch(r"([01]?\d|2[0-3]):[0-5]\d", part):
                raise ValueError("Enter times as HH:MM separated by commas, e.g. 08:00, 14:30")
        return ", ".join(sorted(set(f"{int(p.split(':')[0]):02d}:{p.split(':')[1]}" for p in parts)))

    @field_validator("start")
    @classmethod
    def _not_past(cls, value: date) -> date:
        if value < today_in():
            raise ValueError("The departures must be in the future: start today or later.")
        return value

    @model_validator(mode="after")
    def _range(self):
        if self.end < self.start:
            raise ValueError("The end date must be on or after the start date.")
        if (self.end - self.start).days > MAX_INVENTORY_DAYS:
            raise ValueError("A schedule can cover at most one year.")
        if len(self.departures) > MAX_SCHEDULE_TRIPS:
            raise ValueError(f"That would create more than {MAX_SCHEDULE_TRIPS} trips; choose a shorter range.")
        if not self.departures:
            raise ValueError("No date in that range falls on the chosen weekdays.")
        if self.departures[0] <= wall_now():
            raise ValueError("The departures must be in the future: choose later times or a later start.")
        return self

    @property
    def departures(self) -> list[datetime]:
        chosen = {WEEKDAYS.index(w) for w in self.weekdays}
        times = [time.fromisoformat(t) for t in self.times.split(", ")]
        result = []
        day = self.start
        while day <= self.end:
            if day.weekday() in chosen:
                result.extend(datetime.combine(day, t) for t in times)
            day += timedelta(days=1)
        return result


class TripPrice(_Form):
    price: Decimal = Field(gt=0, le=100000, decimal_places=2)

    @property
    def price_minor(self) -> int:
        return _minor(self.price)


class TripSeats(_Form):
    seats_total: int = Field(ge=0, le=2000)


class CancelForm(_Form):
    reason: str = Field(min_length=3, max_length=255)


# --- hotels -----------------------------------------------------------------------------------------


class HotelForm(_Form):
    city_id: int = Field(ge=1)
    field_messages: ClassVar[dict[str, str]] = {"city_id": "Choose a city."}
    name: str = Field(min_length=1, max_length=150)
    description: str = Field(min_length=1, max_length=5000)
    address: str = Field(min_length=1, max_length=255)
    area: str = Field(min_length=1, max_length=100)
    stars: int = Field(ge=1, le=5)
    rating: Decimal = Field(default=Decimal("0"), ge=0, le=10, max_digits=3, decimal_places=1)
    amenities: list[Literal[HOTEL_AMENITIES]] = Field(default_factory=list)  # type: ignore[valid-type]
    latitude: Decimal = Field(ge=-90, le=90, max_digits=9, decimal_places=6)
    longitude: Decimal = Field(ge=-180, le=180, max_digits=9, decimal_places=6)
    distance_km: Decimal = Field(default=Decimal("0"), ge=0, le=999, max_digits=5, decimal_places=2)
    contact_email: EmailStr | None = Field(default=None, max_length=254)  # hears of each new booking

    _no_contact = field_validator("contact_email", mode="before")(_blank_to_none)

    _blank = field_validator("rating", "distance_km", mode="before")(_blank_to_zero)


class RoomTypeForm(_Form):
    name: str = Field(min_length=1, max_length=100)
    max_guests: int = Field(ge=1, le=GUESTS_PER_ROOM)
    beds: str = Field(min_length=1, max_length=100)
    base_price: Decimal = Field(gt=0, le=100000, decimal_places=2)
    currency: str = Field(default=DEFAULT_CURRENCY, pattern=r"^[A-Z]{3}$")  # pages fill in the catalogue's
    format_messages: ClassVar[dict[str, str]] = CURRENCY_MESSAGE

    @property
    def base_price_minor(self) -> int:
        return _minor(self.base_price)


# --- restaurants ------------------------------------------------------------------------------------

SLOT_CHOICES = (5, 10, 15, 20, 30, 60)  # the restaurants table's CHECK
SPANS_PER_DAY = 2  # a lunch and a dinner service


class RestaurantForm(_Form):
    """A restaurant's details and booking policy. `partner_id` (the business running it) is the admin's to set;
    a partner's own form keeps it as it is."""

    city_id: int = Field(ge=1)
    partner_id: int | None = Field(default=None, ge=1)
    field_messages: ClassVar[dict[str, str]] = {
        "city_id": "Choose a city.",
        "slot_minutes": f"Choose {', '.join(map(str, SLOT_CHOICES))} minutes.",
        "price_level": "Choose a price level from ₹ to ₹₹₹₹.",
    }
    name: str = Field(min_length=1, max_length=150)
    description: str = Field(min_length=1, max_length=5000)
    address: str = Field(min_length=1, max_length=255)
    area: str = Field(min_length=1, max_length=100)
    cuisine: str = Field(min_length=1, max_length=40)
    price_level: int = Field(ge=1, le=4)
    slot_minutes: Literal[SLOT_CHOICES] = 15  # type: ignore[valid-type]
    sitting_minutes: int = Field(default=90, ge=30, le=360)
    confirmation: Literal["instant", "request"] = "instant"
    response_minutes: int = Field(default=120, ge=5, le=2880)
    deposit: Decimal = Field(default=Decimal("0"), ge=0, le=100000, decimal_places=2)  # per guest; 0: none
    currency: str = Field(default=DEFAULT_CURRENCY, pattern=r"^[A-Z]{3}$")
    free_cancel_hours: int = Field(default=2, ge=0, le=720)
    combine_tables: bool = False
    max_party: int = Field(default=10, ge=1, le=40)
    contact_email: EmailStr | None = Field(default=None, max_length=254)  # hears of each new booking
    contact_phone: str | None = Field(default=None, max_length=20)  # the number guests call
    format_messages: ClassVar[dict[str, str]] = CURRENCY_MESSAGE

    _blanks = field_validator("partner_id", "contact_email", "contact_phone", mode="before")(_blank_to_none)
    _zero = field_validator("deposit", mode="before")(_blank_to_zero)
    _phone = field_validator("contact_phone")(clean_phone)

    @field_validator("slot_minutes", mode="before")
    @classmethod
    def _slot_number(cls, value):
        return int(value) if isinstance(value, str) and value.strip().isdigit() else value

    @field_validator("combine_tables", mode="before")
    @classmethod
    def _flag(cls, value):
        return value in (True, "1", "on", "true", "yes", 1)

    @field_validator("sitting_minutes")
    @classmethod
    def _whole_slots(cls, value: int, info: ValidationInfo) -> int:
        slot = info.data.get("slot_minutes")
        if slot and value % slot:
            raise ValueError(
                f"Make the sitting a whole number of {slot}-minute slots, such as {value // slot * slot or slot}."
            )
        return value

    @property
    def deposit_minor(self) -> int:
        return _minor(self.deposit)

    def row(self) -> dict:
        """The restaurants columns this form sets (partner_id aside)."""
        return {**self.model_dump(exclude={"deposit", "partner_id"}), "deposit_minor": self.deposit_minor}


def _span_fields() -> dict:
    return {
        f"{day}_{edge}{n}": (time | None, None)
        for day in WEEKDAYS
        for n in range(1, SPANS_PER_DAY + 1)
        for edge in ("opens", "closes")
    }


class _HoursBase(_Form):
    """Opening hours for the week: per weekday up to two services (`mon_opens1`/`mon_closes1`, …2); a day with none
    is closed. A service ends the same day it starts."""

    @field_validator("*", mode="before")
    @classmethod
    def _blank(cls, value):
        return _blank_to_none(value)

    @model_validator(mode="after")
    def _spans(self):
        errors = []
        for day in WEEKDAYS:
            last = None
            for n in range(1, SPANS_PER_DAY + 1):
                opens, closes = getattr(self, f"{day}_opens{n}"), getattr(self, f"{day}_closes{n}")
                if (opens is None) != (closes is None):
                    errors.append(f"{day.title()}: give both the opening and the closing time of service {n}.")
                elif opens is not None and closes <= opens:
                    errors.append(f"{day.title()}: service {n} must close after it opens (on the same day).")
                elif opens is not None and last is not None and opens < last:
                    errors.append(f"{day.title()}: service {n} must start after service {n - 1} closes.")
                elif opens is not None:
                    last = closes
        if errors:
            raise ValueError(" ".join(errors))
        return self

    def spans(self) -> list[tuple[int, time, time]]:
        """(weekday 0 = Monday, opens, closes) for every service given."""
        return [
            (index, getattr(self, f"{day}_opens{n}"), getattr(self, f"{day}_closes{n}"))
            for index, day in enumerate(WEEKDAYS)
            for n in range(1, SPANS_PER_DAY + 1)
            if getattr(self, f"{day}_opens{n}") is not None
        ]


HoursForm = create_model("HoursForm", __base__=_HoursBase, **_span_fields())


class TableForm(_Form):
    label: str = Field(min_length=1, max_length=16)
    seats: int = Field(ge=1, le=20)  # the restaurant_tables CHECK
    field_messages: ClassVar[dict[str, str]] = {"seats": "A table seats 1 to 20."}


class TableLinkForm(_Form):
    """Two tables that stand side by side (may be pushed together), or, with linked=False, no longer do."""

    table_id: int = Field(ge=1)
    adjacent_id: int = Field(ge=1)
    linked: bool = True
    field_messages: ClassVar[dict[str, str]] = {"table_id": "Choose a table.", "adjacent_id": "Choose a table."}

    @field_validator("linked", mode="before")
    @classmethod
    def _flag(cls, value):
        return value in (True, "1", "on", "true", "yes", 1)

    @model_validator(mode="after")
    def _two(self):
        if self.table_id == self.adjacent_id:
            raise ValueError("Choose two different tables.")
        return self

    @property
    def pair(self) -> tuple[int, int]:
        """Lower id first, as restaurant_table_links stores them."""
        return min(self.table_id, self.adjacent_id), max(self.table_id, self.adjacent_id)


class _DateRange(_Form):
    room_type_id: int = Field(ge=1)
    start: AdminDate
    end: AdminDate

    @model_validator(mode="after")
    def _range(self):
        if self.end < self.start:
            raise ValueError("The last night must be on or after the first night.")
        if (self.end - self.start).days >= MAX_INVENTORY_DAYS:
            raise ValueError(f"Set at most {MAX_INVENTORY_DAYS} nights at once.")
        return self

    @property
    def nights(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range((self.end - self.start).days + 1)]


class InventoryForm(_DateRange):
    """Rooms and nightly price for every night from start to end (inclusive)."""

    rooms_total: int = Field(ge=0, le=5000)
    price: Decimal = Field(gt=0, le=100000, decimal_places=2)

    @property
    def price_minor(self) -> int:
        return _minor(self.price)


class StopSellForm(_DateRange):
    stop_sell: bool = True

    @field_validator("stop_sell", mode="before")
    @classmethod
    def _flag(cls, value):
        return value in (True, "1", "on", "true", "yes", 1)


# --- searches ---------------------------------------------------------------------------------------


class Page(_Form):
    q: str | None = Field(default=None, max_length=100)
    page: int = Field(default=1, ge=1, le=MAX_PAGE)

    _blank = field_validator("q", mode="before")(_blank_to_none)


class TripFilter(Page):
    origin_id: int | None = None
    destination_id: int | None = None
    operator_id: int | None = None
    status: Literal["scheduled", "cancelled"] | None = None
    date_from: AdminDate | None = None
    date_to: AdminDate | None = None

    _blanks = field_validator(
        "origin_id", "destination_id", "operator_id", "status", "date_from", "date_to", mode="before"
    )(_blank_to_none)


class HotelFilter(Page):
    city_id: int | None = None

    _blanks = field_validator("city_id", mode="before")(_blank_to_none)


class RestaurantFilter(Page):
    city_id: int | None = None

    _blanks = field_validator("city_id", mode="before")(_blank_to_none)


def _upper(value: str | None) -> str | None:
    return value.upper() if value else value


def _lower(value: str | None) -> str | None:
    return value.lower() if value else value


class MoneyFilter(_Form):
    """Filters of the payments and refunds lists: status, booking reference, traveller e-mail."""

    status: str | None = Field(default=None, max_length=16)
    reference: str | None = Field(default=None, max_length=9)
    email: str | None = Field(default=None, max_length=254)
    page: int = Field(default=1, ge=1, le=MAX_PAGE)

    _blanks = field_validator("status", "reference", "email", mode="before")(_blank_to_none)

    _reference = field_validator("reference")(_upper)
    _email = field_validator("email")(_lower)


class PaymentFilter(MoneyFilter):
    status: Literal["created", "failed", "captured"] | None = None


class RefundFilter(MoneyFilter):
    status: Literal["pending", "processed", "failed"] | None = None


class NotificationFilter(_Form):
    """Filters of the notifications list: status, kind, channel, and a recipient or booking reference (q)."""

    status: Literal["pending", "sent", "failed", "skipped"] | None = None
    kind: str | None = Field(default=None, max_length=40, pattern=r"^[a-z_]+$")
    channel: Literal["email", "sms", "whatsapp"] | None = None
    q: str | None = Field(default=None, max_length=254)
    page: int = Field(default=1, ge=1, le=MAX_PAGE)

    _blanks = field_validator("status", "kind", "channel", "q", mode="before")(_blank_to_none)


class BookingFilter(_Form):
    """Filters shared by the bookings page, its CSV export and GET /api/v1/admin/bookings."""

    reference: str | None = Field(default=None, max_length=9)
    email: str | None = Field(default=None, max_length=254)
    type: Literal["bus", "hotel", "restaurant"] | None = None
    status: Literal["pending_payment", "confirmed", "expired", "cancelled", "requested", "rejected"] | None = None
    date_from: AdminDate | None = None
    date_to: AdminDate | None = None
    date_on: Literal["travel", "booked"] = "travel"

    _blanks = field_validator("reference", "email", "type", "status", "date_from", "date_to", "date_on", mode="before")(
        _blank_to_none
    )

    @field_validator("date_on", mode="before")
    @classmethod
    def _default_on(cls, value):
        return value or "travel"

    _reference = field_validator("reference")(_upper)
    _email = field_validator("email")(_lower)

    @model_validator(mode="after")
    def _range(self):
        if self.date_from and self.date_to and self.date_to < self.date_from:
            raise ValueError("The end date must be on or after the start date.")
        return self


class StatsRange(_Form):
    """A date range for the dashboard (inclusive), at most two years."""

    model_config = ConfigDict(str_strip_whitespace=True, populate_by_name=True)

    date_from: AdminDate | None = Field(default=None, alias="from")
    date_to: AdminDate | None = Field(default=None, alias="to")

    _blanks = field_validator("date_from", "date_to", mode="before")(_blank_to_none)

    @model_validator(mode="after")
    def _defaults(self):
        today = today_in()
        self.date_to = self.date_to or today
        self.date_from = self.date_from or (self.date_to - timedelta(days=29))
        if self.date_to < self.date_from:
            raise ValueError("'to' must be on or after 'from'.")
        if (self.date_to - self.date_from).days > 731:
            raise ValueError("Choose a range of at most two years.")
        return self


class AuditFilter(Page):
    entity: str | None = Field(default=None, max_length=32)
    action: str | None = Field(default=None, max_length=64)
    user_email: str | None = Field(default=None, max_length=254)
    date_from: AdminDate | None = None
    date_to: AdminDate | None = None

    _blanks = field_validator("entity", "action", "user_email", "date_from", "date_to", mode="before")(_blank_to_none)


class ReviewFilter(_Form):
    """Filters of the reviews list: about an operator or a hotel, stars, visible/hidden/unanswered, and a booking
    reference, traveller e-mail or business name (q)."""

    kind: Literal["operator", "hotel"] | None = None
    rating: int | None = Field(default=None, ge=1, le=5)
    state: Literal["visible", "hidden", "unanswered"] | None = None
    q: str | None = Field(default=None, max_length=254)
    page: int = Field(default=1, ge=1, le=MAX_PAGE)

    _blanks = field_validator("kind", "rating", "state", "q", mode="before")(_blank_to_none)
