"""Managing trains and flights: routes with their stops, coaches or cabins and fares, runs on a range of dates, and
a fare change. Shared by the admin pages (/admin/routes, every route) and the partner pages (/partner/routes, the
business's own), so which rows may be touched is the `scope` parameter: None is the admin, a PartnerScope one
business (travelgo/partners/ownership.py turns it into SQL: a route is its operator's business's).

Every change runs in one transaction with its audit entry (entity "route", so a partner's changes are on its trail).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from .. import db
from ..admin import queries as admin_queries
from ..admin.audit import record, unique_change
from ..forms import Invalid, NotFound
from ..partners.ownership import HasPartner, require, require_row, where
from . import build, queries
from .fares import fare_minor
from .forms import FareForm, RouteForm, RunsForm, parse_coaches, parse_fares, parse_stops


async def list_routes(scope: HasPartner | None = None) -> dict[str, Any]:
    """The routes (a partner's own only) and the operators a new one may run under."""
    owned, params = where(scope, "route", "r.id")
    async with db.reading() as cur:
        return {
            "routes": await queries.select_routes(cur, owned, params),
            "operators": await admin_queries.select_operator_options(cur, scope),
        }


async def _operator(cur, operator_id: int, scope: HasPartner | None) -> None:
    """Invalid unless the operator exists and the scope may run routes under it (a forged id reads as missing)."""
    try:
        await require(cur, scope, "operator", operator_id)
    except NotFound:
        raise Invalid({"operator_id": "Choose an operator from the list."}) from None
    if await admin_queries.select_operator(cur, operator_id) is None:
        raise Invalid({"operator_id": "Choose an operator from the list."})


async def create_route(actor: int, form: RouteForm, scope: HasPartner | None = None) -> int:
    """A new route with its stops, its rake (coaches) or aircraft (cabins) and fares, under one of the scope's
    operators; runs are added on its page. Returns its id."""
    stops = parse_stops(form.stops)

    async def work(cur):
        await _operator(cur, form.operator_id, scope)
        ids = []
        for name, *_ in stops:
            city_id = await queries.select_city_id(cur, name)
            if city_id is None:
                raise Invalid({"stops": f"There is no city {name} (add it under Cities first)"})
            ids.append(city_id)
        if len(set(ids)) != len(ids):
            raise Invalid({"stops": "A route calls at a city once"})
        if await queries.select_route_code_taken(cur, form.mode, form.code):
            raise Invalid({"code": f"There already is a {form.mode} {form.code}"})
        stop_rows = [
            {"city_id": city_id, "station": name, "arrives_after": a, "departs_after": d, "distance_km": km}
            for city_id, (name, a, d, km) in zip(ids, stops, strict=True)
        ]
        route_id = await build.insert_route(
            cur, mode=form.mode, operator_id=form.operator_id, code=form.code, name=form.name, stops=stop_rows,
            fares=parse_fares(form.fares),
        )  # fmt: skip
        vehicle_id, seats = await build.insert_rake(
            cur, operator_id=form.operator_id, name=f"{form.code} {form.name}", coaches=parse_coaches(form.coaches)
        )
        await queries.update_route_vehicle(cur, route_id, vehicle_id)
        await record(cur, actor, "route.create", "route", route_id, None, {**form.model_dump(), "seats": seats})
        return route_id

    # uq_routes_code: the same number saved at the same moment
    return await unique_change(work, "code", f"There already is a {form.mode} {form.code}")


async def get_route(route_id: int, scope: HasPartner | None = None) -> dict[str, Any]:
    """A route: stops, coaches or cabins with their seat counts, fares (and as the fare form's text), upcoming runs."""
    async with db.reading() as cur:
        route = await require_row(cur, scope, "route", route_id, queries.select_route)
        stops = await queries.select_stops(cur, route_id)
        fares = await queries.select_fares(cur, route_id)
        vehicle_id = await queries.select_route_vehicle(cur, route_id)
        seats = await queries.select_seats(cur, vehicle_id) if vehicle_id else []
        runs = await queries.select_upcoming_runs(cur, route_id)
    coaches: dict[str, dict] = {}
    for s in seats:
        coaches.setdefault(s["coach"], {"code": s["coach"], "class_code": s["class_code"], "seats": 0})["seats"] += 1
    fare_text = "\n".join(
        f"{c} {Decimal(f['base_minor']) / 100} {Decimal(f['per_km_minor']) / 100}" for c, f in sorted(fares.items())
    )
    return {
        "route": route,
        "stops": stops,
        "fares": fares,
        "fare_text": fare_text,
        "coaches": list(coaches.values()),
        "runs": runs,
    }


async def add_runs(actor: int, route_id: int, form: RunsForm, scope: HasPartner | None = None) -> int:
    """Run the route every day from `start` to `end`, leaving its first stop at `departs` (one trip and its legs per
    day; a day that already has a run at that time is skipped). Returns how many runs were made."""

    async def work(cur):
        route = await require_row(cur, scope, "route", route_id, queries.select_route, lock=True)
        stops = await queries.select_stops(cur, route_id)
        vehicle_id = await queries.select_route_vehicle(cur, route_id)
        seats = len(await queries.select_seats(cur, vehicle_id))
        fares = await queries.select_fares(cur, route_id)
        currency = next(iter(fares.values()))["currency"]
        lowest = min(fare_minor(f, stops[-1]["distance_km"]) for f in fares.values())
        made = 0
        day = form.start
        while day <= form.end:
            departs_at = datetime.combine(day, form.departs)
            if not await queries.select_run_at(cur, route_id, departs_at):
                await build.insert_run(
                    cur, mode=route["mode"], route_id=route_id, operator_id=route["operator_id"],
                    vehicle_id=vehicle_id, seats=seats, stops=stops, departs_at=departs_at, currency=currency,
                    price_minor=lowest,
                )  # fmt: skip
                made += 1
            day += timedelta(days=1)
        await record(cur, actor, "route.runs", "route", route_id, None, {**form.model_dump(mode="json"), "runs": made})
        return made

    return await db.run_in_transaction(work)


async def set_fares(actor: int, route_id: int, form: FareForm, scope: HasPartner | None = None) -> None:
    """Replace the route's fares (bookings already made keep the price they were charged)."""
    fares = parse_fares(form.fares)

    async def work(cur):
        await require_row(cur, scope, "route", route_id, queries.select_route, lock=True)
        before = await queries.select_fares(cur, route_id)
        await queries.replace_fares(cur, route_id, fares)
        await record(cur, actor, "route.fares", "route", route_id, before, fares)

    await db.run_in_transaction(work)
