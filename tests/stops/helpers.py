"""A factory trip with boarding and dropping points, as a schedule or the seed makes them."""

from __future__ import annotations

from datetime import timedelta

from travelgo import db
from travelgo.stops import queries as stop_queries

from .. import factories

BOARDING = [("Majestic", "Kempegowda bus station, platform 8"), ("Silk Board", "Under the flyover")]
DROPPING = [("Wakad", "Wakad bridge"), ("Hinjewadi", None), ("Shivajinagar", "Near the railway station")]


async def trip_with_points(**kw) -> tuple[dict, dict, dict[str, list[dict]]]:
    """(trip, user, {"boarding": [rows], "dropping": [rows]}); the operator has a phone number."""
    async with db.transaction() as cur:
        trip = await factories.make_trip(cur, seats=kw.pop("seats", 20), **kw)
        user = await factories.make_user(cur)
        await cur.execute(
            "UPDATE operators SET contact_phone = '+91 80 4000 1234' WHERE id = %s", (trip["operator"]["id"],)
        )
        start, end = trip["departs_at"], trip["departs_at"] + timedelta(minutes=180)
        await stop_queries.insert_trip_points(
            cur,
            trip["id"],
            "boarding",
            [(n, m, start + timedelta(minutes=20 * i)) for i, (n, m) in enumerate(BOARDING)],
        )
        await stop_queries.insert_trip_points(
            cur,
            trip["id"],
            "dropping",
            [(n, m, end - timedelta(minutes=15 * (len(DROPPING) - 1 - i))) for i, (n, m) in enumerate(DROPPING)],
        )
        rows = await stop_queries.select_trip_points(cur, trip["id"])
    points = {kind: [r for r in rows if r["kind"] == kind] for kind in ("boarding", "dropping")}
    return trip, user, points


async def chosen(booking_reference: str) -> dict | None:
    async with db.reading() as cur:
        await cur.execute(
            """SELECT bp.boarding_point_id, bp.dropping_point_id FROM booking_points bp
                 JOIN bookings b ON b.id = bp.booking_id WHERE b.reference = %s""",
            (booking_reference,),
        )
        return await cur.fetchone()
