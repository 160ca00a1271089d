"""Validated query inputs for the cross-mode search and a train's or flight's segment (pages and API)."""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field, ValidationInfo, field_validator

from ..dates import BOOKING_HORIZON_DAYS, TravelDate
from ..querystring import QueryModel, split_list
from ..rules import MAX_SEATS

Mode = Literal["bus", "train", "flight"]


class TripSearch(QueryModel):
    """GET /api/v1/trips, /trains, /flights, /travel: every mode in one list. Prices in minor units (paise)."""

    model_config = ConfigDict(extra="ignore")

    origin: int = Field(ge=1, description="origin city id (any stop of a train's route)")
    destination: int = Field(ge=1, description="destination city id (a later stop on the same route)")
    date: TravelDate | None = Field(
        None, description=f"travel date at the origin, YYYY-MM-DD (default today, at most {BOOKING_HORIZON_DAYS} days)"
    )
    passengers: int = Field(1, ge=1, le=MAX_SEATS, description="seats needed, 1-6")
    modes: list[Mode] = Field(default_factory=list, description="comma-separated: bus, train, flight (default all)")
    sort: Literal["departure", "price", "duration"] = "departure"

    @field_validator("modes", mode="before")
    @classmethod
    def _lists(cls, value):
        return split_list(value)

    @field_validator("destination")
    @classmethod
    def _not_origin(cls, value: int, info: ValidationInfo) -> int:
        if value == info.data.get("origin"):
            raise ValueError("Destination must differ from origin")
        return value


class SegmentView(QueryModel):
    """GET /api/v1/trips/{id}: the segment to show (city ids of two stops; default the whole route)."""

    model_config = ConfigDict(extra="ignore")

    origin: int | None = Field(None, ge=1, description="boarding city id (default the first stop)")
    destination: int | None = Field(None, ge=1, description="alighting city id (default the last stop)")
