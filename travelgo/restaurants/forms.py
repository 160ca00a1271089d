"""Validated inputs for restaurant search and the restaurant page (shared by the HTML pages and the JSON API)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import ConfigDict, Field, field_validator

from ..dates import BOOKING_HORIZON_DAYS, TravelDate
from ..querystring import QueryModel
from ..rules import MAX_PARTY

RestaurantSort = Literal["rating", "price", "price_desc", "name"]
SORT_LABELS = {
    "rating": "Rating (best first)",
    "price": "Price (lowest first)",
    "price_desc": "Price (highest first)",
    "name": "Name",
}
DEFAULT_TIME = dt.time(20, 0)


class RestaurantView(QueryModel):
    """GET /restaurants/<id> and /api/v1/restaurants/<id>: the day's slots for a party."""

    model_config = ConfigDict(extra="ignore")

    date: TravelDate | None = Field(
        None,
        description=f"YYYY-MM-DD, default today in the restaurant's city, at most {BOOKING_HORIZON_DAYS} days ahead",
    )
    party_size: int = Field(2, ge=1, le=MAX_PARTY)


class RestaurantSearch(RestaurantView):
    """GET /restaurants and GET /api/v1/restaurants."""

    city: int | None = Field(None, ge=1, description="city id")
    time: dt.time = Field(DEFAULT_TIME, description="HH:MM, the time wanted; each result lists bookable times near it")
    cuisine: str | None = Field(None, max_length=40)
    sort: RestaurantSort = "rating"
    limit: int = Field(20, ge=1, le=100)
    offset: int = Field(0, ge=0, le=100_000)

    @field_validator("time", mode="before")
    @classmethod
    def _default_time(cls, value):
        return DEFAULT_TIME if value is None else value
