"""The sample data: counts, dates relative to today, idempotent, counters equal to their booking items."""

from __future__ import annotations

import re
from datetime import timedelta

from travelgo import db, seed
from travelgo.bookings import refunds
from travelgo.bookings.integrity import check_inventory
from travelgo.dates import local, today_in, utc
from travelgo.seed.history import HISTORY_DAYS
from travelgo.seed.partners import BUSINESSES

CONSISTENCY = {
    "trip counters": """
        SELECT COUNT(*) AS n FROM trips t
          LEFT JOIN (SELECT trip_id, COUNT(*) AS held FROM booking_seats WHERE held = 1 GROUP BY trip_id) s
                 ON s.trip_id = t.id
         WHERE t.seats_booked <> COALESCE(s.held, 0)""",
    "inventory counters": """
        SELECT COUNT(*) AS n FROM room_inventory ri
          LEFT JOIN (SELECT n.room_type_id, n.night, SUM(n.rooms) AS rooms
                       FROM booking_nights n JOIN bookings k ON k.id = n.booking_id AND k.status = 'confirmed'
                      GROUP BY n.room_type_id, n.night) b
                 ON b.room_type_id = ri.room_type_id AND b.night = ri.night
         WHERE ri.rooms_booked <> COALESCE(b.rooms, 0)""",
    "seats outside the vehicle": """
        SELECT COUNT(*) AS n FROM booking_seats bs
          JOIN trips t ON t.id = bs.trip_id
          LEFT JOIN vehicle_seats vs ON vs.vehicle_id = t.vehicle_id AND vs.label = bs.seat_label
         WHERE vs.id IS NULL""",
    "vehicle seat counts": """
        SELECT COUNT(*) AS n FROM vehicles v
         WHERE v.seat_count <> (SELECT COUNT(*) FROM vehicle_seats vs WHERE vs.vehicle_id = v.id)
                              + (SELECT COUNT(*) FROM coach_seats cs WHERE cs.vehicle_id = v.id)""",
    "trip seat totals": """
        SELECT COUNT(*) AS n FROM trips t JOIN vehicles v ON v.id = t.vehicle_id WHERE t.seats_total <> v.seat_count""",
    "bus booking totals": """
        SELECT COUNT(*) AS n FROM bookings b
         WHERE b.type = 'bus'
           AND b.total_minor <> (SELECT SUM(price_minor) FROM booking_seats s WHERE s.booking_id = b.id)""",
    "hotel booking totals": """
        SELECT COUNT(*) AS n FROM bookings b
         WHERE b.type = 'hotel'
           AND b.total_minor <> (SELECT SUM(price_minor * rooms) FROM booking_nights n WHERE n.booking_id = b.id)""",
    "review counts": """
        SELECT (SELECT COUNT(*) FROM operators o
                 WHERE o.review_count <> (SELECT COUNT(*) FROM reviews r WHERE r.operator_id = o.id))
             + (SELECT COUNT(*) FROM hotels h
                 WHERE h.review_count <> (SELECT COUNT(*) FROM reviews r WHERE r.hotel_id = h.id)) AS n""",
    "ratings from reviews": """
        SELECT (SELECT COUNT(*) FROM operators o
                 WHERE o.rating <> (SELECT ROUND(AVG(r.rating), 1) FROM reviews r WHERE r.operator_id = o.id))
             + (SELECT COUNT(*) FROM hotels h
                 WHERE h.rating <> (SELECT ROUND(AVG(r.rating) * 2, 1) FROM reviews r WHERE r.hotel_id = h.id)) AS n""",
    "reviews of bookings not travelled": """
        SELECT COUNT(*) AS n FROM reviews r JOIN bookings b ON b.id = r.booking_id
          LEFT JOIN trips t ON t.id = b.trip_id
          LEFT JOIN room_types rt ON rt.id = b.room_type_id
         WHERE b.status <> 'confirmed' OR b.user_id <> r.user_id OR b.ends_at > NOW() + INTERVAL 14 HOUR
            OR NOT (r.operator_id <=> t.operator_id) OR NOT (r.hotel_id <=> rt.hotel_id)""",
}


async def scalar(sql: str):
    async with db.reading() as cur:
        await cur.execute(sql)
        return next(iter((await cur.fetchone()).values()))


async def test_small_seed_is_realistic_consistent_and_idempotent(app):
    first = await seed.seed("small", admin_password="admin-pass-123")
    partner_logins = sum(len(people) for _, _, people in BUSINESSES)  # travelgo/seed/partners.py
    # six bus operators, Indian Railways and three airlines (travelgo/seed/rail.py)
    assert first["cities"] == 16 and first["operators"] == 6 + 4 and first["users"] == 3 + 10 + partner_logins
    assert first["trips"] > 500 and first["hotels"] >= 16 and first["bookings"] > 100
    assert first["booking_seats"] > 0 and first["booking_nights"] > 0
    assert await scalar("SELECT COUNT(*) FROM users WHERE email = 'admin@travelgo.example' AND role = 'admin'") == 1
    assert (
        await scalar("SELECT COUNT(*) FROM users WHERE email IN ('asha@travelgo.example', 'ben@travelgo.example')") == 2
    )
    # dates relative to today: on sale from today, and a recent past of trips and stays that were reviewed
    today, start = today_in(), today_in() - timedelta(days=HISTORY_DAYS)
    assert start <= await scalar("SELECT MIN(DATE(departs_at)) FROM trips") < today
    assert start <= await scalar("SELECT MIN(night) FROM room_inventory") < today
    assert await scalar(f"SELECT MIN(DATE(departs_at)) FROM trips WHERE departs_at >= '{today}'") == today
    assert await scalar(f"SELECT MIN(night) FROM room_inventory WHERE night >= '{today}'") == today
    assert (
        await scalar(
            "SELECT COUNT(*) FROM bookings WHERE status = 'confirmed' AND starts_at < NOW() - INTERVAL 1 DAY"
            " AND ends_at > NOW()"
        )
        == 0
    )
    assert first["reviews"] > 0
    # the recent past (travelled, reviewed) is buses and hotels; the railway and airlines have no reviews yet
    no_reviews = "SELECT COUNT(*) FROM operators o WHERE review_count = 0"
    assert await scalar(no_reviews + " AND NOT EXISTS (SELECT 1 FROM routes r WHERE r.operator_id = o.id)") == 0
    assert await scalar("SELECT COUNT(*) FROM hotels WHERE review_count = 0") == 0
    # realistic shapes: INR, real layouts, sleepers on two decks, weekend nights dearer on average
    assert await scalar("SELECT COUNT(DISTINCT currency) FROM trips") == 1
    assert await scalar("SELECT MIN(currency) FROM trips") == "INR"
    assert await scalar("SELECT COUNT(*) FROM vehicles WHERE berth = 'sleeper' AND decks = 2") > 0
    assert await scalar("SELECT COUNT(*) FROM vehicles WHERE layout = '2+2' AND seat_count = 40") > 0
    assert await scalar("SELECT COUNT(*) FROM trips WHERE seats_booked > 0") > 0
    weekend = await scalar("SELECT AVG(price_minor) FROM room_inventory WHERE DAYOFWEEK(night) IN (6, 7)")
    weekday = await scalar("SELECT AVG(price_minor) FROM room_inventory WHERE DAYOFWEEK(night) IN (2, 3, 4)")
    assert weekend > weekday
    async with db.reading() as cur:
        await cur.execute("SELECT reference FROM bookings")
        refs = [r["reference"] for r in await cur.fetchall()]
    assert len(refs) == len(set(refs)) and all(re.fullmatch(r"TG-[A-Z2-9]{6}", r) for r in refs)
    for name, sql in CONSISTENCY.items():
        assert await scalar(sql) == 0, name
    assert await check_inventory() == []
    second = await seed.seed("small", admin_password="admin-pass-123")
    assert second == first
    assert not await seed.is_empty()


def test_haversine_distance_is_real():
    mumbai, pune = seed.CITIES[0], seed.CITIES[1]
    assert 115 < seed.haversine_km(mumbai[2], mumbai[3], pune[2], pune[3]) < 125


def test_city_list_is_sixty_real_cities():
    names = [c[0] for c in seed.CITIES]
    assert len(names) == len(set(names)) >= 60
    assert all(6 < c[2] < 36 and 68 < c[3] < 98 for c in seed.CITIES)  # inside India


async def test_seed_has_cancelled_bookings_as_a_cancel_leaves_them(app):
    """Some bookings were cancelled (the dashboard's cancellation rate is not 0%), consistently with the policy."""
    await seed.seed("small", admin_password="admin-pass-123")
    async with db.reading() as cur:
        # the seeded table bookings (seed/restaurants.py, the coming week only) are never cancelled: journeys and
        # stays only, on both sides of the ratio
        await cur.execute("SELECT * FROM bookings WHERE status = 'cancelled' AND type <> 'restaurant'")
        cancelled = await cur.fetchall()
        # the recent past (trips travelled, stays ended: the reviewed ones) had no cancellations
        await cur.execute(
            "SELECT COUNT(*) AS n FROM bookings WHERE starts_at >= %s AND type <> 'restaurant'", (today_in(),)
        )
        total = (await cur.fetchone())["n"]
        await cur.execute(
            """SELECT COUNT(*) AS n FROM booking_seats s JOIN bookings b ON b.id = s.booking_id
                WHERE b.status = 'cancelled' AND s.held IS NOT NULL"""
        )
        still_held = (await cur.fetchone())["n"]
        await cur.execute(
            """SELECT b.type, COUNT(DISTINCT b.id) AS n
                 FROM bookings b
                 LEFT JOIN booking_seats s ON s.booking_id = b.id
                 LEFT JOIN booking_nights n ON n.booking_id = b.id
                 LEFT JOIN booking_segment_seats g ON g.booking_id = b.id
                WHERE b.status = 'cancelled'
                  AND (s.booking_id IS NOT NULL OR n.booking_id IS NOT NULL OR g.booking_id IS NOT NULL)
                GROUP BY b.type"""
        )
        with_items = {row["type"]: row["n"] for row in await cur.fetchall()}
    asha = seed.SAMPLE_TRAVELLERS[0][0]
    assert 0.05 <= len(cancelled) / total <= 0.08, (len(cancelled), total)
    assert sum(with_items.values()) == len(cancelled)  # each keeps its seats/nights
    assert with_items.get("bus") and with_items.get("hotel")
    assert still_held == 0
    assert {b["cancelled_by"] for b in cancelled} == {"traveller", "admin"}
    assert asha in {b["contact_email"] for b in cancelled}  # her Cancelled tab is not empty
    for b in cancelled:  # created/cancelled are UTC, starts_at the city's wall-clock time
        starts_at = local(b["starts_at"], seed.TIMEZONE)
        assert utc(b["created_at"]) < utc(b["cancelled_at"]) < starts_at, b["reference"]
        if b["cancelled_by"] == "admin":
            assert b["refund_minor"] == b["total_minor"] and b["cancel_reason"]
        else:
            quote = refunds.quote(
                status="confirmed",
                total_minor=b["total_minor"],
                currency=b["currency"],
                starts_at=starts_at,
                now=utc(b["cancelled_at"]),
            )
            assert b["refund_minor"] == quote.amount_minor, b["reference"]
    assert await check_inventory() == []
    for name, sql in CONSISTENCY.items():
        assert await scalar(sql) == 0, name
