"""Hotel search and hotel pages."""

from __future__ import annotations

from datetime import timedelta
from math import ceil

from quart import Blueprint, abort, request

from ..buses.service import SearchInvalid
from ..chips import clear_url, filter_chips
from ..dates import today_in
from ..money import money
from ..places.pickers import city_datalist, resolve_city_fields
from ..querystring import canonical_query, query_args, split_list
from ..recommend import service as recommend
from ..reviews import service as reviews
from ..web import parse_model, render, render_answer, render_search_page, wants_fragment
from . import service
from .forms import AMENITY_LABELS, SORT_LABELS, HotelSearch, HotelView

bp = Blueprint("hotels", __name__)


@bp.record_once
def hotel_labels(state) -> None:
    state.app.jinja_env.globals.update(hotel_amenity_labels=AMENITY_LABELS)  # a global: see buses.routes


@bp.get("/hotels")
async def hotel_list():
    """Hotel search: form, filters, sorted and paged results. htmx gets the #hotel-search fragment."""
    raw = query_args(request.args)
    args, errors, names = await resolve_city_fields(dict(raw), ("city",))
    search, field_errors = parse_model(HotelSearch, args)
    errors = {**field_errors, **errors}
    page = None
    if search is not None and not errors and raw:
        try:
            page = await service.search_hotels(search)
        except SearchInvalid as exc:
            errors.update(exc.errors)
    shown = search or HotelSearch()

    async def context() -> dict:
        check_in, check_out = shown.stay
        chip_labels = {
            "min_price": lambda v: f"From {money(v * 100, 'INR')} a night",
            "max_price": lambda v: f"Up to {money(v * 100, 'INR')} a night",
            "min_stars": lambda v: f"{v}★ or more",
            "min_rating": lambda v: f"Rated {v:g}+",
            "max_distance": lambda v: f"Within {v:g} km",
            "amenities": lambda v: AMENITY_LABELS.get(v, v),
            "show_sold_out": lambda v: "Sold-out hotels shown",
        }
        values = dict(
            values={k: (v[0] if isinstance(v, list) and k != "amenities" else v) for k, v in raw.items()},
            errors=errors,
            page=page,
            search=shown,
            today=today_in(),
            check_in=check_in,
            check_out=check_out,
            city_name=names.get("city"),
            city_datalist=await city_datalist(),
            chosen={"amenities": split_list(raw.get("amenities"))},
            sort_labels=SORT_LABELS,
            few_rooms=service.FEW_ROOMS,
            offset_query=lambda offset: canonical_query(shown, offset=offset),
            stay_query=f"check_in={check_in.isoformat()}&check_out={check_out.isoformat()}&guests={shown.guests}",
            chips=filter_chips("/hotels", shown, chip_labels) if search is not None else [],
            clear_filters=clear_url("/hotels", shown, chip_labels),
        )
        values["results_html"] = await render_answer("hotels/_results.html", page, **values)
        return values

    return await render_search_page(
        "hotels/search.html", "search", page, errors, context, path="/hotels", search=search
    )


@bp.get("/hotels/<int:hotel_id>")
async def hotel_detail(hotel_id: int):
    """Hotel page: description, amenities, room types for the dates and a 30-day calendar per room type."""
    view, errors = parse_model(HotelView, query_args(request.args))
    status = 200
    if view is None:
        view, status = HotelView(), 422
    # no check_in: get_hotel takes tonight by the hotel city's calendar
    hotel = await service.get_hotel(hotel_id, view.check_in, view.check_out, view.guests)
    if hotel is None:
        abort(404, description="We could not find that hotel.")
    check_in = hotel["check_in"]
    calendar = await service.hotel_calendar(hotel_id, check_in, 30)
    for rt in hotel["room_types"]:
        rt["rooms_needed"] = max(1, ceil(view.guests / rt["max_guests"]))
    return await render(
        "hotels/hotel.html",
        block="rooms",
        status=status,
        hotel=hotel,
        calendar=calendar,
        errors=errors,
        values=query_args(request.args),
        today=hotel["today"],
        min_check_out=max(check_in, hotel["today"]) + timedelta(days=1),
        few_rooms=service.FEW_ROOMS,
        recommendations=[] if wants_fragment() else await recommend.also_booked(recommend.hotel_item(hotel_id)),
        reviews=await reviews.list_reviews("hotel", hotel_id) if not wants_fragment() else None,
    )
