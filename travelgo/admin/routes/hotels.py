"""Hotels: a filtered list, the new-hotel form, and a hotel's details, room types and nightly inventory."""

from __future__ import annotations

from pydantic import TypeAdapter, ValidationError
from quart import Blueprint, Response, request

from ...auth import admin_required
from ...dates import AdminDate
from ...forms import FormState, found, saved
from ...web import render
from .. import service
from ..forms import HOTEL_AMENITIES, HotelFilter, HotelForm, InventoryForm, RoomTypeForm, StopSellForm
from ..views import actor, area_scope, area_url, filtered

bp = Blueprint("hotels", __name__)
ADMIN_DATE = TypeAdapter(AdminDate)


def _hotel_url(hotel_id: int, **args: str) -> str:
    return area_url(f"/hotels/{hotel_id}", **args)


@bp.get("/hotels")
@admin_required
async def hotel_list():
    """Hotels with search, a city filter and pagination."""
    return await filtered(
        "admin/hotels.html",
        HotelFilter,
        lambda f: service.list_hotels(f, area_scope()),
        **await service.options(area_scope()),
    )


async def _new_page(state: FormState, block: str | None = None) -> Response:
    return await render(
        "admin/hotel_new.html",
        block=block,
        status=state.status,
        **state.context(),
        options=await service.options(),
        hotel_amenities=HOTEL_AMENITIES,
    )


@bp.get("/hotels/new")
@admin_required
async def hotel_new():
    """The form for a new hotel."""
    return await _new_page(FormState({"stars": "3", "amenities": []}))


@bp.post("/hotels")
@admin_required
async def hotel_create():
    """Add a hotel."""
    state = await FormState.posted(HotelForm, "amenities")
    if state.validating:
        return await state.live()
    if state.form is not None:
        with state.saving():
            hotel = await service.save_hotel(actor(), state.form)
            return await saved(f"{hotel['name']} is added. Now add its room types.", _hotel_url(hotel["id"]))
    return await _new_page(state, "hotel_form")


async def _hotel_page(
    hotel_id: int,
    block: str | None = None,
    status: int = 200,
    *,
    details: FormState | None = None,
    room_type: FormState | None = None,
    inventory: FormState | None = None,
    stop_sell: FormState | None = None,
    room_type_edit: tuple[int, FormState] | None = None,
) -> Response:
    """The hotel page, each of its forms with the state given (blank, or the hotel's details, otherwise)."""
    try:  # an unreadable or out-of-range ?start= shows the fortnight from today
        start = ADMIN_DATE.validate_python(request.args["start"]) if request.args.get("start") else None
    except ValidationError:
        start = None
    hotel = await found(service.get_hotel(hotel_id, start, scope=area_scope()))
    details = details or FormState({**hotel, "amenities": hotel["amenities"]})
    room_type, inventory, stop_sell = (s or FormState() for s in (room_type, inventory, stop_sell))
    edit_id, edit = room_type_edit or (None, FormState())
    return await render(
        "admin/hotel.html",
        block=block,
        status=status,
        hotel=hotel,
        default_currency=await service.catalogue_currency(),
        options=await service.options(area_scope()),  # the details form needs the city options in a fragment too
        hotel_amenities=HOTEL_AMENITIES,
        **details.context(),
        **room_type.context("rt_"),
        **inventory.context("inv_"),
        **stop_sell.context("stop_"),
        rt_edit_values={edit_id: edit.values} if edit_id else {},
        rt_edit_errors={edit_id: edit.errors} if edit_id else {},
    )


@bp.get("/hotels/<int:hotel_id>")
@admin_required
async def hotel_show(hotel_id: int):
    """A hotel: details, room types, and the inventory grid with range and stop-sell forms."""
    return await _hotel_page(hotel_id)


@bp.post("/hotels/<int:hotel_id>")
@admin_required
async def hotel_update(hotel_id: int):
    """Save a hotel's details, amenities and location."""
    state = await FormState.posted(HotelForm, "amenities")
    if state.validating:
        return await state.live()
    if state.form is not None:
        with state.saving():
            await service.save_hotel(actor(), state.form, hotel_id, scope=area_scope())
            return await saved("The hotel is saved.", _hotel_url(hotel_id))
    return await _hotel_page(hotel_id, "details_form", state.status, details=state)


@bp.post("/hotels/<int:hotel_id>/room-types")
@admin_required
async def room_type_create(hotel_id: int):
    """Add a room type."""
    state = await FormState.posted(RoomTypeForm)
    if state.validating:
        return await state.live()
    if state.form is not None:
        with state.saving():
            rt = await service.save_room_type(actor(), hotel_id, state.form, scope=area_scope())
            return await saved(f"{rt['name']} is added. Set its rooms and prices below.", _hotel_url(hotel_id))
    return await _hotel_page(hotel_id, "room_type_form", state.status, room_type=state)


@bp.post("/hotels/<int:hotel_id>/room-types/<int:room_type_id>")
@admin_required
async def room_type_update(hotel_id: int, room_type_id: int):
    """Edit a room type (inline in the room types table)."""
    state = await FormState.posted(RoomTypeForm)
    if state.form is not None:
        with state.saving():
            await service.save_room_type(actor(), hotel_id, state.form, room_type_id, scope=area_scope())
            return await saved("The room type is saved.", _hotel_url(hotel_id))
    return await _hotel_page(hotel_id, "room_types", state.status, room_type_edit=(room_type_id, state))


@bp.post("/hotels/<int:hotel_id>/inventory")
@admin_required
async def inventory_set(hotel_id: int):
    """Set rooms and nightly price for a range of nights; fewer rooms than booked is refused (409)."""
    state = await FormState.posted(InventoryForm)
    if state.validating:
        return await state.live()
    if state.form is not None:
        with state.saving():
            result = await service.set_inventory(actor(), hotel_id, state.form, scope=area_scope())
            return await saved(
                f"Inventory set for {result['nights']} night(s).",
                _hotel_url(hotel_id, start=state.form.start.isoformat()),
            )
    return await _hotel_page(hotel_id, "inventory_form", state.status, inventory=state)


@bp.post("/hotels/<int:hotel_id>/stop-sell")
@admin_required
async def inventory_stop_sell(hotel_id: int):
    """Stop or resume selling a room type on a range of nights."""
    state = await FormState.posted(StopSellForm)
    if state.validating:
        return await state.live()
    if state.form is not None:
        with state.saving():
            result = await service.set_stop_sell(actor(), hotel_id, state.form, scope=area_scope())
            done = "stopped" if state.form.stop_sell else "resumed"
            return await saved(
                f"Sales {done} on {result['nights']} night(s).",
                _hotel_url(hotel_id, start=state.form.start.isoformat()),
            )
    return await _hotel_page(hotel_id, "stop_sell_form", state.status, stop_sell=state)
