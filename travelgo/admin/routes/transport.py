"""Trains and flights (issue 18, travelgo/segments) in the admin (/admin/routes) and, mounted by
travelgo/partners/routes.py, in the partner area (/partner/routes, the business's own routes): routes with their
stops, coaches or cabins and fares, runs on a range of dates, and a fare's change. Plain HTML forms (the text formats
are in travelgo/segments/forms.py); the rules, the scope checks and the audit are in travelgo/segments/manage.py."""

from __future__ import annotations

from quart import Blueprint, Response

from ...auth import admin_required
from ...forms import FormState, found, saved
from ...segments import manage
from ...segments.forms import FareForm, RouteForm, RunsForm
from ...web import render
from ..views import actor, area_scope, area_url

bp = Blueprint("transport", __name__)


async def _list_page(state: FormState) -> Response:
    return await render(
        "segments/admin_routes.html", status=state.status, **await manage.list_routes(area_scope()), **state.context()
    )


@bp.get("/routes")
@admin_required
async def route_list():
    """Every train and flight route (a partner's own), and the form for a new one."""
    return await _list_page(FormState({"mode": "train"}))


@bp.post("/routes")
@admin_required
async def route_create():
    """A new route with its stops, its rake (coaches) or aircraft (cabins) and fares; runs are added on its page."""
    state = await FormState.posted(RouteForm)
    if state.form is not None:
        with state.saving():
            route_id = await manage.create_route(actor(), state.form, area_scope())
            return await saved("The route is added; add its runs below.", area_url(f"/routes/{route_id}"))
    return await _list_page(state)


async def _route_page(route_id: int, runs: FormState | None = None, fares: FormState | None = None) -> Response:
    """The route page with the runs and fares forms as given (blank otherwise)."""
    route = await found(manage.get_route(route_id, area_scope()))
    runs = runs or FormState({"departs": "08:00"})
    fares = fares or FormState({"fares": route["fare_text"]})
    return await render(
        "segments/admin_route.html",
        status=max(runs.status, fares.status),
        **route,
        **runs.context("runs_"),
        **fares.context("fare_"),
    )


@bp.get("/routes/<int:route_id>")
@admin_required
async def route_show(route_id: int):
    """A route: stops, coaches or cabins, fares, upcoming runs; forms to add runs and change fares."""
    return await _route_page(route_id)


@bp.post("/routes/<int:route_id>/runs")
@admin_required
async def route_runs(route_id: int):
    """Run the route every day from `start` to `end`, leaving its first stop at `departs` (one trip and its legs
    per day; a day that already has a run at that time is skipped)."""
    state = await FormState.posted(RunsForm)
    if state.form is not None:
        with state.saving():
            made = await manage.add_runs(actor(), route_id, state.form, area_scope())
            return await saved(f"{made} run(s) added.", area_url(f"/routes/{route_id}"))
    return await _route_page(route_id, runs=state)


@bp.post("/routes/<int:route_id>/fares")
@admin_required
async def route_fares(route_id: int):
    """Replace the route's fares (bookings already made keep the price they were charged)."""
    state = await FormState.posted(FareForm)
    if state.form is not None:
        with state.saving():
            await manage.set_fares(actor(), route_id, state.form, area_scope())
            return await saved("The fares are changed.", area_url(f"/routes/{route_id}"))
    return await _route_page(route_id, fares=state)
