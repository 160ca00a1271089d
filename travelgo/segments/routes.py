"""Pages for trains and flights: one search across modes (/travel, with /trains and /flights as its tabs), a trip's
stops and seat or berth choice for a segment, and booking it (passenger details -> the same checkout as a bus).
Every page works without JavaScript: plain GET forms and links; htmx only refreshes the seat map live."""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import urlencode

from quart import Blueprint, abort, flash, g, redirect, request

from .. import ratelimit
from ..auth import login_required
from ..bookings import service as bookings
from ..bookings.forms import BUS_POINT_FIELDS, parse_bus_form
from ..dates import today_in
from ..places.pickers import city_datalist, resolve_city_fields
from ..querystring import query_args
from ..rules import MAX_SEATS
from ..web import form_dict, hx_redirect, parse_model, render
from . import service
from .forms import SegmentView, TripSearch

bp = Blueprint("segments", __name__)

PAGES = {  # path -> (title, modes shown)
    "/travel": ("Buses, trains and flights", ("bus", "train", "flight")),
    "/trains": ("Train tickets", ("train",)),
    "/flights": ("Flights", ("flight",)),
}
MODE_LABELS = {"bus": "Bus", "train": "Train", "flight": "Flight"}
SORT_LABELS = {"departure": "Departure", "price": "Lowest price", "duration": "Shortest"}


@bp.get("/travel")
@bp.get("/trains")
@bp.get("/flights")
async def travel_search():
    """Search across modes: every bus, train and flight between two cities on a day, with mode tabs."""
    title, modes = PAGES[request.path]
    raw = query_args(request.args)
    args, errors, names = await resolve_city_fields(dict(raw), ("origin", "destination"))
    results = None
    search = None
    if raw:
        search, field_errors = parse_model(TripSearch, {**args, "modes": list(modes)})
        errors = {**field_errors, **errors}
        if search is not None and not errors:
            try:
                results = await service.search(
                    search.origin, search.destination, search.date or today_in(), search.passengers, list(modes),
                    search.sort,
                )  # fmt: skip
            except bookings.BookingError as exc:
                errors["origin"] = exc.detail
    query = {k: v for k, v in raw.items() if k in ("origin", "destination", "date", "passengers", "sort")}
    if search is not None:
        query.update(origin=search.origin, destination=search.destination)
    return await render(
        "segments/search.html",
        block="search",
        status=422 if errors else 200,
        title=title,
        path=request.path,
        pages=PAGES,
        values={k: (v[0] if isinstance(v, list) else v) for k, v in raw.items()},
        errors=errors,
        results=results,
        search=search,
        today=today_in(),
        origin_name=names.get("origin"),
        destination_name=names.get("destination"),
        city_datalist=await city_datalist(),
        tab_query=urlencode(query),
        mode_labels=MODE_LABELS,
        sort_labels=SORT_LABELS,
    )


def trip_link(item: dict[str, Any], search: TripSearch) -> str:
    """Where a result leads: a bus to its own page, a train or flight to its seat choice for the segment."""
    if item["mode"] == "bus":
        return f"/buses/{item['id']}?passengers={search.passengers}"
    query = urlencode({"origin": search.origin, "destination": search.destination, "passengers": search.passengers})
    return f"/trips/{item['id']}?{query}"


@bp.record_once
def _globals(state) -> None:
    state.app.jinja_env.globals.update(segment_trip_link=trip_link, class_names=service.CLASS_NAMES)


async def _segment_or_error(trip_id: int, view: SegmentView | None) -> dict[str, Any]:
    try:
        return await service.trip_detail(trip_id, view.origin if view else None, view.destination if view else None)
    except bookings.NotFound:
        abort(404, description="We could not find that train or flight.")
    except bookings.InvalidBooking:
        return await service.trip_detail(trip_id)  # the whole route; the page says which stops it calls at


@bp.get("/trips/<int:trip_id>")
async def trip_seats(trip_id: int):
    """A train or flight: its stops and, for the chosen segment, every coach's berths or seats to choose from.
    htmx (on a live availability event) gets only #seat-choice, with the traveller's ticks kept."""
    view, errors = parse_model(SegmentView, query_args(request.args))
    trip = await _segment_or_error(trip_id, view)
    if trip["mode"] == "bus":  # a bus has its own page and seat map
        return redirect(f"/buses/{trip_id}", 303)
    chosen = [s for s in request.args.getlist("seats") if s][:MAX_SEATS]
    passengers = request.args.get("passengers", "1")
    return await render(
        "segments/trip.html",
        block="seat_choice",
        status=422 if errors else 200,
        trip=trip,
        chosen=chosen,
        passengers=int(passengers) if passengers.isdigit() and 1 <= int(passengers) <= MAX_SEATS else 1,
        errors=errors,
    )


def _key() -> str:
    return secrets.token_urlsafe(18)


async def _book_page(trip, seats, *, status=200, values=None, errors=None, notice=None, key=None):
    by_label = {s["label"]: s for s in trip["seats"]}
    chosen = [by_label[s] for s in seats if s in by_label]
    user = g.current_user
    return await render(
        "segments/book.html",
        status=status,
        trip=trip,
        chosen=chosen,
        total_minor=sum(s["price_minor"] or 0 for s in chosen),
        values=values if values is not None else {"contact_email": user.email, "contact_phone": user.phone or ""},
        errors=errors or {},
        notice=notice,
        idempotency_key=key or _key(),
    )


@bp.get("/trips/<int:trip_id>/book")
@login_required
async def segment_booking_form(trip_id: int):
    """Passenger details and the fare for the berths or seats chosen (?origin=&destination=&seats=B2-34)."""
    view, _ = parse_model(SegmentView, query_args(request.args))
    trip = await _segment_or_error(trip_id, view)
    seats = [s.strip() for s in request.args.getlist("seats") if s.strip()]
    by_label = {s["label"]: s for s in trip["seats"]}
    notice = None
    if not 1 <= len(seats) <= MAX_SEATS:
        notice = f"Choose between 1 and {MAX_SEATS} berths or seats."
    elif [s for s in seats if s not in by_label or not by_label[s]["available"]]:
        gone = [s for s in seats if s not in by_label or not by_label[s]["available"]]
        notice = f"{', '.join(gone)} {'is' if len(gone) == 1 else 'are'} not free on this part of the journey."
    if notice:
        return await render("segments/trip.html", status=409, trip=trip, chosen=[], passengers=1, errors={},
                            notice=notice)  # fmt: skip
    return await _book_page(trip, seats)


@bp.post("/trips/<int:trip_id>/book")
@login_required
async def segment_booking_create(trip_id: int):
    """Book the chosen berths or seats for the segment (a hold, then the same checkout as every booking)."""
    form = await request.form
    # the bus form's fields without a bus's boarding and dropping points (a stray one is ignored, never an error)
    values = {k: v for k, v in form_dict(form, "seats").items() if k not in BUS_POINT_FIELDS}
    view, _ = parse_model(SegmentView, {k: values.get(k) for k in ("origin", "destination")})
    trip = await _segment_or_error(trip_id, view)
    data, errors = parse_bus_form(values)
    if data is None:
        return await _book_page(
            trip, values.get("seats", []), status=422, values=values, errors=errors, key=values.get("idempotency_key")
        )
    await ratelimit.limit_booking(g.current_user.id)
    try:
        segment_data = {k: v for k, v in data.items() if k not in BUS_POINT_FIELDS}
        booking = await bookings.book_segment(
            g.current_user, trip_id, trip["origin"]["id"], trip["destination"]["id"], **segment_data
        )
    except bookings.BookingError as exc:
        fresh = await service.trip_detail(trip_id, trip["origin"]["id"], trip["destination"]["id"])
        status = 422 if isinstance(exc, bookings.InvalidBooking) else 409
        return await render("segments/trip.html", status=status, trip=fresh, chosen=[], passengers=len(data["seats"]),
                            errors={}, notice=exc.detail)  # fmt: skip
    if booking["status"] != "pending_payment":
        return hx_redirect(f"/bookings/{booking['reference']}")
    if not booking["replayed"]:
        await flash(f"Held for you: reference {booking['reference']}. Pay to confirm.", "success")
    return hx_redirect(f"/checkout/{booking['reference']}")
