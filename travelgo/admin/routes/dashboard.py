"""The dashboard: bookings, revenue, cancellations and occupancy for a date range; the top routes and hotels on the
page, every route and hotel a link away. The partner dashboard shows the same figures for its business."""

from __future__ import annotations

from typing import Any

from quart import Blueprint, request

from ...auth import admin_required
from ...templating import money
from ...web import form_dict, parse_model, render
from .. import charts, service
from ..forms import StatsRange
from ..views import area_scope

bp = Blueprint("dashboard", __name__)

TOP = service.TOP_N


async def _figures() -> tuple[StatsRange, dict[str, Any], dict[str, str]]:
    """The range asked for (the last 30 days when it is not valid, with the message) and its figures, for the admin
    or, on the partner dashboard, for the partner's business (the scope comes from the area the page is in)."""
    rng, errors = parse_model(StatsRange, form_dict(request.args))
    if rng is None:
        rng = StatsRange()
    return rng, await service.stats(rng, area_scope()), errors


def busiest(rows: list[dict], sold_key: str) -> list[dict]:
    """The rows with the most sold first (seats or room-nights), then the fullest: "top" on the dashboard."""
    return sorted(rows, key=lambda r: (-r[sold_key], -r["occupancy"]))


def _range_values(rng: StatsRange) -> dict[str, str]:
    return {"from": rng.date_from.isoformat(), "to": rng.date_to.isoformat()}


@bp.get("/")
@bp.get("/dashboard")
@admin_required
async def dashboard():
    """Bookings, revenue, cancellations and occupancy for a date range, as SVG charts beside their tables."""
    return await render("admin/dashboard.html", **await figures_context())


async def figures_context() -> dict[str, Any]:
    """The dashboard's figures, charts, top routes and hotels and range for the query string."""
    rng, figures, errors = await _figures()
    short = "%d %b"
    currency = figures["currency"]
    routes = busiest(figures["routes"], "seats_sold")[:TOP]
    hotels = busiest(figures["hotels"], "room_nights_sold")[:TOP]
    chart = {
        "bookings": charts.bar_chart(
            "chart-bookings",
            "Bookings per day",
            [(d["date"].strftime(short), d["bookings"]) for d in figures["days"]],
            summary=f"{figures['totals']['bookings']} bookings from {rng.date_from:%d %b %Y} to {rng.date_to:%d %b %Y}",
        ),
        "revenue": charts.bar_chart(
            "chart-revenue",
            "Net revenue per day",
            [(d["date"].strftime(short), d["revenue_minor"]) for d in figures["days"]],
            fmt=lambda minor: charts.compact_money(minor, currency),
            summary=f"{money(figures['totals']['revenue_minor'], currency, whole=True)} net revenue",
        ),
        "routes": charts.ratio_chart(
            "chart-routes",
            f"Seat occupancy of the {len(routes)} busiest routes",
            [(f"{r['origin']} → {r['destination']}", r["occupancy"]) for r in routes],
        ),
        "hotels": charts.ratio_chart(
            "chart-hotels",
            f"Room-night occupancy of the {len(hotels)} busiest hotels",
            [(h["hotel"], h["occupancy"]) for h in hotels],
        ),
    }
    return {
        "status": 422 if errors else 200,  # bad dates: the last 30 days with the message, as the other lists do
        "figures": figures,
        "routes": routes,
        "hotels": hotels,
        "chart": chart,
        "errors": errors,
        "range": rng,
        "values": _range_values(rng),
    }


@bp.get("/dashboard/routes")
@admin_required
async def dashboard_routes():
    """Seat occupancy of every route for the range (the dashboard shows the busiest)."""
    rng, figures, errors = await _figures()
    return await render(
        "admin/dashboard_all.html",
        status=422 if errors else 200,
        what="routes",
        rows=busiest(figures["routes"], "seats_sold"),
        errors=errors,
        values=_range_values(rng),
    )


@bp.get("/dashboard/hotels")
@admin_required
async def dashboard_hotels():
    """Room-night occupancy of every hotel for the range (the dashboard shows the busiest)."""
    rng, figures, errors = await _figures()
    return await render(
        "admin/dashboard_all.html",
        status=422 if errors else 200,
        what="hotels",
        rows=busiest(figures["hotels"], "room_nights_sold"),
        errors=errors,
        values=_range_values(rng),
    )
