"""Travellers' dates stay between today and the booking horizon: a date near year 9999 is a field error (422 with
a message), never a 500 from date arithmetic."""

from __future__ import annotations

from datetime import timedelta

import pytest

from travelgo import db
from travelgo.dates import BOOKING_HORIZON_DAYS, last_travel_date, today_in

from .. import factories

LAST = last_travel_date()
TOO_FAR = LAST + timedelta(days=1)


async def a_hotel() -> dict:
    async with db.transaction() as cur:
        hotel = await factories.make_hotel(cur)
        await factories.make_room_type(cur, hotel["id"])
    return hotel


@pytest.mark.parametrize("day", ["9999-12-31", TOO_FAR.isoformat()])
@pytest.mark.parametrize(
    "path, field",
    [
        ("/api/v1/hotels?check_in={day}", "check_in"),
        ("/api/v1/hotels/{hotel}?check_in={day}", "check_in"),
        ("/api/v1/bus-trips?date={day}", "date"),
    ],
)
async def test_api_dates_past_the_horizon_are_422_problems(client, path, field, day):
    hotel = await a_hotel()
    response = await client.get(path.format(day=day, hotel=hotel["id"]))
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    (error,) = (await response.get_json())["errors"]
    assert error["field"] == field and f"{BOOKING_HORIZON_DAYS} days ahead" in error["msg"]


@pytest.mark.parametrize(
    "path, field",
    [
        ("/hotels?check_in=9999-12-31", "check_in"),
        ("/hotels/{hotel}?check_in=9999-12-30&check_out=9999-12-31", "check_in"),
        ("/buses?date=9999-12-31", "date"),
    ],
)
async def test_pages_show_the_horizon_as_a_field_error(client, path, field):
    hotel = await a_hotel()
    response = await client.get(path.format(hotel=hotel["id"]))
    html = await response.get_data(as_text=True)
    assert response.status_code == 422, html[:500]
    assert f"Choose a date at most {BOOKING_HORIZON_DAYS} days ahead (on or before {LAST})." in html


async def test_the_last_day_of_the_horizon_is_searchable(client):
    hotel = await a_hotel()
    before_last = (LAST - timedelta(days=1)).isoformat()
    assert (await client.get(f"/api/v1/bus-trips?date={LAST}")).status_code == 200
    assert (await client.get(f"/api/v1/hotels?check_in={before_last}&check_out={LAST}")).status_code == 200
    assert (await client.get(f"/hotels/{hotel['id']}?check_in={before_last}&check_out={LAST}")).status_code == 200


async def test_dates_in_the_past_are_still_refused(client):
    yesterday = (today_in() - timedelta(days=1)).isoformat()
    for path in (f"/api/v1/bus-trips?date={yesterday}", "/api/v1/hotels?check_in=0001-01-01"):
        response = await client.get(path)
        assert response.status_code == 422
        assert "Choose today or a later date" in (await response.get_json())["detail"]
