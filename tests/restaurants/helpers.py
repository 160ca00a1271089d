"""Shared arrangements for restaurant tests."""

from __future__ import annotations

from datetime import date, timedelta

from travelgo import db
from travelgo.dates import today_in

from .. import factories


def tomorrow() -> date:
    return today_in() + timedelta(days=1)


async def restaurant_and_user(**kw) -> tuple[dict, dict]:
    async with db.transaction() as cur:
        restaurant = await factories.make_restaurant(cur, **kw)
        user = await factories.make_user(cur)
    return restaurant, user


def table_body(restaurant_id: int, party_size: int = 2, at: str = "20:00", day: date | None = None, **kw) -> dict:
    return {
        "type": "restaurant",
        "restaurant_id": restaurant_id,
        "date": (day or tomorrow()).isoformat(),
        "time": at,
        "party_size": party_size,
        "guest_name": "Asha Rao",
        **kw,
    }
