"""Validated inputs for bus search and the trip page (shared by the HTML pages and the JSON API)."""

from __future__ import annotations

from datetime import date as Date
from typing import ClassVar, Literal, get_args

from pydantic import ConfigDict, Field, ValidationInfo, field_validator

from ..dates import BOOKING_HORIZON_DAYS, TravelDate, today_in
from ..querystring import QueryModel, max_price_at_least_min, split_list

DepartureWindow = Literal["early_morning", "morning", "afternoon", "evening", "night"]
BusType = Literal["ac_seater", "ac_sleeper", "non_ac_seater", "non_ac_sleeper"]
TripAmenity = Literal[
    "wifi", "charging", "water", "blanket", "snacks", "toilet", "tv", "reading_light", "live_tracking"
]
TRIP_AMENITIES: tuple[str, ...] = get_args(TripAmenity)  # the SET of trips.amenities, in display order
TripSort = Literal["price", "departure", "duration", "rating"]

# [start hour, end hour) of each departure window
WINDOWS: dict[str, tuple[int, int]] = {
    "early_morning": (0, 6),
    "morning": (6, 12),
    "afternoon": (12, 17),
    "evening": (17, 21),
    "night": (21, 24),
}
WINDOW_LABELS = {
    "early_morning": "Early morning (before 06:00)",
    "morning": "Morning (06:00–12:00)",
    "afternoon": "Afternoon (12:00–17:00)",
    "evening": "Evening (17:00–21:00)",
    "night": "Night (after 21:00)",
}
BUS_TYPE_LABELS = {
    "ac_seater": "AC seater",
    "ac_sleeper": "AC sleeper",
    "non_ac_seater": "Non-AC seater",
    "non_ac_sleeper": "Non-AC sleeper",
}
AMENITY_LABELS = {
    "wifi": "Wi-Fi",
    "charging": "Charging point",
    "water": "Water bottle",
    "blanket": "Blanket",
    "snacks": "Snacks",
    "toilet": "Toilet",
    "tv": "TV",
    "reading_light": "Reading light",
    "live_tracking": "Live tracking",
}
SORT_LABELS = {
    "departure": "Departure time",
    "price": "Price (lowest first)",
    "duration": "Duration (shortest first)",
    "rating": "Operator rating (best first)",
}
MAX_PASSENGERS = 6


class BusSearch(QueryModel):
    """GET /buses and GET /api/v1/bus-trips. Prices are whole currency units (rupees), not minor units."""

    field_messages: ClassVar[dict[str, str]] = {  # in the traveller's words (web.parse_model)
        "passengers": f"Choose from 1 to {MAX_PASSENGERS} passengers.",
        "min_price": "Enter the lowest fare in whole rupees, such as 500.",
        "max_price": "Enter the highest fare in whole rupees, such as 1500.",
        "min_seats": "Enter how many free seats the bus should have, such as 2.",
    }

    model_config = ConfigDict(extra="ignore")

    origin: int | None = Field(None, ge=1, description="origin city id")
    destination: int | None = Field(None, ge=1, description="destination city id")
    date: TravelDate | None = Field(
        None, description=f"travel date, YYYY-MM-DD (default today, at most {BOOKING_HORIZON_DAYS} days ahead)"
    )
    passengers: int = Field(1, ge=1, le=MAX_PASSENGERS, description="seats needed, 1-6")
    min_price: int | None = Field(None, ge=0, le=1_000_000, description="lowest fare per seat, whole currency units")
    max_price: int | None = Field(None, ge=0, le=1_000_000, description="highest fare per seat, whole currency units")
    departure: list[DepartureWindow] = Field(default_factory=list, description="comma-separated departure windows")
    bus_type: list[BusType] = Field(default_factory=list, description="comma-separated bus types")
    operator: list[int] = Field(default_factory=list, description="comma-separated operator ids")
    amenities: list[TripAmenity] = Field(default_factory=list, description="comma-separated; all must be present")
    min_seats: int | None = Field(None, ge=1, le=60, description="minimum free seats")
    sort: TripSort = "departure"
    limit: int = Field(20, ge=1, le=100)
    offset: int = Field(0, ge=0, le=100_000)

    @field_validator("departure", "bus_type", "operator", "amenities", mode="before")
    @classmethod
    def _lists(cls, value):
        return split_list(value)

    @field_validator("destination")
    @classmethod
    def _not_origin(cls, value: int | None, info: ValidationInfo) -> int | None:
        if value is not None and value == info.data.get("origin"):
            raise ValueError("Origin and destination must be different cities")
        return value

    _price_range = field_validator("max_price")(max_price_at_least_min)

    @property
    def day(self) -> Date:
        return self.date or today_in()


class TripView(QueryModel):
    """GET /buses/<trip_id>: passengers, the seats chosen so far, and the seat just pressed."""

    model_config = ConfigDict(extra="ignore")

    passengers: int = Field(1, ge=1, le=MAX_PASSENGERS)
    seats: list[str] = Field(default_factory=list, max_length=MAX_PASSENGERS * 2)
    toggle: str | None = Field(None, max_length=8)

    @field_validator("seats", mode="before")
    @classmethod
    def _lists(cls, value):
        return [str(s)[:8] for s in split_list(value)]
