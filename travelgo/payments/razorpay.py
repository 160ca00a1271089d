"""Razorpay (TRAVELGO_PAYMENTS=razorpay): the Orders API through the official `razorpay` SDK.

The SDK is blocking (requests), so every call runs in a thread. Its client takes a base URL
(RAZORPAY_API_URL), which is how tests point it at a local stub of the documented endpoints.
Checkout uses Razorpay's hosted checkout: a plain form posted to Razorpay (no script on our pages, so the
Content-Security-Policy stays strict), which posts the signed result back to our return URL.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping

import razorpay
from razorpay.errors import BadRequestError, GatewayError, ServerError, SignatureVerificationError

from .base import (
    InvalidSignature,
    Order,
    PaymentEvent,
    ProviderError,
    ProviderOrder,
    ProviderPayment,
    ProviderRefund,
    RefundResult,
)

NAME = "razorpay"
API_URL = "https://api.razorpay.com"
EVENTS = {"payment.captured", "payment.failed", "refund.processed", "refund.failed"}


class RazorpayProvider:
    name = NAME

    def __init__(self, key_id: str, key_secret: str, webhook_secret: str, api_url: str = API_URL) -> None:
        self.key_id = key_id
        self.webhook_secret = webhook_secret
        self.api_url = api_url.rstrip("/")
        self.client = razorpay.Client(auth=(key_id, key_secret), base_url=self.api_url)

    async def _call(self, fn, *args):
        try:
            return await asyncio.to_thread(fn, *args)
        except (BadRequestError, GatewayError, ServerError, OSError, ValueError) as exc:
            raise ProviderError(str(exc)) from exc

    async def create_order(self, *, receipt, amount_minor, currency, return_url, webhook_url) -> Order:
        # Razorpay's webhook URL is set once in its dashboard; return_url goes to the hosted checkout form.
        order = await self._call(
            self.client.order.create,
            {"amount": amount_minor, "currency": currency, "receipt": receipt, "notes": {"return_url": return_url}},
        )
        return Order(NAME, order["id"], order["amount"], order["currency"])

    def checkout_url(self, order_id: str) -> str | None:
        return None  # TravelGo's checkout page posts checkout_form (payments/_provider_form.html)

    def checkout_form(self, order_id: str, amount_minor: int, currency: str, return_url: str) -> dict | None:
        """The action and fields of the form that opens Razorpay's hosted checkout."""
        return {
            "action": f"{self.api_url}/v1/checkout/embedded",
            "fields": {
                "key_id": self.key_id,
                "order_id": order_id,
                "amount": str(amount_minor),
                "currency": currency,
                "name": "TravelGo",
                "callback_url": return_url,
                "cancel_url": return_url + "?status=cancelled",
            },
        }

    async def verify_return(self, params: Mapping[str, str]) -> PaymentEvent:
        fields = {k: params.get(k) for k in ("razorpay_order_id", "razorpay_payment_id", "razorpay_signature")}
        if not all(fields.values()):
            raise InvalidSignature("incomplete return")
        try:
            self.client.utility.verify_payment_signature(fields)
        except SignatureVerificationError as exc:
            raise InvalidSignature("bad payment signature") from exc
        payment = await self._call(self.client.payment.fetch, fields["razorpay_payment_id"])
        if payment.get("order_id") != fields["razorpay_order_id"]:
            raise InvalidSignature("payment of another order")
        kind = "payment.captured" if payment.get("status") == "captured" else "payment.failed"
        return PaymentEvent(
            NAME, f"return:{payment['id']}", kind, payment["order_id"], payment["id"], payment["amount"],
            payment["currency"], error=payment.get("error_description"),
        )  # fmt: skip

    def parse_webhook(self, raw_body: bytes, headers: Mapping[str, str]) -> PaymentEvent:
        signature = headers.get("X-Razorpay-Signature")
        if not signature:
            raise InvalidSignature("no signature")
        try:
            self.client.utility.verify_webhook_signature(raw_body.decode(), signature, self.webhook_secret)
        except (SignatureVerificationError, UnicodeDecodeError) as exc:
            raise InvalidSignature("bad webhook signature") from exc
        try:
            body = json.loads(raw_body)
            event = body["event"]
            if event not in EVENTS:
                raise ValueError(f"unhandled event {event}")
            payment = body["payload"]["payment"]["entity"]
            refund = body["payload"].get("refund", {}).get("entity")
            entity = refund or payment
            return PaymentEvent(
                NAME,
                headers.get("X-Razorpay-Event-Id") or f"{event}:{entity['id']}",
                event,
                payment["order_id"],
                payment["id"],
                int(entity["amount"]),
                entity["currency"],
                refund_id=refund["id"] if refund else None,
                error=payment.get("error_description"),
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise InvalidSignature(f"malformed webhook: {exc}") from exc

    async def refund(self, *, payment_id: str, amount_minor: int, receipt: str) -> RefundResult:
        # Razorpay does not dedupe refunds by receipt, so look for one this receipt already made before asking again.
        earlier = await self._call(self.client.payment.fetch_multiple_refund, payment_id)
        made = [r for r in earlier.get("items", []) if r.get("receipt") == receipt and r.get("status") != "failed"]
        if made:
            refund = made[0]
        else:
            refund = await self._call(
                self.client.payment.refund, payment_id, {"amount": amount_minor, "receipt": receipt}
            )
        status = refund.get("status", "pending")
        return RefundResult(refund["id"], status if status in ("pending", "processed", "failed") else "pending")

    async def fetch_order(self, order_id: str) -> ProviderOrder:
        order = await self._call(self.client.order.fetch, order_id)
        payments = (await self._call(self.client.order.payments, order_id)).get("items", [])
        refunds = []
        for payment in payments:
            if payment.get("status") == "captured":
                found = await self._call(self.client.payment.fetch_multiple_refund, payment["id"])
                refunds += [
                    ProviderRefund(r["id"], payment["id"], r["amount"], r.get("status", "pending"))
                    for r in found.get("items", [])
                ]
        return ProviderOrder(
            order_id,
            order["amount"],
            order["currency"],
            [
                ProviderPayment(p["id"], "captured" if p.get("status") == "captured" else "failed", p["amount"])
                for p in payments
            ],
            refunds,
        )
