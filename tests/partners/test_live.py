"""The live dashboard: a change to one of the business's bookings reaches its members' open dashboards (through
the outbox), and nothing of another business does."""

from __future__ import annotations

import asyncio

from ..conftest import post_form, signed_in
from ..live.sse import Parser


async def _open(client, path: str):
    conn = await client.request(path).__aenter__()
    await conn.send_complete()
    await asyncio.wait_for(conn.receive(), 5)  # the opening `retry:` line: the stream is subscribed
    return conn


async def _next_today(conn, parser: Parser, timeout: float):
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        left = deadline - asyncio.get_running_loop().time()
        if left <= 0:
            return None
        try:
            chunk = await asyncio.wait_for(conn.receive(), left)
        except TimeoutError:
            return None
        for message in parser.feed(chunk):
            if message.event == "today":
                return message.data


async def test_a_cancellation_reaches_the_business_dashboard_only(app, partners):
    a, b = partners["a"], partners["b"]
    alpha = await _open(await signed_in(app, a["staff"]["email"]), "/partner/live")
    bravo = await _open(await signed_in(app, b["owner"]["email"]), "/partner/live")
    try:
        assert alpha.status_code == 200 and bravo.status_code == 200
        await asyncio.sleep(0.3)  # both streams are subscribed before the change
        ref = a["hotel_booking"]["reference"]
        owner = await signed_in(app, a["owner"]["email"])
        cancelled = await post_form(owner, f"/partner/bookings/{ref}/cancel", {"reason": "Guest phoned"})
        assert cancelled.status_code == 303
        panel = await _next_today(alpha, Parser(), 5)
        assert panel is not None and ref in panel and "cancelled" in panel
        assert all(secret not in panel for secret in b["secrets"])
        assert await _next_today(bravo, Parser(), 1.0) is None  # Bravo's dashboard hears nothing of Alpha
    finally:
        for conn in (alpha, bravo):
            await conn.disconnect()
