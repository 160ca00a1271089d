"""JSON API: review a completed booking; a hotel's or an operator's reviews (routes are added to travelgo.api.bp)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from quart import g
from quart_schema import tag, validate_request, validate_response

from ..auth import api_auth_required
from ..problems import Problem
from ..reviews import service
from ..reviews.forms import ReviewIn
from . import bp, problems, validate_query


class ReviewOut(BaseModel):
    """A traveller's review of a completed trip (about its operator) or stay (about its hotel)."""

    id: int
    rating: int = Field(description="stars, 1-5")
    body: str
    author: str = Field(description="the traveller's first name and initial")
    kind: Literal["operator", "hotel"]
    business_id: int
    business_name: str
    reply: str | None = Field(None, description="the operator's or hotel's one reply")
    replied_at: datetime | None = None
    created_at: datetime


class ReviewList(BaseModel):
    """A business's visible reviews, newest first, with its rating (operators 0-5, hotels 0-10) and count."""

    items: list[ReviewOut]
    total: int
    limit: int
    offset: int
    rating: float
    review_count: int


class ReviewsQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")
    limit: int = Field(20, ge=1, le=100)
    offset: int = Field(0, ge=0, le=100_000)


@bp.post("/bookings/<reference>/review")
@tag(["bookings"])
@api_auth_required
@validate_request(ReviewIn)
@validate_response(ReviewOut, 201)
@problems(401, 404, 409, 422)
async def api_booking_review(reference: str, data: ReviewIn):
    """Review one of the caller's bookings once its trip or stay has ended: `{"rating": 1-5, "body": "…"}`.

    409 before the end (by the city's clock), for a booking that is not confirmed, or for a second review."""
    try:
        review = await service.create_review(g.api_user.id, reference, data.rating, data.body)
    except service.ReviewError as exc:
        raise Problem(exc.status, detail=exc.detail) from exc
    return review, 201


async def _reviews(kind: str, business_id: int, query_args: ReviewsQuery) -> dict:
    page = await service.list_reviews(kind, business_id, query_args.limit, query_args.offset)
    if page is None:
        raise Problem(404, "Not found", f"There is no {kind} {business_id}.")
    return page


@bp.get("/hotels/<int:hotel_id>/reviews")
@tag(["search"])
@validate_query(ReviewsQuery)
@validate_response(ReviewList, 200)
@problems(404, 422)
async def api_hotel_reviews(hotel_id: int, query_args: ReviewsQuery):
    """A hotel's reviews, newest first, with its guest rating (0-10) and how many reviews it averages."""
    return await _reviews("hotel", hotel_id, query_args)


@bp.get("/operators/<int:operator_id>/reviews")
@tag(["search"])
@validate_query(ReviewsQuery)
@validate_response(ReviewList, 200)
@problems(404, 422)
async def api_operator_reviews(operator_id: int, query_args: ReviewsQuery):
    """A bus operator's reviews, newest first, with its rating (0-5) and how many reviews it averages."""
    return await _reviews("operator", operator_id, query_args)
