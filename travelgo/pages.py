"""Home page and operational endpoints."""

from __future__ import annotations

from datetime import timedelta

from quart import Blueprint, abort, current_app, jsonify, render_template, request

from . import db
from .auth import browser_user
from .dates import today_in
from .places import service as places
from .places.pickers import city_datalist
from .places.resolver import fold
from .recommend import service as recommend
from .text import is_digits
from .web import render

bp = Blueprint("pages", __name__)


@bp.get("/")
async def home():
    """Search forms for buses and hotels, popular destinations, and suggestions: personal for a signed-in traveller,
    popular routes for everyone else."""
    catalog = await places.catalog()
    today = today_in()
    user = await browser_user()
    if user is not None:
        recommendations = await recommend.for_traveller(user.id, limit=6)
    else:
        recommendations = [r for r in await recommend.for_traveller(None, limit=20) if r["kind"] == "route"][:6]
    return await render(
        "home.html",
        recommendations=recommendations,
        signed_in=user is not None,
        popular=catalog["popular"],
        city_datalist=await city_datalist(),
        today=today,
        tomorrow=today + timedelta(days=1),
    )


PICKER_LABELS = {"origin": "From", "destination": "To", "city": "City"}


@bp.get("/cities/suggest")
async def city_suggest():
    """Type-ahead: up to 8 cities for what was typed into a city picker (an HTML fragment)."""
    field = request.args.get("field", "")
    if field not in PICKER_LABELS:
        abort(404)
    q = (request.args.get("q") or request.args.get(field) or "").strip()[:60]
    cities = (await places.list_cities(q, limit=8))["items"] if q else []
    index = (await places.catalog())["index"]
    # a city found by another name says which ("Bengaluru · Bangalore"); no match offers the closest names
    aka = {}
    for c in cities:
        other = [a for a in index.aliases_matching(c["id"], q) if fold(a) != fold(c["region"])]  # not "Goa · Goa"
        if other:
            aka[c["id"]] = ", ".join(other)
    closest = index.closest(fold(q)) if q and not cities else []
    return await render_template("places/_suggestions.html", cities=cities, field=field, q=q, aka=aka, closest=closest)


@bp.get("/cities/pick")
async def city_pick():
    """A suggestion was chosen: the picker again, filled in with that city."""
    field = request.args.get("field", "")
    city_id = request.args.get("id", "")
    if field not in PICKER_LABELS or not is_digits(city_id):
        abort(404)
    found = await places.cities_by_ids([int(city_id)])
    if not found:
        abort(404)
    return await render_template(
        "places/_picker.html", field=field, label=PICKER_LABELS[field], value=found[int(city_id)]["name"]
    )


@bp.get("/favicon.ico")
async def favicon():
    """Pages that link no icon (the API docs, TestPay's hosted pages) make browsers ask here: the same icon."""
    return await current_app.send_static_file("favicon.svg")


@bp.get("/healthz")
async def healthz():
    """The process is alive (no database call)."""
    return jsonify(status="ok")


@bp.get("/readyz")
async def readyz():
    """The database answers; 503 otherwise."""
    if await db.ping():
        return jsonify(status="ready", database="ok")
    return jsonify(status="unavailable", database="unreachable"), 503
