"""The admission layer in front of the engine (bookings/admission.py): on by default, switchable."""

from __future__ import annotations

import asyncio

from travelgo import db
from travelgo.bookings import admission
from travelgo.bookings.kinds import BusSeats

from ..conftest import api_token
from .helpers import passengers, trip_and_user


async def test_a_booking_stuck_behind_its_trips_queue_gets_a_clean_503_busy(app, client, monkeypatch):
    """The in-worker queue per trip waits no longer than a request may wait for a pooled connection."""
    layer = admission.Admission(enabled=True)
    monkeypatch.setitem(app.extensions, admission.EXTENSION, layer)
    trip, user = await trip_and_user()
    headers = await api_token(client, user["email"])
    body = {"type": "bus", "trip_id": trip["id"], "seats": ["4"], "passengers": passengers(1)}
    monkeypatch.setattr(db, "acquire_timeout", lambda: 0.2)
    holding, release = asyncio.Event(), asyncio.Event()

    async def hold_the_queue():
        async with layer.admit(BusSeats(trip["id"], ["9"]), user["id"], None):
            holding.set()
            await release.wait()

    holder = asyncio.create_task(hold_the_queue())
    await holding.wait()
    try:
        response = await client.post("/api/v1/bookings", json=body, headers=headers)
        assert response.status_code == 503 and response.headers["Retry-After"]
        assert (await response.get_json())["title"] == "Busy"
    finally:
        release.set()
        await holder
    after = await client.post("/api/v1/bookings", json=body, headers=headers)
    assert after.status_code == 201  # nothing was written by the refused request, and the queue is free again
    assert layer._queues == {}


async def test_switched_off_admission_lets_every_request_through_to_the_engine(app, client, monkeypatch):
    """Off, nothing queues: a request for a trip whose queue is held goes straight to the locked check."""
    layer = admission.Admission(enabled=False)
    monkeypatch.setitem(app.extensions, admission.EXTENSION, layer)
    trip, user = await trip_and_user()
    headers = await api_token(client, user["email"])
    async with layer.admit(BusSeats(trip["id"], ["9"]), user["id"], None):
        body = {"type": "bus", "trip_id": trip["id"], "seats": ["4"], "passengers": passengers(1)}
        response = await asyncio.wait_for(client.post("/api/v1/bookings", json=body, headers=headers), 10)
    assert response.status_code == 201 and layer._queues == {}
