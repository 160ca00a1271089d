"""In-process stream tests: state on connect, live changes, resume, late commits, cleanup, the cap."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import timedelta

import pytest
from quart import request

from travelgo import db, events
from travelgo.dates import today_in
from travelgo.live import service as live

from .. import factories
from .helpers import book_seats, last_event_id, make_trip, publish_trip, trip_state, wait_until
from .sse import InProcessStream


def hub(app):
    return events.hub_for(app)


async def test_trip_stream_sends_full_state_then_every_change(app):
    trip = await make_trip(seats=12)
    async with db.transaction() as cur:
        user = await factories.make_user(cur)
        await book_seats(cur, trip["id"], user["id"], ["10", "4"])

    async with InProcessStream(app, f"/api/v1/bus-trips/{trip['id']}/events") as stream:
        first = await stream.next_message()
        assert stream.status_code == 200
        assert stream.headers["Content-Type"].startswith("text/event-stream")
        assert stream.headers["Cache-Control"].startswith("no-cache")
        assert first.event == "availability" and first.id is not None
        assert first.json() == {"trip_id": trip["id"], "seats_left": 10, "unavailable_seats": ["4", "10"]}

        async with db.transaction() as cur:
            event_id = await book_seats(cur, trip["id"], user["id"], ["7"])
            expected = await trip_state(cur, trip["id"])
        update = await stream.next_message()
        assert update.event == "availability" and update.id == str(event_id)
        assert (
            update.json() == expected == {"trip_id": trip["id"], "seats_left": 9, "unavailable_seats": ["4", "7", "10"]}
        )


async def test_events_of_other_trips_and_other_kinds_are_not_sent(app):
    trip, other = await make_trip(seats=8), await make_trip(seats=8)
    async with InProcessStream(app, f"/api/v1/bus-trips/{trip['id']}/events") as stream:
        await stream.next_message()
        await publish_trip(other["id"], 1)
        async with db.transaction() as cur:
            await events.publish(cur, f"trip:{trip['id']}", "audit", {"note": "not for clients"})
        mine = await publish_trip(trip["id"], 5)
        message = await stream.next_message()
        assert message.id == str(mine) and message.json()["seats_left"] == 5


async def test_payload_fields_are_the_contract_only(app):
    trip = await make_trip(seats=8)
    async with InProcessStream(app, f"/api/v1/bus-trips/{trip['id']}/events") as stream:
        await stream.next_message()
        async with db.transaction() as cur:
            await events.publish(
                cur,
                f"trip:{trip['id']}",
                "availability",
                {"trip_id": trip["id"], "seats_left": 6, "unavailable_seats": ["1", "2"], "internal": 1},
            )
        message = await stream.next_message()
        assert message.json() == {"trip_id": trip["id"], "seats_left": 6, "unavailable_seats": ["1", "2"]}


async def test_unknown_ids_are_404_problems(client):
    for path in ("/api/v1/bus-trips/999999/events", "/api/v1/hotels/999999/events"):
        response = await client.get(path)
        assert response.status_code == 404
        assert response.mimetype == "application/problem+json"
        assert (await response.get_json())["status"] == 404


async def test_resume_with_last_event_id_replays_only_the_missed_changes(app):
    trip = await make_trip(seats=10)
    seen = await publish_trip(trip["id"], 9, ["1"])
    missed_1 = await publish_trip(trip["id"], 8, ["1", "2"])
    missed_2 = await publish_trip(trip["id"], 7, ["1", "2", "3"])
    path = f"/api/v1/bus-trips/{trip['id']}/events"
    async with InProcessStream(app, path, headers={"Last-Event-ID": str(seen)}) as stream:
        first, second = await stream.next_message(), await stream.next_message()
        assert [first.id, second.id] == [str(missed_1), str(missed_2)]
        assert second.json()["unavailable_seats"] == ["1", "2", "3"]
        live = await publish_trip(trip["id"], 6)
        assert (await stream.next_message()).id == str(live)  # replayed ids are not sent twice


async def test_disconnect_removes_the_subscriber(app):
    trip = await make_trip(seats=4)
    before = hub(app).subscriber_count
    async with InProcessStream(app, f"/api/v1/bus-trips/{trip['id']}/events") as stream:
        await stream.next_message()
        assert hub(app).subscriber_count == before + 1
    await wait_until(lambda: hub(app).subscriber_count == before, what="subscriber removed")
    assert f"trip:{trip['id']}" not in hub(app)._by_topic


async def test_late_commit_of_a_lower_id_is_still_delivered(app):
    """Transaction A takes id N, B takes N+1 and commits first; A's event must not be skipped."""
    trip = await make_trip(seats=10)
    async with InProcessStream(app, f"/api/v1/bus-trips/{trip['id']}/events") as stream:
        await stream.next_message()
        async with db.transaction() as slow:
            await events.publish(
                slow,
                f"trip:{trip['id']}",
                "availability",
                {"trip_id": trip["id"], "seats_left": 9, "unavailable_seats": ["1"]},
            )
            low = await last_event_id(slow)
            high = await publish_trip(trip["id"], 8, ["2"])  # a second connection, committed first
            assert high > low
            message = await stream.next_message()
            assert message.id == str(high)
            await wait_until(lambda: low in events.poller_for(app).gaps, what="gap tracked")
        # `slow` commits here, after the higher id was delivered.
        late = await stream.next_message()
        assert late.id == str(low) and late.json()["unavailable_seats"] == ["1"]


async def test_gaps_are_given_up_after_the_gap_window(app, monkeypatch):
    poller = events.poller_for(app)
    monkeypatch.setattr(poller, "gap_seconds", 0.2)
    async with db.transaction() as cur:  # a rolled-back insert leaves a permanent hole
        await events.publish(cur, "trip:0", "availability", {})
        hole = await last_event_id(cur)
        await cur.execute("DO 0")
        await cur.connection.rollback()
    await publish_trip(0, 0)
    await wait_until(lambda: hole in poller.gaps, what="gap tracked")
    await wait_until(lambda: hole not in poller.gaps, what="gap expired")


async def test_per_worker_cap_answers_503(app, monkeypatch):
    trip = await make_trip(seats=4)
    path = f"/api/v1/bus-trips/{trip['id']}/events"
    monkeypatch.setattr(hub(app), "max_streams", hub(app).subscriber_count + 1)
    async with InProcessStream(app, path) as held:
        await held.next_message()
        response = await app.test_client().get(path)
        assert response.status_code == 503
        assert response.mimetype == "application/problem+json"
        assert response.headers["Retry-After"]
        assert "streams" in (await response.get_json())["detail"]
        html = await app.test_client().get(f"/buses/{trip['id']}/live")
        assert html.status_code == 503
    await wait_until(lambda: hub(app).subscriber_count == 0, what="cap released")
    async with InProcessStream(app, path) as again:
        assert (await again.next_message()).event == "availability"


async def test_heartbeat_comment_keeps_the_stream_open(app, monkeypatch):
    trip = await make_trip(seats=4)
    monkeypatch.setattr(hub(app), "heartbeat", 0.05)
    async with InProcessStream(app, f"/api/v1/bus-trips/{trip['id']}/events") as stream:
        await stream.next_message()
        chunk = await stream.read_chunk()
        assert chunk == b": keepalive\n\n"


async def test_hotel_stream_sends_each_change_and_resumes(app):
    async with db.transaction() as cur:
        hotel = await factories.make_hotel(cur)
        room = await factories.make_room_type(cur, hotel["id"], rooms=3)
    night = (today_in() + timedelta(days=2)).isoformat()
    payload = {"hotel_id": hotel["id"], "room_type_id": room["id"], "dates": [night], "rooms_left": {night: 2}}
    path = f"/api/v1/hotels/{hotel['id']}/events"
    async with InProcessStream(app, path) as stream:
        async with db.transaction() as cur:
            await events.publish(cur, f"hotel:{hotel['id']}", "availability", payload)
            first_id = await last_event_id(cur)
        message = await stream.next_message()
        assert message.event == "availability" and message.id == str(first_id)
        assert message.json() == payload
    async with db.transaction() as cur:
        await events.publish(cur, f"hotel:{hotel['id']}", "availability", {**payload, "rooms_left": {night: 1}})
        missed = await last_event_id(cur)
    async with InProcessStream(app, path, headers={"Last-Event-ID": str(first_id)}) as stream:
        message = await stream.next_message()
        assert message.id == str(missed) and message.json()["rooms_left"] == {night: 1}


async def test_hotel_resume_sends_a_lower_id_that_committed_while_the_client_was_away(app):
    """Two room types, two transactions: A takes id N, B takes N+1 and commits; the client sees N+1 and leaves;
    A commits while it is away. Resuming from N+1 must still send A's change (and then N+1 again, so each
    room-night ends at its latest state); events from well before the gap window are not re-sent."""
    async with db.transaction() as cur:
        hotel = await factories.make_hotel(cur)
        standard = await factories.make_room_type(cur, hotel["id"], rooms=3)
        suite = await factories.make_room_type(cur, hotel["id"], rooms=2)
    night = (today_in() + timedelta(days=3)).isoformat()
    topic, path = f"hotel:{hotel['id']}", f"/api/v1/hotels/{hotel['id']}/events"

    def change(room_type, left):
        return {"hotel_id": hotel["id"], "room_type_id": room_type["id"], "dates": [night], "rooms_left": {night: left}}

    async with InProcessStream(app, path) as stream:
        async with db.transaction() as cur:
            await events.publish(cur, topic, "availability", change(standard, 3))
            old = await last_event_id(cur)
            await cur.execute(
                "UPDATE events SET created_at = created_at - INTERVAL 1 MINUTE WHERE id = %(id)s", {"id": old}
            )
        assert (await stream.next_message()).id == str(old)
        async with db.transaction() as slow:
            await events.publish(slow, topic, "availability", change(standard, 2))
            low = await last_event_id(slow)
            async with db.transaction() as fast:
                await events.publish(fast, topic, "availability", change(suite, 1))
                high = await last_event_id(fast)
            assert high > low
            seen = await stream.next_message()
            assert seen.id == str(high)
        # The client went away having seen `high`; `slow` commits now, while it is away.
    await wait_until(lambda: low not in events.poller_for(app).gaps, what="late id picked up by the poller")
    async with InProcessStream(app, path, headers={"Last-Event-ID": str(high)}) as stream:
        replay = [await stream.next_message(), await stream.next_message()]
        assert [m.id for m in replay] == [str(low), str(high)]
        assert replay[0].json() == change(standard, 2) and replay[1].json() == change(suite, 1)
        async with db.transaction() as cur:
            await events.publish(cur, topic, "availability", change(suite, 0))
            newest = await last_event_id(cur)
        assert (await stream.next_message()).id == str(newest)  # nothing else was queued before it


async def test_slow_client_keeps_latest_state_per_topic_and_drops_oldest():
    hub_ = events.Hub(max_streams=10, queue_size=3)
    sub = hub_.subscribe(["trip:1", "trip:2", "hotel:1"])
    for n in range(1, 6):
        hub_.dispatch([events.Event(n, "trip:1", "availability", {"trip_id": 1, "seats_left": 10 - n})])
    batch = await sub.next_batch(0.1)
    assert [(e.id, e.payload["seats_left"]) for e in batch] == [(5, 5)]  # only the newest state is pending
    nights = [
        events.Event(10, "hotel:1", "availability", {"room_type_id": 7, "dates": ["d1"], "rooms_left": {"d1": 1}}),
        events.Event(11, "hotel:1", "availability", {"room_type_id": 7, "dates": ["d2"], "rooms_left": {"d2": 0}}),
    ]
    hub_.dispatch(nights)
    merged = await sub.next_batch(0.1)
    assert len(merged) == 1 and merged[0].id == 11 and merged[0].payload["rooms_left"] == {"d1": 1, "d2": 0}
    for room in range(4):  # four distinct keys into a mailbox of three: the oldest is dropped
        hub_.dispatch([events.Event(20 + room, "hotel:1", "availability", {"room_type_id": room})])
    kept = await sub.next_batch(0.1)
    assert [e.id for e in kept] == [21, 22, 23] and sub.dropped == 1
    assert await sub.next_batch(0.01) == []
    sub.close()
    assert hub_.subscriber_count == 0 and await sub.next_batch(0.01) is None


async def test_a_waiting_stream_wakes_on_an_event_a_close_or_a_cancel_and_ends_with_its_task():
    """Subscription.next_batch waits on a bare future: an offer wakes it before the timeout, a close ends it with
    None, a cancellation (client gone, shutdown) propagates, and the subscribing task's end unsubscribes."""
    hub_ = events.Hub(max_streams=10, queue_size=3)
    sub = hub_.subscribe(["trip:1"])
    waiting = asyncio.ensure_future(sub.next_batch(60))
    await asyncio.sleep(0.01)
    hub_.dispatch([events.Event(1, "trip:1", "availability", {"trip_id": 1, "seats_left": 3})])
    batch = await asyncio.wait_for(waiting, 1)
    assert [e.id for e in batch] == [1]
    started = time.monotonic()
    assert await sub.next_batch(0.05) == [] and time.monotonic() - started >= 0.04  # the heartbeat timeout
    waiting = asyncio.ensure_future(sub.next_batch(60))
    await asyncio.sleep(0.01)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    waiting = asyncio.ensure_future(sub.next_batch(60))
    await asyncio.sleep(0.01)
    sub.close()
    assert await asyncio.wait_for(waiting, 1) is None and hub_.subscriber_count == 0

    async def request_task() -> events.Subscription:
        return hub_.subscribe(["trip:2"], client="10.0.0.1")

    ended = await asyncio.ensure_future(request_task())
    await asyncio.sleep(0)  # done callbacks run on the next loop turn
    assert ended.closed and hub_.subscriber_count == 0


async def test_old_events_are_pruned(app):
    async with db.transaction() as cur:
        await cur.execute(
            "INSERT INTO events (topic, kind, payload, created_at) VALUES ('trip:1', 'availability', %s, NOW(6) - INTERVAL 48 HOUR)",
            (json.dumps({}),),
        )
        await events.publish(cur, "trip:1", "availability", {})
    poller = events.poller_for(app)
    polls = poller.polls
    poller._next_prune = 0.0
    await wait_until(lambda: poller.polls > polls + 1, what="a poll with pruning")
    async with db.reading() as cur:
        await cur.execute("SELECT COUNT(*) AS n FROM events WHERE created_at < NOW(6) - INTERVAL 24 HOUR")
        assert (await cur.fetchone())["n"] == 0
        await cur.execute("SELECT COUNT(*) AS n FROM events")
        assert (await cur.fetchone())["n"] == 1


async def test_poller_reconnects_after_losing_its_connection(app):
    """Kill the poller's database session: it reconnects with backoff and keeps delivering, none lost."""
    poller = events.poller_for(app)
    first, second = await make_trip(seats=6), await make_trip(seats=6)
    sub = hub(app).subscribe([f"trip:{first['id']}", f"trip:{second['id']}"])
    try:
        await wait_until(poller.connected.is_set, what="poller connected")
        old = poller._conn
        async with db.reading() as cur:
            await cur.execute("KILL %s", (old.server_thread_id[0],))
        during = await publish_trip(first["id"], 5, ["1"])  # committed while the poller is down or reconnecting
        await wait_until(lambda: poller._conn is not None and poller._conn is not old, what="reconnected")
        after = await publish_trip(second["id"], 4, ["1", "2"])
        ids: set[int] = set()
        while not {during, after} <= ids:
            batch = await sub.next_batch(5)
            assert batch, "no events after the reconnect"
            ids.update(e.id for e in batch)
    finally:
        sub.close()


async def test_stop_closes_the_poller_connection_and_ends_streams(app):
    settings = app.config["TRAVELGO"]
    hub_ = events.Hub(max_streams=5)
    poller = events.Poller(hub_, settings.database_url, interval=0.05, gap_seconds=1, retention_hours=24)
    poller.start()
    await wait_until(poller.connected.is_set, what="connected")
    conn = poller._conn
    sub = hub_.subscribe(["trip:1"])
    hub_.close_all()
    await poller.stop()
    assert conn.closed and poller._conn is None
    assert await sub.next_batch(0.01) is None and hub_.subscriber_count == 0


async def test_streams_are_in_the_openapi_document(client):
    paths = (await (await client.get("/openapi.json")).get_json())["paths"]
    for path in ("/api/v1/bus-trips/{trip_id}/events", "/api/v1/hotels/{hotel_id}/events"):
        assert "get" in paths[path], path
        operation = paths[path]["get"]
        assert "text/event-stream" in operation["summary"] and "Last-Event-ID" in operation["description"]


async def test_a_last_event_id_that_is_not_plain_ascii_digits_is_ignored(app):
    """Hypercorn decodes header bytes as latin-1, so the byte 0xB2 arrives as "²": str.isdigit() says yes, int() no.
    (The test client would send "²" UTF-8 encoded, so the header is set on a request context directly.)"""
    for value, expected in (("²", None), ("12²", None), ("٣", None), ("12", 12), (" 7 ", 7), ("9" * 20, None)):
        async with app.test_request_context("/api/v1/hotels/1/events", headers={"Last-Event-ID": value}):
            assert request.headers["Last-Event-ID"] == value
            assert live.last_event_id() == expected, value


async def test_one_client_address_cannot_take_every_stream_slot():
    """Issue 14 item 4: per-address cap on one worker; others still get in, and a closed stream frees its slot."""
    hub_ = events.Hub(max_streams=10, max_per_client=2)
    first, second = hub_.subscribe(["trip:1"], "10.0.0.1"), hub_.subscribe(["trip:2"], "10.0.0.1")
    with pytest.raises(events.TooManyClientStreams):
        hub_.subscribe(["trip:3"], "10.0.0.1")
    hub_.subscribe(["trip:3"], "10.0.0.2")  # another address is not affected
    first.close()
    hub_.subscribe(["trip:3"], "10.0.0.1")  # the closed stream gave its slot back
    assert hub_.subscriber_count == 3 and not second.closed


async def test_opening_streams_is_rate_limited_per_address(app, client, monkeypatch):
    trip = await make_trip(seats=4)
    settings = app.config["TRAVELGO"].model_copy(update={"rate_limit_rules": "stream_open_ip=2/60"})
    monkeypatch.setitem(app.config, "TRAVELGO", settings)
    path = f"/api/v1/bus-trips/{trip['id']}/events"
    for _ in range(2):
        async with InProcessStream(app, path) as stream:
            await stream.next_message()
    refused = await client.get(path)
    assert refused.status_code == 429 and refused.headers["Retry-After"]
