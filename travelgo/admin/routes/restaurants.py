"""Table requests: the open requests to "on request" restaurants, accepted or rejected on the restaurant's behalf
until partner accounts exist (issue 17; the partner area calls the same service). Each answer is audited."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field
from quart import Blueprint, flash, request

from ...auth import admin_required
from ...bookings.errors import BookingError
from ...restaurants import service
from ...web import form_dict, hx_redirect, parse_model, render
from ..views import actor

bp = Blueprint("restaurants", __name__)


class AnswerForm(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    booking_id: int = Field(gt=0)
    answer: str = Field(pattern="^(accept|reject)$")
    reason: str | None = Field(default=None, max_length=255)


@bp.get("/restaurant-requests")
@admin_required
async def restaurant_request_list():
    """Open table requests, soonest deadline first, each with Accept and Reject."""
    return await render("restaurants/requests.html", requests=await service.open_requests())


@bp.post("/restaurant-requests")
@admin_required
async def restaurant_request_answer():
    """Accept or reject one request; one answered, withdrawn or expired meanwhile is refused with a message."""
    form, _ = parse_model(AnswerForm, form_dict(await request.form))
    if form is None:
        await flash("That answer could not be read. Please try again.", "error")
        return hx_redirect("/admin/restaurant-requests")
    try:
        if form.answer == "accept":
            status = await service.accept_request(form.booking_id, actor=actor())
            await flash(
                "Accepted: the guest is asked to pay the deposit." if status == "pending_payment" else "Accepted.",
                "success",
            )
        else:
            await service.reject_request(form.booking_id, form.reason, actor=actor())
            await flash("Rejected: the guest has been told.", "success")
    except BookingError as exc:
        await flash(exc.detail, "error")
    return hx_redirect("/admin/restaurant-requests")
