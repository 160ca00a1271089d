"""A local stub of the Razorpay REST endpoints the SDK calls (the documented shapes), on a free loopback port."""

from __future__ import annotations

import json
import re
import secrets

from ..stubs import JsonHandler, serve


class RazorpayStub:
    def __init__(self) -> None:
        self.orders: dict[str, dict] = {}
        self.payments: dict[str, dict] = {}
        self.refunds: dict[str, list[dict]] = {}
        self.requests: list[tuple[str, str, dict]] = []
        stub = self

        class Handler(JsonHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
                stub.requests.append(("POST", self.path, body))
                if self.path == "/v1/orders":
                    order = {"id": "order_" + secrets.token_hex(7), "entity": "order", "status": "created", **body}
                    stub.orders[order["id"]] = order
                    return self._answer(200, order)
                match = re.fullmatch(r"/v1/payments/([^/]+)/refund", self.path)
                if match and match.group(1) in stub.payments:
                    refund = {"id": "rfnd_" + secrets.token_hex(7), "entity": "refund", "payment_id": match.group(1),
                              "amount": body["amount"], "receipt": body.get("receipt"), "currency": "INR", "status": "processed"}  # fmt: skip
                    stub.refunds.setdefault(match.group(1), []).append(refund)
                    return self._answer(200, refund)
                self._answer(400, {"error": {"code": "BAD_REQUEST_ERROR", "description": "not found"}})

            def do_GET(self) -> None:
                stub.requests.append(("GET", self.path, {}))
                path = self.path.split("?")[0]
                if m := re.fullmatch(r"/v1/orders/([^/]+)", path):
                    return self._answer(200, stub.orders[m.group(1)])
                if m := re.fullmatch(r"/v1/orders/([^/]+)/payments", path):
                    items = [p for p in stub.payments.values() if p["order_id"] == m.group(1)]
                    return self._answer(200, {"entity": "collection", "count": len(items), "items": items})
                if m := re.fullmatch(r"/v1/payments/([^/]+)", path):
                    return self._answer(200, stub.payments[m.group(1)])
                if m := re.fullmatch(r"/v1/payments/([^/]+)/refunds", path):
                    items = stub.refunds.get(m.group(1), [])
                    return self._answer(200, {"entity": "collection", "count": len(items), "items": items})
                self._answer(400, {"error": {"code": "BAD_REQUEST_ERROR", "description": "not found"}})

        self.server, self.url = serve(Handler)

    def capture(self, order_id: str) -> dict:
        """The traveller pays on Razorpay's page."""
        order = self.orders[order_id]
        payment = {"id": "pay_" + secrets.token_hex(7), "entity": "payment", "order_id": order_id,
                   "amount": order["amount"], "currency": order["currency"], "status": "captured"}  # fmt: skip
        self.payments[payment["id"]] = payment
        return payment

    def close(self) -> None:
        self.server.shutdown()
