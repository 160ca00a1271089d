"""RFC 9457 problem details for the JSON API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from quart import Response, current_app

TITLES = {
    400: "Bad request",
    401: "Authentication required",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Request body too large",
    422: "Invalid input",
    429: "Too many requests",
    500: "Internal server error",
    503: "Service unavailable",
}


class FieldError(BaseModel):
    """One invalid field of a 422: where it is (`loc`, joined as `field`), what is wrong (`msg`) and its kind."""

    loc: list[str]
    field: str
    msg: str
    type: str


class Alternative(BaseModel):
    """Something to book instead: a bus trip (trip_id, times, price) or a hotel room type (room_type_id, total)."""

    type: str
    title: str
    url: str
    trip_id: int | None = None
    departs_at: datetime | None = None
    arrives_at: datetime | None = None
    price_minor: int | None = None
    seats_left: int | None = None
    room_type_id: int | None = None
    hotel_id: int | None = None
    total_minor: int | None = None
    rooms_left: int | None = None
    currency: str | None = None


class UnavailableItem(BaseModel):
    """An itinerary item its checkout could not hold, why, and what could replace it."""

    item_id: int
    position: int
    type: str
    title: str
    detail: str
    unavailable_seats: list[str] | None = None
    unavailable_nights: list[date] | None = None
    seats_left: int | None = None
    total_minor: int | None = None
    alternatives: list[Alternative] = []


class ProblemBody(BaseModel):
    """RFC 9457 problem details. 422 adds `errors`, one per invalid field; a 409 about a booking names what is
    unavailable (`unavailable_seats` or `unavailable_nights`, or `seats_left` when fewer seats are for sale)."""

    model_config = ConfigDict(title="Problem")  # the OpenAPI component's name, which clients already know

    type: str
    title: str
    status: int
    detail: str
    errors: list[FieldError] | None = None
    unavailable_seats: list[str] | None = Field(None, description="409: the seats someone else holds")
    unavailable_nights: list[date] | None = Field(None, description="409: the nights without enough rooms")
    seats_left: int | None = Field(None, description="409: seats still for sale on the trip, fewer than asked")
    trip_id: int | None = Field(None, description="409: the trip the seats belong to")
    code: str | None = Field(None, description="409 price_changed: the total is not the expected_total_minor sent")
    total_minor: int | None = Field(None, description="409 price_changed: the total now, to show and send again")
    expected_total_minor: int | None = Field(None, description="409 price_changed: the total the client expected")
    currency: str | None = Field(None, description="409 price_changed: the currency of both totals")
    unavailable_items: list[UnavailableItem] | None = Field(
        None, description="409 on an itinerary's checkout: each item that cannot be held (nothing was)"
    )
    restaurant_id: int | None = Field(None, description="409: the restaurant with no free table for the sitting")
    party_size: int | None = Field(None, description="409: the party no free table (or adjacent pair) seats")


class Problem(Exception):
    """Raise anywhere under /api to answer with application/problem+json."""

    def __init__(
        self,
        status: int,
        title: str | None = None,
        detail: str | None = None,
        errors: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail or title)
        self.status = status
        self.title = title or TITLES.get(status, "Error")
        self.detail = detail or self.title
        self.errors = errors
        self.headers = headers or {}
        self.extra = extra

    def to_response(self) -> Response:
        body: dict[str, Any] = {
            "type": f"https://travelgo.example/problems/{self.status}",
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
        }
        if self.errors is not None:
            body["errors"] = self.errors
        body.update(self.extra)
        response = current_app.json.response(body)
        response.status_code = self.status
        response.mimetype = "application/problem+json"
        response.headers.update(self.headers)
        return response


def validation_errors(exc: Exception) -> list[dict[str, Any]]:
    """Field errors from a pydantic ValidationError as [{loc, field, msg, type}]."""
    errors = []
    for error in exc.errors(include_url=False, include_context=False, include_input=False):
        loc = [str(part) for part in error["loc"]]
        errors.append({"loc": loc, "field": ".".join(loc), "msg": error["msg"], "type": error["type"]})
    return errors
