"""Vehicles: a searched list, and a seat-layout editor with a live, server-rendered preview."""

from __future__ import annotations

from typing import Any

from quart import Blueprint, Response, request, url_for

from ...auth import admin_required
from ...forms import FormState, found, saved
from ...web import form_dict, parse_model, render
from .. import service
from ..forms import SeatLayout, VehicleForm
from ..views import actor, area_scope, searched

bp = Blueprint("vehicles", __name__)

DEFAULT_LAYOUT = {"decks": 1, "rows": 10, "columns": 4, "aisle_after": 2, "berth": "seater", "is_ac": "1"}


def _preview(values: dict) -> dict:
    """The seat grid for whatever layout values are valid so far (the preview never fails)."""
    layout, errors = parse_model(
        SeatLayout,
        {
            k: values.get(k)
            for k in ("decks", "rows", "columns", "aisle_after", "berth")
            if values.get(k) not in (None, "")
        },
    )
    if layout is None:
        return {"grid": None, "layout_errors": errors}
    return {"grid": service.seat_grid(layout), "layout": layout, "layout_errors": {}}


async def _editor(
    vehicle: dict | None, values: dict[str, Any], errors: dict[str, str], *, block: str | None, status: int = 200
) -> Response:
    """The seat-layout editor (or one of its blocks) with these values, their errors and the preview."""
    return await render(
        "admin/vehicle_form.html",
        block=block,
        status=status,
        options=await service.options(),
        vehicle=vehicle,
        values=values,
        errors=errors,
        **_preview(values),
    )


async def _save(state: FormState, vehicle: dict | None) -> Response:
    """Create or update from the editor: live validation, save and go on, or the editor again."""
    if state.validating:
        return await state.live()
    if state.form is not None:
        with state.saving():
            if vehicle is None:
                new = await service.create_vehicle(actor(), state.form)
                return await saved(
                    f"{new['name']} is added with {new['seat_count']} seats.", url_for("admin.vehicles.vehicle_list")
                )
            done = await service.update_vehicle(actor(), vehicle["id"], state.form)
            return await saved(
                f"{done['name']} is saved.", url_for("admin.vehicles.vehicle_show", vehicle_id=vehicle["id"])
            )
    return await _editor(vehicle, state.values, state.errors, block="editor", status=state.status)


@bp.get("/vehicles")
@admin_required
async def vehicle_list():
    """Vehicles with search and pagination."""
    lister = lambda page: service.list_vehicles(page, area_scope())  # noqa: E731
    return await render("admin/vehicles.html", block="results", **await searched(lister))


@bp.get("/vehicles/new")
@admin_required
async def vehicle_new():
    """The seat-layout editor for a new vehicle, with a live preview."""
    return await _editor(None, {**DEFAULT_LAYOUT, **form_dict(request.args)}, {}, block=None)


@bp.get("/vehicles/preview")
@admin_required
async def vehicle_preview():
    """Server-rendered seat map for the layout inputs (hx-get as they change)."""
    return await _editor(None, form_dict(request.args), {}, block="preview")


@bp.post("/vehicles")
@admin_required
async def vehicle_create():
    """Create a vehicle and its seats."""
    return await _save(await FormState.posted(VehicleForm), None)


@bp.get("/vehicles/<int:vehicle_id>")
@admin_required
async def vehicle_show(vehicle_id: int):
    """Edit a vehicle: name, air conditioning and (while no trip uses it) its seat layout."""
    vehicle = await found(service.get_vehicle(vehicle_id))
    values = {
        **vehicle["layout_values"],
        "name": vehicle["name"],
        "operator_id": vehicle["operator_id"],
        "is_ac": "1" if vehicle["is_ac"] else "",
    }
    layout = SeatLayout(**vehicle["layout_values"])
    return await render(
        "admin/vehicle_form.html",
        vehicle=vehicle,
        values=values,
        errors={},
        layout=layout,
        grid=service.seat_grid(layout, vehicle["seats"]),
        layout_errors={},
        options=await service.options(),
    )


@bp.post("/vehicles/<int:vehicle_id>")
@admin_required
async def vehicle_update(vehicle_id: int):
    """Save a vehicle; a layout change on a vehicle with trips is refused (409)."""
    vehicle = await found(service.get_vehicle(vehicle_id))
    state = await FormState.posted(VehicleForm, fixed={"operator_id": vehicle["operator_id"]})
    return await _save(state, vehicle)
