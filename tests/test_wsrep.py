"""The Galera code paths as the single server sees them (the cluster itself: tests/cluster, `make test-cluster`).

On a plain server each pooled connection asks once whether it talks to Galera and then changes nothing; the errors
a Galera node raises (1047 not ready, 1213 certification conflict) are 503s wherever they surface."""

from __future__ import annotations

import pymysql

from travelgo import db
from travelgo.accounts import service

from . import factories
from .conftest import api_token


async def test_a_plain_server_is_detected_once_per_connection_and_left_alone(app):
    async with db.reading() as cur:
        await cur.execute("SELECT @@session.wsrep_sync_wait AS w")
        assert (await cur.fetchone())["w"] == 0
        conn = cur.connection
        assert conn.travelgo_galera is False
    async with db.transaction() as cur:
        assert cur.connection.travelgo_galera is False
    assert db._galera_seen is False
    assert db.retry_pause(3) <= 0.09  # the single-server pauses, not the cluster's


async def test_readyz_on_a_plain_server_is_unchanged(client):
    ready = await client.get("/readyz")
    assert ready.status_code == 200
    assert await ready.get_json() == {"status": "ready", "database": "ok"}


def raising(code: int, message: str):
    async def fail(*args, **kwargs):
        raise pymysql.err.OperationalError(code, message)

    return fail


async def test_node_not_ready_1047_is_503_with_retry_after(client, monkeypatch):
    async with db.transaction() as cur:
        user = await factories.make_user(cur)
    headers = await api_token(client, user["email"])
    monkeypatch.setattr(service, "get_user", raising(1047, "WSREP has not yet prepared node for application use"))
    response = await client.get("/api/v1/me", headers=headers)
    assert response.status_code == 503
    assert response.headers["Retry-After"]
    assert (await response.get_json())["title"] == "Service unavailable"


async def test_a_conflict_outside_the_retry_loop_is_busy_not_500(client, monkeypatch):
    async with db.transaction() as cur:
        user = await factories.make_user(cur)
    headers = await api_token(client, user["email"])
    monkeypatch.setattr(service, "get_user", raising(1213, "Deadlock found when trying to get lock"))
    response = await client.get("/api/v1/me", headers=headers)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "1"
    assert (await response.get_json())["title"] == "Busy"
