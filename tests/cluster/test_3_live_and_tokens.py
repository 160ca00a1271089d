"""Across nodes: live updates, API tokens and "my latest write" read on another server than the one that wrote.

Each read on another node sees the write at once because TravelGo's primary reads are causal on Galera
(wsrep_sync_wait); without it a read there can run before the node applied the write set (seen 1 in 100-200).
"""

from __future__ import annotations

import asyncio
import statistics
import time
from contextlib import asynccontextmanager

from ..live.sse import TcpStream
from .conftest import bus_body, make_trip


@asynccontextmanager
async def booking_load(http, servers, tokens, clients: int = 3):
    """Bookings of distinct seats through all three servers in the background (keeps every node applying)."""
    trips = [await make_trip(seats=200) for _ in range(3)]
    stop = asyncio.Event()
    statuses: list[int] = []

    async def client(i: int) -> None:
        n = 0
        while not stop.is_set() and n < 100:  # seats 1..200, two clients a trip
            body = bus_body(trips[i % 3]["id"], str(n * 2 + i // 3 % 2 + 1))
            response = await http.post(
                f"{servers[i % 3].base_url}/api/v1/bookings", json=body, headers=tokens[i % len(tokens)]
            )
            statuses.append(response.status_code)
            n += 1

    tasks = [asyncio.create_task(client(i)) for i in range(clients)]
    try:
        yield statuses
    finally:
        stop.set()
        await asyncio.gather(*tasks)


async def test_booking_through_node1_reaches_a_stream_on_node2_within_a_second(servers, tokens, http):
    trip = await make_trip(seats=60)
    stream = await TcpStream("127.0.0.1", servers[1].port, f"/api/v1/bus-trips/{trip['id']}/events").open()
    assert stream.status == 200
    first_seen: dict[str, float] = {}
    arrived = {str(n): asyncio.Event() for n in range(1, 61)}

    async def read() -> None:
        while True:
            message = await stream.next_message(timeout=30)
            for seat in message.json().get("unavailable_seats", []):
                if seat not in first_seen:
                    first_seen[seat] = message.received_at
                    arrived[seat].set()

    reader = asyncio.create_task(read())
    latencies = []
    try:
        await asyncio.sleep(0.5)  # the opening message
        for n in range(1, 61):
            seat = str(n)
            sent = time.perf_counter()
            response = await http.post(
                f"{servers[0].base_url}/api/v1/bookings", json=bus_body(trip["id"], seat), headers=tokens[0]
            )
            assert response.status_code == 201, response.text
            try:
                await asyncio.wait_for(arrived[seat].wait(), 5)
            except TimeoutError:
                raise AssertionError(f"seat {seat}'s booking never reached the stream on node 2") from None
            latencies.append(first_seen[seat] - sent)  # from sending the booking: includes its own commit
    finally:
        reader.cancel()
        stream.close()
    p50, p99 = statistics.median(latencies), statistics.quantiles(latencies, n=100)[98]
    print(f"\n[cluster] booking via node1 -> SSE on node2: p50 {p50 * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms")
    assert p99 < 1.0, latencies


async def test_tokens_work_and_revocations_hold_on_every_server_at_once(servers, tokens, travellers, http):
    failures = []
    async with booking_load(http, servers, tokens) as load:
        for i in range(40):  # each round is ~8 commits (login counts rate limits): ~1.5 s under load
            issuer, other, third = servers[i % 3], servers[(i + 1) % 3], servers[(i + 2) % 3]
            user = travellers[i % len(travellers)]
            issued = await http.post(
                f"{issuer.base_url}/api/v1/auth/token", json={"email": user["email"], "password": user["password"]}
            )
            assert issued.status_code == 200, issued.text
            bearer = {"Authorization": f"Bearer {issued.json()['access_token']}"}
            if (me := await http.get(f"{other.base_url}/api/v1/me", headers=bearer)).status_code != 200:
                failures.append(("new token refused elsewhere", i, me.status_code))
            revoked = await http.delete(f"{other.base_url}/api/v1/auth/token", headers=bearer)
            assert revoked.status_code == 204, revoked.text
            for server in (third, issuer):
                if (me := await http.get(f"{server.base_url}/api/v1/me", headers=bearer)).status_code != 401:
                    failures.append(("revoked token accepted elsewhere", i, me.status_code))
    assert load and set(load) == {201}, set(load)
    assert failures == []


async def test_my_latest_booking_is_there_on_another_server_at_once(servers, tokens, http):
    trip = await make_trip(seats=90)
    failures = []
    async with booking_load(http, servers, tokens) as load:
        for i in range(90):
            writer, reader = servers[i % 3], servers[(i + 1) % 3]
            headers = tokens[i % len(tokens)]
            made = await http.post(
                f"{writer.base_url}/api/v1/bookings", json=bus_body(trip["id"], str(i + 1)), headers=headers
            )
            assert made.status_code == 201, made.text
            reference = made.json()["reference"]
            seen = await http.get(f"{reader.base_url}/api/v1/bookings/{reference}", headers=headers)
            if seen.status_code != 200:
                failures.append((i, seen.status_code))
    assert load and set(load) == {201}, set(load)
    assert failures == []
