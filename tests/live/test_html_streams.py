"""HTML streams for htmx's SSE extension: fragments named after the element they replace, escaped."""

from __future__ import annotations

from datetime import timedelta

from travelgo import db, events
from travelgo.dates import today_in

from .. import factories
from .helpers import book_seats, last_event_id, make_trip, publish_trip, wait_until
from .sse import InProcessStream


async def test_trip_live_sends_seats_left_then_availability_on_every_change(app):
    trip = await make_trip(seats=12)
    async with InProcessStream(app, f"/buses/{trip['id']}/live?left=12") as stream:
        seats_left = await stream.next_message()
        assert stream.headers["Content-Type"].startswith("text/event-stream")
        assert (seats_left.event, seats_left.data) == ("seats-left", "12")
        event_id = await publish_trip(trip["id"], 10, ["7", "8"])
        seats_left, availability = await stream.next_message(), await stream.next_message()
        assert (seats_left.data, seats_left.id) == ("10", str(event_id))
        assert availability.event == "availability" and availability.id == str(event_id)
        assert availability.json() == {"trip_id": trip["id"], "seats_left": 10, "unavailable_seats": ["7", "8"]}


async def test_trip_live_tells_a_stale_page_to_refresh_its_seat_map(app):
    """The page showed 12 left but 10 are left now, or a reconnect missed events: the opening includes
    `availability`, which makes the seat map re-fetch itself."""
    trip = await make_trip(seats=12)
    async with db.transaction() as cur:
        user = await factories.make_user(cur)
        seen = await book_seats(cur, trip["id"], user["id"], ["1"])
    async with db.transaction() as cur:
        await book_seats(cur, trip["id"], user["id"], ["2"])
    for path, headers in (
        (f"/buses/{trip['id']}/live?left=12", {}),
        (f"/buses/{trip['id']}/live", {"Last-Event-ID": str(seen)}),
    ):
        async with InProcessStream(app, path, headers=headers) as stream:
            first, second = await stream.next_message(), await stream.next_message()
            assert (first.event, first.data) == ("seats-left", "10")
            assert second.event == "availability" and second.json()["unavailable_seats"] == ["1", "2"]


async def test_unknown_trip_live_is_404(client):
    assert (await client.get("/buses/999999/live")).status_code == 404


async def test_search_results_badges_update_per_trip(app):
    first, second, other = await make_trip(seats=10), await make_trip(seats=20), await make_trip(seats=5)
    path = f"/buses/live?trips={first['id']},{second['id']}"
    async with InProcessStream(app, path) as stream:
        opening = {(m := await stream.next_message()).event: m.data for _ in range(2)}
        assert set(opening) == {f"seats-left-{first['id']}", f"seats-left-{second['id']}"}
        badge = opening[f"seats-left-{first['id']}"]
        assert f'id="seats-left-{first["id"]}"' in badge and 'hx-swap="outerHTML"' in badge
        assert f'sse-swap="seats-left-{first["id"]}"' in badge and "10 seats left" in badge
        await publish_trip(other["id"], 0)  # not listed on this page
        changed = await publish_trip(second["id"], 3)
        message = await stream.next_message()
        assert (message.event, message.id) == (f"seats-left-{second['id']}", str(changed))
        assert "3 seats left" in message.data and "badge-warn" in message.data
        await publish_trip(first["id"], 0)
        message = await stream.next_message()
        assert message.event == f"seats-left-{first['id']}" and "0 seats left" in message.data


async def test_search_results_stream_rejects_bad_or_too_long_lists(client):
    too_many = ",".join(str(n) for n in range(1, 120))
    for query in ("", "abc", "1,-2", too_many):
        response = await client.get(f"/buses/live?trips={query}")
        assert response.status_code == 422, query


async def test_hotel_live_refreshes_rooms_left_for_the_displayed_stay(app):
    start = today_in() + timedelta(days=5)
    async with db.transaction() as cur:
        hotel = await factories.make_hotel(cur)
        room = await factories.make_room_type(cur, hotel["id"], rooms=4, start=start, nights=10)
    check_in, check_out = start + timedelta(days=1), start + timedelta(days=3)  # nights d1, d2
    path = f"/hotels/{hotel['id']}/live?check_in={check_in}&check_out={check_out}"
    topic = f"hotel:{hotel['id']}"

    async def publish(nights: dict) -> int:
        async with db.transaction() as cur:
            payload = {
                "hotel_id": hotel["id"],
                "room_type_id": room["id"],
                "dates": sorted(nights),
                "rooms_left": nights,
            }
            await events.publish(cur, topic, "availability", payload)
            return await last_event_id(cur)

    async with InProcessStream(app, path) as stream:
        opening = await stream.next_message()
        assert opening.event == f"rooms-left-{room['id']}"
        assert f'id="rooms-left-{room["id"]}"' in opening.data and "4 rooms left" in opening.data
        await publish({(start + timedelta(days=6)).isoformat(): 0})  # other nights: nothing to show
        await publish({check_in.isoformat(): 4})  # touches the stay but changes nothing shown
        changed = await publish({(check_in + timedelta(days=1)).isoformat(): 1, check_out.isoformat(): 0})
        message = await stream.next_message()
        assert message.id == str(changed) and ">1 room left<" in message.data and "badge-warn" in message.data


async def test_hotel_live_validates_the_stay(client):
    async with db.transaction() as cur:
        hotel = await factories.make_hotel(cur)
    for query in (
        "",
        "check_in=2030-01-05&check_out=2030-01-05",
        "check_in=2030-01-01&check_out=2030-03-01",
        "check_in=nope&check_out=2030-01-02",
    ):
        assert (await client.get(f"/hotels/{hotel['id']}/live?{query}")).status_code == 422, query
    assert (await client.get("/hotels/999999/live?check_in=2030-01-01&check_out=2030-01-02")).status_code == 404


async def test_html_stream_disconnect_cleans_up(app):
    trip = await make_trip(seats=3)
    hub = events.hub_for(app)
    async with InProcessStream(app, f"/buses/live?trips={trip['id']}") as stream:
        await stream.next_message()
        assert hub.subscriber_count == 1
    await wait_until(lambda: hub.subscriber_count == 0, what="subscriber removed")


async def test_fragments_are_escaped(app):
    """Fragments come from autoescaping templates; JSON data lines cannot break out of the SSE framing."""
    trip = await make_trip(seats=5)
    async with InProcessStream(app, f"/buses/{trip['id']}/live") as stream:
        await stream.next_message()
        await publish_trip(trip["id"], 4, ["<b>1</b>\ndata: x"])
        await stream.next_message()
        availability = await stream.next_message()
        assert availability.json()["unavailable_seats"] == ["<b>1</b>\ndata: x"]
        assert "\n" not in availability.data and "<b>" not in availability.data


async def test_unicode_digits_in_left_or_last_event_id_are_ignored(app):
    """ "²" passes str.isdigit() but not int(): it counts as absent, not as a 500."""
    trip = await make_trip(seats=12)
    async with InProcessStream(app, f"/buses/{trip['id']}/live?left=%C2%B2") as stream:
        first = await stream.next_message()
        assert stream.status_code == 200 and (first.event, first.data) == ("seats-left", "12")
