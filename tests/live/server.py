"""The live tests' Hypercorn server: bench.server.Server (which refuses a port another server shares) in test mode."""

from __future__ import annotations

from bench.server import Server as HypercornServer
from bench.server import free_port, ports_for_tests

PORTS = ports_for_tests(range(8300, 8400))


class Server(HypercornServer):
    """`hypercorn --workers N travelgo.asgi:app` on a free port in 8300-8399 (or TRAVELGO_E2E_PORTS), pointed at `database_url`."""

    def __init__(self, database_url: str, workers: int = 2, port: int | None = None, env: dict | None = None) -> None:
        super().__init__(
            port or free_port(PORTS),
            workers=workers,
            database_url=database_url,
            env={"TRAVELGO_ENV": "test", **(env or {})},
        )
