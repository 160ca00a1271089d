"""JSON API: restaurants with bookable times, and one restaurant's slots for a day (routes on travelgo.api.bp).
A table is booked with POST /api/v1/bookings, `type: restaurant`."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field
from quart_schema import tag, validate_response

from ..problems import Problem
from ..restaurants import service
from ..restaurants.forms import RestaurantSearch, RestaurantView
from . import bp, validate_query
from .search import Ref


class RestaurantOut(BaseModel):
    id: int
    name: str
    city: Ref
    area: str
    cuisine: str
    price_level: int = Field(description="1 (₹) to 4 (₹₹₹₹)")
    rating: float = Field(description="0-5")
    confirmation: Literal["instant", "request"] = Field(
        description="instant: confirmed when booked; request: the restaurant accepts or declines by a deadline"
    )
    deposit_minor: int = Field(description="per guest, paid when booking; 0: no deposit")
    currency: str
    sitting_minutes: int = Field(description="how long a table is yours")
    max_party: int


class RestaurantItem(RestaurantOut):
    times: list[str] = Field(description="bookable start times (HH:MM) near the time asked, in order")
    available_at_time: bool = Field(description="a table is free at exactly the time asked")


class RestaurantList(BaseModel):
    items: list[RestaurantItem]
    total: int
    limit: int
    offset: int
    date: dt.date


class SlotOut(BaseModel):
    time: str = Field(description="HH:MM, the restaurant's local time")
    available: bool


class HoursOut(BaseModel):
    weekday: int = Field(description="0 = Monday")
    opens: str = Field(description="HH:MM, the restaurant's local time")
    closes: str = Field(description="HH:MM; the last sitting ends by then")


class RestaurantDetail(RestaurantOut):
    description: str
    address: str
    slot_minutes: int
    response_minutes: int = Field(description="on request: how long the restaurant has to answer")
    free_cancel_hours: int
    cancellation_policy: str
    combine_tables: bool = Field(description="two adjacent tables may be pushed together for a large party")
    largest_party: int
    hours: list[HoursOut]
    date: dt.date
    party_size: int
    slots: list[SlotOut]


@bp.get("/restaurants")
@tag(["search"])
@validate_query(RestaurantSearch)
@validate_response(RestaurantList, 200)
async def api_restaurant_list(query_args: RestaurantSearch):
    """Restaurants (of a city) open on the date and taking the party size, each with its bookable times near the
    time asked; sort by rating (default), price, price_desc or name."""
    try:
        return await service.search(query_args)
    except service.SearchInvalid as exc:
        errors = [{"loc": [f], "field": f, "msg": m, "type": "value_error"} for f, m in exc.errors.items()]
        raise Problem(422, "Invalid input", exc.detail, errors=errors) from exc


@bp.get("/restaurants/<int:restaurant_id>")
@tag(["search"])
@validate_query(RestaurantView)
@validate_response(RestaurantDetail, 200)
async def api_restaurant_detail(restaurant_id: int, query_args: RestaurantView):
    """One restaurant with its opening hours and every start time of the day, free or not, for the party."""
    restaurant = await service.restaurant_day(restaurant_id, query_args.date, query_args.party_size)
    if restaurant is None:
        raise Problem(404, "Not found", f"There is no restaurant {restaurant_id}.")
    return restaurant
