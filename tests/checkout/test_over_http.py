"""Checkout over real HTTP: TravelGo under Hypercorn (two workers), TestPay's delivery loop POSTing signed webhooks
to TravelGo's webhook URL, and the sweeper expiring holds with no request arriving."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from travelgo import db
from travelgo.bookings.integrity import check_inventory

from .. import conftest, factories
from ..bookings.helpers import passengers, scalar, trip_and_user
from ..hardening.servers import Server

pytestmark = pytest.mark.slow


@pytest.fixture
async def server(app):
    running = Server(
        {
            "DATABASE_URL": conftest.test_database_url(),
            "TRAVELGO_RATE_LIMITS": "off",
            "TRAVELGO_HOLD_SECONDS": "3",
            "TRAVELGO_PAYMENTS_POLL_SECONDS": "0.2",
            "TRAVELGO_TESTPAY_RETRY_SECONDS": "0.2",
            "SECRET_KEY": "checkout-http-test-secret-0123456789-abcdef",
            "LOG_LEVEL": "WARNING",
        },
        workers=2,
    )
    await asyncio.to_thread(running.start)
    yield running
    await asyncio.to_thread(running.stop)


async def until(check, timeout: float = 15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = await check()
        if value:
            return value
        await asyncio.sleep(0.1)
    raise AssertionError(f"not within {timeout}s")


async def test_pay_expire_and_refund_with_webhooks_and_the_sweeper_over_http(server):
    trip, _ = await trip_and_user(price_minor=2000)
    async with db.transaction() as cur:
        user = await factories.make_user(cur)
    async with httpx.AsyncClient(base_url=server.base, timeout=10) as http:
        token = await http.post("/api/v1/auth/token", json={"email": user["email"], "password": factories.PASSWORD})
        headers = {"Authorization": f"Bearer {token.json()['access_token']}"}

        async def book(seat: str) -> dict:
            body = {"type": "bus", "trip_id": trip["id"], "seats": [seat], "passengers": passengers(1)}
            answer = await http.post("/api/v1/bookings", json=body, headers=headers)
            assert answer.status_code == 201, answer.text
            return answer.json()

        async def status(reference: str) -> dict:
            return (await http.get(f"/api/v1/bookings/{reference}", headers=headers)).json()

        # Pay: TestPay's webhook reaches TravelGo over HTTP and confirms the hold.
        paid = await book("1")
        assert paid["payment"]["checkout_url"] == f"{server.base}/checkout/{paid['reference']}"
        pay = await http.post(f"/testpay/api/orders/{paid['payment']['order_id']}/pay", json={"outcome": "captured"})
        assert pay.status_code == 200
        await until(lambda: _is(status(paid["reference"]), "confirmed"))

        # Abandon: no request arrives, the sweeper releases the hold within seconds and the seat is free again.
        abandoned = await book("2")
        await until(lambda: _is(status(abandoned["reference"]), "expired"), timeout=10)
        await until(_no_seat_held("2"), timeout=5)
        assert (await book("2"))["status"] == "pending_payment"

        # Cancel the paid booking: the refund is sent, and TestPay's refund webhook marks it processed.
        cancelled = await http.post(f"/api/v1/bookings/{paid['reference']}/cancel", headers=headers)
        assert cancelled.status_code == 200 and cancelled.json()["refund"]["amount_minor"] == 2000
        shown = await until(lambda: _refunded(status(paid["reference"])))
        assert shown["refunds"][0]["amount_minor"] == 2000
    # the sender marks a webhook delivered once our 200 reached it, a moment after the event was applied
    await until(lambda: _delivered(2), timeout=5)
    assert await scalar("SELECT COUNT(*) FROM payment_events") == 2  # each applied once
    assert await check_inventory() == []


async def _delivered(n: int) -> bool:
    return await scalar("SELECT COUNT(*) FROM testpay_webhooks WHERE delivered_at IS NOT NULL") == n


async def _is(answer, wanted: str) -> bool:
    return (await answer)["status"] == wanted


def _no_seat_held(label: str):
    async def check() -> bool:
        return (
            await scalar("SELECT COUNT(*) FROM booking_seats WHERE seat_label = %(s)s AND held = 1", {"s": label}) == 0
        )

    return check


async def _refunded(answer):
    body = await answer
    return body if body["refunds"] and body["refunds"][0]["status"] == "processed" else None
