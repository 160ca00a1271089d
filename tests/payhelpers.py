"""Paying for holds in tests the way a traveller's provider would: TestPay captures, its signed webhook arrives."""

from __future__ import annotations

from travelgo import db, payments

from . import conftest
from .inapp import service


def gateway():
    return conftest.APP.extensions[payments.EXTENSION].gateway


async def order_of(reference: str) -> str:
    async with db.reading() as cur:
        await cur.execute(
            "SELECT p.order_id FROM payments p JOIN bookings b ON b.id = p.booking_id WHERE b.reference = %(r)s",
            {"r": reference},
        )
        return (await cur.fetchone())["order_id"]


async def deliver_webhooks(client=None) -> list[tuple[int, dict]]:
    """Send every due TestPay webhook to TravelGo's webhook route (through the test client: no server runs here)."""
    client = client or conftest.APP.test_client()
    answers = []
    for row in await gateway().claim_due():
        response = await client.post(
            "/api/v1/payments/webhooks/testpay",
            data=row["body"].encode(),
            headers={"Content-Type": "application/json", "X-Testpay-Signature": gateway().sign(row["body"])},
        )
        async with db.transaction() as cur:
            await cur.execute(
                "UPDATE testpay_webhooks SET delivered_at = IF(%(ok)s, UTC_TIMESTAMP(6), NULL) WHERE id = %(id)s",
                {"ok": response.status_code < 300, "id": row["id"]},
            )
        answers.append((response.status_code, await response.get_json()))
    return answers


async def pay(booking: dict, outcome: str = "captured", client=None) -> list[tuple[int, dict]]:
    """The traveller pays (or fails to pay) a hold; the provider's webhook is delivered. Returns the webhook answers."""
    await gateway().pay(await order_of(booking["reference"]), outcome)
    return await deliver_webhooks(client)


async def paid(booking: dict, client=None) -> dict:
    """pay() and the booking as it now reads (confirmed)."""
    answers = await pay(booking, client=client)
    assert any(body.get("outcome", "").startswith("confirmed") for _, body in answers), answers
    return await service.get_booking(booking["user_id"], booking["reference"])
