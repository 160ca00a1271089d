"""Admin dates stay between 2000 and about five years ahead, and new trips depart in the future: anything else is
a field error (422 with a message) that changes nothing, never a 500 from date arithmetic near year 1 or 9999."""

from __future__ import annotations

from datetime import timedelta

import pytest

from travelgo import db
from travelgo.dates import last_admin_date, today_in

from .. import factories
from ..conftest import api_token, post_form
from .helpers import fetch_all, fetch_one
from .test_inventory import HX, post_pairs

TOO_LATE = "Choose a date on or before"
PAST = "The departure must be in the future."
WEEK = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@pytest.mark.parametrize(
    "path",
    [
        "/admin/dashboard?to=9999-12-31",
        "/admin/dashboard?to=0001-01-05",
        "/admin/bookings?date_to=9999-12-31",
        "/admin/trips?date_to=9999-12-31",
        "/admin/audit?date_to=9999-12-31",
        "/admin/audit?date_from=0001-01-01",
    ],
)
async def test_filter_dates_out_of_range_are_field_errors(admin_client, path):
    response = await admin_client.get(path)
    html = await response.get_data(as_text=True)
    assert response.status_code == 422, html[:300]
    assert "Choose a date on or " in html


@pytest.mark.parametrize("path", ["/api/v1/admin/stats?to=9999-12-31", "/api/v1/admin/bookings?date_to=9999-12-31"])
async def test_api_filter_dates_out_of_range_are_422_problems(client, people, path):
    response = await client.get(path, headers=await api_token(client, people["admin"]["email"]))
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    assert f"{TOO_LATE} {last_admin_date()}" in (await response.get_json())["detail"]


async def test_csv_export_refuses_a_bad_date_before_streaming(admin_client):
    response = await admin_client.get("/admin/bookings.csv?date_to=9999-12-31")
    assert response.status_code == 422 and response.mimetype == "text/html"
    assert f"{TOO_LATE} {last_admin_date()}" in await response.get_data(as_text=True)


@pytest.mark.parametrize("start", ["9999-12-31", "0001-01-01"])
async def test_hotel_page_ignores_a_start_out_of_range(admin_client, world, start):
    response = await admin_client.get(f"/admin/hotels/{world['hotel']['id']}?start={start}")
    assert response.status_code == 200
    assert today_in().strftime("%d %b") in await response.get_data(as_text=True)


@pytest.fixture
async def trip_base(people) -> dict:
    async with db.transaction() as cur:
        operator = await factories.make_operator(cur)
        vehicle = await factories.make_vehicle(cur, operator["id"], seats=12)
        a, b = await factories.make_city(cur, "Aville"), await factories.make_city(cur, "Beeton")
    return {
        "vehicle_id": vehicle["id"],
        "origin_id": a["id"],
        "destination_id": b["id"],
        "duration_minutes": "4000",
        "price": "19.50",
    }


async def trip_count() -> int:
    async with db.reading() as cur:
        return (await fetch_one(cur, "SELECT COUNT(*) AS n FROM trips"))["n"]


@pytest.mark.parametrize(
    "departs_on, departs_time, message",
    [
        ("9999-12-31", "23:00", TOO_LATE),
        ("2020-01-01", "09:00", PAST),
        (today_in().isoformat(), "00:00", PAST),
    ],
)
async def test_trip_must_depart_in_the_future_and_in_range(admin_client, trip_base, departs_on, departs_time, message):
    form = {**trip_base, "departs_on": departs_on, "departs_time": departs_time}
    response = await post_form(admin_client, "/admin/trips", form, HX)
    assert response.status_code == 422
    assert message in await response.get_data(as_text=True)
    assert await trip_count() == 0


async def test_trip_departing_tomorrow_is_created(admin_client, trip_base):
    tomorrow = (today_in() + timedelta(days=1)).isoformat()
    form = {**trip_base, "departs_on": tomorrow, "departs_time": "00:00"}
    response = await post_form(admin_client, "/admin/trips", form)
    assert response.status_code == 303 and await trip_count() == 1


@pytest.mark.parametrize(
    "start, end, times, message",
    [
        ("9999-12-31", "9999-12-31", "08:00", TOO_LATE),
        ("2020-01-01", "2020-01-31", "08:00", "The departures must be in the future: start today or later."),
        (today_in().isoformat(), today_in().isoformat(), "00:00", "choose later times or a later start"),
    ],
)
async def test_schedule_must_start_in_the_future_and_in_range(admin_client, trip_base, start, end, times, message):
    form = {**trip_base, "start": start, "end": end, "times": times, "weekdays": list(WEEK)}
    response = await post_pairs(admin_client, "/admin/trips/schedule", form, HX)
    assert response.status_code == 422
    assert message in await response.get_data(as_text=True)
    assert await trip_count() == 0


async def test_inventory_out_of_range_is_refused_and_saves_nothing(admin_client, world):
    hotel, room_type = world["hotel"], world["room_type"]
    form = {"room_type_id": room_type["id"], "start": "9999-12-30", "end": "9999-12-31", "rooms_total": "3"}
    response = await post_form(admin_client, f"/admin/hotels/{hotel['id']}/inventory", {**form, "price": "70"}, HX)
    assert response.status_code == 422
    assert TOO_LATE in await response.get_data(as_text=True)
    async with db.reading() as cur:
        assert await fetch_all(cur, "SELECT night FROM room_inventory WHERE night > '2100-01-01'") == []


async def test_booking_list_with_a_huge_page_number(admin_client, world):
    for page in ("99999999999999999999", "100001", "-3", "x"):
        response = await admin_client.get(f"/admin/bookings?page={page}")
        assert response.status_code == 200, page
