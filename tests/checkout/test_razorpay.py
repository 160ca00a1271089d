"""The Razorpay provider against a local stub of its documented API, and its signatures against the SDK's own."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest
import razorpay

from travelgo import payments
from travelgo.payments.base import InvalidSignature
from travelgo.payments.razorpay import RazorpayProvider

from ..bookings.helpers import as_user, passengers, scalar, trip_and_user
from ..conftest import login
from ..inapp import service
from .razorpay_stub import RazorpayStub

KEY_ID, KEY_SECRET, WEBHOOK_SECRET = "rzp_test_key", "rzp-key-secret", "rzp-webhook-secret"


@pytest.fixture
def stub():
    running = RazorpayStub()
    yield running
    running.close()


@pytest.fixture
def provider(stub):
    return RazorpayProvider(KEY_ID, KEY_SECRET, WEBHOOK_SECRET, stub.url)


def webhook(event: str, payment: dict, refund: dict | None = None) -> bytes:
    payload = {"payment": {"entity": payment}}
    if refund:
        payload["refund"] = {"entity": refund}
    return json.dumps({"entity": "event", "event": event, "payload": payload}).encode()


def sign(secret: str, message: bytes | str) -> str:
    data = message.encode() if isinstance(message, str) else message
    return hmac.new(secret.encode(), data, hashlib.sha256).hexdigest()


async def test_an_order_is_created_in_paise_with_the_reference_as_receipt(provider, stub):
    order = await provider.create_order(
        receipt="TG-ABC234", amount_minor=125050, currency="INR", return_url="https://x/r", webhook_url="https://x/w"
    )
    assert order.order_id.startswith("order_") and order.amount_minor == 125050
    method, path, body = stub.requests[-1]
    assert (method, path) == ("POST", "/v1/orders")
    assert body["amount"] == 125050 and body["currency"] == "INR" and body["receipt"] == "TG-ABC234"


async def test_the_browser_return_is_verified_with_the_sdk_signature(provider, stub):
    order = await provider.create_order(
        receipt="TG-1", amount_minor=5000, currency="INR", return_url="", webhook_url=""
    )
    payment = stub.capture(order.order_id)
    params = {"razorpay_order_id": order.order_id, "razorpay_payment_id": payment["id"]}
    good = sign(KEY_SECRET, f"{order.order_id}|{payment['id']}")
    # the SDK agrees that this is the right signature
    razorpay.Client(auth=(KEY_ID, KEY_SECRET)).utility.verify_payment_signature({**params, "razorpay_signature": good})
    event = await provider.verify_return({**params, "razorpay_signature": good})
    assert (event.kind, event.order_id, event.payment_id, event.amount_minor) == (
        "payment.captured", order.order_id, payment["id"], 5000,
    )  # fmt: skip
    for bad in ("0" * 64, sign("other-secret", f"{order.order_id}|{payment['id']}"), ""):
        with pytest.raises(InvalidSignature):
            await provider.verify_return({**params, "razorpay_signature": bad})


async def test_webhooks_are_verified_and_parsed(provider, stub):
    payment = {"id": "pay_1", "order_id": "order_1", "amount": 5000, "currency": "INR", "status": "captured"}
    body = webhook("payment.captured", payment)
    headers = {"X-Razorpay-Signature": sign(WEBHOOK_SECRET, body), "X-Razorpay-Event-Id": "evt_42"}
    event = provider.parse_webhook(body, headers)
    assert (event.event_id, event.kind, event.order_id, event.payment_id) == (
        "evt_42",
        "payment.captured",
        "order_1",
        "pay_1",
    )
    refund = {"id": "rfnd_1", "payment_id": "pay_1", "amount": 2500, "currency": "INR", "status": "processed"}
    body = webhook("refund.processed", payment, refund)
    event = provider.parse_webhook(body, {"X-Razorpay-Signature": sign(WEBHOOK_SECRET, body)})
    assert (event.kind, event.refund_id, event.amount_minor) == ("refund.processed", "rfnd_1", 2500)
    for headers in ({}, {"X-Razorpay-Signature": sign(KEY_SECRET, body)}):
        with pytest.raises(InvalidSignature):
            provider.parse_webhook(body, headers)


async def test_refunds_and_reconciliation_records_come_from_the_api(provider, stub):
    order = await provider.create_order(
        receipt="TG-2", amount_minor=8000, currency="INR", return_url="", webhook_url=""
    )
    payment = stub.capture(order.order_id)
    refund = await provider.refund(payment_id=payment["id"], amount_minor=4000, receipt="refund-1")
    assert refund.refund_id.startswith("rfnd_") and refund.status == "processed"
    assert stub.requests[-1][1:] == (f"/v1/payments/{payment['id']}/refund", {"amount": 4000, "receipt": "refund-1"})
    again = await provider.refund(payment_id=payment["id"], amount_minor=4000, receipt="refund-1")
    assert again.refund_id == refund.refund_id and len(stub.refunds[payment["id"]]) == 1  # one receipt, one refund
    record = await provider.fetch_order(order.order_id)
    assert [(p.payment_id, p.status) for p in record.payments] == [(payment["id"], "captured")]
    assert [(r.refund_id, r.amount_minor) for r in record.refunds] == [(refund.refund_id, 4000)]


async def test_a_booking_is_paid_through_razorpay_end_to_end(app, client, provider, stub, monkeypatch):
    """With Razorpay as the provider: the hold opens a Razorpay order; the signed webhook confirms the booking."""
    monkeypatch.setitem(app.extensions, payments.EXTENSION, provider)
    trip, user = await trip_and_user(price_minor=2500)
    hold = await service.book_trip(as_user(user), trip["id"], ["4"], passengers(1))
    assert hold["payment"]["provider"] == "razorpay" and hold["payment"]["order_id"] in stub.orders
    assert stub.orders[hold["payment"]["order_id"]]["receipt"] == hold["reference"]
    await login(client, user["email"])
    page = await client.get(f"/checkout/{hold['reference']}")
    html = await page.get_data(as_text=True)
    assert f'action="{stub.url}/v1/checkout/embedded"' in html and hold["payment"]["order_id"] in html
    assert f"form-action 'self' {stub.url}" in page.headers["Content-Security-Policy"]
    payment = stub.capture(hold["payment"]["order_id"])
    body = webhook("payment.captured", payment)
    answer = await client.post(
        "/api/v1/payments/webhooks/razorpay",
        data=body,
        headers={"X-Razorpay-Signature": sign(WEBHOOK_SECRET, body), "X-Razorpay-Event-Id": "evt_rzp_1"},
    )
    assert answer.status_code == 200 and (await answer.get_json())["outcome"] == "confirmed"
    assert await scalar("SELECT status FROM bookings") == "confirmed"
    forged = await client.post("/api/v1/payments/webhooks/razorpay", data=body, headers={"X-Razorpay-Signature": "x"})
    assert forged.status_code == 400
    # Razorpay posts the browser back cross-site (no session cookie, no CSRF token): the signature is the authority.
    params = {
        "razorpay_order_id": payment["order_id"],
        "razorpay_payment_id": payment["id"],
        "razorpay_signature": sign(KEY_SECRET, f"{payment['order_id']}|{payment['id']}"),
    }
    back = await app.test_client().post(f"/checkout/{hold['reference']}/return", form=params)
    assert back.status_code == 303 and back.headers["Location"].endswith(f"/checkout/{hold['reference']}/result")
    assert await scalar("SELECT COUNT(*) FROM payment_events WHERE outcome = 'already_applied'") == 1
