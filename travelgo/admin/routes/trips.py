"""Trips: a filtered list, one trip or a recurring schedule at once, and a trip's price, seats and cancellation."""

from __future__ import annotations

from datetime import timedelta

from quart import Blueprint, Response, url_for

from ...auth import admin_required
from ...dates import today_in
from ...forms import FormState, found, saved
from ...web import render
from .. import service
from ..forms import TRIP_AMENITIES, WEEKDAYS, CancelForm, ScheduleForm, TripFilter, TripForm, TripPrice, TripSeats
from ..schedules import schedule_preview
from ..views import actor, area_scope, area_url, filtered

bp = Blueprint("trips", __name__)


@bp.get("/trips")
@admin_required
async def trip_list():
    """Trips filtered by route, operator, status and departure dates."""
    return await filtered(
        "admin/trips.html",
        TripFilter,
        lambda f: service.list_trips(f, area_scope()),
        **await service.options(area_scope()),
    )


async def _new_page(
    single: FormState, schedule: FormState, *, block: str | None = None, preview: dict | None = None
) -> Response:
    """The new-trip page: the one-trip form and the schedule form, each with its own values and errors (and the
    schedule's preview, when asked for)."""
    return await render(
        "admin/trip_new.html",
        block=block,
        status=max(single.status, schedule.status),
        **single.context(),
        **schedule.context("sched_"),
        sched_preview=preview,
        options=await service.options(),
        trip_amenities=TRIP_AMENITIES,
        weekdays=WEEKDAYS,
    )


@bp.get("/trips/new")
@admin_required
async def trip_new():
    """Forms for one trip or a recurring schedule."""
    tomorrow = today_in() + timedelta(days=1)
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
    return await _new_page(FormState(values), FormState(values))


async def _create_trips(state: FormState) -> Response | None:
    """Save one trip or a schedule and go to it (or to the list of the trips made); None when it did not save."""
    if state.form is None:
        return None
    with state.saving():
        ids = await service.create_trips(actor(), state.form)
        if len(ids) == 1:
            return await saved("The trip is scheduled.", url_for("admin.trips.trip_show", trip_id=ids[0]))
        return await saved(
            f"{len(ids)} trips are scheduled.",
            url_for(
                "admin.trips.trip_list", date_from=state.form.start.isoformat(), date_to=state.form.end.isoformat()
            ),
        )
    return None


@bp.post("/trips")
@admin_required
async def trip_create():
    """Create one trip."""
    state = await FormState.posted(TripForm, "amenities")
    if state.validating:
        return await state.live()
    return await _create_trips(state) or await _new_page(state, FormState(), block="single_form")


@bp.post("/trips/schedule")
@admin_required
async def trip_schedule():
    """Create every trip of a recurring schedule (weekdays × times over a date range)."""
    state = await FormState.posted(ScheduleForm, "amenities", "weekdays")
    if state.validating:
        return await state.live()
    if state.form is not None and state.values.get("preview") == "1":  # nothing saved: what Create would make
        return await _new_page(FormState(), state, block="schedule_form", preview=schedule_preview(state.form))
    return await _create_trips(state) or await _new_page(FormState(), state, block="schedule_form")


async def _trip_page(trip_id: int, block: str | None = None, status: int = 200, **forms: FormState) -> Response:
    """The trip page, with the price, seats and cancel forms as given (blank otherwise)."""
    trip = await found(service.get_trip(trip_id, area_scope()))
    states = {name: (forms.get(name) or FormState()).context(f"{name}_") for name in ("price", "seats", "cancel")}
    return await render(
        "admin/trip.html",
        block=block,
        status=status,
        trip=trip,
        **states["price"],
        **states["seats"],
        **states["cancel"],
    )


@bp.get("/trips/<int:trip_id>")
@admin_required
async def trip_show(trip_id: int):
    """A trip: price, seats offered, cancellation, and its bookings."""
    return await _trip_page(trip_id)


@bp.post("/trips/<int:trip_id>/price")
@admin_required
async def trip_price(trip_id: int):
    """Change the seat price."""
    state = await FormState.posted(TripPrice)
    if state.form is not None:
        with state.saving():
            await service.change_trip_price(actor(), trip_id, state.form.price_minor, area_scope())
            return await saved("The price is changed.", area_url(f"/trips/{trip_id}"))
    return await _trip_page(trip_id, "price_form", state.status, price=state)


@bp.post("/trips/<int:trip_id>/seats")
@admin_required
async def trip_seats(trip_id: int):
    """Change how many seats are on sale; fewer than are booked is refused with the booked count."""
    state = await FormState.posted(TripSeats)
    if state.form is not None:
        with state.saving():
            await service.change_trip_seats(actor(), trip_id, state.form.seats_total, area_scope())
            return await saved("The seats on sale are changed.", area_url(f"/trips/{trip_id}"))
    return await _trip_page(trip_id, "seats_form", state.status, seats=state)


@bp.post("/trips/<int:trip_id>/cancel")
@admin_required
async def trip_cancel(trip_id: int):
    """Cancel a trip with a reason: its bookings are cancelled and refunded, their seats released once."""
    state = await FormState.posted(CancelForm)
    if state.form is not None:
        with state.saving():
            result = await service.cancel_trip(actor(), trip_id, state.form.reason, area_scope())
            return await saved(
                f"The trip is cancelled; {result['bookings_cancelled']} booking(s) cancelled and refunded.",
                area_url(f"/trips/{trip_id}"),
            )
    return await _trip_page(trip_id, "cancel_form", state.status, cancel=state)
