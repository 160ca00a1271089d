"""TravelGo under Hypercorn in a process whose TZ is America/New_York, 10.5 hours behind India: a trip's departs_at
carries India's offset, and a bus that left India an hour ago refuses a booking over HTTP."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx
import pytest

from travelgo import db
from travelgo.dates import wall_now

from .. import conftest, factories
from ..bookings.helpers import passengers
from ..hardening.servers import Server

pytestmark = pytest.mark.slow
IST = "Asia/Kolkata"


@pytest.fixture
async def new_york_server(app):
    running = Server(
        {
            "DATABASE_URL": conftest.test_database_url(),
            "TRAVELGO_RATE_LIMITS": "off",
            "SECRET_KEY": "time-zone-http-test-secret-0123456789-abcdef",
            "LOG_LEVEL": "WARNING",
            "TZ": "America/New_York",
        }
    )
    await asyncio.to_thread(running.start)
    yield running
    await asyncio.to_thread(running.stop)


async def test_a_new_york_host_writes_indian_offsets_and_refuses_a_departed_bus(new_york_server):
    async with db.transaction() as cur:
        origin = await factories.make_city(cur, timezone=IST)
        destination = await factories.make_city(cur, timezone=IST)
        left = await factories.make_trip(
            cur, seats=4, origin=origin, destination=destination, departs_at=wall_now(IST) - timedelta(hours=1)
        )
        upcoming = await factories.make_trip(
            cur, seats=4, origin=origin, destination=destination, departs_at=wall_now(IST) + timedelta(hours=23)
        )
        user = await factories.make_user(cur)
    async with httpx.AsyncClient(base_url=new_york_server.base, timeout=10) as http:
        trip = (await http.get(f"/api/v1/bus-trips/{upcoming['id']}")).json()
        assert trip["departs_at"].endswith("+05:30") and trip["bookable"] is True
        assert trip["departs_at"] == (upcoming["departs_at"].isoformat(timespec="seconds") + "+05:30")
        departed = (await http.get(f"/api/v1/bus-trips/{left['id']}")).json()
        assert departed["bookable"] is False and departed["closed_reason"] == "departed"

        token = await http.post("/api/v1/auth/token", json={"email": user["email"], "password": factories.PASSWORD})
        headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
        body = {"type": "bus", "trip_id": left["id"], "seats": ["1"], "passengers": passengers(1)}
        refused = await http.post("/api/v1/bookings", json=body, headers=headers)
        assert refused.status_code == 409 and "departed" in refused.json()["detail"], refused.text
        body["trip_id"] = upcoming["id"]
        booked = await http.post("/api/v1/bookings", json=body, headers=headers)
        assert booked.status_code == 201, booked.text
        assert booked.json()["starts_at"].endswith("+05:30") and booked.json()["created_at"].endswith("Z")
