"""A business hears of its bookings: every member of the partner business gets the new-booking e-mail."""

from __future__ import annotations

from travelgo import db
from travelgo.notify.queue import queue_partner


async def test_members_of_the_business_hear_of_a_new_booking(app, partners):
    a = partners["a"]
    async with db.transaction() as cur:
        await queue_partner(cur, "partner_new_booking", a["hotel_booking"]["id"])
        await cur.execute("SELECT recipient FROM notifications WHERE kind = 'partner_new_booking' ORDER BY recipient")
        recipients = [r["recipient"] for r in await cur.fetchall()]
    assert recipients == sorted([a["owner"]["email"], a["staff"]["email"]])  # Bravo's members hear nothing
