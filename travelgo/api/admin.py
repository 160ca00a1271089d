"""JSON API: admin bookings search and dashboard figures (routes are added to travelgo.api.bp)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field
from quart_schema import tag, validate_response

from ..admin import service
from ..admin.forms import BookingFilter, StatsRange
from ..auth import api_admin_required
from ..dates import zoned
from . import bp, validate_query


class AdminBookingsQuery(BookingFilter):
    """The admin bookings filters, plus paging."""

    limit: int = Field(default=25, ge=1, le=200)
    offset: int = Field(default=0, ge=0, le=10_000_000)


class AdminBookingOut(BaseModel):
    reference: str
    type: str
    status: str
    traveller_email: str
    traveller_name: str
    contact_email: str
    service: str
    trip_id: int | None = None
    hotel_id: int | None = None
    room_type_id: int | None = None
    restaurant_id: int | None = None
    starts_at: datetime
    ends_at: datetime
    total_minor: int
    currency: str
    refund_minor: int | None = None
    cancel_reason: str | None = None
    cancelled_by: str | None = None
    cancelled_at: datetime | None = None
    created_at: datetime


class AdminBookingsPage(BaseModel):
    items: list[AdminBookingOut]
    total: int
    limit: int
    offset: int


class StatsTotals(BaseModel):
    bookings: int
    cancelled: int
    cancellation_rate: float
    revenue_minor: int = Field(description="net revenue in `currency` only")
    revenue_by_currency: dict[str, int] = Field(description="net revenue per ISO currency code, never added together")
    seats_offered: int
    seats_sold: int
    room_nights_offered: int
    room_nights_sold: int


class StatsDay(BaseModel):
    date: date
    bookings: int
    cancelled: int
    revenue_minor: int = Field(description="net revenue in `currency` only")
    revenue_by_currency: dict[str, int] = Field(description="net revenue per ISO currency code")


class RouteOccupancy(BaseModel):
    origin: str
    destination: str
    trips: int
    seats_offered: int
    seats_sold: int
    occupancy: float


class HotelOccupancy(BaseModel):
    hotel_id: int
    hotel: str
    city: str
    room_nights_offered: int
    room_nights_sold: int
    occupancy: float


class TopRoute(BaseModel):
    origin: str
    destination: str
    bookings: int
    revenue_minor: int
    currency: str = Field(description="ISO code of revenue_minor: one row per currency, never added together")


class TopHotel(BaseModel):
    hotel_id: int
    hotel: str
    city: str
    bookings: int
    revenue_minor: int
    currency: str = Field(description="ISO code of revenue_minor: one row per currency, never added together")


class StatsOut(BaseModel):
    model_config = ConfigDict(serialize_by_alias=True, validate_by_name=True)

    date_from: date = Field(alias="from")
    date_to: date = Field(alias="to")
    currency: str = Field(
        description="ISO code of the revenue_minor figures (the currency most bookings in the range used); "
        "bookings in other currencies are in revenue_by_currency, never added in"
    )
    totals: StatsTotals
    days: list[StatsDay]
    routes: list[RouteOccupancy]
    hotels: list[HotelOccupancy]
    top_routes: list[TopRoute]
    top_hotels: list[TopHotel]


@bp.get("/admin/bookings")
@tag(["admin"])
@api_admin_required  # outside validate_querystring: 401/403 before any 422 about the query
@validate_query(AdminBookingsQuery)
@validate_response(AdminBookingsPage, 200)
async def api_admin_bookings(query_args: AdminBookingsQuery):
    """Bookings matching the admin filters (reference, email, type, status, dates), newest first."""
    page = await service.search_bookings(query_args, limit=query_args.limit, offset=query_args.offset)
    items = [
        AdminBookingOut(
            **{k: v for k, v in zoned(b).items() if k in AdminBookingOut.model_fields}, service=service.service_name(b)
        )
        for b in page["items"]
    ]
    return AdminBookingsPage(items=items, total=page["total"], limit=page["limit"], offset=page["offset"])


@bp.get("/admin/stats")
@tag(["admin"])
@api_admin_required  # outside validate_querystring: 401/403 before any 422 about the query
@validate_query(StatsRange)
@validate_response(StatsOut, 200)
async def api_admin_stats(query_args: StatsRange):
    """The dashboard's figures for ?from=YYYY-MM-DD&to=YYYY-MM-DD (default: the last 30 days)."""
    figures = await service.stats(query_args)
    return StatsOut(
        date_from=figures["from"],
        date_to=figures["to"],
        **{k: v for k, v in figures.items() if k not in ("from", "to")},
    )
