"""Reviews fixtures: a traveller with a completed bus trip and a completed hotel stay, an admin, and a stranger."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from travelgo import db
from travelgo.dates import today_in, wall_now

from .. import factories
from ..admin.helpers import book_bus, book_hotel
from ..conftest import signed_in


async def past_trip(cur, operator: dict | None = None, *, ended_hours_ago: float = 2, timezone: str | None = None):
    """A trip that arrived `ended_hours_ago` hours ago by its origin city's clock (3-hour trips)."""
    origin = await factories.make_city(cur, **({"timezone": timezone} if timezone else {}))
    departs = (wall_now(origin["timezone"]) - timedelta(hours=3 + ended_hours_ago)).replace(microsecond=0)
    return await factories.make_trip(cur, seats=8, origin=origin, operator=operator, departs_at=departs)


@pytest.fixture
async def trip_world(app):
    async with db.transaction() as cur:
        traveller = await factories.make_user(cur, "rita@example.com", full_name="Rita Reviewer")
        stranger = await factories.make_user(cur, "sam@example.com", full_name="Sam Stranger")
        admin = await factories.make_user(cur, "admin@example.com", role="admin", full_name="Ada Admin")
        operator = await factories.make_operator(cur, "Sunrise Travels", rating=4.2)
        trip = await past_trip(cur, operator)
        bus = await book_bus(cur, traveller, trip, ["1"])
        hotel = await factories.make_hotel(cur, name="Hotel Lakeview", rating=8.1)
        start = today_in() - timedelta(days=5)
        room_type = await factories.make_room_type(cur, hotel["id"], rooms=5, nights=10, start=start)
        stay = await book_hotel(cur, traveller, room_type, start, 2)  # checked out three days ago
        upcoming = await book_hotel(cur, traveller, room_type, today_in() + timedelta(days=2), 1)
    return {
        "traveller": traveller,
        "stranger": stranger,
        "admin": admin,
        "operator": operator,
        "trip": trip,
        "bus": bus,
        "hotel": hotel,
        "room_type": room_type,
        "stay": stay,
        "upcoming": upcoming,
    }


@pytest.fixture
async def traveller_client(app, trip_world):
    return await signed_in(app, trip_world["traveller"]["email"])


@pytest.fixture
async def admin_client(app, trip_world):
    return await signed_in(app, trip_world["admin"]["email"])


async def business(kind: str, business_id: int) -> dict:
    table = {"operator": "operators", "hotel": "hotels"}[kind]
    async with db.reading() as cur:
        await cur.execute(f"SELECT rating, review_count FROM {table} WHERE id = %s", (business_id,))
        row = await cur.fetchone()
    return {"rating": float(row["rating"]), "review_count": row["review_count"]}


async def review_count() -> int:
    async with db.reading() as cur:
        await cur.execute("SELECT COUNT(*) AS n FROM reviews")
        return (await cur.fetchone())["n"]


def noon(day) -> datetime:
    return datetime.combine(day, datetime.min.time()).replace(hour=12)
