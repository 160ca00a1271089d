"""Bookings refuse stays past the booking horizon (422, nothing booked), and My bookings takes any ?page= without a
500 (a page number too large for SQL's LIMIT/OFFSET used to be a syntax error)."""

from __future__ import annotations

from datetime import timedelta

from travelgo.dates import BOOKING_HORIZON_DAYS, last_travel_date

from ..conftest import api_token, login
from .helpers import hotel_and_user, scalar


async def test_api_stay_past_the_horizon_is_a_422_and_books_nothing(client):
    _, room_type, user = await hotel_and_user()
    headers = await api_token(client, user["email"])
    check_in = last_travel_date()
    body = {
        "type": "hotel",
        "room_type_id": room_type["id"],
        "check_in": check_in.isoformat(),
        "check_out": (check_in + timedelta(days=1)).isoformat(),
        "guest_name": "Ada Lovelace",
    }
    for dates in ({}, {"check_in": "9999-12-30", "check_out": "9999-12-31"}):
        response = await client.post("/api/v1/bookings", json={**body, **dates}, headers=headers)
        assert response.status_code == 422 and response.mimetype == "application/problem+json"
        assert f"{BOOKING_HORIZON_DAYS} days ahead" in (await response.get_json())["detail"]
    assert await scalar("SELECT COUNT(*) FROM bookings") == 0


async def test_hotel_booking_page_shows_the_horizon_as_a_field_error(client):
    hotel, room_type, user = await hotel_and_user()
    await login(client, user["email"])
    query = f"room_type_id={room_type['id']}&check_in=9999-12-30&check_out=9999-12-31&rooms=1&guests=1"
    response = await client.get(f"/hotels/{hotel['id']}/book?{query}")
    assert response.status_code == 422
    assert f"Choose a date at most {BOOKING_HORIZON_DAYS} days ahead" in await response.get_data(as_text=True)


async def test_my_bookings_with_any_page_number(client):
    _, _, user = await hotel_and_user()
    await login(client, user["email"])
    for page in ("99999999999999999999", "100001", "0", "-1", "two", ""):
        response = await client.get(f"/bookings?page={page}")
        assert response.status_code == 200, page
