"""JSON API: cities, bus trips and hotels (the same services and query parameters as the pages)."""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from quart import Response, current_app
from quart_schema import tag, validate_response
from quart_schema.validation import QUART_SCHEMA_RESPONSE_ATTRIBUTE

from ..assets import answer_response
from ..buses import service as buses
from ..buses.forms import BusSearch
from ..hotels import service as hotels
from ..hotels.forms import HotelSearch, HotelView
from ..places import service as places
from ..problems import Problem
from ..searchcache import Answer
from . import bp, validate_query


class CitiesQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")
    q: str | None = Field(None, max_length=100, description="part of a city or region name")
    limit: int = Field(20, ge=1, le=100)
    offset: int = Field(0, ge=0, le=100_000)


class CityOut(BaseModel):
    id: int
    name: str
    region: str
    country: str
    latitude: float
    longitude: float


class CityList(BaseModel):
    items: list[CityOut]
    total: int
    limit: int
    offset: int


class Ref(BaseModel):
    id: int
    name: str


class OperatorRef(Ref):
    rating: float = Field(description="average of the visible reviews, 0-5 (0 until reviewed)")
    review_count: int = Field(0, description="how many visible reviews the rating averages")


class TripOut(BaseModel):
    id: int
    mode: str
    operator: OperatorRef
    origin: Ref
    destination: Ref
    departs_at: datetime
    arrives_at: datetime
    duration_minutes: int
    bus_type: str
    price_minor: int
    currency: str
    seats_total: int
    seats_left: int
    amenities: list[str]


class TripList(BaseModel):
    items: list[TripOut]
    total: int
    limit: int
    offset: int


class SeatOut(BaseModel):
    label: str
    deck: int
    row: int
    column: int
    kind: str
    available: bool


class StopOut(BaseModel):
    """A boarding or dropping point. Choose one by `id` when booking (`boarding_point_id`, `dropping_point_id`)."""

    id: int | None = Field(default=None, description="null on a trip made before points could be chosen")
    name: str
    landmark: str | None = None
    time: str = Field(description="HH:MM in the point's city (boarding: the origin, dropping: the destination)")
    at: datetime | None = Field(default=None, description="RFC 3339 with the city's offset")


class TripDetail(TripOut):
    status: str
    bookable: bool = Field(
        description="false when the trip is cancelled, has departed or is sold out: then no seat is available "
        "and seats_left is 0"
    )
    closed_reason: Literal["cancelled", "departed", "sold_out"] | None = Field(
        description="why the trip is not bookable; null while it is"
    )
    departs_in: int | None = Field(
        default=None, description="seconds until an open trip departs (no event is sent when it does); null once closed"
    )
    seats: list[SeatOut]
    boarding_points: list[StopOut]
    dropping_points: list[StopOut]


class HotelOut(BaseModel):
    id: int
    name: str
    city: Ref
    stars: int
    rating: float = Field(description="guest rating 0-10: twice the average of the visible 1-5 star reviews")
    review_count: int = Field(0, description="how many visible reviews the rating averages")
    amenities: list[str]
    distance_km: float
    price_from_minor: int | None = Field(description="cheapest average nightly price for the stay; null if sold out")
    currency: str
    rooms_left: int


class HotelList(BaseModel):
    items: list[HotelOut]
    total: int
    limit: int
    offset: int


class RoomTypeOut(BaseModel):
    id: int
    name: str
    max_guests: int
    beds: str
    price_per_night_minor: int
    total_minor: int = Field(description="price of one room for the whole stay")
    rooms_left: int = Field(description="the minimum over the nights of the stay")


class HotelDetail(HotelOut):
    area: str
    address: str
    description: str
    latitude: float
    longitude: float
    check_in: date
    check_out: date
    nights: int
    room_types: list[RoomTypeOut]


def answer_schema(model: type[BaseModel], status: int = 200):
    """Document `model` as the route's response, as validate_response does, for a route that returns
    answer_json(): its body is validated against the model once per answer instead of once per request."""

    def decorator(func):
        schemas = getattr(func, QUART_SCHEMA_RESPONSE_ATTRIBUTE, {})
        schemas[status] = (model, None)
        setattr(func, QUART_SCHEMA_RESPONSE_ATTRIBUTE, schemas)
        return func

    return decorator


async def answer_json(answer: Answer, model: type[BaseModel]) -> Response:
    """The JSON response for a search answer: validated and serialized (the same bytes quart-schema would
    make) on the answer's first use; a cached answer's later requests reuse the bytes."""

    async def serialize() -> bytes:
        return await (await current_app.make_response(model.model_validate(answer))).get_data()

    name = ("json", model)
    return await answer_response(answer, name, await answer.made(name, serialize), 200, "application/json")


async def _searched(search: Awaitable[Answer], model: type[BaseModel]) -> Response:
    """A search's JSON answer; an unknown city is a 422 problem naming the field."""
    try:
        return await answer_json(await search, model)
    except buses.SearchInvalid as exc:
        raise _invalid(exc) from None


def _invalid(exc: buses.SearchInvalid) -> Problem:
    errors = [{"loc": [field], "field": field, "msg": msg, "type": "value_error"} for field, msg in exc.errors.items()]
    return Problem(422, "Invalid input", "; ".join(f"{e['field']}: {e['msg']}" for e in errors), errors=errors)


@bp.get("/cities")
@tag(["search"])
@validate_query(CitiesQuery)
@validate_response(CityList, 200)
async def api_cities(query_args: CitiesQuery):
    """Cities whose name (or region) matches q; every city without q."""
    return await places.list_cities(query_args.q, query_args.limit, query_args.offset)


@bp.get("/bus-trips")
@tag(["search"])
@validate_query(BusSearch)
@answer_schema(TripList)
async def api_trip_list(query_args: BusSearch):
    """Bus departures of one day (default today), filtered and sorted; prices in whole currency units."""
    return await _searched(buses.search_trips(query_args), TripList)


@bp.get("/bus-trips/<int:trip_id>")
@tag(["search"])
@validate_response(TripDetail, 200)
async def api_trip_detail(trip_id: int):
    """One trip with its seat map (each seat available or not) and its stops."""
    trip = await buses.get_trip(trip_id)
    if trip is None:
        raise Problem(404, "Not found", f"There is no bus trip {trip_id}.")
    return trip


@bp.get("/hotels")
@tag(["search"])
@validate_query(HotelSearch)
@answer_schema(HotelList)
async def api_hotel_list(query_args: HotelSearch):
    """Hotels with rooms for the stay (default tonight), filtered and sorted; prices per night."""
    return await _searched(hotels.search_hotels(query_args), HotelList)


@bp.get("/hotels/<int:hotel_id>")
@tag(["search"])
@validate_query(HotelView)
@validate_response(HotelDetail, 200)
async def api_hotel_detail(hotel_id: int, query_args: HotelView):
    """One hotel with each room type's price and rooms left for the stay."""
    # no check_in: get_hotel takes tonight by the hotel city's calendar
    hotel = await hotels.get_hotel(hotel_id, query_args.check_in, query_args.check_out, query_args.guests)
    if hotel is None:
        raise Problem(404, "Not found", f"There is no hotel {hotel_id}.")
    return hotel
