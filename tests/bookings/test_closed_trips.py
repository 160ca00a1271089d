"""A trip that is sold out (its counter full, though the vehicle has free seats), departed or cancelled offers no
seat anywhere: API seat map, trip page, booking form, live streams; and a full counter is refused as sold out."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from travelgo import db
from travelgo.dates import wall_now

from ..conftest import api_token, login
from ..inapp import service
from ..live.sse import InProcessStream
from .helpers import as_user, passengers, trip_and_user
from .test_pages import bus_form, post_multi


async def sold_out_trip(seats: int = 8, booked: int = 2) -> tuple[dict, dict]:
    """A trip whose `booked` seats are taken and whose seats for sale were cut to that (as an admin may)."""
    trip, user = await trip_and_user(seats=seats)
    await service.book_trip(as_user(user), trip["id"], [str(n) for n in range(1, booked + 1)], passengers(booked))
    async with db.transaction() as cur:
        await cur.execute("UPDATE trips SET seats_total = %(n)s WHERE id = %(id)s", {"n": booked, "id": trip["id"]})
    return trip, user


async def closed(kind: str) -> tuple[dict, dict]:
    if kind == "sold_out":
        return await sold_out_trip()
    if kind == "departed":
        return await trip_and_user(seats=8, departs_at=wall_now() - timedelta(minutes=5))
    trip, user = await trip_and_user(seats=8)
    async with db.transaction() as cur:
        await cur.execute("UPDATE trips SET status = 'cancelled' WHERE id = %(id)s", {"id": trip["id"]})
    return trip, user


NOTICES = {
    "sold_out": "This bus is sold out.",
    "departed": "This bus has already departed.",
    "cancelled": "This departure has been cancelled.",
}


@pytest.mark.parametrize("kind", ["sold_out", "departed", "cancelled"])
async def test_a_closed_trip_offers_no_seat_in_the_api_or_on_its_pages(client, kind):
    trip, user = await closed(kind)
    body = await (await client.get(f"/api/v1/bus-trips/{trip['id']}")).get_json()
    assert body["bookable"] is False and body["closed_reason"] == kind and body["seats_left"] == 0
    assert len(body["seats"]) == 8 and not any(s["available"] for s in body["seats"])

    page = await (await client.get(f"/buses/{trip['id']}?seats=5")).get_data(as_text=True)
    assert 'name="toggle"' not in page and "Continue to book" not in page
    assert NOTICES[kind] in page

    await login(client, user["email"])
    form = await (await client.get(f"/buses/{trip['id']}/book?seats=5")).get_data(as_text=True)
    assert NOTICES[kind] in form and 'name="p-0-name"' not in form and "no longer available" not in form


async def test_an_open_trip_says_so_in_the_api(client):
    trip, _ = await trip_and_user(seats=8)
    body = await (await client.get(f"/api/v1/bus-trips/{trip['id']}")).get_json()
    assert body["bookable"] is True and body["closed_reason"] is None and body["seats_left"] == 8
    assert all(s["available"] for s in body["seats"])


async def test_a_full_counter_is_refused_as_sold_out_not_as_a_taken_seat(client):
    trip, user = await sold_out_trip(booked=2)
    with pytest.raises(service.NotEnoughSeats, match="sold out") as caught:
        await service.book_trip(as_user(user), trip["id"], ["5"], passengers(1))
    assert caught.value.seats_left == 0

    headers = await api_token(client, user["email"])
    body = {"type": "bus", "trip_id": trip["id"], "seats": ["5"], "passengers": passengers(1)}
    response = await client.post("/api/v1/bookings", json=body, headers=headers)
    problem = await response.get_json()
    assert response.status_code == 409 and "sold out" in problem["detail"] and problem["seats_left"] == 0

    await login(client, user["email"])
    page = await post_multi(client, f"/buses/{trip['id']}/book", bus_form("key-sold-out", ["5"]))
    html = await page.get_data(as_text=True)
    assert page.status_code == 409 and "sold out" in html and "Seat 5 is no longer available" not in html


async def test_fewer_seats_left_than_asked_names_how_many_are_left():
    trip, user = await trip_and_user(seats=8)
    async with db.transaction() as cur:
        await cur.execute("UPDATE trips SET seats_total = 1 WHERE id = %(id)s", {"id": trip["id"]})
    with pytest.raises(service.NotEnoughSeats, match="Only 1 seat is left"):
        await service.book_trip(as_user(user), trip["id"], ["4", "5"], passengers(2))
    booking = await service.book_trip(as_user(user), trip["id"], ["4"], passengers(1))
    assert booking["status"] == "pending_payment"


async def test_live_state_and_events_list_every_seat_once_the_counter_is_full(app):
    trip, user = await trip_and_user(seats=4)
    async with db.transaction() as cur:
        await cur.execute("UPDATE trips SET seats_total = 2 WHERE id = %(id)s", {"id": trip["id"]})
    await service.book_trip(as_user(user), trip["id"], ["1"], passengers(1))
    async with InProcessStream(app, f"/api/v1/bus-trips/{trip['id']}/events") as stream:
        first = await stream.next_message()
        assert first.json() == {"trip_id": trip["id"], "seats_left": 1, "unavailable_seats": ["1"]}
        await service.book_trip(as_user(user), trip["id"], ["2"], passengers(1))  # the last seat for sale
        update = await stream.next_message()
        assert update.json() == {"trip_id": trip["id"], "seats_left": 0, "unavailable_seats": ["1", "2", "3", "4"]}
    async with InProcessStream(app, f"/api/v1/bus-trips/{trip['id']}/events") as stream:
        assert json.loads((await stream.next_message()).data)["unavailable_seats"] == ["1", "2", "3", "4"]
