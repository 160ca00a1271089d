"""Trains and flights (issue 18, travelgo/segments) in the admin (/admin/routes): routes with their stops, coaches or cabins and fares, runs
on a range of dates, and a fare's change. Minimal but real: plain HTML forms, every change audited.

The forms take a route's stops and coaches as short text, one per line, so a whole train is one form:
    stops:   "Mumbai | | 0 | 0" then "Pune | 190 | 195 | 192" ... (city, arrives and departs in minutes after the
             first departure, blank at the ends, km from the first stop)
    coaches: "S1 SL, S2 SL, B1 3A, A1 2A"  (flights: "J J, Y Y")
    fares:   "SL 40 0.45" per line (class, base in rupees, rupees per km)
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator
from quart import Blueprint, abort, redirect, request

from ... import db
from ...auth import admin_required
from ...segments import build, queries
from ...web import form_dict, parse_model, render
from ..audit import record
from ..views import actor

bp = Blueprint("transport", __name__)
CLASSES = build.TRAIN_CLASSES + build.FLIGHT_CLASSES
MAX_RUN_DAYS = 120


def _parse_stops(text: str) -> list[tuple[str, int | None, int | None, int]]:
    stops = []
    for n, line in enumerate(filter(None, (raw.strip() for raw in text.splitlines())), start=1):
        parts = [p.strip() for p in line.split("|")]
        if len(parts) != 4 or not parts[0]:
            raise ValueError(f"Line {n}: write city | arrives | departs | km")
        try:
            arrives, departs = (int(p) if p else None for p in parts[1:3])
            km = int(parts[3] or 0)
        except ValueError:
            raise ValueError(f"Line {n}: minutes and km are whole numbers") from None
        stops.append((parts[0], arrives, departs, km))
    if not 2 <= len(stops) <= 20:
        raise ValueError("A route has 2 to 20 stops")
    if stops[0][2] is None or stops[-1][1] is None:
        raise ValueError("The first stop needs a departure and the last an arrival")
    moments = [m for _, a, d, _ in stops for m in (a, d) if m is not None]
    if moments != sorted(moments) or [s[3] for s in stops] != sorted(s[3] for s in stops):
        raise ValueError("Times and distances must grow along the route")
    for i, (_, arrives, departs, _) in enumerate(stops):
        if (i > 0 and arrives is None) or (i < len(stops) - 1 and departs is None):
            raise ValueError(f"Stop {i + 1} needs an arrival and a departure")
    return stops


def _parse_coaches(text: str) -> list[tuple[str, str]]:
    coaches = []
    for item in filter(None, (p.strip() for p in text.replace("\n", ",").split(","))):
        parts = item.split()
        if len(parts) != 2 or parts[1] not in CLASSES or not parts[0].isalnum() or len(parts[0]) > 4:
            raise ValueError(f'"{item}": write a coach code and its class ({", ".join(CLASSES)})')
        coaches.append((parts[0], parts[1]))
    if not coaches or len({c for c, _ in coaches}) != len(coaches):
        raise ValueError("Give at least one coach or cabin, each code once")
    return coaches


def _parse_fares(text: str) -> list[dict]:
    fares = []
    for n, line in enumerate(filter(None, (raw.strip() for raw in text.splitlines())), start=1):
        parts = line.split()
        try:
            if len(parts) != 3 or parts[0] not in CLASSES:
                raise InvalidOperation
            base, per_km = Decimal(parts[1]), Decimal(parts[2])
        except InvalidOperation:
            raise ValueError(f"Line {n}: write class, base fare (₹) and fare per km (₹)") from None
        if base < 0 or per_km < 0 or base > 1_000_000 or per_km > 1000:
            raise ValueError(f"Line {n}: fares are from 0 to ₹10,00,000 and ₹1,000 per km")
        fares.append(build.fare_row(parts[0], int(base * 100), int(per_km * 100)))
    if not fares or len({f["class_code"] for f in fares}) != len(fares):
        raise ValueError("Give a fare for each class sold, once")
    return fares


class RouteForm(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    mode: Literal["train", "flight"]
    operator_id: int = Field(gt=0)
    code: str = Field(min_length=1, max_length=16)
    name: str = Field(min_length=1, max_length=120)
    stops: str = Field(min_length=1, max_length=4000)
    coaches: str = Field(min_length=1, max_length=2000)
    fares: str = Field(min_length=1, max_length=2000)

    _stops = field_validator("stops")(lambda v: (_parse_stops(v), v)[1])
    _coaches = field_validator("coaches")(lambda v: (_parse_coaches(v), v)[1])

    @field_validator("fares")
    @classmethod
    def _fares_cover_coaches(cls, value: str, info: ValidationInfo) -> str:
        fares = _parse_fares(value)
        coaches = info.data.get("coaches")
        if coaches:
            missing = {c for _, c in _parse_coaches(coaches)} - {f["class_code"] for f in fares}
            if missing:
                raise ValueError(f"No fare for class {', '.join(sorted(missing))}")
        return value


class RunsForm(BaseModel):
    start: date
    end: date
    departs: time

    @field_validator("end")
    @classmethod
    def _range(cls, value: date, info: ValidationInfo) -> date:
        start = info.data.get("start")
        if start is not None and not 0 <= (value - start).days < MAX_RUN_DAYS:
            raise ValueError(f"The last date is the first or up to {MAX_RUN_DAYS - 1} days after it")
        return value


class FareForm(BaseModel):
    fares: str = Field(min_length=1, max_length=2000)

    _fares = field_validator("fares")(lambda v: (_parse_fares(v), v)[1])


async def _list_page(values=None, errors=None, status=200):
    async with db.reading() as cur:
        await cur.execute(
            """
            SELECT r.id, r.mode, r.code, r.name, o.name AS operator,
                   (SELECT COUNT(*) FROM route_stops s WHERE s.route_id = r.id) AS stops,
                   (SELECT COUNT(*) FROM trips t WHERE t.route_id = r.id AND t.departs_at >= CURDATE()) AS runs
              FROM routes r
              JOIN operators o ON o.id = r.operator_id
             ORDER BY r.mode DESC, r.code
            """
        )
        routes = await cur.fetchall()
        await cur.execute("SELECT id, name FROM operators ORDER BY name")
        operators = await cur.fetchall()
    return await render(
        "segments/admin_routes.html",
        status=status,
        routes=routes,
        operators=operators,
        values=values or {"mode": "train"},
        errors=errors or {},
    )


@bp.get("/routes")
@admin_required
async def route_list():
    """Every train and flight route, and the form for a new one."""
    return await _list_page()


@bp.post("/routes")
@admin_required
async def route_create():
    """A new route with its stops, its rake (coaches) or aircraft (cabins) and fares; runs are added on its page."""
    values = form_dict(await request.form)
    form, errors = parse_model(RouteForm, values)
    if form is None:
        return await _list_page(values, errors, 422)
    stops = _parse_stops(form.stops)

    async def work(cur):
        ids = []
        for name, *_ in stops:
            await cur.execute("SELECT id FROM cities WHERE name = %(n)s", {"n": name})
            row = await cur.fetchone()
            if row is None:
                return None, {"stops": f"There is no city {name} (add it under Cities first)"}
            ids.append(row["id"])
        if len(set(ids)) != len(ids):
            return None, {"stops": "A route calls at a city once"}
        await cur.execute("SELECT id FROM routes WHERE mode = %(m)s AND code = %(c)s", {"m": form.mode, "c": form.code})
        if await cur.fetchone():
            return None, {"code": f"There already is a {form.mode} {form.code}"}
        stop_rows = [
            {"city_id": city_id, "station": name, "arrives_after": a, "departs_after": d, "distance_km": km}
            for city_id, (name, a, d, km) in zip(ids, stops, strict=True)
        ]
        route_id = await build.insert_route(
            cur, mode=form.mode, operator_id=form.operator_id, code=form.code, name=form.name, stops=stop_rows,
            fares=_parse_fares(form.fares),
        )  # fmt: skip
        vehicle_id, seats = await build.insert_rake(
            cur, operator_id=form.operator_id, name=f"{form.code} {form.name}", coaches=_parse_coaches(form.coaches)
        )
        await cur.execute("UPDATE routes SET vehicle_id = %(v)s WHERE id = %(r)s", {"r": route_id, "v": vehicle_id})
        await record(cur, actor(), "create", "route", route_id, after={**form.model_dump(), "seats": seats})
        return route_id, None

    route_id, problems = await db.run_in_transaction(work)
    if problems:
        return await _list_page(values, problems, 422)
    return redirect(f"/admin/routes/{route_id}", 303)


async def _route_page(route_id: int, *, runs_values=None, runs_errors=None, fare_errors=None, status=200):
    async with db.reading() as cur:
        await cur.execute(
            """SELECT r.*, o.name AS operator FROM routes r JOIN operators o ON o.id = r.operator_id
                WHERE r.id = %(id)s""",
            {"id": route_id},
        )
        route = await cur.fetchone()
        if route is None:
            abort(404)
        stops = await queries.select_stops(cur, route_id)
        fares = await queries.select_fares(cur, route_id)
        vehicle_id = await _vehicle_of(cur, route_id)
        seats = await queries.select_seats(cur, vehicle_id) if vehicle_id else []
        await cur.execute(
            """SELECT t.id, t.departs_at, t.status, (SELECT MAX(seats_booked) FROM trip_legs l WHERE l.trip_id = t.id)
                      AS busiest_leg
                 FROM trips t WHERE t.route_id = %(id)s AND t.departs_at >= CURDATE()
                ORDER BY t.departs_at LIMIT 30""",
            {"id": route_id},
        )
        runs = await cur.fetchall()
    coaches: dict[str, dict] = {}
    for s in seats:
        coaches.setdefault(s["coach"], {"code": s["coach"], "class_code": s["class_code"], "seats": 0})["seats"] += 1
    fare_text = "\n".join(
        f"{c} {Decimal(f['base_minor']) / 100} {Decimal(f['per_km_minor']) / 100}" for c, f in sorted(fares.items())
    )
    return await render(
        "segments/admin_route.html",
        status=status,
        route=route,
        stops=stops,
        fares=fares,
        coaches=list(coaches.values()),
        runs=runs,
        runs_values=runs_values or {"departs": "08:00"},
        runs_errors=runs_errors or {},
        fare_values={"fares": fare_text},
        fare_errors=fare_errors or {},
    )


async def _vehicle_of(cur, route_id: int) -> int | None:
    """The route's rake or aircraft (routes.vehicle_id), else the one its runs use."""
    await cur.execute(
        """SELECT vehicle_id FROM routes WHERE id = %(id)s AND vehicle_id IS NOT NULL
           UNION ALL SELECT vehicle_id FROM trips WHERE route_id = %(id)s LIMIT 1""",
        {"id": route_id},
    )
    row = await cur.fetchone()
    return row["vehicle_id"] if row else None


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
    values = form_dict(await request.form)
    form, errors = parse_model(RunsForm, values)
    if form is None:
        return await _route_page(route_id, runs_values=values, runs_errors=errors, status=422)

    async def work(cur):
        await cur.execute("SELECT * FROM routes WHERE id = %(id)s FOR UPDATE", {"id": route_id})
        route = await cur.fetchone()
        if route is None:
            return None
        stops = await queries.select_stops(cur, route_id)
        vehicle_id = await _vehicle_of(cur, route_id)
        seats = len(await queries.select_seats(cur, vehicle_id))
        fares = await queries.select_fares(cur, route_id)
        currency = next(iter(fares.values()))["currency"]
        lowest = min(
            (f["base_minor"] + f["per_km_minor"] * stops[-1]["distance_km"] + 50) // 100 * 100 for f in fares.values()
        )
        made = 0
        day = form.start
        while day <= form.end:
            departs_at = datetime.combine(day, form.departs)
            await cur.execute(
                "SELECT id FROM trips WHERE route_id = %(r)s AND departs_at = %(d)s", {"r": route_id, "d": departs_at}
            )
            if await cur.fetchone() is None:
                await build.insert_run(
                    cur, mode=route["mode"], route_id=route_id, operator_id=route["operator_id"],
                    vehicle_id=vehicle_id, seats=seats, stops=stops, departs_at=departs_at, currency=currency,
                    price_minor=lowest,
                )  # fmt: skip
                made += 1
            day += timedelta(days=1)
        await record(cur, actor(), "create", "route_runs", route_id, after={**values, "runs": made})
        return made

    made = await db.run_in_transaction(work)
    if made is None:
        abort(404)
    return redirect(f"/admin/routes/{route_id}", 303)


@bp.post("/routes/<int:route_id>/fares")
@admin_required
async def route_fares(route_id: int):
    """Replace the route's fares (bookings already made keep the price they were charged)."""
    values = form_dict(await request.form)
    form, errors = parse_model(FareForm, values)
    if form is None:
        return await _route_page(route_id, fare_errors=errors, status=422)
    fares = _parse_fares(form.fares)

    async def work(cur):
        await cur.execute("SELECT id FROM routes WHERE id = %(id)s FOR UPDATE", {"id": route_id})
        if await cur.fetchone() is None:
            return False
        before = await queries.select_fares(cur, route_id)
        await cur.execute("DELETE FROM route_fares WHERE route_id = %(id)s", {"id": route_id})
        await cur.executemany(
            """INSERT INTO route_fares (route_id, class_code, base_minor, per_km_minor, currency)
               VALUES (%(route_id)s, %(class_code)s, %(base_minor)s, %(per_km_minor)s, %(currency)s)""",
            [{**f, "route_id": route_id} for f in fares],
        )
        await record(cur, actor(), "update", "route_fares", route_id, before=before, after=fares)
        return True

    if not await db.run_in_transaction(work):
        abort(404)
    return redirect(f"/admin/routes/{route_id}", 303)
