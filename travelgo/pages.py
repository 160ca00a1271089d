"""Home page and operational endpoints."""

from __future__ import annotations

from datetime import date, timedelta

from quart import Blueprint, jsonify

from . import db
from .web import render

bp = Blueprint("pages", __name__)


@bp.get("/")
async def home():
    """Search forms for buses and hotels, and popular destinations."""
    async with db.reading(replica=True) as cur:
        await cur.execute(
            """
            SELECT c.id, c.name, c.country, COUNT(h.id) AS hotels
              FROM cities c
              JOIN hotels h ON h.city_id = c.id
             GROUP BY c.id, c.name, c.country
             ORDER BY hotels DESC, c.name
             LIMIT 8
            """
        )
        popular = await cur.fetchall()
        await cur.execute("SELECT id, name FROM cities ORDER BY name")
        cities = await cur.fetchall()
    today = date.today()
    return await render("home.html", popular=popular, cities=cities, today=today, tomorrow=today + timedelta(days=1))


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
