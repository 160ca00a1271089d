"""The hot-seat race: N clients, each on its own connection, POST one booking at the same instant.

A bare asyncio HTTP/1.1 client (no library): every connection is opened first, then all requests are written
together, so the server sees the whole crowd at once. Latency is from writing the request to reading the whole
response. Used by bench/run.py and by tests/scale.
"""

from __future__ import annotations

import asyncio
import json
import time


async def _one(host: str, port: int, raw: bytes, start: asyncio.Event) -> tuple[int, float, bytes]:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        await start.wait()
        began = time.perf_counter()
        writer.write(raw)
        await writer.drain()
        status_line = await reader.readline()
        status = int(status_line.split()[1])
        length = 0
        while (line := await reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            if name.strip().lower() == "content-length":
                length = int(value.strip())
        body = await reader.readexactly(length) if length else b""
        return status, time.perf_counter() - began, body
    finally:
        writer.close()


def request_bytes(host: str, port: int, path: str, body: dict, token: str | None = None) -> bytes:
    payload = json.dumps(body).encode()
    headers = [
        f"POST {path} HTTP/1.1",
        f"Host: {host}:{port}",
        "Content-Type: application/json",
        f"Content-Length: {len(payload)}",
        "Connection: close",
    ]
    if token:
        headers.append(f"Authorization: Bearer {token}")
    return ("\r\n".join(headers) + "\r\n\r\n").encode() + payload


async def race(targets: list[tuple[str, int]], requests: list[tuple[str, dict, str | None]]) -> dict:
    """Send requests[i] to targets[i % len(targets)], all at once; return statuses and latency figures."""
    start = asyncio.Event()
    tasks = []
    for i, (path, body, token) in enumerate(requests):
        host, port = targets[i % len(targets)]
        tasks.append(asyncio.create_task(_one(host, port, request_bytes(host, port, path, body, token), start)))
    await asyncio.sleep(0.5)  # let every connection be established before anyone sends
    start.set()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    statuses: dict[str, int] = {}
    latencies = []
    bodies = []
    for result in results:
        if isinstance(result, BaseException):
            statuses["exception"] = statuses.get("exception", 0) + 1
            continue
        status, latency, body = result
        statuses[str(status)] = statuses.get(str(status), 0) + 1
        latencies.append(latency)
        bodies.append((status, body))
    latencies.sort()
    pick = lambda q: round(latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000, 1)  # noqa: E731
    return {
        "clients": len(requests),
        "statuses": statuses,
        "winners": statuses.get("201", 0),
        "latency_ms": {"p50": pick(0.5), "p99": pick(0.99), "max": round(latencies[-1] * 1000, 1)} if latencies else {},
        "bodies": bodies,
    }
