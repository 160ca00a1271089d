"""Small async builders so a test says only what matters. Each takes a transaction cursor."""

from __future__ import annotations

import itertools
import json
from datetime import date, datetime, timedelta

from travelgo.dates import HOME_ZONE, today_in
from travelgo.passwords import hash_password

PASSWORD = "correct-horse-battery"
_seq = itertools.count(1)


async def make_user(
    cur,
    email: str | None = None,
    *,
    role: str = "traveller",
    password: str = PASSWORD,
    full_name: str = "Test Traveller",
) -> dict:
    email = email or f"user{next(_seq)}@example.com"
    await cur.execute(
        "INSERT INTO users (email, password_hash, full_name, role) VALUES (%s, %s, %s, %s)",
        (email, await hash_password(password), full_name, role),
    )
    return {"id": cur.lastrowid, "email": email, "password": password, "role": role}


async def make_city(
    cur,
    name: str | None = None,
    *,
    lat: float = 51.5,
    lon: float = -0.12,
    country: str = "GB",
    timezone: str = HOME_ZONE,  # the zone "now" and "today" are read in by the tests (today_in, wall_now) and forms
) -> dict:
    name = name or f"City {next(_seq)}"
    await cur.execute(
        "INSERT INTO cities (name, region, country, latitude, longitude, timezone) VALUES (%s, %s, %s, %s, %s, %s)",
        (name, "Region", country, lat, lon, timezone),
    )
    return {"id": cur.lastrowid, "name": name, "timezone": timezone}


async def make_operator(cur, name: str | None = None, rating: float = 4.2) -> dict:
    name = name or f"Operator {next(_seq)}"
    await cur.execute("INSERT INTO operators (name, rating) VALUES (%s, %s)", (name, rating))
    return {"id": cur.lastrowid, "name": name}


async def make_vehicle(cur, operator_id: int, *, seats: int = 40, berth: str = "seater", is_ac: bool = True) -> dict:
    """A 2+2 coach with `seats` seats labelled 1..N (rows of four, aisle between columns 2 and 4)."""
    rows = (seats + 3) // 4
    await cur.execute(
        """INSERT INTO vehicles (operator_id, name, is_ac, berth, layout, decks, rows_count, cols_count, seat_count)
           VALUES (%s, %s, %s, %s, '2+2', 1, %s, 5, %s)""",
        (operator_id, f"Coach {next(_seq)}", is_ac, berth, rows, seats),
    )
    vehicle_id = cur.lastrowid
    columns = [(1, "window"), (2, "aisle"), (4, "aisle"), (5, "window")]
    seat_rows = []
    for n in range(seats):
        row, (col, kind) = n // 4 + 1, columns[n % 4]
        seat_rows.append((vehicle_id, str(n + 1), 1, row, col, kind))
    await cur.executemany(
        "INSERT INTO vehicle_seats (vehicle_id, label, deck, row_no, col_no, kind) VALUES (%s, %s, %s, %s, %s, %s)",
        seat_rows,
    )
    return {"id": vehicle_id, "seats": seats}


async def make_trip(
    cur,
    *,
    seats: int = 40,
    origin: dict | None = None,
    destination: dict | None = None,
    departs_at: datetime | None = None,
    minutes: int = 180,
    price_minor: int = 2500,
    operator: dict | None = None,
    amenities: str = "wifi,charging",
    **vehicle_kw,
) -> dict:
    origin = origin or await make_city(cur)
    destination = destination or await make_city(cur)
    operator = operator or await make_operator(cur)
    vehicle = await make_vehicle(cur, operator["id"], seats=seats, **vehicle_kw)
    departs_at = departs_at or datetime.combine(today_in() + timedelta(days=3), datetime.min.time()).replace(hour=9)
    await cur.execute(
        """INSERT INTO trips (operator_id, vehicle_id, origin_id, destination_id, departs_at, arrives_at,
                              duration_minutes, price_minor, currency, seats_total, amenities,
                              boarding_points, dropping_points)
           VALUES (%s, %s, %s, %s, %s, %s, %s, %s, 'EUR', %s, %s, %s, %s)""",
        (
            operator["id"],
            vehicle["id"],
            origin["id"],
            destination["id"],
            departs_at,
            departs_at + timedelta(minutes=minutes),
            minutes,
            price_minor,
            seats,
            amenities,
            json.dumps([{"name": "Central Bus Station", "time": departs_at.strftime("%H:%M")}]),
            json.dumps(
                [{"name": "Coach Terminal", "time": (departs_at + timedelta(minutes=minutes)).strftime("%H:%M")}]
            ),
        ),
    )
    return {
        "id": cur.lastrowid,
        "origin": origin,
        "destination": destination,
        "operator": operator,
        "vehicle": vehicle,
        "departs_at": departs_at,
        "price_minor": price_minor,
        "seats": seats,
    }


async def make_hotel(
    cur,
    *,
    city: dict | None = None,
    name: str | None = None,
    stars: int = 3,
    rating: float = 8.1,
    amenities: str = "wifi,breakfast",
    distance_km: float = 1.2,
) -> dict:
    city = city or await make_city(cur)
    name = name or f"Hotel {next(_seq)}"
    await cur.execute(
        """INSERT INTO hotels (city_id, name, description, address, area, stars, rating, amenities,
                               latitude, longitude, distance_km)
           VALUES (%s, %s, 'A comfortable hotel.', '1 High Street', 'Centre', %s, %s, %s, 51.5, -0.12, %s)""",
        (city["id"], name, stars, rating, amenities, distance_km),
    )
    return {"id": cur.lastrowid, "city": city, "name": name}


async def make_room_type(
    cur,
    hotel_id: int,
    *,
    rooms: int = 5,
    price_minor: int = 9000,
    max_guests: int = 2,
    nights: int = 30,
    start: date | None = None,
    name: str = "Double room",
) -> dict:
    """A room type with `rooms` rooms a night for `nights` nights from `start` (today by default)."""
    await cur.execute(
        "INSERT INTO room_types (hotel_id, name, max_guests, beds, base_price_minor) VALUES (%s, %s, %s, '1 double bed', %s)",
        (hotel_id, name, max_guests, price_minor),
    )
    room_type_id = cur.lastrowid
    start = start or today_in()
    await cur.executemany(
        "INSERT INTO room_inventory (room_type_id, night, rooms_total, price_minor) VALUES (%s, %s, %s, %s)",
        [(room_type_id, start + timedelta(days=i), rooms, price_minor) for i in range(nights)],
    )
    return {"id": room_type_id, "hotel_id": hotel_id, "rooms": rooms, "price_minor": price_minor}


async def make_restaurant(
    cur,
    *,
    city: dict | None = None,
    name: str | None = None,
    tables: list[int] = (2, 4),
    links: list[tuple[int, int]] = (),
    combine: bool = False,
    confirmation: str = "instant",
    deposit_minor: int = 0,
    response_minutes: int = 120,
    free_cancel_hours: int = 2,
    slot_minutes: int = 15,
    sitting_minutes: int = 90,
    max_party: int = 10,
    hours: tuple[str, str] = ("12:00", "23:00"),
    cuisine: str = "North Indian",
    price_level: int = 2,
    rating: float = 4.3,
) -> dict:
    """A restaurant open every day `hours` with tables of these sizes (labelled T1, T2, …); `links` pair table
    positions (0-based) that stand side by side."""
    city = city or await make_city(cur)
    name = name or f"Restaurant {next(_seq)}"
    await cur.execute(
        """INSERT INTO restaurants (city_id, name, description, address, area, cuisine, price_level, rating,
                                    slot_minutes, sitting_minutes, confirmation, response_minutes, deposit_minor,
                                    currency, free_cancel_hours, combine_tables, max_party)
           VALUES (%s, %s, 'Good food.', '2 Market Road', 'Centre', %s, %s, %s, %s, %s, %s, %s, %s, 'INR', %s, %s, %s)""",
        (city["id"], name, cuisine, price_level, rating, slot_minutes, sitting_minutes, confirmation,
         response_minutes, deposit_minor, free_cancel_hours, int(combine), max_party),
    )  # fmt: skip
    restaurant_id = cur.lastrowid
    await cur.executemany(
        "INSERT INTO restaurant_hours (restaurant_id, weekday, opens, closes) VALUES (%s, %s, %s, %s)",
        [(restaurant_id, day, hours[0], hours[1]) for day in range(7)],
    )
    table_ids = []
    for i, seats in enumerate(tables):
        await cur.execute(
            "INSERT INTO restaurant_tables (restaurant_id, label, seats) VALUES (%s, %s, %s)",
            (restaurant_id, f"T{i + 1}", seats),
        )
        table_ids.append(cur.lastrowid)
    for a, b in links:
        low, high = sorted((table_ids[a], table_ids[b]))
        await cur.execute("INSERT INTO restaurant_table_links (table_id, adjacent_id) VALUES (%s, %s)", (low, high))
    return {"id": restaurant_id, "city": city, "name": name, "table_ids": table_ids}
