"""Money: payments and refunds with filters, and retrying a refund the provider failed."""

from __future__ import annotations

from quart import Blueprint, abort, request

from ...auth import admin_required
from ...forms import FormState, saved
from ...web import form_dict
from .. import service
from ..forms import PaymentFilter, RefundFilter
from ..views import actor, filtered

bp = Blueprint("money", __name__)


@bp.get("/payments")
@admin_required
async def payment_list():
    """Payments by status, booking reference or traveller e-mail."""
    return await filtered("admin/payments.html", PaymentFilter, service.list_payments)


@bp.get("/refunds")
@admin_required
async def refund_list():
    """Refunds by status, booking reference or traveller e-mail; failed ones can be retried."""
    return await filtered("admin/refunds.html", RefundFilter, service.list_refunds)


@bp.post("/refunds/<int:refund_id>/retry")
@admin_required
async def refund_retry(refund_id: int):
    """Send a failed refund to the provider again."""
    back = form_dict(await request.form).get("back") or "/admin/refunds"
    if not back.startswith("/admin/"):
        back = "/admin/refunds"
    state = FormState()
    with state.saving():
        await service.retry_refund(actor(), refund_id)
        return await saved(f"Refund {refund_id} was sent to the provider again.", back)
    abort(state.status, description=state.errors.get("__all__", "This refund cannot be retried."))
