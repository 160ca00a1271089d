"""The dashboard: bookings, revenue, cancellations and occupancy for a date range."""

from __future__ import annotations

from quart import Blueprint, request

from ...auth import admin_required
from ...templating import money
from ...web import form_dict, parse_model, render
from .. import charts, service
from ..forms import StatsRange
from ..views import area_scope

bp = Blueprint("dashboard", __name__)


@bp.get("/")
@bp.get("/dashboard")
@admin_required
async def dashboard():
    """Bookings, revenue, cancellations and occupancy for a date range, as SVG charts and tables."""
    return await render("admin/dashboard.html", **await figures_context())


async def figures_context() -> dict:
    """The dashboard's figures, charts and range for the query string (the admin's, or a partner's business on
    the partner dashboard: the scope comes from the area the page is in)."""
    values = form_dict(request.args)
    rng, errors = parse_model(StatsRange, values)
    if rng is None:
        rng = StatsRange()
    figures = await service.stats(rng, area_scope())
    short = "%d %b"
    day_points = [(d["date"].strftime(short), d["bookings"]) for d in figures["days"]]
    revenue_points = [(d["date"].strftime(short), d["revenue_minor"]) for d in figures["days"]]

    def in_currency(minor: float) -> str:
        return money(minor, figures["currency"], whole=True)

    chart = {
        "bookings": charts.bar_chart(
            "chart-bookings",
            "Bookings per day",
            day_points,
            summary=f"{figures['totals']['bookings']} bookings from {rng.date_from:%d %b %Y} to {rng.date_to:%d %b %Y}",
        ),
        "revenue": charts.bar_chart(
            "chart-revenue",
            "Net revenue per day",
            revenue_points,
            fmt=in_currency,
            summary=f"{in_currency(figures['totals']['revenue_minor'])} net revenue",
        ),
        "routes": charts.ratio_chart(
            "chart-routes",
            "Seat occupancy per route",
            [(f"{r['origin']} → {r['destination']}", r["occupancy"]) for r in figures["routes"][:12]],
        ),
        "hotels": charts.ratio_chart(
            "chart-hotels",
            "Room-night occupancy per hotel",
            [(h["hotel"], h["occupancy"]) for h in figures["hotels"][:12]],
        ),
    }
    return {
        "status": 422 if errors else 200,  # bad dates: the last 30 days with the message, as the other lists do
        "figures": figures,
        "chart": chart,
        "errors": errors,
        "range": rng,
        "values": {"from": rng.date_from.isoformat(), "to": rng.date_to.isoformat()},
    }
