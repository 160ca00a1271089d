"""Review rules: who may review what, once; the business's rating follows its visible reviews in the same
transaction; admins reply on the business's behalf and hide abusive reviews (audited). Pages and API call these."""

from __future__ import annotations

from typing import Any

import pymysql

from .. import db, events
from ..admin.audit import record, snapshot
from ..bookings.errors import BookingError
from ..dates import now_in, utc, wall_now
from ..searchcache import CATALOG_TOPIC
from . import queries

RECENT = 5  # reviews shown on a hotel or trip page
DUPLICATE_KEY = 1062


class ReviewError(BookingError):
    """A review outcome the traveller or admin can act on (status and detail, like every booking outcome)."""

    status = 409


class NotFound(ReviewError):
    status = 404


class NotReviewable(ReviewError):
    """The booking is not (yet) one that can be reviewed: not confirmed, or its trip or stay has not ended."""

    status = 409


class AlreadyReviewed(ReviewError):
    status = 409


class AlreadyReplied(ReviewError):
    status = 409


ALREADY = "You have already reviewed this booking; a booking can be reviewed once."


def _kind(row: dict[str, Any]) -> tuple[str, int]:
    return ("operator", row["operator_id"]) if row["operator_id"] is not None else ("hotel", row["hotel_id"])


def review_out(row: dict[str, Any]) -> dict[str, Any]:
    """A review as pages and the API show it (stamps aware UTC; the author by first name and initial)."""
    names = (row.get("author") or "").split()
    author = names[0] + (f" {names[-1][0]}." if len(names) > 1 else "") if names else "A traveller"
    return {
        "id": row["id"],
        "rating": row["rating"],
        "body": row["body"],
        "author": author,
        "kind": "operator" if row["operator_id"] is not None else "hotel",
        "business_id": row["operator_id"] if row["operator_id"] is not None else row["hotel_id"],
        "business_name": row["business_name"],
        "reply": row["reply"],
        "replied_at": utc(row["replied_at"]),
        "hidden": row["hidden_at"] is not None,
        "created_at": utc(row["created_at"]),
    }


def can_review(booking: dict[str, Any]) -> bool:
    """A confirmed booking whose trip or stay has ended by its own city's clock (ends_at is that city's wall time)."""
    if booking.get("type") == "restaurant":  # reviews are of operators and hotels; restaurants have none yet
        return False
    ends_at = booking["ends_at"]
    if ends_at is not None and ends_at.tzinfo is not None:  # a zoned booking (bookings.service): compare aware
        return booking["status"] == "confirmed" and ends_at <= now_in(booking.get("timezone"))
    return booking["status"] == "confirmed" and ends_at <= wall_now(booking.get("timezone"))


async def create_review(user_id: int, reference: str, rating: int, body: str) -> dict[str, Any]:
    """Review a completed booking of the user's, once; the operator's or hotel's rating and count follow in the same
    transaction. NotFound for another traveller's booking, NotReviewable before the end, AlreadyReviewed twice."""
    reference = reference.strip().upper()
    try:
        async with db.transaction() as cur:
            booking = await queries.select_reviewable(cur, user_id, reference)
            if booking is None:
                raise NotFound("No booking with that reference.")
            if booking["status"] != "confirmed":
                raise NotReviewable("Only a confirmed booking can be reviewed.")
            if not can_review(booking):
                raise NotReviewable("You can review this booking once the trip or stay has ended.")
            kind, business_id = (
                ("operator", booking["operator_id"])
                if booking["type"] in ("bus", "train", "flight")
                else (
                    "hotel",
                    booking["hotel_id"],
                )
            )
            await queries.lock_business(cur, kind, business_id)  # one rating update at a time per business
            if await queries.select_review_by_booking(cur, booking["id"]) is not None:
                raise AlreadyReviewed(ALREADY)
            review_id = await queries.insert_review(
                cur,
                {
                    "booking_id": booking["id"],
                    "user_id": user_id,
                    "operator_id": business_id if kind == "operator" else None,
                    "hotel_id": business_id if kind == "hotel" else None,
                    "rating": rating,
                    "body": body,
                },
            )
            await queries.update_business_rating(cur, kind, business_id)
            # the rating sort and filter of cached search answers change with it
            await events.publish(cur, CATALOG_TOPIC, "changed", {"entity": "review", "action": "review.create"})
            row = await queries.select_review(cur, review_id)
    except pymysql.err.IntegrityError as exc:  # a concurrent second submit lost the race to the unique key
        if db.error_code(exc) == DUPLICATE_KEY:
            raise AlreadyReviewed(ALREADY) from exc
        raise
    return review_out(row)


async def review_of_booking(booking_id: int) -> dict[str, Any] | None:
    """The review written for a booking, if any (shown on the booking's page)."""
    async with db.reading() as cur:
        row = await queries.select_review_by_booking(cur, booking_id)
    return review_out(row) if row else None


async def list_reviews(kind: str, business_id: int, limit: int = RECENT, offset: int = 0) -> dict[str, Any] | None:
    """A business's visible reviews, newest first, with its rating and count; None if it does not exist."""
    async with db.reading(replica=True) as cur:
        business = await queries.select_business(cur, kind, business_id)
        if business is None:
            return None
        rows, total = await queries.select_visible_reviews(cur, kind, business_id, limit, offset)
    return {
        "items": [review_out(r) for r in rows],
        "total": total,
        "limit": limit,
        "offset": offset,
        "rating": float(business["rating"]),
        "review_count": business["review_count"],
        "name": business["name"],
    }


# --- admin ----------------------------------------------------------------------------------------------------


async def list_admin_reviews(f: Any, page_size: int = 50) -> dict[str, Any]:
    async with db.reading() as cur:
        page = await queries.select_reviews_page(cur, f.model_dump(), page_size)
    page["items"] = [
        {**review_out(r), "reference": r["reference"], "author_email": r["author_email"]} for r in page["items"]
    ]
    return page


async def set_hidden(actor: int, review_id: int, hidden: bool) -> dict[str, Any]:
    """Hide an abusive review (or show it again), audited; the business's rating and count follow at once."""
    async with db.transaction() as cur:
        row = await queries.select_review(cur, review_id)
        if row is None:
            raise NotFound("review")
        kind, business_id = _kind(row)
        await queries.lock_business(cur, kind, business_id)
        row = await queries.select_review(cur, review_id, lock=True)
        if (row["hidden_at"] is not None) == hidden:
            raise ReviewError("This review is already hidden." if hidden else "This review is not hidden.")
        await queries.update_review_hidden(cur, review_id, actor, hidden)
        await queries.update_business_rating(cur, kind, business_id)
        await record(
            cur,
            actor,
            "review.hide" if hidden else "review.unhide",
            "review",
            review_id,
            {"hidden": not hidden},
            {"hidden": hidden, **snapshot(row, "rating", "booking_id")},
        )
    return review_out({**row, "hidden_at": True if hidden else None})


async def reply(actor: int, review_id: int, text: str) -> None:
    """The business's one reply to a review, written by an admin on its behalf (audited)."""
    async with db.transaction() as cur:
        row = await queries.select_review(cur, review_id, lock=True)
        if row is None:
            raise NotFound("review")
        if row["reply"] is not None:
            raise AlreadyReplied("This review already has a reply; a review gets one.")
        await queries.update_review_reply(cur, review_id, actor, text)
        await record(cur, actor, "review.reply", "review", review_id, {"reply": None}, {"reply": text})
