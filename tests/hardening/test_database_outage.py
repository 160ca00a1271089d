"""The database restarting under a running TravelGo, and graceful shutdown.

Both tests run real processes: a project-local MariaDB the test starts and stops itself (ports
3400-3499, data in a temporary directory; the shared server at 3306 is never touched) and TravelGo
under Hypercorn (ports 8500-8599).
"""

from __future__ import annotations

import asyncio
import time

import httpx
import pymysql
import pytest

from travelgo.config import DatabaseURL
from travelgo.migrations import migrate

from .servers import LocalMariaDB, Server, mariadbd_path

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(mariadbd_path() is None, reason="mariadbd is not installed (needed for a private server)"),
]


@pytest.fixture(scope="module")
async def private_db():
    """A private MariaDB with the TravelGo schema, for tests that stop the server."""
    server = LocalMariaDB()
    try:
        await asyncio.to_thread(server.install)
        await asyncio.to_thread(server.start)
        await migrate(DatabaseURL.parse(server.url("travelgo")))
        yield server
    finally:
        server.cleanup()


@pytest.fixture(scope="module")
async def served(private_db):
    """TravelGo on Hypercorn against the private database (pool of 4 so stale connections matter)."""
    server = Server(
        {"DATABASE_URL": private_db.url("travelgo"), "TRAVELGO_DB_POOL_SIZE": "4", "TRAVELGO_RATE_LIMITS": "off"}
    )
    await asyncio.to_thread(server.start)
    yield server
    await asyncio.to_thread(server.stop)


REGISTER = "/api/v1/auth/register"


async def _register(http: httpx.AsyncClient, n: int) -> httpx.Response:
    return await http.post(
        REGISTER,
        json={
            "email": f"outage{n}-{time.time_ns()}@example.com",
            "password": "long-enough-pw",
            "full_name": "Outage Test",
        },
    )


async def test_requests_fail_fast_with_503_during_an_outage_and_recover_without_a_restart(private_db, served):
    async with httpx.AsyncClient(base_url=served.base, timeout=10) as http:
        # Warm the pool: several concurrent requests leave several idle connections behind.
        warm = await asyncio.gather(*(_register(http, i) for i in range(8)))
        assert [r.status_code for r in warm] == [202] * 8
        assert (await http.get("/readyz")).status_code == 200

        await asyncio.to_thread(private_db.kill)  # the server dies without a goodbye

        started = time.perf_counter()
        ready = await http.get("/readyz")
        api = await _register(http, 100)
        page = await http.get("/")
        elapsed = time.perf_counter() - started
        assert ready.status_code == 503 and ready.json()["database"] == "unreachable"
        assert api.status_code == 503 and api.headers["content-type"].startswith("application/problem+json")
        assert api.headers["Retry-After"]
        assert page.status_code == 503 and "cannot reach its database" in page.text
        assert elapsed < 3, f"three requests during the outage took {elapsed:.2f}s"
        assert (await http.get("/healthz")).status_code == 200  # the process itself is fine

        await asyncio.to_thread(private_db.start)  # same data directory, same port

        # Recovery needs no restart: the first request after the server is back already succeeds,
        # and no request after it meets a broken pooled connection.
        assert (await http.get("/readyz")).status_code == 200
        after = await asyncio.gather(*(_register(http, 200 + i) for i in range(24)))
        assert [r.status_code for r in after] == [202] * 24
        assert (await http.get("/")).status_code == 200
    assert "Traceback" not in served.output()


async def test_a_clean_database_restart_is_also_survived(private_db, served):
    async with httpx.AsyncClient(base_url=served.base, timeout=10) as http:
        assert [r.status_code for r in await asyncio.gather(*(_register(http, i) for i in range(6)))] == [202] * 6
        await asyncio.to_thread(private_db.stop)  # SIGTERM: the server closes its connections first
        assert (await _register(http, 50)).status_code == 503
        await asyncio.to_thread(private_db.start)
        statuses = [r.status_code for r in await asyncio.gather(*(_register(http, 60 + i) for i in range(12)))]
        assert statuses == [202] * 12


async def test_graceful_shutdown_lets_an_in_flight_request_finish(private_db):
    """SIGTERM while a request waits on a row lock: the request completes, then the server exits."""
    server = Server({"DATABASE_URL": private_db.url("travelgo"), "TRAVELGO_RATE_LIMITS": "off"})
    await asyncio.to_thread(server.start)
    try:
        async with httpx.AsyncClient(base_url=server.base, timeout=15) as http:
            email = f"graceful-{time.time_ns()}@example.com"
            assert (
                await http.post(REGISTER, json={"email": email, "password": "long-enough-pw", "full_name": "Before"})
            ).status_code == 202
            confirmer = pymysql.connect(
                host="127.0.0.1", port=private_db.port, user="root", database="travelgo", autocommit=True
            )
            with confirmer.cursor() as cur:  # the mailed link's work (tested in tests/accounts)
                cur.execute("UPDATE users SET email_confirmed_at = UTC_TIMESTAMP(6) WHERE email = %s", (email,))
            confirmer.close()
            token = (await http.post("/api/v1/auth/token", json={"email": email, "password": "long-enough-pw"})).json()[
                "access_token"
            ]
            locker = pymysql.connect(
                host="127.0.0.1", port=private_db.port, user="root", database="travelgo", autocommit=False
            )
            try:
                with locker.cursor() as cur:
                    cur.execute("SELECT id FROM users WHERE email = %s FOR UPDATE", (email,))
                # This PATCH now waits for the row lock (up to innodb_lock_wait_timeout = 5 s).
                in_flight = asyncio.create_task(
                    http.patch("/api/v1/me", json={"full_name": "After"}, headers={"Authorization": f"Bearer {token}"})
                )
                await asyncio.sleep(0.5)  # let the request reach the lock wait (pacing, not an assertion)
                assert not in_flight.done()
                server.terminate()
                await asyncio.sleep(0.5)
                assert server.proc.poll() is None, "the server must wait for the in-flight request"
            finally:
                locker.commit()  # release the lock
                locker.close()
            response = await in_flight
            assert response.status_code == 200 and response.json()["full_name"] == "After"
        exit_code = await asyncio.to_thread(server.proc.wait, 15)
        assert exit_code == 0, server.output()
        async with httpx.AsyncClient(timeout=1) as http:
            with pytest.raises(httpx.ConnectError):
                await http.get(f"{server.base}/healthz")
    finally:
        await asyncio.to_thread(server.stop)
