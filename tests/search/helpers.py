"""A small, known world for search tests: cities, operators, trips with some seats sold, hotels."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from tests import factories
from travelgo.dates import today_in

DAY = today_in() + timedelta(days=3)


def at(hour: int, minute: int = 0, day: date = DAY) -> datetime:
    return datetime.combine(day, time(hour, minute))


async def sell_seats(cur, trip_id: int, labels: list[str], user_id: int, price: int = 2500) -> None:
    """A confirmed booking holding `labels` on the trip, with the trip's counter kept in step."""
    import secrets

    ref = "TG-" + secrets.token_hex(3).upper()
    await cur.execute(
        """INSERT INTO bookings (reference, user_id, type, total_minor, currency, contact_email, trip_id,
                                 starts_at, ends_at)
           VALUES (%s, %s, 'bus', %s, 'EUR', 'x@example.com', %s, NOW(), NOW())""",
        (ref, user_id, price * len(labels), trip_id),
    )
    booking_id = cur.lastrowid
    await cur.executemany(
        """INSERT INTO booking_seats (booking_id, trip_id, seat_label, passenger_name, passenger_age, price_minor)
           VALUES (%s, %s, %s, 'P', 30, %s)""",
        [(booking_id, trip_id, label, price) for label in labels],
    )
    await cur.execute("UPDATE trips SET seats_booked = seats_booked + %s WHERE id = %s", (len(labels), trip_id))


async def bus_world(cur) -> dict:
    """Pune -> Mumbai on DAY: six trips of varied time, price, type, operator, amenities and seats sold."""
    pune = await factories.make_city(cur, "Pune", lat=18.52, lon=73.85, country="IN")
    mumbai = await factories.make_city(cur, "Mumbai", lat=19.07, lon=72.87, country="IN")
    goa = await factories.make_city(cur, "Panaji", lat=15.49, lon=73.82, country="IN")
    fast = await factories.make_operator(cur, "Fast Lines", rating=4.6)
    slow = await factories.make_operator(cur, "Slow Coaches", rating=3.2)
    user = await factories.make_user(cur)
    specs = [
        # (hour, minutes, price, operator, seats, berth, is_ac, amenities)
        (4, 240, 60000, slow, 40, "seater", False, "water"),
        (7, 200, 90000, fast, 40, "seater", True, "wifi,charging,water"),
        (11, 180, 120000, fast, 30, "sleeper", True, "wifi,blanket"),
        (14, 210, 45000, slow, 40, "seater", False, "charging"),
        (19, 190, 150000, fast, 30, "sleeper", True, "wifi,charging,blanket,water"),
        (22, 230, 80000, slow, 36, "sleeper", False, "blanket"),
    ]
    trips = []
    for hour, minutes, price, operator, seats, berth, is_ac, amenities in specs:
        trip = await factories.make_trip(
            cur,
            origin=pune,
            destination=mumbai,
            departs_at=at(hour),
            minutes=minutes,
            price_minor=price,
            operator=operator,
            seats=seats,
            berth=berth,
            is_ac=is_ac,
            amenities=amenities,
        )
        trips.append(trip)
    await sell_seats(cur, trips[1]["id"], ["1", "2", "3"], user["id"])
    await sell_seats(cur, trips[2]["id"], [str(n) for n in range(1, 28)], user["id"])  # 3 left
    # Other days, the other direction and another route must never leak into the results.
    await factories.make_trip(cur, origin=pune, destination=mumbai, departs_at=at(9, day=DAY + timedelta(days=1)))
    await factories.make_trip(cur, origin=mumbai, destination=pune, departs_at=at(9))
    await factories.make_trip(cur, origin=pune, destination=goa, departs_at=at(9), operator=fast)
    return {"pune": pune, "mumbai": mumbai, "goa": goa, "fast": fast, "slow": slow, "trips": trips, "user": user}


async def set_night(
    cur,
    room_type_id: int,
    night: date,
    *,
    booked: int | None = None,
    stop_sell: bool | None = None,
    price: int | None = None,
) -> None:
    sets, params = [], []
    for column, value in (("rooms_booked", booked), ("stop_sell", stop_sell), ("price_minor", price)):
        if value is not None:
            sets.append(f"{column} = %s")
            params.append(value)
    await cur.execute(
        f"UPDATE room_inventory SET {', '.join(sets)} WHERE room_type_id = %s AND night = %s",
        (*params, room_type_id, night),
    )


async def hotel_world(cur) -> dict:
    """Jaipur: four hotels; one sold out on a night of the stay, one stop-sold; plus a hotel elsewhere."""
    jaipur = await factories.make_city(cur, "Jaipur", lat=26.91, lon=75.78, country="IN")
    other = await factories.make_city(cur, "Udaipur", lat=24.58, lon=73.71, country="IN")
    budget = await factories.make_hotel(
        cur, city=jaipur, name="Budget Inn", stars=2, rating=7.1, amenities="wifi", distance_km=0.8
    )
    grand = await factories.make_hotel(
        cur, city=jaipur, name="The Grand", stars=5, rating=9.3, amenities="wifi,pool,spa,breakfast", distance_km=6.5
    )
    middle = await factories.make_hotel(
        cur, city=jaipur, name="Middle House", stars=3, rating=8.2, amenities="wifi,breakfast,parking", distance_km=2.4
    )
    full = await factories.make_hotel(
        cur, city=jaipur, name="Full House", stars=4, rating=8.8, amenities="wifi,pool", distance_km=1.5
    )
    closed = await factories.make_hotel(
        cur, city=jaipur, name="Closed Hotel", stars=3, rating=7.9, amenities="wifi", distance_km=3.0
    )
    elsewhere = await factories.make_hotel(cur, city=other, name="Lake Palace", stars=5, rating=9.6)
    rt = {}
    rt["budget"] = await factories.make_room_type(cur, budget["id"], rooms=10, price_minor=150000)
    rt["grand"] = await factories.make_room_type(cur, grand["id"], rooms=4, price_minor=1200000)
    rt["grand_suite"] = await factories.make_room_type(
        cur, grand["id"], rooms=2, price_minor=2500000, max_guests=4, name="Suite"
    )
    rt["middle"] = await factories.make_room_type(cur, middle["id"], rooms=8, price_minor=400000)
    rt["full"] = await factories.make_room_type(cur, full["id"], rooms=3, price_minor=700000)
    rt["closed"] = await factories.make_room_type(cur, closed["id"], rooms=6, price_minor=300000)
    await factories.make_room_type(cur, elsewhere["id"], rooms=5, price_minor=900000)
    # The stay: DAY .. DAY+2 (two nights)
    await set_night(cur, rt["full"]["id"], DAY + timedelta(days=1), booked=3)  # sold out on night two
    await set_night(cur, rt["closed"]["id"], DAY, stop_sell=True)
    await set_night(cur, rt["grand"]["id"], DAY, booked=1)
    await set_night(cur, rt["grand"]["id"], DAY + timedelta(days=1), booked=3)  # 1 left: min over nights
    await set_night(cur, rt["middle"]["id"], DAY + timedelta(days=1), price=500000)  # dearer second night
    return {
        "jaipur": jaipur,
        "other": other,
        "budget": budget,
        "grand": grand,
        "middle": middle,
        "full": full,
        "closed": closed,
        "elsewhere": elsewhere,
        "rt": rt,
        "stay": {"check_in": DAY.isoformat(), "check_out": (DAY + timedelta(days=2)).isoformat()},
    }
