"""Validated inputs for hotel search and the hotel page (shared by the HTML pages and the JSON API)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import ClassVar, Literal, get_args

from pydantic import ConfigDict, Field, ValidationInfo, field_validator

from ..dates import BOOKING_HORIZON_DAYS, TravelDate, today_in
from ..querystring import QueryModel, max_price_at_least_min, split_list
from ..rules import GUESTS_PER_ROOM, MAX_NIGHTS, MAX_ROOMS

HotelAmenity = Literal[
    "wifi",
    "pool",
    "parking",
    "breakfast",
    "air_conditioning",
    "gym",
    "spa",
    "restaurant",
    "bar",
    "pets",
    "airport_shuttle",
    "family_rooms",
]
HOTEL_AMENITIES: tuple[str, ...] = get_args(HotelAmenity)  # the SET of hotels.amenities, in display order
HotelSort = Literal["price", "rating", "stars", "distance"]
AMENITY_LABELS = {
    "wifi": "Wi-Fi",
    "pool": "Pool",
    "parking": "Parking",
    "breakfast": "Breakfast",
    "air_conditioning": "Air conditioning",
    "gym": "Gym",
    "spa": "Spa",
    "restaurant": "Restaurant",
    "bar": "Bar",
    "pets": "Pets allowed",
    "airport_shuttle": "Airport shuttle",
    "family_rooms": "Family rooms",
}
SORT_LABELS = {
    "price": "Price (lowest first)",
    "rating": "Guest rating (best first)",
    "stars": "Stars (most first)",
    "distance": "Distance from centre",
}


def _dates(check_in: date | None, check_out: date | None) -> tuple[date, date]:
    check_in = check_in or today_in()
    return check_in, check_out or check_in + timedelta(days=1)


class StayDates(QueryModel):
    """check_in / check_out (default today and the next day), validated as a stay."""

    model_config = ConfigDict(extra="ignore")

    check_in: TravelDate | None = Field(
        None, description=f"YYYY-MM-DD, default today, at most {BOOKING_HORIZON_DAYS} days ahead"
    )
    check_out: TravelDate | None = Field(None, description="YYYY-MM-DD, after check_in, at most 30 nights later")
    guests: int = Field(2, ge=1, le=MAX_ROOMS * GUESTS_PER_ROOM)

    @field_validator("check_out")
    @classmethod
    def _after_check_in(cls, value: date | None, info: ValidationInfo) -> date | None:
        if value is None:
            return value
        if value <= today_in():
            raise ValueError("Check-out must be after today")
        check_in = info.data.get("check_in") or today_in()
        if value <= check_in:
            raise ValueError("Check-out must be after check-in")
        if (value - check_in).days > MAX_NIGHTS:
            raise ValueError(f"Stays can be at most {MAX_NIGHTS} nights")
        return value

    @property
    def stay(self) -> tuple[date, date]:
        return _dates(self.check_in, self.check_out)

    @property
    def nights(self) -> int:
        check_in, check_out = self.stay
        return (check_out - check_in).days


class HotelView(StayDates):
    """GET /hotels/<id> and /api/v1/hotels/<id>."""


class HotelSearch(StayDates):
    """GET /hotels and GET /api/v1/hotels. Prices are per night, in whole currency units (rupees)."""

    field_messages: ClassVar[dict[str, str]] = {  # in the traveller's words (web.parse_model)
        "rooms": f"Choose from 1 to {MAX_ROOMS} rooms.",
        "guests": f"Choose from 1 to {MAX_ROOMS * GUESTS_PER_ROOM} guests.",
        "min_price": "Enter the lowest price a night in whole rupees, such as 1500.",
        "max_price": "Enter the highest price a night in whole rupees, such as 5000.",
        "min_stars": "Choose a star rating from the list.",
        "min_rating": "Choose a guest rating from the list.",
        "max_distance": "Choose a distance from the list.",
    }

    city: int | None = Field(None, ge=1, description="city id")
    rooms: int = Field(1, ge=1, le=MAX_ROOMS)
    min_price: int | None = Field(None, ge=0, le=10_000_000, description="lowest nightly price, whole currency units")
    max_price: int | None = Field(None, ge=0, le=10_000_000, description="highest nightly price, whole currency units")
    min_stars: int | None = Field(None, ge=1, le=5)
    min_rating: float | None = Field(None, ge=0, le=10)
    amenities: list[HotelAmenity] = Field(default_factory=list, description="comma-separated; all must be present")
    max_distance: float | None = Field(None, gt=0, le=100, description="km from the city centre")
    sort: HotelSort = "price"
    show_sold_out: bool = False
    limit: int = Field(20, ge=1, le=100)
    offset: int = Field(0, ge=0, le=100_000)

    @field_validator("amenities", mode="before")
    @classmethod
    def _lists(cls, value):
        return split_list(value)

    _price_range = field_validator("max_price")(max_price_at_least_min)

    @field_validator("rooms")
    @classmethod
    def _guests_fit(cls, value: int, info: ValidationInfo) -> int:
        guests = info.data.get("guests")
        if guests is not None and guests > value * GUESTS_PER_ROOM:
            raise ValueError(f"Rooms sleep at most {GUESTS_PER_ROOM}: add a room for {guests} guests")
        if guests is not None and value > guests:
            raise ValueError("Each room needs at least one guest")
        return value
