"""Departures and check-in dates are their city's wall-clock times: whatever TZ the host runs with, "now" is the
city's clock (cities.timezone). Each test runs with the process TZ set to UTC and to America/New_York, so a host
clock read by mistake (datetime.now(), date.today(), NOW()) shows up as a bus that is still bookable after it left,
or a refund tier 5.5-10.5 hours off."""

from __future__ import annotations

import os
import time
from datetime import date, timedelta

import pytest

from travelgo import db
from travelgo.dates import today_in, wall_now

from .. import factories
from ..inapp import service
from ..payhelpers import paid
from .helpers import as_user, passengers

IST = "Asia/Kolkata"


@pytest.fixture(params=["UTC", "America/New_York"])
def host_tz(request):
    """The process's own zone for the test (what date.today() and a naive datetime.now() would read)."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = request.param
    time.tzset()
    yield request.param
    if before is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = before
    time.tzset()


async def ist_trip(departs_in: timedelta) -> tuple[dict, dict]:
    """A trip from and to Indian cities, leaving `departs_in` from now by the clocks of India, and a traveller."""
    async with db.transaction() as cur:
        origin = await factories.make_city(cur, timezone=IST)
        destination = await factories.make_city(cur, timezone=IST)
        trip = await factories.make_trip(
            cur, seats=8, origin=origin, destination=destination, departs_at=wall_now(IST) + departs_in
        )
        user = await factories.make_user(cur)
    return trip, user


async def test_a_bus_that_left_an_hour_ago_in_india_is_closed_everywhere(client, host_tz):
    trip, user = await ist_trip(-timedelta(hours=1))
    body = await (await client.get(f"/api/v1/bus-trips/{trip['id']}")).get_json()
    assert body["bookable"] is False and body["closed_reason"] == "departed"
    assert body["departs_at"].endswith("+05:30")
    with pytest.raises(service.NotBookable, match="departed"):
        await service.book_trip(as_user(user), trip["id"], ["1"], passengers(1))
    day = (wall_now(IST) - timedelta(hours=1)).date()
    search = await client.get(
        "/api/v1/bus-trips", query_string={"origin": trip["origin"]["id"], "date": day.isoformat()}
    )
    if day < today_in(IST):  # just after midnight in India the bus left yesterday, a date no search may ask for
        assert search.status_code == 422
    else:
        assert trip["id"] not in [t["id"] for t in (await search.get_json())["items"]]


async def test_a_booking_for_a_bus_that_has_left_in_india_cannot_be_cancelled(client, host_tz):
    trip, user = await ist_trip(timedelta(hours=2))
    booking = await paid(await service.book_trip(as_user(user), trip["id"], ["1"], passengers(1)))
    async with db.transaction() as cur:  # time passes: the bus left an hour ago, by India's clock
        await cur.execute(
            "UPDATE bookings SET starts_at = %(at)s WHERE reference = %(r)s",
            {"at": wall_now(IST) - timedelta(hours=1), "r": booking["reference"]},
        )
    with pytest.raises(service.NotCancellable, match="started"):
        await service.cancel_booking(user["id"], booking["reference"])


async def test_a_bus_leaving_in_23_hours_in_india_refunds_half(client, host_tz):
    trip, user = await ist_trip(timedelta(hours=23))
    body = await (await client.get(f"/api/v1/bus-trips/{trip['id']}")).get_json()
    assert body["bookable"] is True
    assert 22 * 3600 < body["departs_in"] <= 23 * 3600
    booking = await paid(await service.book_trip(as_user(user), trip["id"], ["1"], passengers(1)))
    assert service.cancellation_quote(booking).percent == 50
    cancelled = await service.cancel_booking(user["id"], booking["reference"])
    assert cancelled["refund"]["percent"] == 50 and cancelled["refund_minor"] == trip["price_minor"] // 2


async def test_a_bus_leaving_in_25_hours_in_india_refunds_in_full(client, host_tz):
    trip, user = await ist_trip(timedelta(hours=25))
    booking = await paid(await service.book_trip(as_user(user), trip["id"], ["1"], passengers(1)))
    cancelled = await service.cancel_booking(user["id"], booking["reference"])
    assert cancelled["refund"]["percent"] == 100


async def test_api_moments_carry_their_offset(client, host_tz):
    trip, user = await ist_trip(timedelta(days=2))
    headers = await _token(client, user)
    body = {"type": "bus", "trip_id": trip["id"], "seats": ["1"], "passengers": passengers(1)}
    created = await (await client.post("/api/v1/bookings", json=body, headers=headers)).get_json()
    assert created["starts_at"].endswith("+05:30") and created["trip"]["departs_at"].endswith("+05:30")
    assert created["trip"]["arrives_at"].endswith("+05:30") and created["ends_at"].endswith("+05:30")
    assert created["created_at"].endswith("Z") and created["expires_at"].endswith("Z")
    listed = await (await client.get("/api/v1/bookings", headers=headers)).get_json()
    assert [b["reference"] for b in listed["items"]] == [created["reference"]]  # upcoming by India's clock
    assert listed["items"][0]["starts_at"].endswith("+05:30") and listed["items"][0]["created_at"].endswith("Z")


async def _token(client, user: dict) -> dict:
    from ..conftest import api_token

    return await api_token(client, user["email"])


@pytest.mark.parametrize("host, city", [("Etc/GMT+12", "Pacific/Kiritimati"), ("Pacific/Kiritimati", "Etc/GMT+12")])
async def test_today_for_a_hotel_is_its_citys_date(client, host, city):
    """26 hours apart: the host's date and the hotel city's always differ."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = host
    time.tzset()
    try:
        assert date.today() != today_in(city)
        local_today = today_in(city)
        async with db.transaction() as cur:
            hotel = await factories.make_hotel(cur, city=await factories.make_city(cur, timezone=city))
            room_type = await factories.make_room_type(cur, hotel["id"], start=local_today - timedelta(days=3))
            user = await factories.make_user(cur)
        body = await (await client.get(f"/api/v1/hotels/{hotel['id']}")).get_json()
        assert body["check_in"] == local_today.isoformat()  # "tonight" by the hotel's calendar
        yesterday = local_today - timedelta(days=1)
        with pytest.raises(service.InvalidBooking, match="past"):
            await service.book_room(as_user(user), room_type["id"], yesterday, local_today, 1, 1, "Ada Lovelace")
        booking = await service.book_room(
            as_user(user), room_type["id"], local_today, local_today + timedelta(days=1), 1, 1, "Ada Lovelace"
        )
        assert booking["check_in"] == local_today
    finally:
        if before is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = before
        time.tzset()
