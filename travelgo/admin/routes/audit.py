"""The audit trail: who changed what, and when."""

from __future__ import annotations

from quart import Blueprint

from ...auth import admin_required
from .. import service
from ..forms import AuditFilter
from ..views import area_scope, filtered

bp = Blueprint("audit", __name__)


@bp.get("/audit")
@admin_required
async def audit_list():
    """The audit trail, filterable by entity, action, user and date."""
    return await filtered("admin/audit.html", AuditFilter, lambda f: service.list_audit(f, area_scope()))
