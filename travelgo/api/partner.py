"""JSON API for partner businesses under /api/v1/partner (routes are added to travelgo.api.bp).

Same scope as the partner pages: api_partner_required resolves the caller's business from the bearer token, and
every service call gets it, so a reference or id of another business's row answers 404 like a missing one.
Staff read and cancel bookings, stop or resume sales and answer table requests; owners also set rooms and prices.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from quart import g
from quart_schema import tag, validate_request, validate_response

from ..admin import service
from ..admin.forms import InventoryForm, RestaurantFilter, StatsRange, StopSellForm
from ..bookings.errors import BookingError
from ..dates import AdminDate, zoned
from ..forms import Invalid, NotFound, Refused
from ..partners.scope import api_partner_required, scope
from ..problems import Problem, validation_errors
from ..restaurants import service as restaurants
from . import bp, problems, validate_query
from .admin import AdminBookingOut, AdminBookingsPage, AdminBookingsQuery, StatsOut


@contextmanager
def answers() -> Iterator[None]:
    """The services' refusals as problems: NotFound 404 (also another business's row), Invalid 422, Refused 409."""
    try:
        yield
    except NotFound as exc:
        raise Problem(404, "Not found", f"That {exc} does not exist.") from exc
    except Invalid as exc:
        errors = [{"loc": [k], "field": k, "msg": v, "type": "invalid"} for k, v in exc.errors.items()]
        raise Problem(422, "Invalid input", str(exc), errors=errors) from exc
    except Refused as exc:
        raise Problem(409, "Conflict", str(exc)) from exc


class PartnerOut(BaseModel):
    partner_id: int
    name: str
    role: Literal["owner", "staff"]


class PartnerCancelIn(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    reason: str = Field(min_length=3, max_length=255, pattern=r"\S", description="the traveller sees it")


# strict: JSON `false` is not 0 rooms, nor "1" a room type (the schema says integer and boolean)
class StopSellIn(BaseModel):
    room_type_id: int = Field(ge=1, strict=True)
    start: AdminDate
    end: AdminDate
    stop_sell: bool = Field(default=True, strict=True, description="false resumes sales")


class InventoryIn(BaseModel):
    room_type_id: int = Field(ge=1, strict=True)
    start: AdminDate
    end: AdminDate
    rooms_total: int = Field(ge=0, le=5000, strict=True)
    price_minor: int = Field(ge=1, le=10_000_000, strict=True, description="the nightly price, in minor units")


class NightsOut(BaseModel):
    nights: int = Field(description="how many nights the change covered")


class PartnerHotelOut(BaseModel):
    id: int
    name: str
    city_name: str
    stars: int
    room_types: int


class PartnerHotelsOut(BaseModel):
    items: list[PartnerHotelOut]
    total: int


def _booking_out(b: dict) -> AdminBookingOut:
    fields = {k: v for k, v in zoned(b).items() if k in AdminBookingOut.model_fields}
    return AdminBookingOut(**fields, service=service.service_name(b))


def _form(model, data: dict):
    """An admin form built from API input: its own rules (ranges, dates) answer 422 like the pages do."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise Problem(422, "Invalid input", "The request is not valid.", errors=validation_errors(exc)) from exc


@bp.get("/partner/me")
@tag(["partner"])
@api_partner_required()
@validate_response(PartnerOut, 200)
@problems(401, 403)
async def api_partner_me():
    """The business the token's user belongs to, and their role in it."""
    s = scope()
    return PartnerOut(partner_id=s.partner_id, name=s.partner_name, role=s.role)


@bp.get("/partner/bookings")
@tag(["partner"])
@api_partner_required()
@validate_query(AdminBookingsQuery)
@validate_response(AdminBookingsPage, 200)
@problems(401, 403, 422)
async def api_partner_bookings(query_args: AdminBookingsQuery):
    """The business's bookings matching the filters, newest first."""
    page = await service.search_bookings(query_args, limit=query_args.limit, offset=query_args.offset, scope=scope())
    return AdminBookingsPage(
        items=[_booking_out(b) for b in page["items"]], total=page["total"], limit=page["limit"], offset=page["offset"]
    )


@bp.get("/partner/bookings/<reference>")
@tag(["partner"])
@api_partner_required()
@validate_response(AdminBookingOut, 200)
@problems(401, 403, 404)
async def api_partner_booking(reference: str):
    """One of the business's bookings (another business's reference is 404)."""
    with answers():
        return _booking_out(await service.get_booking(reference, scope()))


@bp.post("/partner/bookings/<reference>/cancel")
@tag(["partner"])
@api_partner_required()
@validate_request(PartnerCancelIn)
@validate_response(AdminBookingOut, 200)
@problems(401, 403, 404, 409, 422)
async def api_partner_booking_cancel(reference: str, data: PartnerCancelIn):
    """Cancel one of the business's bookings with a reason: a paid one is refunded in full through the provider."""
    with answers():
        await service.cancel_booking(g.api_user.id, reference, data.reason, scope())
        return _booking_out(await service.get_booking(reference, scope()))


@bp.get("/partner/stats")
@tag(["partner"])
@api_partner_required()
@validate_query(StatsRange)
@validate_response(StatsOut, 200)
@problems(401, 403, 422)
async def api_partner_stats(query_args: StatsRange):
    """The business's dashboard figures for ?from=&to= (default: the last 30 days)."""
    figures = await service.stats(query_args, scope())
    return StatsOut(
        date_from=figures["from"],
        date_to=figures["to"],
        **{k: v for k, v in figures.items() if k not in ("from", "to")},
    )


@bp.get("/partner/hotels")
@tag(["partner"])
@api_partner_required()
@validate_response(PartnerHotelsOut, 200)
@problems(401, 403)
async def api_partner_hotels():
    """The business's hotels (the first page of 25, by city and name)."""
    from ..admin.forms import HotelFilter

    page = await service.list_hotels(HotelFilter(), scope())
    return PartnerHotelsOut(items=[PartnerHotelOut(**h) for h in page["items"]], total=page["total"])


@bp.post("/partner/hotels/<int:hotel_id>/stop-sell")
@tag(["partner"])
@api_partner_required()
@validate_request(StopSellIn)
@validate_response(NightsOut, 200)
@problems(401, 403, 404, 422)
async def api_partner_stop_sell(hotel_id: int, data: StopSellIn):
    """Stop (or resume) selling a room type of one of the business's hotels on a range of nights."""
    form = _form(StopSellForm, data.model_dump())
    with answers():
        result = await service.set_stop_sell(g.api_user.id, hotel_id, form, scope())
    return NightsOut(nights=result["nights"])


@bp.put("/partner/hotels/<int:hotel_id>/inventory")
@tag(["partner"])
@api_partner_required("owner")
@validate_request(InventoryIn)
@validate_response(NightsOut, 200)
@problems(401, 403, 404, 409, 422)
async def api_partner_inventory(hotel_id: int, data: InventoryIn):
    """Rooms and nightly price of a room type for a range of nights (owners only); fewer rooms than are booked
    is refused (409) with nothing changed."""
    form = _form(InventoryForm, {**data.model_dump(exclude={"price_minor"}), "price": Decimal(data.price_minor) / 100})
    with answers():
        result = await service.set_inventory(g.api_user.id, hotel_id, form, scope())
    return NightsOut(nights=result["nights"])


# --- restaurants --------------------------------------------------------------------------------------------


class PartnerRestaurantOut(BaseModel):
    id: int
    name: str
    city_name: str
    cuisine: str
    price_level: int = Field(description="1 (₹) to 4 (₹₹₹₹)")
    confirmation: Literal["instant", "request"] = Field(description="request: the restaurant answers each booking")
    tables: int = Field(description="tables in service")


class PartnerRestaurantsOut(BaseModel):
    items: list[PartnerRestaurantOut]
    total: int


class TableRequestOut(BaseModel):
    reference: str
    restaurant_id: int
    restaurant_name: str
    starts_at: datetime = Field(description="the sitting, the restaurant's wall clock")
    guests: int
    guest_name: str | None
    notes: str | None
    expires_at: datetime = Field(description="answer by then (UTC), or the request expires")


class TableRequestsOut(BaseModel):
    items: list[TableRequestOut]


class TableAnswerIn(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    answer: Literal["accept", "reject"]
    reason: str | None = Field(default=None, max_length=255, description="a rejection's reason; the guest sees it")


class TableAnswerOut(BaseModel):
    reference: str
    status: Literal["confirmed", "pending_payment", "rejected"] = Field(
        description="pending_payment: accepted, and the guest is asked to pay the deposit"
    )


@bp.get("/partner/restaurants")
@tag(["partner"])
@api_partner_required()
@validate_response(PartnerRestaurantsOut, 200)
@problems(401, 403)
async def api_partner_restaurants():
    """The business's restaurants (the first page of 25, by city and name)."""
    page = await service.list_restaurants(RestaurantFilter(), scope())
    return PartnerRestaurantsOut(items=[PartnerRestaurantOut(**r) for r in page["items"]], total=page["total"])


@bp.get("/partner/restaurant-requests")
@tag(["partner"])
@api_partner_required()
@validate_response(TableRequestsOut, 200)
@problems(401, 403)
async def api_partner_table_requests():
    """Table requests to the business's restaurants awaiting an answer, soonest deadline first."""
    rows = await restaurants.open_requests(scope=scope())
    return TableRequestsOut(items=[TableRequestOut(**row) for row in rows])


@bp.post("/partner/restaurant-requests/<reference>")
@tag(["partner"])
@api_partner_required()
@validate_request(TableAnswerIn)
@validate_response(TableAnswerOut, 200)
@problems(401, 403, 404, 409, 422)
async def api_partner_table_answer(reference: str, data: TableAnswerIn):
    """Accept or reject a table request to one of the business's restaurants (another business's is 404); one
    already answered, withdrawn or expired is 409."""
    try:
        booking_id = await restaurants.request_id(reference)
        if data.answer == "accept":
            status = await restaurants.accept_request(booking_id, actor=g.api_user.id, scope=scope())
        else:
            await restaurants.reject_request(booking_id, data.reason, actor=g.api_user.id, scope=scope())
            status = "rejected"
    except BookingError as exc:
        raise Problem(exc.status, "Not found" if exc.status == 404 else "Conflict", exc.detail) from exc
    return TableAnswerOut(reference=reference.upper(), status=status)
