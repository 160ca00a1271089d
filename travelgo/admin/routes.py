"""Admin management pages under /admin: thin routes over travelgo.admin.service.

Every route is wrapped in admin_required (anonymous → log in, traveller → 403). Forms post with htmx and come
back as 422 fragments with field messages; `?validate=1` only validates (live validation as fields change).
Every page also works as plain HTML forms and links.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from pydantic import TypeAdapter, ValidationError
from quart import Blueprint, Response, abort, flash, g, request, url_for

from ..auth import admin_required
from ..dates import AdminDate
from ..templating import money
from ..web import form_dict, hx_redirect, page_number, parse_model, render, wants_fragment
from . import charts, service
from .forms import (
    HOTEL_AMENITIES,
    TRIP_AMENITIES,
    WEEKDAYS,
    AuditFilter,
    BookingFilter,
    CancelForm,
    CityForm,
    HotelFilter,
    HotelForm,
    InventoryForm,
    OperatorForm,
    Page,
    RoomTypeForm,
    ScheduleForm,
    SeatLayout,
    StatsRange,
    StopSellForm,
    TripFilter,
    TripForm,
    TripPrice,
    TripSeats,
    VehicleForm,
)

bp = Blueprint("admin", __name__, url_prefix="/admin")
BOOKINGS_PAGE = 25
ADMIN_DATE = TypeAdapter(AdminDate)


# --- helpers ------------------------------------------------------------------------------------------


@bp.app_template_filter("admin_query")
def admin_query(args: dict[str, Any], **changes: Any) -> str:
    """A query string of the current filters with some values changed (pagination links, CSV export)."""
    return urlencode({**args, **changes}, doseq=True)


def _validating() -> bool:
    """Live validation: the form was posted on a field change, to be checked but not saved."""
    return request.args.get("validate") == "1"


def _touched(errors: dict[str, str], values: dict[str, Any]) -> dict[str, str]:
    """While the admin is still filling the form in, only complain about fields that have something in them."""
    return {k: v for k, v in errors.items() if k == "__all__" or values.get(k) not in (None, "", [])}


async def _live(errors: dict[str, str], values: dict[str, Any]) -> Response:
    """Live validation answer: the list of current problems (422), or an empty list (200), for the form's
    aria-live region. The inputs are never swapped while the admin is typing."""
    errors = _touched(errors, values)
    return await render("admin/_live_errors.html", status=422 if errors else 200, errors=errors)


async def _show(
    template: str,
    block: str | None = None,
    status: int = 200,
    load: Callable[[], Awaitable[dict]] | None = None,
    **ctx: Any,
) -> Response:
    """Render a block for htmx, or the whole page, with what `load` gives (lists, select options)."""
    if load is not None:
        ctx = {**(await load()), **ctx}
    return await render(template, block=block, status=status, **ctx)


def _query(model, *multi: str):
    """Parse the query string with a model; bad filters are a 422 page, never a 500."""
    values = form_dict(request.args, *multi)
    parsed, errors = parse_model(model, values)
    return parsed, errors, values


def _filter_args(values: dict[str, Any], drop: tuple[str, ...] = ("page",)) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v not in (None, "") and k not in drop}


def _actor() -> int:
    return g.current_user.id


async def _not_found(exc: service.NotFound):
    abort(404, description=f"That {exc} does not exist.")


Done = Callable[[Any, Any], tuple[str, str]]
Again = Callable[[dict[str, Any], dict[str, str], int], Awaitable[Response]]


async def _submit(
    model,
    save: Callable[[Any], Awaitable[Any]],
    done: Done,
    again: Again,
    *,
    multi: tuple[str, ...] = (),
    live: bool = True,
    fixed: dict[str, Any] | None = None,
) -> Response:
    """The POST flow every admin form shares: parse the form with `model` (`fixed` values override what was
    posted), answer live validation (`?validate=1`, when `live`), `save(form)`, then flash the message and
    redirect to the URL that `done(form, result)` gives; otherwise `again(values, errors, status)` renders the
    form with field messages (422), or with why the bookings refuse the change (409)."""
    values = {**form_dict(await request.form, *multi), **(fixed or {})}
    form, errors = parse_model(model, values)
    status = 422
    if live and _validating():
        return await _live(errors, values)
    if form is not None:
        try:
            result = await save(form)
        except service.NotFound as exc:
            return await _not_found(exc)
        except service.Invalid as exc:
            errors = exc.errors
        except service.Refused as exc:
            errors, status = {"__all__": str(exc)}, 409
        else:
            message, url = done(form, result)
            await flash(message, "success")
            return hx_redirect(url)
    return await again(values, errors, status if errors else 200)


async def _filtered(
    template: str, model, lister: Callable[[Any], Awaitable[dict]], load: Callable[[], Awaitable[dict]] | None = None
) -> Response:
    """A list page filtered by the query string: bad filters show the unfiltered list with messages (422)."""
    f, errors, values = _query(model)
    page = await lister(f or model())
    return await _show(
        template,
        "results",
        422 if errors else 200,
        load=load,
        page=page,
        values=values,
        errors=errors,
        args=_filter_args(values),
    )


async def _searched(lister: Callable[[Page], Awaitable[dict]]) -> dict:
    """A page of a simple list searched by `q` (cities, operators, vehicles)."""
    f, _, values = _query(Page)
    f = f or Page()
    return {"page": await lister(f), "q": f.q or "", "args": _filter_args(values)}


# --- dashboard ----------------------------------------------------------------------------------------


@bp.get("/")
@bp.get("/dashboard")
@admin_required
async def dashboard():
    """Bookings, revenue, cancellations and occupancy for a date range, as SVG charts and tables."""
    values = form_dict(request.args)
    rng, errors = parse_model(StatsRange, values)
    if rng is None:
        rng = StatsRange()
    figures = await service.stats(rng)
    short = "%d %b"
    day_points = [(d["date"].strftime(short), d["bookings"]) for d in figures["days"]]
    revenue_points = [(d["date"].strftime(short), d["revenue_minor"]) for d in figures["days"]]

    def in_currency(minor: float) -> str:
        return money(minor, figures["currency"], whole=True)

    chart = {
        "bookings": charts.bar_chart(
            "chart-bookings",
            "Bookings per day",
            day_points,
            summary=f"{figures['totals']['bookings']} bookings from {rng.date_from:%d %b %Y} to {rng.date_to:%d %b %Y}",
        ),
        "revenue": charts.bar_chart(
            "chart-revenue",
            "Net revenue per day",
            revenue_points,
            fmt=in_currency,
            summary=f"{in_currency(figures['totals']['revenue_minor'])} net revenue",
        ),
        "routes": charts.ratio_chart(
            "chart-routes",
            "Seat occupancy per route",
            [(f"{r['origin']} → {r['destination']}", r["occupancy"]) for r in figures["routes"][:12]],
        ),
        "hotels": charts.ratio_chart(
            "chart-hotels",
            "Room-night occupancy per hotel",
            [(h["hotel"], h["occupancy"]) for h in figures["hotels"][:12]],
        ),
    }
    return await render(
        "admin/dashboard.html",
        status=422 if errors else 200,  # bad dates: the last 30 days with the message, as the other lists do
        figures=figures,
        chart=chart,
        errors=errors,
        values={"from": rng.date_from.isoformat(), "to": rng.date_to.isoformat()},
    )


# --- audit --------------------------------------------------------------------------------------------


@bp.get("/audit")
@admin_required
async def audit_list():
    """The audit trail, filterable by entity, action, user and date."""
    return await _filtered("admin/audit.html", AuditFilter, service.list_audit)


# --- cities and operators: added above their list, edited inline in their row ---------------------------


@dataclass(frozen=True)
class _Inline:
    """An entity with one list page (search, pagination, an add form) whose rows are edited in place."""

    key: str  # "city": endpoints city_*, templates city_edit.html and _city_row.html, the `city_id` argument
    plural: str  # "cities": the URL /admin/cities and the list template cities.html
    form: type
    list: Callable[[Page], Awaitable[dict]]
    get: Callable[[int], Awaitable[dict]]
    save: Callable[..., Awaitable[dict]]


def _register_inline(e: _Inline) -> None:
    """Add the five pages of an inline-edited entity: list, create, row, edit, update."""
    list_page, edit_page, row = f"admin/{e.plural}.html", f"admin/{e.key}_edit.html", f"admin/_{e.key}_row.html"
    list_url = f"admin.{e.key}_list"

    async def load() -> dict:
        return await _searched(e.list)

    async def fetch(item_id: int) -> dict:
        try:
            return await e.get(item_id)
        except service.NotFound as exc:
            return await _not_found(exc)

    async def list_view():
        """The list with search and pagination, and a form to add one."""
        return await _show(list_page, "results", load=load, values={}, errors={})

    async def create_view():
        """Add one."""

        async def again(values, errors, status):
            return await _show(list_page, "create_form", status, load=load, values=values, errors=errors)

        return await _submit(
            e.form,
            lambda form: e.save(_actor(), form),
            lambda form, item: (f"{item['name']} is added.", url_for(list_url)),
            again,
        )

    async def row_view(**ids: int):
        """One row (htmx: cancel an inline edit); without htmx, its edit page."""
        item = await fetch(ids[f"{e.key}_id"])
        if not wants_fragment():
            return await render(edit_page, values=item, errors={}, **{e.key: item})
        return await render(row, **{e.key: item})

    async def edit_view(**ids: int):
        """Inline edit row (htmx) or an edit page."""
        item = await fetch(ids[f"{e.key}_id"])
        return await render(edit_page, block="row", values=item, errors={}, **{e.key: item})

    async def update_view(**ids: int):
        """Save one; the row comes back (htmx) or the list (plain form)."""
        item_id = ids[f"{e.key}_id"]
        values = form_dict(await request.form)
        form, errors = parse_model(e.form, values)
        item = await fetch(item_id)
        if form is not None:
            try:
                item = await e.save(_actor(), form, item_id)
            except service.NotFound as exc:
                return await _not_found(exc)
            except service.Invalid as exc:
                errors = exc.errors
            else:
                if wants_fragment():
                    return await render(row, saved=True, **{e.key: item})
                await flash(f"{item['name']} is saved.", "success")
                return hx_redirect(url_for(list_url))
        return await render(edit_page, block="row", status=422, values=values, errors=errors, **{e.key: item})

    one = f"/{e.plural}/<int:{e.key}_id>"
    for name, rule, method, view in (
        ("list", f"/{e.plural}", "GET", list_view),
        ("create", f"/{e.plural}", "POST", create_view),
        ("row", one, "GET", row_view),
        ("edit", f"{one}/edit", "GET", edit_view),
        ("update", one, "POST", update_view),
    ):
        view.__name__ = view.__qualname__ = f"{e.key}_{name}"
        bp.add_url_rule(rule, view.__name__, admin_required(view), methods=[method])


_register_inline(_Inline("city", "cities", CityForm, service.list_cities, service.get_city, service.save_city))
_register_inline(
    _Inline("operator", "operators", OperatorForm, service.list_operators, service.get_operator, service.save_operator)
)


# --- vehicles -----------------------------------------------------------------------------------------


@bp.get("/vehicles")
@admin_required
async def vehicle_list():
    """Vehicles with search and pagination."""
    return await _show("admin/vehicles.html", "results", load=lambda: _searched(service.list_vehicles))


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


async def _vehicle_form_ctx() -> dict:
    return {"options": await service.options()}


def _vehicle_again(vehicle: dict | None) -> Again:
    """Render the seat-layout editor again with the posted values, their errors and the preview."""

    async def again(values, errors, status):
        return await _show(
            "admin/vehicle_form.html",
            "editor",
            status,
            load=_vehicle_form_ctx,
            vehicle=vehicle,
            values=values,
            errors=errors,
            **_preview(values),
        )

    return again


@bp.get("/vehicles/new")
@admin_required
async def vehicle_new():
    """The seat-layout editor for a new vehicle, with a live preview."""
    values = {**DEFAULT_LAYOUT, **form_dict(request.args)}
    return await render(
        "admin/vehicle_form.html",
        vehicle=None,
        values=values,
        errors={},
        **_preview(values),
        **await _vehicle_form_ctx(),
    )


@bp.get("/vehicles/preview")
@admin_required
async def vehicle_preview():
    """Server-rendered seat map for the layout inputs (hx-get as they change)."""
    values = form_dict(request.args)
    return await _show(
        "admin/vehicle_form.html",
        "preview",
        load=_vehicle_form_ctx,
        vehicle=None,
        values=values,
        errors={},
        **_preview(values),
    )


@bp.post("/vehicles")
@admin_required
async def vehicle_create():
    """Create a vehicle and its seats."""
    return await _submit(
        VehicleForm,
        lambda form: service.create_vehicle(_actor(), form),
        lambda form, vehicle: (
            f"{vehicle['name']} is added with {vehicle['seat_count']} seats.",
            url_for("admin.vehicle_list"),
        ),
        _vehicle_again(None),
    )


@bp.get("/vehicles/<int:vehicle_id>")
@admin_required
async def vehicle_show(vehicle_id: int):
    """Edit a vehicle: name, air conditioning and (while no trip uses it) its seat layout."""
    try:
        vehicle = await service.get_vehicle(vehicle_id)
    except service.NotFound as exc:
        return await _not_found(exc)
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
        **await _vehicle_form_ctx(),
    )


@bp.post("/vehicles/<int:vehicle_id>")
@admin_required
async def vehicle_update(vehicle_id: int):
    """Save a vehicle; a layout change on a vehicle with trips is refused (409)."""
    try:
        vehicle = await service.get_vehicle(vehicle_id)
    except service.NotFound as exc:
        return await _not_found(exc)
    return await _submit(
        VehicleForm,
        lambda form: service.update_vehicle(_actor(), vehicle_id, form),
        lambda form, saved: (f"{saved['name']} is saved.", url_for("admin.vehicle_show", vehicle_id=vehicle_id)),
        _vehicle_again(vehicle),
        fixed={"operator_id": vehicle["operator_id"]},
    )


# --- trips --------------------------------------------------------------------------------------------


@bp.get("/trips")
@admin_required
async def trip_list():
    """Trips filtered by route, operator, status and departure dates."""
    return await _filtered("admin/trips.html", TripFilter, service.list_trips, load=service.options)


async def _trip_form_ctx() -> dict:
    return {"options": await service.options(), "trip_amenities": TRIP_AMENITIES, "weekdays": WEEKDAYS}


@bp.get("/trips/new")
@admin_required
async def trip_new():
    """Forms for one trip or a recurring schedule."""
    tomorrow = date.today() + timedelta(days=1)
    values = {
        "departs_on": tomorrow.isoformat(),
        "departs_time": "08:00",
        "start": tomorrow.isoformat(),
        "end": (tomorrow + timedelta(days=27)).isoformat(),
        "times": "08:00",
        "weekdays": list(WEEKDAYS),
        "duration_minutes": "180",
        "currency": await service.catalogue_currency(),
        "amenities": ["wifi", "charging"],
        "boarding_point": "Central Bus Station",
        "dropping_point": "Coach Terminal",
    }
    return await render(
        "admin/trip_new.html", values=values, errors={}, sched_values=values, sched_errors={}, **await _trip_form_ctx()
    )


async def _create_trips(model, block: str):
    key = "sched_" if model is ScheduleForm else ""

    def done(form, ids):
        if len(ids) == 1:
            return "The trip is scheduled.", url_for("admin.trip_show", trip_id=ids[0])
        return f"{len(ids)} trips are scheduled.", url_for(
            "admin.trip_list", date_from=form.start.isoformat(), date_to=form.end.isoformat()
        )

    async def again(values, errors, status):
        ctx = {
            "values": {},
            "errors": {},
            "sched_values": {},
            "sched_errors": {},
            f"{key}values": values,
            f"{key}errors": errors,
        }
        return await _show("admin/trip_new.html", block, status, load=_trip_form_ctx, **ctx)

    return await _submit(
        model,
        lambda form: service.create_trips(_actor(), form),
        done,
        again,
        multi=("amenities", "weekdays") if model is ScheduleForm else ("amenities",),
    )


@bp.post("/trips")
@admin_required
async def trip_create():
    """Create one trip."""
    return await _create_trips(TripForm, "single_form")


@bp.post("/trips/schedule")
@admin_required
async def trip_schedule():
    """Create every trip of a recurring schedule (weekdays × times over a date range)."""
    return await _create_trips(ScheduleForm, "schedule_form")


async def _trip_page(trip_id: int, block: str | None = None, status: int = 200, **ctx):
    try:
        trip = await service.get_trip(trip_id)
    except service.NotFound as exc:
        return await _not_found(exc)
    defaults = {"price_errors": {}, "seats_errors": {}, "cancel_errors": {}, "cancel_values": {}}
    return await render("admin/trip.html", block=block, status=status, trip=trip, **{**defaults, **ctx})


@bp.get("/trips/<int:trip_id>")
@admin_required
async def trip_show(trip_id: int):
    """A trip: price, seats offered, cancellation, and its bookings."""
    return await _trip_page(trip_id)


def _to_trip(message: str, trip_id: int) -> Done:
    return lambda form, result: (message, url_for("admin.trip_show", trip_id=trip_id))


def _trip_again(trip_id: int, block: str, prefix: str, with_values: bool = False) -> Again:
    """Render a trip page form again with its errors (and values) under the page's `<prefix>_` names."""

    async def again(values, errors, status):
        ctx = {f"{prefix}_errors": errors, **({f"{prefix}_values": values} if with_values else {})}
        return await _trip_page(trip_id, block, status, **ctx)

    return again


@bp.post("/trips/<int:trip_id>/price")
@admin_required
async def trip_price(trip_id: int):
    """Change the seat price."""
    return await _submit(
        TripPrice,
        lambda form: service.change_trip_price(_actor(), trip_id, form.price_minor),
        _to_trip("The price is changed.", trip_id),
        _trip_again(trip_id, "price_form", "price"),
        live=False,
    )


@bp.post("/trips/<int:trip_id>/seats")
@admin_required
async def trip_seats(trip_id: int):
    """Change how many seats are on sale; fewer than are booked is refused with the booked count."""
    return await _submit(
        TripSeats,
        lambda form: service.change_trip_seats(_actor(), trip_id, form.seats_total),
        _to_trip("The seats on sale are changed.", trip_id),
        _trip_again(trip_id, "seats_form", "seats"),
        live=False,
    )


@bp.post("/trips/<int:trip_id>/cancel")
@admin_required
async def trip_cancel(trip_id: int):
    """Cancel a trip with a reason: its bookings are cancelled and refunded, their seats released once."""
    return await _submit(
        CancelForm,
        lambda form: service.cancel_trip(_actor(), trip_id, form.reason),
        lambda form, result: (
            f"The trip is cancelled; {result['bookings_cancelled']} booking(s) cancelled and refunded.",
            url_for("admin.trip_show", trip_id=trip_id),
        ),
        _trip_again(trip_id, "cancel_form", "cancel", with_values=True),
        live=False,
    )


# --- hotels -------------------------------------------------------------------------------------------


@bp.get("/hotels")
@admin_required
async def hotel_list():
    """Hotels with search, a city filter and pagination."""
    return await _filtered("admin/hotels.html", HotelFilter, service.list_hotels, load=service.options)


async def _hotel_form_ctx() -> dict:
    return {"options": await service.options(), "hotel_amenities": HOTEL_AMENITIES}


@bp.get("/hotels/new")
@admin_required
async def hotel_new():
    """The form for a new hotel."""
    return await render(
        "admin/hotel_new.html", values={"stars": "3", "amenities": []}, errors={}, **await _hotel_form_ctx()
    )


@bp.post("/hotels")
@admin_required
async def hotel_create():
    """Add a hotel."""

    async def again(values, errors, status):
        return await _show(
            "admin/hotel_new.html", "hotel_form", status, load=_hotel_form_ctx, values=values, errors=errors
        )

    return await _submit(
        HotelForm,
        lambda form: service.save_hotel(_actor(), form),
        lambda form, hotel: (
            f"{hotel['name']} is added. Now add its room types.",
            url_for("admin.hotel_show", hotel_id=hotel["id"]),
        ),
        again,
        multi=("amenities",),
    )


async def _hotel_page(hotel_id: int, block: str | None = None, status: int = 200, **ctx):
    try:  # an unreadable or out-of-range ?start= shows the fortnight from today
        start = ADMIN_DATE.validate_python(request.args["start"]) if request.args.get("start") else None
    except ValidationError:
        start = None
    try:
        hotel = await service.get_hotel(hotel_id, start)
    except service.NotFound as exc:
        return await _not_found(exc)
    amenities = hotel["amenities"]
    defaults = {
        "values": {**hotel, "amenities": amenities},
        "errors": {},
        "rt_values": {},
        "rt_errors": {},
        "inv_values": {},
        "inv_errors": {},
        "stop_values": {},
        "stop_errors": {},
        "rt_edit_errors": {},
        "rt_edit_values": {},
    }
    extra = await _hotel_form_ctx()  # the details form needs the city options in a fragment too
    return await render(
        "admin/hotel.html",
        block=block,
        status=status,
        hotel=hotel,
        default_currency=await service.catalogue_currency(),
        **extra,
        **{**defaults, **ctx},
    )


@bp.get("/hotels/<int:hotel_id>")
@admin_required
async def hotel_show(hotel_id: int):
    """A hotel: details, room types, and the inventory grid with range and stop-sell forms."""
    return await _hotel_page(hotel_id)


def _to_hotel(message: str | Callable[[Any, Any], str], hotel_id: int, dated: bool = False) -> Done:
    """Flash `message` (or what it makes of the form and result) and go back to the hotel page, at the
    form's first night when `dated`."""

    def done(form, result):
        text = message if isinstance(message, str) else message(form, result)
        start = {"start": form.start.isoformat()} if dated else {}
        return text, url_for("admin.hotel_show", hotel_id=hotel_id, **start)

    return done


def _hotel_again(hotel_id: int, block: str, prefix: str) -> Again:
    """Render a hotel page form again with its values and errors under the page's `<prefix>values` names."""

    async def again(values, errors, status):
        return await _hotel_page(hotel_id, block, status, **{f"{prefix}values": values, f"{prefix}errors": errors})

    return again


@bp.post("/hotels/<int:hotel_id>")
@admin_required
async def hotel_update(hotel_id: int):
    """Save a hotel's details, amenities and location."""
    return await _submit(
        HotelForm,
        lambda form: service.save_hotel(_actor(), form, hotel_id),
        _to_hotel("The hotel is saved.", hotel_id),
        _hotel_again(hotel_id, "details_form", ""),
        multi=("amenities",),
    )


@bp.post("/hotels/<int:hotel_id>/room-types")
@admin_required
async def room_type_create(hotel_id: int):
    """Add a room type."""
    return await _submit(
        RoomTypeForm,
        lambda form: service.save_room_type(_actor(), hotel_id, form),
        _to_hotel(lambda form, rt: f"{rt['name']} is added. Set its rooms and prices below.", hotel_id),
        _hotel_again(hotel_id, "room_type_form", "rt_"),
    )


@bp.post("/hotels/<int:hotel_id>/room-types/<int:room_type_id>")
@admin_required
async def room_type_update(hotel_id: int, room_type_id: int):
    """Edit a room type (inline in the room types table)."""

    async def again(values, errors, status):
        return await _hotel_page(
            hotel_id, "room_types", status, rt_edit_errors={room_type_id: errors}, rt_edit_values={room_type_id: values}
        )

    return await _submit(
        RoomTypeForm,
        lambda form: service.save_room_type(_actor(), hotel_id, form, room_type_id),
        _to_hotel("The room type is saved.", hotel_id),
        again,
        live=False,
    )


@bp.post("/hotels/<int:hotel_id>/inventory")
@admin_required
async def inventory_set(hotel_id: int):
    """Set rooms and nightly price for a range of nights; fewer rooms than booked is refused (409)."""
    return await _submit(
        InventoryForm,
        lambda form: service.set_inventory(_actor(), hotel_id, form),
        _to_hotel(lambda form, result: f"Inventory set for {result['nights']} night(s).", hotel_id, dated=True),
        _hotel_again(hotel_id, "inventory_form", "inv_"),
    )


@bp.post("/hotels/<int:hotel_id>/stop-sell")
@admin_required
async def inventory_stop_sell(hotel_id: int):
    """Stop or resume selling a room type on a range of nights."""
    return await _submit(
        StopSellForm,
        lambda form: service.set_stop_sell(_actor(), hotel_id, form),
        _to_hotel(
            lambda form, result: f"Sales {'stopped' if form.stop_sell else 'resumed'} on {result['nights']} night(s).",
            hotel_id,
            dated=True,
        ),
        _hotel_again(hotel_id, "stop_sell_form", "stop_"),
    )


# --- bookings -----------------------------------------------------------------------------------------


@bp.get("/bookings")
@admin_required
async def booking_list():
    """Find bookings by reference, email, service, dates and status."""
    number = page_number(request.args)

    async def lister(f: BookingFilter) -> dict:
        page = await service.search_bookings(f, limit=BOOKINGS_PAGE, offset=(number - 1) * BOOKINGS_PAGE)
        page.update(page=number, pages=max(1, -(-page["total"] // BOOKINGS_PAGE)))
        return page

    return await _filtered("admin/bookings.html", BookingFilter, lister)


CSV_COLUMNS = [
    "reference",
    "type",
    "status",
    "traveller_email",
    "traveller_name",
    "contact_email",
    "service",
    "starts_at",
    "ends_at",
    "total",
    "currency",
    "refund",
    "created_at",
    "cancelled_at",
    "cancelled_by",
    "cancel_reason",
]


def csv_cell(value: Any) -> str:
    """A CSV cell that a spreadsheet will not run as a formula (OWASP: prefix = + - @ tab CR with ')."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _service_name(b: dict) -> str:
    if b["type"] == "bus":
        return f"{b['origin_name']} → {b['destination_name']} ({b['operator_name']})"
    return f"{b['hotel_name']}, {b['room_type_name']}"


@bp.get("/bookings.csv")
@admin_required
async def booking_export():
    """The filtered bookings as CSV (streamed in batches)."""
    f, errors, _ = _query(BookingFilter)
    if f is None:
        abort(422, description="; ".join(errors.values()))

    async def rows():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(CSV_COLUMNS)
        async for b in service.iter_bookings(f):
            writer.writerow(
                [
                    csv_cell(v)
                    for v in (
                        b["reference"],
                        b["type"],
                        b["status"],
                        b["traveller_email"],
                        b["traveller_name"],
                        b["contact_email"],
                        _service_name(b),
                        b["starts_at"],
                        b["ends_at"],
                        f"{b['total_minor'] / 100:.2f}",
                        b["currency"],
                        "" if b["refund_minor"] is None else f"{b['refund_minor'] / 100:.2f}",
                        b["created_at"].replace(microsecond=0),
                        b["cancelled_at"] and b["cancelled_at"].replace(microsecond=0),
                        b["cancelled_by"],
                        b["cancel_reason"],
                    )
                ]
            )
            if buffer.tell() > 32_000:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    response = Response(rows(), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="bookings-{date.today().isoformat()}.csv"'
    response.timeout = None
    return response


async def _booking_page(reference: str, block: str | None = None, status: int = 200, **ctx):
    try:
        booking = await service.get_booking(reference)
    except service.NotFound as exc:
        return await _not_found(exc)
    return await render(
        "admin/booking.html",
        block=block,
        status=status,
        booking=booking,
        service_name=_service_name(booking),
        **{"cancel_errors": {}, "cancel_values": {}, **ctx},
    )


@bp.get("/bookings/<reference>")
@admin_required
async def booking_show(reference: str):
    """One booking: traveller, service, seats or nights, status, and a cancel form."""
    return await _booking_page(reference)


@bp.post("/bookings/<reference>/cancel")
@admin_required
async def booking_cancel(reference: str):
    """Cancel a booking on the traveller's behalf with a reason (full refund)."""

    async def again(values, errors, status):
        return await _booking_page(reference, "cancel_form", status, cancel_errors=errors, cancel_values=values)

    return await _submit(
        CancelForm,
        lambda form: service.cancel_booking(_actor(), reference, form.reason),
        lambda form, result: (
            f"Booking {reference.upper()} is cancelled and refunded.",
            url_for("admin.booking_show", reference=reference.upper()),
        ),
        again,
        live=False,
    )
