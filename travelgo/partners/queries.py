"""SQL for partner businesses, their members, invitations and applications. Cursor first; never commits."""

from __future__ import annotations

from datetime import date, timedelta

from .ownership import HasPartner, where, where_booking

PARTNER_FIELDS = "p.id, p.name, p.contact_email, p.created_at"


async def insert_partner(cur, name: str, contact_email: str) -> int:
    await cur.execute(
        "INSERT INTO partners (name, contact_email) VALUES (%(name)s, %(email)s)",
        {"name": name, "email": contact_email},
    )
    return cur.lastrowid


async def select_partners(cur) -> list[dict]:
    await cur.execute(
        f"""
        SELECT {PARTNER_FIELDS},
               (SELECT COUNT(*) FROM partner_members m WHERE m.partner_id = p.id) AS members,
               (SELECT COUNT(*) FROM hotels h WHERE h.partner_id = p.id) AS hotels,
               (SELECT COUNT(*) FROM operators o WHERE o.partner_id = p.id) AS operators
          FROM partners p
         ORDER BY p.name
        """
    )
    return await cur.fetchall()


async def select_partner(cur, partner_id: int) -> dict | None:
    await cur.execute(f"SELECT {PARTNER_FIELDS} FROM partners p WHERE p.id = %(id)s", {"id": partner_id})
    return await cur.fetchone()


async def select_members(cur, partner_id: int) -> list[dict]:
    await cur.execute(
        """
        SELECT m.user_id, m.role, m.created_at, u.email, u.full_name
          FROM partner_members m
          JOIN users u ON u.id = m.user_id
         WHERE m.partner_id = %(id)s
         ORDER BY m.role, u.full_name
        """,
        {"id": partner_id},
    )
    return await cur.fetchall()


async def lock_membership(cur, user_id: int) -> dict | None:
    await cur.execute(
        "SELECT user_id, partner_id, role FROM partner_members WHERE user_id = %(u)s FOR UPDATE", {"u": user_id}
    )
    return await cur.fetchone()


async def insert_member(cur, user_id: int, partner_id: int, role: str) -> None:
    await cur.execute(
        "INSERT INTO partner_members (user_id, partner_id, role) VALUES (%(u)s, %(p)s, %(role)s)",
        {"u": user_id, "p": partner_id, "role": role},
    )


async def delete_member(cur, partner_id: int, user_id: int) -> int:
    await cur.execute(
        "DELETE FROM partner_members WHERE partner_id = %(p)s AND user_id = %(u)s", {"p": partner_id, "u": user_id}
    )
    return cur.rowcount


async def count_owners(cur, partner_id: int) -> int:
    await cur.execute(
        "SELECT COUNT(*) AS n FROM partner_members WHERE partner_id = %(p)s AND role = 'owner' FOR UPDATE",
        {"p": partner_id},
    )
    return (await cur.fetchone())["n"]


async def insert_invitation(
    cur, *, partner_id: int, email: str, role: str, digest: str, invited_by: int, days: int
) -> int:
    await cur.execute(
        """
        INSERT INTO partner_invitations (partner_id, email, role, token_digest, invited_by, expires_at)
        VALUES (%(p)s, %(email)s, %(role)s, %(digest)s, %(by)s, UTC_TIMESTAMP() + INTERVAL %(days)s DAY)
        """,
        {"p": partner_id, "email": email, "role": role, "digest": digest, "by": invited_by, "days": days},
    )
    return cur.lastrowid


async def select_invitations(cur, partner_id: int) -> list[dict]:
    await cur.execute(
        """
        SELECT i.id, i.email, i.role, i.expires_at, i.accepted_at, i.created_at
          FROM partner_invitations i
         WHERE i.partner_id = %(p)s
         ORDER BY i.id DESC
         LIMIT 50
        """,
        {"p": partner_id},
    )
    return await cur.fetchall()


async def lock_invitation(cur, digest: str) -> dict | None:
    """A live invitation (unexpired, not yet accepted) by its token digest, locked."""
    await cur.execute(
        """
        SELECT i.id, i.partner_id, i.email, i.role, p.name AS partner_name
          FROM partner_invitations i
          JOIN partners p ON p.id = i.partner_id
         WHERE i.token_digest = %(d)s
           AND i.accepted_at IS NULL
           AND i.expires_at > UTC_TIMESTAMP()
           FOR UPDATE
        """,
        {"d": digest},
    )
    return await cur.fetchone()


async def update_invitation_accepted(cur, invitation_id: int, user_id: int) -> None:
    await cur.execute(
        "UPDATE partner_invitations SET accepted_at = UTC_TIMESTAMP(6), accepted_by = %(u)s WHERE id = %(id)s",
        {"id": invitation_id, "u": user_id},
    )


async def insert_application(cur, *, user_id: int, business_name: str, kind: str, message: str) -> int:
    await cur.execute(
        """
        INSERT INTO partner_applications (user_id, business_name, kind, message)
        VALUES (%(u)s, %(name)s, %(kind)s, %(message)s)
        """,
        {"u": user_id, "name": business_name, "kind": kind, "message": message},
    )
    return cur.lastrowid


APPLICATION_FIELDS = """a.id, a.user_id, a.business_name, a.kind, a.message, a.status, a.partner_id, a.decided_at,
                        a.created_at, u.email, u.full_name"""


async def select_applications(cur, *, user_id: int | None = None) -> list[dict]:
    clause, params = ("a.user_id = %(u)s", {"u": user_id}) if user_id else ("1 = 1", {})
    await cur.execute(
        f"""
        SELECT {APPLICATION_FIELDS}
          FROM partner_applications a
          JOIN users u ON u.id = a.user_id
         WHERE {clause}
         ORDER BY a.status = 'pending' DESC, a.id DESC
         LIMIT 100
        """,
        params,
    )
    return await cur.fetchall()


async def lock_application(cur, application_id: int) -> dict | None:
    await cur.execute(
        f"""
        SELECT {APPLICATION_FIELDS}
          FROM partner_applications a
          JOIN users u ON u.id = a.user_id
         WHERE a.id = %(id)s
           FOR UPDATE
        """,
        {"id": application_id},
    )
    return await cur.fetchone()


async def update_application(cur, application_id: int, *, status: str, partner_id: int | None, by: int) -> None:
    await cur.execute(
        """
        UPDATE partner_applications
           SET status = %(status)s, partner_id = %(p)s, decided_by = %(by)s, decided_at = UTC_TIMESTAMP(6)
         WHERE id = %(id)s
        """,
        {"id": application_id, "status": status, "p": partner_id, "by": by},
    )


# Admin assigns what a business runs: table → its display column. Restaurants join here at merge time.
OWNABLE = {"operator": ("operators", "name"), "hotel": ("hotels", "name")}


async def select_ownable(cur, entity: str) -> list[dict]:
    table, label = OWNABLE[entity]
    await cur.execute(f"SELECT id, {label} AS name, partner_id FROM {table} ORDER BY {label}")
    return await cur.fetchall()


async def select_owned(cur, entity: str, partner_id: int) -> list[dict]:
    table, label = OWNABLE[entity]
    await cur.execute(
        f"SELECT id, {label} AS name FROM {table} WHERE partner_id = %(p)s ORDER BY {label}", {"p": partner_id}
    )
    return await cur.fetchall()


async def lock_ownable(cur, entity: str, item_id: int) -> dict | None:
    table, label = OWNABLE[entity]
    await cur.execute(
        f"SELECT id, {label} AS name, partner_id FROM {table} WHERE id = %(id)s FOR UPDATE", {"id": item_id}
    )
    return await cur.fetchone()


async def update_owner(cur, entity: str, item_id: int, partner_id: int | None) -> None:
    table, _ = OWNABLE[entity]
    await cur.execute(f"UPDATE {table} SET partner_id = %(p)s WHERE id = %(id)s", {"p": partner_id, "id": item_id})


# --- the live dashboard ------------------------------------------------------------------------------------

FEED_SELECT = """
SELECT b.reference, b.type, b.status, b.starts_at, b.ends_at, b.created_at, b.cancelled_at, b.total_minor,
       b.currency, b.guest_name, u.full_name AS traveller_name,
       oc.name AS origin_name, dc.name AS destination_name, h.name AS hotel_name, rt.name AS room_type_name,
       r.name AS restaurant_name, b.guests
  FROM bookings b
  JOIN users u ON u.id = b.user_id
  LEFT JOIN trips t ON t.id = b.trip_id
  LEFT JOIN cities oc ON oc.id = t.origin_id
  LEFT JOIN cities dc ON dc.id = t.destination_id
  LEFT JOIN room_types rt ON rt.id = b.room_type_id
  LEFT JOIN hotels h ON h.id = rt.hotel_id
  LEFT JOIN restaurants r ON r.id = b.restaurant_id
"""


async def select_day_movements(cur, scope: HasPartner, day: date) -> dict[str, list[dict]]:
    """Confirmed bookings starting (departures, check-ins) and ending (arrivals, check-outs) on `day`."""
    owned, params = where_booking(scope)
    result = {}
    for name, column in (("starting", "b.starts_at"), ("ending", "b.ends_at")):
        await cur.execute(
            f"""{FEED_SELECT}
             WHERE {column} >= %(day)s AND {column} < %(next)s
               AND b.status = 'confirmed' AND {owned}
             ORDER BY {column}, b.id
             LIMIT 100
            """,
            {**params, "day": day, "next": day + timedelta(days=1)},
        )
        result[name] = await cur.fetchall()
    return result


async def select_recent(cur, scope: HasPartner, limit: int = 10) -> dict[str, list[dict]]:
    """The latest bookings made and the latest cancellations."""
    owned, params = where_booking(scope)
    await cur.execute(
        f"{FEED_SELECT} WHERE {owned} ORDER BY b.created_at DESC, b.id DESC LIMIT %(limit)s",
        {**params, "limit": limit},
    )
    new = await cur.fetchall()
    await cur.execute(
        f"""{FEED_SELECT}
         WHERE b.status = 'cancelled' AND b.cancelled_at IS NOT NULL AND {owned}
         ORDER BY b.cancelled_at DESC, b.id DESC
         LIMIT %(limit)s
        """,
        {**params, "limit": limit},
    )
    return {"new": new, "cancelled": await cur.fetchall()}


async def select_live_topics(cur, scope: HasPartner, trips_from: date, trips_to: date) -> list[str]:
    """Outbox topics of the business's hotels and restaurants and of its trips departing in [trips_from, trips_to)."""
    hotels, params = where(scope, "hotel", "h.id")
    restaurants, _ = where(scope, "restaurant", "r.id")
    trips, _ = where(scope, "trip", "t.id")
    await cur.execute(
        f"""
        SELECT CONCAT('hotel:', h.id) AS topic FROM hotels h WHERE {hotels}
         UNION ALL
        SELECT CONCAT('restaurant:', r.id) FROM restaurants r WHERE {restaurants}
         UNION ALL
        SELECT CONCAT('trip:', t.id) FROM trips t
         WHERE t.departs_at >= %(from)s AND t.departs_at < %(to)s AND {trips}
        """,
        {**params, "from": trips_from, "to": trips_to},
    )
    return [r["topic"] for r in await cur.fetchall()]


async def select_peak_hours(cur, scope: HasPartner, date_from: date, date_to: date) -> list[dict]:
    """Bookings made per hour of the day (UTC, when they were made) over a date range: the peak times."""
    owned, params = where_booking(scope)
    await cur.execute(
        f"""
        SELECT HOUR(b.created_at) AS hour, COUNT(*) AS bookings
          FROM bookings b
         WHERE b.created_at >= %(start)s AND b.created_at < %(end)s AND {owned}
         GROUP BY HOUR(b.created_at)
         ORDER BY hour
        """,
        {**params, "start": date_from, "end": date_to + timedelta(days=1)},
    )
    return await cur.fetchall()
