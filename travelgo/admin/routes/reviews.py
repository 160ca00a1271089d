"""Reviews: every traveller review with filters; hide an abusive one (or show it again) and reply once on the
business's behalf until partner accounts exist (issue 17). Each change is audited."""

from __future__ import annotations

from quart import Blueprint, abort, request

from ...auth import admin_required
from ...forms import saved
from ...reviews import service
from ...reviews.forms import ReplyIn
from ...web import form_dict, parse_model
from ..forms import ReviewFilter
from ..views import actor, filtered

bp = Blueprint("reviews", __name__)


def _back(form: dict) -> str:
    back = form.get("back") or "/admin/reviews"
    return back if back.startswith("/admin/reviews") else "/admin/reviews"


@bp.get("/reviews")
@admin_required
async def review_list():
    """Reviews by business kind, stars, state (visible, hidden, unanswered) or a reference, e-mail or name."""
    return await filtered("admin/reviews.html", ReviewFilter, service.list_admin_reviews)


async def _set_hidden(review_id: int, hidden: bool):
    form = form_dict(await request.form)
    try:
        await service.set_hidden(actor(), review_id, hidden)
    except service.NotFound:
        abort(404, description="That review does not exist.")
    except service.ReviewError as exc:
        abort(exc.status, description=exc.detail)
    return await saved(f"Review {review_id} is {'hidden' if hidden else 'shown again'}.", _back(form))


@bp.post("/reviews/<int:review_id>/hide")
@admin_required
async def review_hide(review_id: int):
    """Hide an abusive review: it leaves the pages, the API and the business's rating at once."""
    return await _set_hidden(review_id, True)


@bp.post("/reviews/<int:review_id>/unhide")
@admin_required
async def review_unhide(review_id: int):
    """Show a hidden review again (it counts towards the rating again)."""
    return await _set_hidden(review_id, False)


@bp.post("/reviews/<int:review_id>/reply")
@admin_required
async def review_reply(review_id: int):
    """The business's one reply, written by an admin on its behalf."""
    form = form_dict(await request.form)
    data, errors = parse_model(ReplyIn, {"reply": form.get("reply", "")})
    if data is None:
        abort(422, description=f"The reply: {errors.get('reply', 'is not valid')}.")
    try:
        await service.reply(actor(), review_id, data.reply)
    except service.NotFound:
        abort(404, description="That review does not exist.")
    except service.ReviewError as exc:
        abort(exc.status, description=exc.detail)
    return await saved(f"Your reply to review {review_id} is published.", _back(form))
