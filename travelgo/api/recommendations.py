"""JSON API: recommendations (personalised with a bearer token, popular items without one)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from quart import request
from quart_schema import security_scheme, tag, validate_response

from ..auth import api_user
from ..problems import Problem
from ..recommend import service
from . import bp, problems, validate_query


class RecommendationsQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")
    limit: int = Field(10, ge=1, le=service.MAX_ITEMS)
    offset: int = Field(0, ge=0, le=service.MAX_ITEMS)


class RecommendationOut(BaseModel):
    kind: Literal["route", "hotel"] = Field(description="a bus route (origin → destination) or a hotel")
    id: int | None = Field(description="the hotel's id; null for a route")
    origin_id: int | None = Field(description="a route's origin city id; null for a hotel")
    destination_id: int | None = Field(description="a route's destination city id; null for a hotel")
    title: str
    reason: str = Field(description="why it is suggested, in words")
    reason_code: Literal["also_booked", "near_arrival", "popular_from_city", "popular"]
    score: float = Field(description="strength within its reason (co-booking similarity, or bookings)")
    url: str = Field(description="the page that searches the route or shows the hotel")


class RecommendationList(BaseModel):
    items: list[RecommendationOut]
    total: int
    limit: int
    offset: int


@bp.get("/recommendations")
@tag(["search"])
@security_scheme([{}, {"bearer": []}])
@validate_query(RecommendationsQuery)
@validate_response(RecommendationList, 200)
@problems(401)
async def api_recommendations(query_args: RecommendationsQuery):
    """Routes and hotels to suggest, best first: from the traveller's bookings with a bearer token (co-booked by
    other travellers, hotels near an upcoming arrival, popular from their city), the most booked without one."""
    user = await api_user()
    if user is None and request.headers.get("Authorization"):
        raise Problem(401, "Authentication required", "The token is not valid; leave it out for popular items.")
    items = await service.for_traveller(user.id if user else None, service.MAX_ITEMS)
    page = items[query_args.offset : query_args.offset + query_args.limit]
    return {"items": page, "total": len(items), "limit": query_args.limit, "offset": query_args.offset}
