"""Hypercorn with two worker processes: an event committed on any connection reaches streams on both workers."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from travelgo import db

from .. import conftest, factories
from .helpers import book_seats, make_trip, publish_trip
from .server import Server
from .sse import TcpStream

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(database):
    with Server(conftest.test_database_url(), workers=2) as running:
        yield running


async def streams_on_both_workers(server: Server, path: str, within: float = 30.0) -> dict[str, TcpStream]:
    """Connect until one stream is held on each worker (the kernel picks the accepting worker, and the
    second worker may still be starting when the first answers /readyz)."""
    held: dict[str, TcpStream] = {}
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        stream = await TcpStream("127.0.0.1", server.port, path).open()
        assert stream.status == 200, stream.status
        if stream.worker in held:
            stream.close()
            await asyncio.sleep(0.05)
        else:
            held[stream.worker] = stream
            if len(held) == 2:
                return held
    for stream in held.values():
        stream.close()
    raise AssertionError(f"only reached workers {list(held)} in {within} s")


async def test_commit_reaches_streams_held_on_both_workers(app, server):
    trip = await make_trip(seats=10)
    streams = await streams_on_both_workers(server, f"/api/v1/bus-trips/{trip['id']}/events")
    try:
        for stream in streams.values():
            opening = await stream.next_message()
            assert opening.json() == {"trip_id": trip["id"], "seats_left": 10, "unavailable_seats": []}
        async with db.transaction() as cur:
            user = await factories.make_user(cur)
            event_id = await book_seats(cur, trip["id"], user["id"], ["5", "6"])
        for worker, stream in streams.items():
            message = await stream.message_with_id(event_id, timeout=5)
            assert message.json() == {"trip_id": trip["id"], "seats_left": 8, "unavailable_seats": ["5", "6"]}, worker
    finally:
        for stream in streams.values():
            stream.close()


async def test_resume_across_workers_with_last_event_id(app, server):
    """A client that reconnects (to whichever worker) with Last-Event-ID gets exactly what it missed."""
    trip = await make_trip(seats=10)
    seen = await publish_trip(trip["id"], 9, ["1"])
    missed = await publish_trip(trip["id"], 8, ["1", "2"])
    path = f"/api/v1/bus-trips/{trip['id']}/events"
    for _ in range(2):
        stream = await TcpStream("127.0.0.1", server.port, path, headers={"Last-Event-ID": str(seen)}).open()
        try:
            message = await stream.next_message()
            assert message.id == str(missed) and message.json()["seats_left"] == 8
        finally:
            stream.close()


async def test_a_booking_through_the_api_reaches_streams_on_both_workers(app, server):
    """A real booking over HTTP is served by one of the two workers; the streams held on both receive it,
    so whichever worker booked, the other one delivered it from the database."""
    trip = await make_trip(seats=10)
    async with db.transaction() as cur:
        user = await factories.make_user(cur)
    streams = await streams_on_both_workers(server, f"/api/v1/bus-trips/{trip['id']}/events")
    try:
        for stream in streams.values():
            await stream.next_message()
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{server.port}", timeout=10) as http:
            token = await http.post("/api/v1/auth/token", json={"email": user["email"], "password": user["password"]})
            assert token.status_code == 200, token.text
            headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
            booking = await http.post(
                "/api/v1/bookings",
                headers=headers,
                json={
                    "type": "bus",
                    "trip_id": trip["id"],
                    "seats": ["3", "4"],
                    "passengers": [{"name": "Asha Rao", "age": 34}, {"name": "Ravi Rao", "age": 36}],
                },
            )
            assert booking.status_code == 201, booking.text
        for worker, stream in streams.items():
            message = await stream.next_message(timeout=5)
            assert message.event == "availability", worker
            assert message.json() == {"trip_id": trip["id"], "seats_left": 8, "unavailable_seats": ["3", "4"]}, worker
    finally:
        for stream in streams.values():
            stream.close()
