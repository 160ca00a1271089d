"""Real Hypercorn processes against the test database: one with WORKERS=4, another on a second port."""

from __future__ import annotations

import pytest

from bench import server as bench_server
from bench.server import PortShared, Server

from ..conftest import test_database_url

PORTS = range(8740, 8800)


def free_port(exclude: tuple[int, ...] = ()) -> int:
    return bench_server.free_port(PORTS, exclude)


def start_server(workers: int, env: dict, exclude: tuple[int, ...] = ()) -> Server:
    """A server on a port nobody else listens on (retried when another run grabbed the same port meanwhile)."""
    for _ in range(5):
        server = Server(free_port(exclude), workers=workers, database_url=test_database_url(), env=env)
        try:
            return server.start(timeout=60)
        except PortShared:
            continue
    raise RuntimeError("could not get a port of our own in 8740-8799")


@pytest.fixture(scope="session")
async def servers(database):
    """Two independent server processes on one database: A runs 4 workers, B runs 2."""
    # Small pools: 6 workers × 5 connections (+1 poller each) stay well inside a shared server's max_connections.
    env = {"TRAVELGO_ENV": "test", "TRAVELGO_SSE_POLL_SECONDS": "0.05", "TRAVELGO_DB_POOL_SIZE": "5"}
    a = start_server(4, env)
    try:
        b = start_server(2, env, exclude=(a.port,))
    except BaseException:
        a.stop()
        raise
    try:
        yield a, b
    finally:
        a.stop()
        b.stop()
