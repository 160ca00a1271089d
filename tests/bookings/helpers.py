"""Shared arrangements for booking tests."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from travelgo import db
from travelgo.auth import CurrentUser
from travelgo.dates import today_in

from .. import factories


def as_user(user: dict) -> CurrentUser:
    return CurrentUser(id=user["id"], email=user["email"], full_name="Test Traveller", phone=None, role=user["role"])


async def trip_and_user(seats: int = 40, departs_at: datetime | None = None, **kw) -> tuple[dict, dict]:
    async with db.transaction() as cur:
        trip = await factories.make_trip(cur, seats=seats, departs_at=departs_at, **kw)
        user = await factories.make_user(cur)
    return trip, user


async def hotel_and_user(rooms: int = 5, **kw) -> tuple[dict, dict, dict]:
    async with db.transaction() as cur:
        hotel = await factories.make_hotel(cur)
        room_type = await factories.make_room_type(cur, hotel["id"], rooms=rooms, **kw)
        user = await factories.make_user(cur)
    return hotel, room_type, user


def passengers(n: int) -> list[dict]:
    return [{"name": f"Passenger {i + 1}", "age": 30 + i} for i in range(n)]


def stay(start_in_days: int = 2, nights: int = 2) -> tuple[date, date]:
    check_in = today_in() + timedelta(days=start_in_days)
    return check_in, check_in + timedelta(days=nights)


def stay_body(room_type_id: int, start_in_days: int = 2, nights: int = 2, **kw) -> dict:
    """A hotel booking's POST /api/v1/bookings body: one room for two guests (as tests.restaurants.helpers.table_body
    for a table)."""
    check_in, check_out = stay(start_in_days, nights)
    return {
        "type": "hotel",
        "room_type_id": room_type_id,
        "check_in": check_in.isoformat(),
        "check_out": check_out.isoformat(),
        "rooms": 1,
        "guests": 2,
        "guest_name": "Asha Rao",
        **kw,
    }


async def scalar(sql: str, params: dict | None = None):
    async with db.reading() as cur:
        await cur.execute(sql, params or {})
        row = await cur.fetchone()
    return next(iter(row.values())) if row else None
