"""A database that refuses new connections (max_connections reached) gives a clean 503, never a 500."""

import asyncio
import time

import pymysql
import pytest

from travelgo import db
from travelgo.config import Settings

from .. import factories
from ..conftest import api_token, login


def test_too_many_connections_counts_as_the_database_being_unavailable():
    assert db.is_connection_error(pymysql.err.OperationalError(1040, "Too many connections"))
    assert db.is_connection_error(pymysql.err.OperationalError(1203, "User has exceeded max_user_connections"))
    assert not db.is_connection_error(pymysql.err.OperationalError(1213, "Deadlock found"))


async def test_api_and_pages_answer_503_when_the_server_refuses_connections(app, client, monkeypatch):
    pool = db._pool("primary")

    async def refuse():
        raise pymysql.err.OperationalError(1040, "Too many connections")

    monkeypatch.setattr(pool, "acquire", refuse)
    api = await client.get("/readyz")
    assert api.status_code == 503
    response = await client.post("/api/v1/auth/token", json={"email": "a@example.com", "password": "whatever-long"})
    assert response.status_code == 503
    assert response.headers["Content-Type"].startswith("application/problem+json")
    assert response.headers["Retry-After"]
    page = await client.get("/")
    assert page.status_code == 503 and "database" in (await page.get_data(as_text=True))


@pytest.fixture
async def tiny_pool(app):
    """The app on a pool of two connections and a 0.5 s acquire timeout (the usual pool is back afterwards)."""
    settings = app.config["TRAVELGO"]
    await db.close_pools()
    await db.open_pools(settings.database_url, size=2, acquire_timeout=0.5)
    try:
        yield db._pool("primary")
    finally:
        await db.close_pools()
        await db.open_pools(
            settings.database_url, settings.database_read_url, settings.pool_size, settings.db_acquire_timeout
        )


async def _hold(seconds: float) -> None:
    """Keep one pooled connection busy for `seconds`, as a slow query would."""
    async with db.reading() as cur:
        await cur.execute("SELECT SLEEP(%(s)s)", {"s": seconds})


async def test_a_request_that_cannot_get_a_connection_gets_503_busy_quickly_and_the_pool_recovers(app, tiny_pool):
    async with db.transaction() as cur:
        user = await factories.make_user(cur)
    api = app.test_client()
    bearer = await api_token(api, user["email"])
    page = app.test_client()
    await login(page, user["email"])

    holders = [asyncio.create_task(_hold(2)) for _ in range(2)]
    await asyncio.sleep(0.3)
    assert tiny_pool.size == 2 and tiny_pool.freesize == 0  # both connections taken and busy

    started = time.perf_counter()
    response = await api.get("/api/v1/me", headers=bearer)
    waited = time.perf_counter() - started
    assert response.status_code == 503 and response.headers["Retry-After"]
    assert response.mimetype == "application/problem+json" and "busy" in (await response.get_json())["detail"]
    assert 0.4 < waited < 1.5, waited  # the acquire timeout, not the 2 s the holders take (nor forever)

    started = time.perf_counter()
    response = await page.get("/profile")
    waited = time.perf_counter() - started
    assert response.status_code == 503 and response.headers["Retry-After"]
    assert "busy" in await response.get_data(as_text=True)
    assert waited < 1.5, waited  # the error page does not wait a second time to show who is logged in

    await asyncio.gather(*holders)
    response = await api.get("/api/v1/me", headers=bearer)
    assert response.status_code == 200 and (await response.get_json())["email"] == user["email"]
    assert (await page.get("/profile")).status_code == 200


async def test_waiters_that_time_out_or_are_cancelled_never_lose_a_connection(tiny_pool):
    """40 callers for two connections: some are served, some time out, some are cancelled while waiting."""
    tasks = [asyncio.create_task(_hold(0.05)) for _ in range(40)]
    await asyncio.sleep(0.2)
    for task in tasks[30:]:
        task.cancel()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    served = [r for r in results if r is None]
    timed_out = [r for r in results if isinstance(r, db.PoolExhausted)]
    cancelled = [r for r in results if isinstance(r, asyncio.CancelledError)]
    assert served and timed_out and cancelled and len(served) + len(timed_out) + len(cancelled) == 40, results
    assert tiny_pool.size <= 2
    # Both connections can be had at once, straight away: no permit or connection leaked.
    started = time.perf_counter()
    await asyncio.gather(_hold(0.2), _hold(0.2))
    assert time.perf_counter() - started < 0.4


def test_acquire_timeout_setting():
    assert Settings.from_env({"SECRET_KEY": "x"}).db_acquire_timeout == 5
    assert Settings.from_env({"SECRET_KEY": "x", "TRAVELGO_DB_ACQUIRE_TIMEOUT": "0.25"}).db_acquire_timeout == 0.25
    for bad in ("0", "-1", "nan"):
        with pytest.raises(ValueError):
            Settings.from_env({"SECRET_KEY": "x", "TRAVELGO_DB_ACQUIRE_TIMEOUT": bad})
