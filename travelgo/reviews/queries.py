"""SQL for reviews and the ratings derived from them. Cursor first; never commits."""

from __future__ import annotations

from typing import Any

from ..bookings.queries import BOOKING_ZONE, BOOKING_ZONE_JOINS

Row = dict[str, Any]

# The business a review is about: the bus's operator or the stay's hotel. Scale: operators 0-5, hotels 0-10.
BUSINESSES = {"operator": ("operators", "operator_id", 1), "hotel": ("hotels", "hotel_id", 2)}

REVIEW_COLUMNS = """r.id, r.booking_id, r.user_id, r.operator_id, r.hotel_id, r.rating, r.body, r.reply, r.replied_at,
               r.hidden_at, r.hidden_by, r.created_at, u.full_name AS author,
               COALESCE(op.name, h.name) AS business_name, b.reference"""
REVIEW_JOINS = """JOIN users u ON u.id = r.user_id
          JOIN bookings b ON b.id = r.booking_id
          LEFT JOIN operators op ON op.id = r.operator_id
          LEFT JOIN hotels h ON h.id = r.hotel_id"""


async def select_reviewable(cur, user_id: int, reference: str) -> Row | None:
    """The user's booking as a review needs it: status, end (its zone's wall time), the business it was with."""
    await cur.execute(
        f"""
        SELECT b.id, b.user_id, b.type, b.status, b.ends_at, {BOOKING_ZONE} AS timezone,
               zt.operator_id, zhh.id AS hotel_id
          FROM bookings b
          {BOOKING_ZONE_JOINS}
         WHERE b.reference = %(reference)s
           AND b.user_id = %(user_id)s
        """,
        {"reference": reference, "user_id": user_id},
    )
    return await cur.fetchone()


async def lock_business(cur, kind: str, business_id: int) -> None:
    """Lock the operator or hotel row: reviews of one business change its rating one transaction at a time."""
    table, _, _ = BUSINESSES[kind]
    await cur.execute(f"SELECT id FROM {table} WHERE id = %(id)s FOR UPDATE", {"id": business_id})
    await cur.fetchone()


async def insert_review(cur, values: Row) -> int:
    await cur.execute(
        """
        INSERT INTO reviews (booking_id, user_id, operator_id, hotel_id, rating, body)
        VALUES (%(booking_id)s, %(user_id)s, %(operator_id)s, %(hotel_id)s, %(rating)s, %(body)s)
        """,
        values,
    )
    return cur.lastrowid


async def update_business_rating(cur, kind: str, business_id: int) -> None:
    """Recompute one business's rating and review_count from its visible reviews (call under lock_business).

    A locking read sees every committed review, not this transaction's older snapshot."""
    table, column, scale = BUSINESSES[kind]
    await cur.execute(
        f"""
        SELECT COUNT(*) AS n, COALESCE(AVG(rating), 0) AS average
          FROM reviews
         WHERE {column} = %(id)s
           AND hidden_at IS NULL
          LOCK IN SHARE MODE
        """,
        {"id": business_id},
    )
    row = await cur.fetchone()
    await cur.execute(
        f"UPDATE {table} SET rating = ROUND(%(average)s * {scale}, 1), review_count = %(n)s WHERE id = %(id)s",
        {"average": row["average"], "n": row["n"], "id": business_id},
    )


async def update_all_ratings(cur) -> None:
    """Every business's rating and review_count from its visible reviews, set-based (the seed, repairs); one
    without visible reviews has rating 0 and count 0, as update_business_rating leaves it."""
    for table, column, scale in BUSINESSES.values():
        await cur.execute(
            f"""
            UPDATE {table} x
              LEFT JOIN (SELECT {column} AS id, COUNT(*) AS n, ROUND(AVG(rating) * {scale}, 1) AS rating
                           FROM reviews
                          WHERE {column} IS NOT NULL
                            AND hidden_at IS NULL
                          GROUP BY {column}) s ON s.id = x.id
               SET x.rating = COALESCE(s.rating, 0), x.review_count = COALESCE(s.n, 0)
            """
        )


async def select_review_by_booking(cur, booking_id: int) -> Row | None:
    await cur.execute(
        f"SELECT {REVIEW_COLUMNS} FROM reviews r {REVIEW_JOINS} WHERE r.booking_id = %(id)s", {"id": booking_id}
    )
    return await cur.fetchone()


async def select_review(cur, review_id: int, *, lock: bool = False) -> Row | None:
    """A review with its author and business; lock=True locks the review row alone (not the rows joined for
    display) and reads its state (hidden, reply) as last committed."""
    await cur.execute(f"SELECT {REVIEW_COLUMNS} FROM reviews r {REVIEW_JOINS} WHERE r.id = %(id)s", {"id": review_id})
    row = await cur.fetchone()
    if row is not None and lock:
        await cur.execute(
            "SELECT hidden_at, hidden_by, reply, replied_at FROM reviews WHERE id = %(id)s FOR UPDATE",
            {"id": review_id},
        )
        row.update(await cur.fetchone())
    return row


async def select_visible_reviews(cur, kind: str, business_id: int, limit: int, offset: int) -> tuple[list[Row], int]:
    """A business's visible reviews, newest first, and how many there are."""
    _, column, _ = BUSINESSES[kind]
    where = f"r.{column} = %(id)s AND r.hidden_at IS NULL"
    await cur.execute(f"SELECT COUNT(*) AS n FROM reviews r WHERE {where}", {"id": business_id})
    total = (await cur.fetchone())["n"]
    await cur.execute(
        f"""
        SELECT {REVIEW_COLUMNS}
          FROM reviews r
          {REVIEW_JOINS}
         WHERE {where}
         ORDER BY r.created_at DESC, r.id DESC
         LIMIT %(limit)s OFFSET %(offset)s
        """,
        {"id": business_id, "limit": limit, "offset": offset},
    )
    return list(await cur.fetchall()), total


async def select_business(cur, kind: str, business_id: int) -> Row | None:
    table, _, _ = BUSINESSES[kind]
    await cur.execute(f"SELECT id, name, rating, review_count FROM {table} WHERE id = %(id)s", {"id": business_id})
    return await cur.fetchone()


async def update_review_hidden(cur, review_id: int, actor: int | None, hidden: bool) -> None:
    await cur.execute(
        """
        UPDATE reviews
           SET hidden_at = IF(%(hidden)s, UTC_TIMESTAMP(6), NULL), hidden_by = IF(%(hidden)s, %(actor)s, NULL)
         WHERE id = %(id)s
        """,
        {"id": review_id, "actor": actor, "hidden": hidden},
    )


async def update_review_reply(cur, review_id: int, actor: int, reply: str) -> None:
    await cur.execute(
        """
        UPDATE reviews
           SET reply = %(reply)s, replied_at = UTC_TIMESTAMP(6), replied_by = %(actor)s
         WHERE id = %(id)s
           AND reply IS NULL
        """,
        {"id": review_id, "actor": actor, "reply": reply},
    )


async def select_reviews_page(cur, f: Row, page_size: int) -> Row:
    """Page f["page"] of every review for the admin, newest first, filtered by business kind, stars, visibility,
    reply state and a search in the text, author e-mail or booking reference (q)."""
    where, params = ["1 = 1"], {}
    if f.get("kind") == "operator":
        where.append("r.operator_id IS NOT NULL")
    elif f.get("kind") == "hotel":
        where.append("r.hotel_id IS NOT NULL")
    if f.get("rating"):
        where.append("r.rating = %(rating)s")
        params["rating"] = f["rating"]
    if f.get("state") == "visible":
        where.append("r.hidden_at IS NULL")
    elif f.get("state") == "hidden":
        where.append("r.hidden_at IS NOT NULL")
    elif f.get("state") == "unanswered":
        where.append("r.reply IS NULL")
    if f.get("q"):
        where.append("(b.reference = %(q)s OR u.email = %(q)s OR COALESCE(op.name, h.name) LIKE %(like)s)")
        params["q"], params["like"] = (
            f["q"],
            "%" + f["q"].replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%",
        )
    condition = " AND ".join(where)
    await cur.execute(f"SELECT COUNT(*) AS n FROM reviews r {REVIEW_JOINS} WHERE {condition}", params)
    total = (await cur.fetchone())["n"]
    pages = max(-(-total // page_size), 1)
    page = min(f.get("page") or 1, pages)
    await cur.execute(
        f"""
        SELECT {REVIEW_COLUMNS}, u.email AS author_email
          FROM reviews r
          {REVIEW_JOINS}
         WHERE {condition}
         ORDER BY r.created_at DESC, r.id DESC
         LIMIT %(limit)s OFFSET %(offset)s
        """,
        {**params, "limit": page_size, "offset": (page - 1) * page_size},
    )
    return {"items": list(await cur.fetchall()), "total": total, "page": page, "pages": pages}
