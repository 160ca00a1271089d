"""Money and messages: payments and refunds with filters, retrying a refund the provider failed; notifications with
their delivery state, and a resend."""

from __future__ import annotations

from quart import Blueprint, abort, request

from ...auth import admin_required
from ...forms import FormState, found, saved
from ...web import form_dict, render
from .. import service
from ..forms import NotificationFilter, PaymentFilter, RefundFilter
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


@bp.get("/notifications")
@admin_required
async def notification_list():
    """Notifications by status, kind, channel, recipient or booking reference; each can be sent again."""
    return await filtered("admin/notifications.html", NotificationFilter, service.list_notifications)


@bp.get("/notifications/<int:notification_id>")
@admin_required
async def notification_show(notification_id: int):
    """One notification: what was sent (or why not), to whom, when."""
    return await render("admin/notification.html", n=await found(service.get_notification(notification_id)))


@bp.post("/notifications/<int:notification_id>/resend")
@admin_required
async def notification_resend(notification_id: int):
    """Send a notification again now."""
    state = FormState()
    with state.saving():
        await service.resend_notification(actor(), notification_id)
        return await saved(f"Notification {notification_id} was sent again.", f"/admin/notifications/{notification_id}")
    abort(state.status, description=state.errors.get("__all__", "This notification cannot be sent again."))
