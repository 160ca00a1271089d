"""The same-seat race across processes: Hypercorn with two workers, so only the database lock can serialize."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest

from bench.server import hypercorn_command
from travelgo import db
from travelgo.bookings.integrity import check_inventory

from .. import conftest, factories
from ..bookings.helpers import passengers, scalar

ROOT = Path(__file__).resolve().parents[2]
PORTS = range(8210, 8300)  # the booking work's port range


def free_port() -> int:
    for port in PORTS:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 8210-8299")


def log_tail(path: str) -> str:
    with open(path, errors="replace") as f:  # noqa: ASYNC230 (only read when the server failed to start)
        return f.read()[-2000:]


@pytest.fixture
async def server(app):
    """TravelGo under Hypercorn, two workers, on the test database."""
    port = free_port()
    log = tempfile.NamedTemporaryFile(prefix="travelgo-race-", suffix=".log", delete=False)
    env = {
        **os.environ,
        "TRAVELGO_ENV": "test",
        "DATABASE_URL": conftest.test_database_url(),
        "TRAVELGO_RATE_LIMITS": "off",
        "TRAVELGO_BOOKING_ADMISSION": "off",  # the row lock alone decides
        "SECRET_KEY": "race-test-secret-key-0123456789-abcdefghij",
        "LOG_LEVEL": "WARNING",
    }
    command = hypercorn_command(port, 2)
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)  # noqa: ASYNC220
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        async with httpx.AsyncClient(timeout=2) as client:
            while True:
                assert process.poll() is None, log_tail(log.name)
                try:
                    if (await client.get(f"{base}/healthz")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert time.monotonic() < deadline, "Hypercorn did not start:\n" + log_tail(log.name)
                await asyncio.sleep(0.2)
        yield base
    finally:
        # Wait off the event loop: blocking it here would stall the app's own background tasks.
        process.terminate()
        try:
            await asyncio.to_thread(process.wait, 15)
        except subprocess.TimeoutExpired:
            process.kill()
            await asyncio.to_thread(process.wait, 5)
        os.unlink(log.name)


@pytest.mark.slow
async def test_sixty_buyers_across_two_worker_processes_one_seat_one_winner(server):
    async with db.transaction() as cur:
        trip = await factories.make_trip(cur)
        users = [await factories.make_user(cur) for _ in range(6)]
    limits = httpx.Limits(max_connections=100, max_keepalive_connections=100)
    async with httpx.AsyncClient(base_url=server, timeout=30, limits=limits) as client:
        tokens = []
        for user in users:
            response = await client.post(
                "/api/v1/auth/token", json={"email": user["email"], "password": factories.PASSWORD}
            )
            tokens.append({"Authorization": f"Bearer {response.json()['access_token']}"})
        body = {"type": "bus", "trip_id": trip["id"], "seats": ["21"], "passengers": passengers(1)}
        responses = await asyncio.gather(
            *(client.post("/api/v1/bookings", json=body, headers=tokens[i % 6]) for i in range(60))
        )
    statuses = Counter(r.status_code for r in responses)
    assert statuses == Counter({201: 1, 409: 59}), statuses
    assert all(r.json()["unavailable_seats"] == ["21"] for r in responses if r.status_code == 409)
    assert await scalar("SELECT COUNT(*) FROM booking_seats WHERE held = 1") == 1
    assert await check_inventory() == []
