"""Bus search and trip pages."""

from __future__ import annotations

from urllib.parse import urlencode

from quart import Blueprint, abort, make_response, render_template, request

from ..chips import clear_url, filter_chips
from ..dates import today_in
from ..money import money
from ..places.pickers import city_datalist, resolve_city_fields
from ..querystring import canonical_query, query_args, split_list
from ..recommend import service as recommend
from ..reviews import service as reviews
from ..web import parse_model, render, render_answer, render_search_page, wants_fragment
from . import service
from .forms import AMENITY_LABELS, BUS_TYPE_LABELS, SORT_LABELS, WINDOW_LABELS, BusSearch, TripView

bp = Blueprint("buses", __name__)


@bp.record_once
def bus_labels(state) -> None:
    # template globals, not a context processor: Quart runs a sync context processor in a thread at every render
    state.app.jinja_env.globals.update(
        bus_type_labels=BUS_TYPE_LABELS,
        amenity_labels=AMENITY_LABELS,
        seat_decks=service.seat_decks,
        closed_notices=service.CLOSED_NOTICES,
    )


@bp.get("/buses")
async def trip_list():
    """Bus search: form, filters, sorted and paged results. htmx gets the #bus-search fragment."""
    raw = query_args(request.args)
    args, errors, names = await resolve_city_fields(dict(raw), ("origin", "destination"))
    search, field_errors = parse_model(BusSearch, args)
    errors = {**field_errors, **errors}
    page = None
    if search is not None and not errors and raw:
        try:
            page = await service.search_trips(search)
        except service.SearchInvalid as exc:
            errors.update(exc.errors)
    shown = search or BusSearch()

    async def context() -> dict:
        operators = await service.list_operators()
        operator_names = {o["id"]: o["name"] for o in operators}
        chip_labels = {
            "departure": lambda v: WINDOW_LABELS.get(v, v).split(" (")[0],
            "bus_type": lambda v: BUS_TYPE_LABELS.get(v, v),
            "operator": lambda v: operator_names.get(v, "Operator"),
            "amenities": lambda v: AMENITY_LABELS.get(v, v),
            "min_price": lambda v: f"From {money(v * 100, 'INR')}",
            "max_price": lambda v: f"Up to {money(v * 100, 'INR')}",
            "min_seats": lambda v: f"{v}+ seats free",
        }
        values = dict(
            values={
                k: (v[0] if isinstance(v, list) and k not in ("departure", "bus_type", "operator", "amenities") else v)
                for k, v in raw.items()
            },
            errors=errors,
            page=page,
            search=shown,
            today=today_in(),
            origin_name=names.get("origin"),
            destination_name=names.get("destination"),
            city_datalist=await city_datalist(),
            chosen={
                name: [str(v) for v in split_list(raw.get(name))]
                for name in ("departure", "bus_type", "operator", "amenities")
            },
            window_labels=WINDOW_LABELS,
            sort_labels=SORT_LABELS,
            operator_options=[(o["id"], f"{o['name']} (★ {o['rating']})") for o in operators],
            next_day=service.next_day(shown.day),
            next_day_query=canonical_query(shown, drop=("offset",), date=service.next_day(shown.day)),
            offset_query=lambda offset: canonical_query(shown, offset=offset),
            chips=filter_chips("/buses", shown, chip_labels) if search is not None else [],
            clear_filters=clear_url("/buses", shown, chip_labels),
        )
        values["results_html"] = await render_answer("buses/_results.html", page, **values)
        return values

    return await render_search_page("buses/search.html", "search", page, errors, context, path="/buses", search=search)


@bp.get("/buses/<int:trip_id>")
async def trip_detail(trip_id: int):
    """Trip page: details, stops, fare and the seat map; a seat press re-renders #seat-map (htmx)."""
    trip = await service.get_trip(trip_id)
    if trip is None:
        abort(404, description="We could not find that bus. It may have been removed.")
    view, errors = parse_model(TripView, query_args(request.args))
    status = 200
    if view is None:
        view, status = TripView(), 422
    selected, message = service.choose_seats(trip, view.seats, view.toggle, view.passengers)
    if errors:
        message = "Choose between 1 and 6 passengers." if "passengers" in errors else "That seat choice was not valid."
    response = await render(
        "buses/trip.html",
        block=None,
        status=status,
        trip=trip,
        recommendations=[] if wants_fragment() else await recommend.also_booked(recommend.trip_item(trip)),
        selected=selected,
        passengers=view.passengers,
        message=message,
        reviews=None if wants_fragment() else await reviews.list_reviews("operator", trip["operator"]["id"]),
    )
    if wants_fragment():
        response = await render_seat_map(trip, selected, view.passengers, message, status)
    return response


async def render_seat_map(trip: dict, selected: list[str], passengers: int, message: str | None, status: int):
    """Only the seat map, with the URL replaced so reload and back show the same selection."""
    body = await render_template(
        "buses/_seat_map.html", trip=trip, selected=selected, passengers=passengers, message=message
    )
    response = await make_response(body, status)
    response.vary.add("HX-Request")
    query = urlencode([("passengers", passengers)] + [("seats", label) for label in selected])
    response.headers["HX-Replace-Url"] = f"/buses/{trip['id']}?{query}"
    return response
