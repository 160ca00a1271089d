"""Admin management pages under /admin: one sub-blueprint per area, thin routes over travelgo.admin.service.

Every route is wrapped in admin_required (anonymous → log in, traveller → 403). Forms post with htmx and come
back as 422 fragments with field messages (travelgo.forms.FormState); `?validate=1` only validates (live
validation as fields change). Every page also works as plain HTML forms and links.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from quart import Blueprint, g, request

from . import (
    audit,
    bookings,
    dashboard,
    hotels,
    money,
    partners,
    places,
    pricing,
    restaurants,
    reviews,
    transport,
    trips,
    vehicles,
)

bp = Blueprint("admin", __name__, url_prefix="/admin")
bp.register_blueprint(dashboard.bp)
bp.register_blueprint(bookings.bp)
bp.register_blueprint(money.bp)
bp.register_blueprint(trips.bp)
bp.register_blueprint(vehicles.bp)
bp.register_blueprint(places.bp)
bp.register_blueprint(hotels.bp)
bp.register_blueprint(pricing.bp)
bp.register_blueprint(reviews.bp)
bp.register_blueprint(partners.bp)
bp.register_blueprint(restaurants.bp)
bp.register_blueprint(audit.bp)
bp.register_blueprint(transport.bp)  # trains and flights: /admin/routes


@bp.app_context_processor
def management_area() -> dict[str, Any]:
    """The admin templates also draw the partner pages (travelgo.partners.routes): where their links and forms
    point, which layout frames them, and whether the price and member forms show (owners and admins only)."""
    if (request.blueprint or "").startswith("partner"):
        found = g.get("partner_scope")
        return {
            "area": "/partner",
            "area_layout": "partner/_layout.html",
            "area_is_admin": False,
            "may_price": bool(found and found.is_owner),
        }
    return {"area": "/admin", "area_layout": "admin/_layout.html", "area_is_admin": True, "may_price": True}


@bp.app_template_filter("admin_query")
def admin_query(args: dict[str, Any], **changes: Any) -> str:
    """A query string of the current filters with some values changed (pagination links, CSV export)."""
    return urlencode({**args, **changes}, doseq=True)
