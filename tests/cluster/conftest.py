"""The cluster suite (`make test-cluster`): a three-node Galera cluster and three TravelGo servers, one per node.

Collected only with TRAVELGO_CLUSTER_TESTS=1 (tests/conftest.py), which `make test-cluster` sets after starting
the cluster; the session fixture starts it too (idempotent), so `TRAVELGO_CLUSTER_TESTS=1 pytest tests/cluster`
works alone. A cluster that cannot start fails the suite; nothing here skips.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import random
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiomysql
import httpx
import pytest

from bench.server import Server, free_port, ports_for_tests
from travelgo import cluster
from travelgo.config import DatabaseURL
from travelgo.migrations import migrate

from .. import factories

ROOT = Path(__file__).resolve().parents[2]
DATABASE = os.environ.get("CLUSTER_DATABASE_NAME", "travelgo_cluster_test")
USERS = 12  # travellers whose tokens the load is spread over (bookings from one account never conflict on it)
_seq = itertools.count(1)


def node_url(index: int, database: str = DATABASE) -> DatabaseURL:
    return DatabaseURL.parse(cluster.NODES[index].url(database))


@asynccontextmanager
async def node_cursor(index: int, causal: bool = True) -> AsyncIterator[aiomysql.DictCursor]:
    """An autocommit dict cursor on node `index` (0-based); causal reads see every write committed anywhere."""
    conn = await aiomysql.connect(autocommit=True, connect_timeout=5, **node_url(index).connect_kwargs())
    try:
        async with conn.cursor(aiomysql.DictCursor) as cur:
            await cur.execute("SET SESSION wsrep_sync_wait = %s", (1 if causal else 0,))
            yield cur
    finally:
        conn.close()


@asynccontextmanager
async def node_transaction(index: int = 0) -> AsyncIterator[aiomysql.DictCursor]:
    async with node_cursor(index) as cur:
        await cur.execute("BEGIN")
        yield cur
        await cur.execute("COMMIT")


@pytest.fixture(scope="session")
async def galera():
    """The cluster, up and synced, with a fresh test database migrated through node 1."""
    await asyncio.to_thread(cluster.start)
    conn = await aiomysql.connect(autocommit=True, **node_url(0).connect_kwargs(with_database=False))
    async with conn.cursor() as cur:
        await cur.execute(f"DROP DATABASE IF EXISTS `{DATABASE}`")
    conn.close()
    await migrate(node_url(0))
    return [node_url(i) for i in range(cluster.SIZE)]


@pytest.fixture(scope="session")
async def servers(galera):
    """Three TravelGo servers (one Hypercorn worker each), server i on node i, started side by side."""
    ports = ports_for_tests(range(8800, 8820))
    env = {
        "TRAVELGO_ENV": "test",  # cheap password hashing, TestPay allowed
        # rate limits stay on (bench.server raises the limits): their counter rows are written from every node
        "TRAVELGO_NOTIFY_POLL_SECONDS": "0",
    }
    running: list[Server] = []
    for i in range(len(galera)):
        port = free_port(ports, exclude=tuple(s.port for s in running))
        log = ROOT / "var" / f"cluster-server-{i + 1}.log"
        running.append(Server(port, workers=1, database_url=cluster.NODES[i].url(DATABASE), env=env, log_path=log))
    try:
        await asyncio.gather(*(asyncio.to_thread(server.start, 90) for server in running))
        yield running
    finally:
        for server in running:
            await asyncio.to_thread(server.stop)


@pytest.fixture(scope="session")
async def travellers(galera) -> list[dict]:
    async with node_transaction() as cur:
        return [await factories.make_user(cur, f"cluster{next(_seq)}-{i}@example.com") for i in range(USERS)]


@pytest.fixture(scope="session")
async def http() -> AsyncIterator[httpx.AsyncClient]:
    limits = httpx.Limits(max_connections=400, max_keepalive_connections=400)
    async with httpx.AsyncClient(timeout=60, limits=limits) as client:
        yield client


@pytest.fixture(scope="session")
async def tokens(servers, travellers, http) -> list[dict[str, str]]:
    """One bearer token per traveller (API tokens are rows in the shared database: valid on every server)."""
    out = []
    for i, user in enumerate(travellers):
        base = servers[i % len(servers)].base_url
        response = await http.post(
            f"{base}/api/v1/auth/token", json={"email": user["email"], "password": factories.PASSWORD}
        )
        assert response.status_code == 200, response.text
        out.append({"Authorization": f"Bearer {response.json()['access_token']}"})
    return out


async def make_trip(seats: int) -> dict:
    async with node_transaction() as cur:
        return await factories.make_trip(cur, seats=seats)


def bus_body(trip_id: int, seat: str) -> dict:
    return {"type": "bus", "trip_id": trip_id, "seats": [seat], "passengers": [{"name": "Asha Rao", "age": 31}]}


def shuffled(items: list) -> list:
    items = list(items)
    random.shuffle(items)
    return items
