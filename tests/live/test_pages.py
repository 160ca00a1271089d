"""The pages wire themselves to the live streams, and still work as plain pages without them."""

from __future__ import annotations

import html
from datetime import timedelta

from travelgo import db
from travelgo.dates import today_in

from .. import factories
from .helpers import book_seats, make_trip


async def test_trip_page_connects_its_seats_left_and_seat_map(client):
    trip = await make_trip(seats=8)
    body = await (await client.get(f"/buses/{trip['id']}")).get_data(as_text=True)
    assert f'hx-ext="sse" sse-connect="/buses/{trip["id"]}/live?left=8"' in body
    assert f'<span id="seats-left-{trip["id"]}" sse-swap="seats-left"' in body
    assert 'hx-trigger="submit, sse:availability"' in body  # the seat map re-fetches itself on a change


async def test_a_chosen_seat_taken_meanwhile_is_dropped_with_a_note(client):
    """What the seat map's live re-fetch returns once someone else booked a seat this traveller chose."""
    trip = await make_trip(seats=8)
    async with db.transaction() as cur:
        user = await factories.make_user(cur)
        await book_seats(cur, trip["id"], user["id"], ["5"])
    response = await client.get(f"/buses/{trip['id']}?passengers=2&seats=5&seats=6", headers={"HX-Request": "true"})
    fragment = await response.get_data(as_text=True)
    assert response.status_code == 200 and fragment.lstrip().startswith('<form id="seat-map"')
    assert 'name="seats" value="6"' in fragment and 'name="seats" value="5"' not in fragment
    assert "Seat 5 was just taken by someone else." in html.unescape(fragment)
    assert 'hx-trigger="submit, sse:availability"' in fragment  # the swapped-in map keeps listening


async def test_cancelled_trip_page_does_not_connect(client):
    trip = await make_trip(seats=8)
    async with db.transaction() as cur:
        await cur.execute("UPDATE trips SET status = 'cancelled' WHERE id = %s", (trip["id"],))
    body = await (await client.get(f"/buses/{trip['id']}")).get_data(as_text=True)
    assert "sse-connect" not in body


async def test_search_results_connect_their_badges(client):
    async with db.transaction() as cur:
        origin, destination = await factories.make_city(cur), await factories.make_city(cur)
        first = await factories.make_trip(cur, origin=origin, destination=destination, seats=10)
        second = await factories.make_trip(cur, origin=origin, destination=destination, seats=4)
    day = first["departs_at"].date().isoformat()
    body = await (
        await client.get(f"/buses?origin={origin['id']}&destination={destination['id']}&date={day}")
    ).get_data(as_text=True)
    ids = sorted([first["id"], second["id"]])
    connect = body.split('sse-connect="/buses/live?trips=', 1)[1].split('"', 1)[0]
    assert sorted(int(n) for n in connect.split(",")) == ids
    assert f'sse-swap="seats-left-{second["id"]}" hx-target="this" hx-swap="outerHTML">4 seats left' in body


async def test_hotel_page_connects_rooms_left_for_the_displayed_stay(client):
    check_in = today_in() + timedelta(days=3)
    check_out = check_in + timedelta(days=2)
    async with db.transaction() as cur:
        hotel = await factories.make_hotel(cur)
        room = await factories.make_room_type(cur, hotel["id"], rooms=3)
    body = await (await client.get(f"/hotels/{hotel['id']}?check_in={check_in}&check_out={check_out}")).get_data(
        as_text=True
    )
    assert f'sse-connect="/hotels/{hotel["id"]}/live?check_in={check_in}&amp;check_out={check_out}"' in body
    assert f'id="rooms-left-{room["id"]}"' in body and f'sse-swap="rooms-left-{room["id"]}"' in body
    assert "3 rooms left" in body
