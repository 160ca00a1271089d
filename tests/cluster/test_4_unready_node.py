"""A node that is up but cut off from the cluster answers queries on tables with 1047 ("WSREP has not yet prepared
node for application use"). The server on it must say 503 with Retry-After (pages and API), its /readyz must say
503 so a load balancer stops sending traffic there, and it must recover by itself when the node is back."""

from __future__ import annotations

import asyncio
import time

import aiomysql

from bench.hotseat import request_bytes
from travelgo import cluster

from .conftest import bus_body, make_trip, node_url

ISOLATED = 2


async def set_isolated(isolated: bool) -> None:
    conn = await aiomysql.connect(autocommit=True, **node_url(ISOLATED).connect_kwargs(with_database=False))
    try:
        async with conn.cursor() as cur:
            # Galera's own switch: the node drops its cluster connections (1) or reconnects and catches up (0).
            await cur.execute("SET GLOBAL wsrep_provider_options = %s", (f"gmcast.isolate={int(isolated)}",))
    finally:
        conn.close()


async def wait_for(predicate, within: float = 60) -> None:
    deadline = time.monotonic() + within
    while not await asyncio.to_thread(predicate):
        assert time.monotonic() < deadline, "condition not reached in time"
        await asyncio.sleep(0.2)


async def two_posts_on_one_connection(port: int, body: dict, token: str) -> list[int]:
    """Send two bookings one after the other on one keep-alive connection; the statuses that came back."""
    raw = request_bytes("127.0.0.1", port, "/api/v1/bookings", body, token).replace(
        b"Connection: close", b"Connection: keep-alive"
    )
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    statuses = []
    try:
        for _ in range(2):
            writer.write(raw)
            await writer.drain()
            status_line = await asyncio.wait_for(reader.readline(), 10)
            if not status_line:
                break  # the server closed the connection without answering
            statuses.append(int(status_line.split()[1]))
            length = 0
            while (line := await reader.readline()) not in (b"\r\n", b""):
                name, _, value = line.decode("latin-1").partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value)
            await reader.readexactly(length)
    finally:
        writer.close()
    return statuses


async def test_node_cut_off_from_the_cluster_answers_503_and_recovers(servers, tokens, http):
    trip = await make_trip(seats=10)
    server = servers[ISOLATED]
    node = cluster.NODES[ISOLATED]
    assert (await http.get(f"{server.base_url}/readyz")).json()["node"]["state"] == "Synced"
    await set_isolated(True)
    try:
        await wait_for(lambda: cluster.status(node).get("wsrep_ready") == "OFF")
        started = time.monotonic()
        ready = await http.get(f"{server.base_url}/readyz")
        api = await http.get(f"{server.base_url}/api/v1/bus-trips/{trip['id']}")
        page = await http.get(f"{server.base_url}/buses/{trip['id']}")
        booking = await http.post(
            f"{server.base_url}/api/v1/bookings", json=bus_body(trip["id"], "3"), headers=tokens[0]
        )
        elapsed = time.monotonic() - started
        # A 503 answered before the route read the body must not cost the client its keep-alive connection.
        token = tokens[0]["Authorization"].removeprefix("Bearer ")
        assert await two_posts_on_one_connection(server.port, bus_body(trip["id"], "5"), token) == [503, 503]
        assert ready.status_code == 503 and ready.json()["database"] == "not synced", ready.text
        for response in (api, booking):
            assert response.status_code == 503, response.text
            assert response.headers["content-type"].startswith("application/problem+json")
            assert response.headers["retry-after"]
        assert page.status_code == 503 and page.headers["retry-after"]
        assert "cannot reach its database" in page.text
        assert elapsed < 5, elapsed
        # The other nodes carry on meanwhile.
        other = await http.post(
            f"{servers[0].base_url}/api/v1/bookings", json=bus_body(trip["id"], "4"), headers=tokens[1]
        )
        assert other.status_code == 201, other.text
    finally:
        await set_isolated(False)
    await wait_for(lambda: cluster.is_synced(node))
    deadline = time.monotonic() + 30
    while (await http.get(f"{server.base_url}/readyz")).status_code != 200:
        assert time.monotonic() < deadline, "server on the rejoined node did not become ready"
        await asyncio.sleep(0.2)
    again = await http.post(f"{server.base_url}/api/v1/bookings", json=bus_body(trip["id"], "3"), headers=tokens[0])
    assert again.status_code == 201, again.text
    seen = await http.get(f"{server.base_url}/api/v1/bus-trips/{trip['id']}")
    assert seen.status_code == 200
