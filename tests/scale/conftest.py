"""Real Hypercorn processes against the test database: one with WORKERS=4, another on a second port."""

from __future__ import annotations

import socket

import pytest

from bench.server import Server

from ..conftest import test_database_url

PORTS = range(8740, 8800)


def free_port(exclude: tuple[int, ...] = ()) -> int:
    for port in PORTS:
        if port in exclude:
            continue
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 8740-8799")


@pytest.fixture(scope="session")
async def servers(database):
    """Two independent server processes on one database: A runs 4 workers, B runs 2."""
    # Small pools: 6 workers × 5 connections (+1 poller each) stay well inside a shared server's max_connections.
    env = {"TRAVELGO_ENV": "test", "TRAVELGO_SSE_POLL_SECONDS": "0.05", "TRAVELGO_DB_POOL_SIZE": "5"}
    port_a = free_port()
    port_b = free_port(exclude=(port_a,))
    a = Server(port_a, workers=4, database_url=test_database_url(), env=env)
    b = Server(port_b, workers=2, database_url=test_database_url(), env=env)
    a.start(timeout=60)
    try:
        b.start(timeout=60)
    except BaseException:
        a.stop()
        raise
    try:
        yield a, b
    finally:
        a.stop()
        b.stop()
