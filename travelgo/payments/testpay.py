"""TestPay: a local test gateway that behaves like a hosted provider (TRAVELGO_PAYMENTS=testpay, never production).

Two sides, as with a real provider:
- the gateway ("the provider's servers"): its own tables (testpay_*), a hosted checkout page under /testpay/, a
  JSON API for scripts and tests, and webhooks POSTed over real HTTP to the merchant's webhook URL, signed with
  HMAC-SHA256 of the raw body (X-Testpay-Signature, hex, like Razorpay) and retried with backoff until a 2xx;
- the client TravelGo uses (TestpayProvider), which calls the gateway in-process where a real client would make
  an HTTPS call.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
from collections.abc import Mapping
from urllib.parse import urlencode

import httpx
from quart import Blueprint, Response, abort, current_app, redirect, render_template, request

from .. import db
from ..loops import Loop
from ..web import csrf_exempt
from .base import (
    InvalidSignature,
    Order,
    PaymentEvent,
    ProviderError,
    ProviderOrder,
    ProviderPayment,
    ProviderRefund,
    RefundResult,
    hmac_hex,
    signature_matches,
)

log = logging.getLogger(__name__)
NAME = "testpay"
SIGNATURE_HEADER = "X-Testpay-Signature"
EVENT_HEADER = "X-Testpay-Event-Id"
LEASE_SECONDS = 30  # a claimed webhook is left alone by other workers this long while it is being sent
IN_FLIGHT = 20  # webhooks one worker's sender has on the wire at once


def _id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(10)}"


# --- the gateway ------------------------------------------------------------------------------------------


class Gateway:
    """TestPay's server side, on TravelGo's database (its own tables)."""

    def __init__(self, secret: str, retry_base: float = 2.0) -> None:
        self.secret = secret
        self.retry_base = retry_base  # seconds before the first retry; doubles each time
        self.sender: Loop | None = None  # this worker's delivery loop, woken when a webhook is queued here
        # The delivery loop's HTTP client, kept across rounds: building one costs ~30 ms of CPU (its TLS context),
        # which blocked the worker's event loop every round, and a kept client reuses its connections.
        self.client: httpx.AsyncClient | None = None
        self.in_flight: set[asyncio.Task] = set()  # deliveries started and not finished

    async def create_order(self, receipt, amount_minor, currency, return_url, webhook_url) -> str:
        order_id = _id("order")
        async with db.writing() as cur:
            await cur.execute(
                """
                INSERT INTO testpay_orders (id, receipt, amount_minor, currency, return_url, webhook_url)
                VALUES (%(id)s, %(receipt)s, %(amount)s, %(currency)s, %(return_url)s, %(webhook_url)s)
                """,
                {
                    "id": order_id,
                    "receipt": receipt,
                    "amount": amount_minor,
                    "currency": currency,
                    "return_url": return_url,
                    "webhook_url": webhook_url,
                },
            )
        return order_id

    async def order(self, order_id: str) -> dict | None:
        async with db.reading() as cur:
            await cur.execute("SELECT * FROM testpay_orders WHERE id = %(id)s", {"id": order_id})
            order = await cur.fetchone()
            if order is None:
                return None
            await cur.execute(
                "SELECT id, status, amount_minor FROM testpay_payments WHERE order_id = %(id)s ORDER BY created_at",
                {"id": order_id},
            )
            order["payments"] = await cur.fetchall()
            await cur.execute(
                """
                SELECT r.id, r.payment_id, r.amount_minor, r.status
                  FROM testpay_refunds r
                  JOIN testpay_payments p ON p.id = r.payment_id
                 WHERE p.order_id = %(id)s
                 ORDER BY r.created_at
                """,
                {"id": order_id},
            )
            order["refunds"] = await cur.fetchall()
        return order

    async def pay(self, order_id: str, outcome: str) -> dict:
        """A payment attempt on an order: captured or failed. Raises LookupError (no order), ValueError (paid).
        Retried whole on a deadlock or lock wait timeout, as a provider's API would not fail a payment over one."""
        result = await db.run_in_transaction(self._pay, order_id, outcome)
        self._wake_sender()
        return result

    async def _pay(self, cur, order_id: str, outcome: str) -> dict:
        await cur.execute("SELECT * FROM testpay_orders WHERE id = %(id)s FOR UPDATE", {"id": order_id})
        order = await cur.fetchone()
        if order is None:
            raise LookupError(order_id)
        # Like Razorpay, an order is paid once its captured payments add up to its amount.
        await cur.execute(
            """
            SELECT COALESCE(SUM(amount_minor), 0) AS paid
              FROM testpay_payments
             WHERE order_id = %(id)s AND status = 'captured'
            """,
            {"id": order_id},
        )
        if (await cur.fetchone())["paid"] >= order["amount_minor"]:
            raise ValueError("This order is already paid.")
        payment_id = _id("pay")
        await cur.execute(
            """
            INSERT INTO testpay_payments (id, order_id, status, amount_minor)
            VALUES (%(id)s, %(order_id)s, %(status)s, %(amount)s)
            """,
            {"id": payment_id, "order_id": order_id, "status": outcome, "amount": order["amount_minor"]},
        )
        payload = {
            "order_id": order_id,
            "payment_id": payment_id,
            "amount_minor": order["amount_minor"],
            "currency": order["currency"],
            "receipt": order["receipt"],
        }
        if outcome == "failed":
            payload["error"] = "The card was declined (TestPay)."
        await self._queue(cur, order["webhook_url"], f"payment.{outcome}", payload)
        return {"payment_id": payment_id, "status": outcome, "order": order}

    async def refund(self, payment_id: str, amount_minor: int, receipt: str | None = None) -> dict:
        """Refund part or all of a captured payment. A receipt already accepted (not failed) for this payment
        answers with that refund again: one request, one refund, however often it is sent."""
        async with db.transaction() as cur:
            await cur.execute(
                """
                SELECT p.id, p.status, p.amount_minor, o.id AS order_id, o.currency, o.webhook_url, o.fail_refunds
                  FROM testpay_payments p
                  JOIN testpay_orders o ON o.id = p.order_id
                 WHERE p.id = %(id)s
                   FOR UPDATE
                """,
                {"id": payment_id},
            )
            payment = await cur.fetchone()
            if payment is None or payment["status"] != "captured":
                raise ProviderError(f"no captured payment {payment_id}")
            await cur.execute(
                """
                SELECT COALESCE(SUM(amount_minor), 0) AS n
                  FROM testpay_refunds
                 WHERE payment_id = %(id)s
                   AND status <> 'failed'
                """,
                {"id": payment_id},
            )
            refunded = int((await cur.fetchone())["n"])
            if receipt is not None:
                await cur.execute(
                    """
                    SELECT id FROM testpay_refunds
                     WHERE payment_id = %(id)s AND receipt = %(receipt)s AND status <> 'failed'
                    """,
                    {"id": payment_id, "receipt": receipt},
                )
                earlier = await cur.fetchone()
                if earlier is not None:
                    return {"refund_id": earlier["id"]}
            if amount_minor <= 0 or refunded + amount_minor > payment["amount_minor"]:
                raise ProviderError("refund exceeds the captured amount")
            refund_id = _id("rfnd")
            await cur.execute(
                """
                INSERT INTO testpay_refunds (id, payment_id, receipt, amount_minor)
                VALUES (%(id)s, %(p)s, %(r)s, %(a)s)
                """,
                {"id": refund_id, "p": payment_id, "r": receipt, "a": amount_minor},
            )
            # The provider settles the refund later and says so by webhook (processed, or failed when asked to).
            outcome = "failed" if payment["fail_refunds"] else "processed"
            await cur.execute(
                "UPDATE testpay_refunds SET status = %(s)s WHERE id = %(id)s", {"s": outcome, "id": refund_id}
            )
            if payment["fail_refunds"]:
                await cur.execute(
                    "UPDATE testpay_orders SET fail_refunds = fail_refunds - 1 WHERE id = %(id)s",
                    {"id": payment["order_id"]},
                )
            payload = {
                "order_id": payment["order_id"],
                "payment_id": payment_id,
                "refund_id": refund_id,
                "amount_minor": amount_minor,
                "currency": payment["currency"],
            }
            await self._queue(cur, payment["webhook_url"], f"refund.{outcome}", payload)
        self._wake_sender()
        return {"refund_id": refund_id}

    async def fail_next_refunds(self, order_id: str, count: int = 1) -> bool:
        async with db.transaction() as cur:
            await cur.execute(
                "UPDATE testpay_orders SET fail_refunds = %(n)s WHERE id = %(id)s", {"n": count, "id": order_id}
            )
            return cur.rowcount == 1

    async def _queue(self, cur, url: str, event: str, payload: dict) -> None:
        event_id = _id("evt")
        body = json.dumps({"id": event_id, "event": event, "payload": payload}, separators=(",", ":"))
        await cur.execute(
            "INSERT INTO testpay_webhooks (event_id, url, body) VALUES (%(e)s, %(u)s, %(b)s)",
            {"e": event_id, "u": url, "b": body},
        )

    def _wake_sender(self) -> None:
        if self.sender is not None:
            self.sender.wake()

    def sign(self, body: bytes | str) -> str:
        return hmac_hex(self.secret, body)

    async def claim_due(self, limit: int = 20) -> list[dict]:
        """Due webhooks, leased to this caller (two workers never take the same one). READ COMMITTED: at REPEATABLE
        READ the claim's scan of the due index locked the gap where every new webhook is inserted, so payments
        queued behind each claim and deadlocked with it (a pay answered 503)."""
        async with db.transaction(read_committed=True) as cur:
            return await self.claim_in(cur, limit)

    async def claim_in(self, cur, limit: int = 20) -> list[dict]:
        """claim_due's statements on the caller's transaction (tests hold one open)."""
        return await db.claim_due(
            cur, "testpay_webhooks", "id, event_id, url, body, attempts", "delivered_at IS NULL", limit, LEASE_SECONDS
        )

    async def deliver(self, client: httpx.AsyncClient, row: dict) -> bool:
        """POST one webhook; on failure schedule the next attempt with exponential backoff."""
        headers = {
            "Content-Type": "application/json",
            SIGNATURE_HEADER: self.sign(row["body"]),
            EVENT_HEADER: row["event_id"],
        }
        try:
            response = await client.post(row["url"], content=row["body"].encode(), headers=headers, timeout=10)
            status, ok = str(response.status_code), 200 <= response.status_code < 300
        except httpx.HTTPError as exc:
            status, ok = type(exc).__name__, False
        delay = min(self.retry_base * 2 ** min(row["attempts"], 12), 3600)
        async with db.transaction() as cur:
            await cur.execute(
                """
                UPDATE testpay_webhooks
                   SET delivered_at = IF(%(ok)s, UTC_TIMESTAMP(6), NULL), last_status = %(status)s,
                       next_attempt_at = UTC_TIMESTAMP(6) + INTERVAL %(delay)s SECOND
                 WHERE id = %(id)s
                """,
                {"ok": ok, "status": status[:64], "delay": delay, "id": row["id"]},
            )
        return ok

    async def deliver_due(self) -> int:
        """Claim the due webhooks and start sending them, side by side as a provider does, without waiting for the
        ones already on their way: a webhook queued meanwhile goes out as soon as the sender is woken, not after
        the slowest of the previous batch (each round used to wait for its whole batch). At most IN_FLIGHT at
        once. Returns how many it claimed."""
        while len(self.in_flight) >= IN_FLIGHT:
            await asyncio.wait(self.in_flight, return_when=asyncio.FIRST_COMPLETED)
        rows = await self.claim_due(IN_FLIGHT - len(self.in_flight))
        if rows:
            if self.client is None:
                self.client = httpx.AsyncClient()
            for row in rows:
                task = asyncio.get_running_loop().create_task(self.deliver(self.client, row))
                self.in_flight.add(task)
                task.add_done_callback(self._delivered)
        return len(rows)

    def _delivered(self, task: asyncio.Task) -> None:
        self.in_flight.discard(task)
        if not task.cancelled() and task.exception() is not None:  # its lease runs out and it is sent again
            log.error("testpay-webhooks: a delivery failed: %r", task.exception())

    async def close(self, grace: float = 5.0) -> None:
        """Let the deliveries on their way finish (within `grace`; one cut short is sent again after its lease),
        then close the delivery client. The worker stops serving; its loop has stopped."""
        if self.in_flight:
            _, late = await asyncio.wait(set(self.in_flight), timeout=grace)
            for task in late:
                task.cancel()
            if late:
                await asyncio.wait(late, timeout=1)
        if self.client is not None:
            client, self.client = self.client, None
            await client.aclose()


# --- the client TravelGo uses -----------------------------------------------------------------------------


class TestpayProvider:
    """TravelGo's side of TestPay (the PaymentProvider interface)."""

    name = NAME

    def __init__(self, gateway: Gateway) -> None:
        self.gateway = gateway

    async def create_order(self, *, receipt, amount_minor, currency, return_url, webhook_url) -> Order:
        order_id = await self.gateway.create_order(receipt, amount_minor, currency, return_url, webhook_url)
        return Order(NAME, order_id, amount_minor, currency)

    def checkout_url(self, order_id: str) -> str | None:
        return f"/testpay/checkout/{order_id}"

    def checkout_form(self, order_id: str, amount_minor: int, currency: str, return_url: str) -> dict | None:
        return None  # a hosted page: the checkout links to checkout_url

    async def verify_return(self, params: Mapping[str, str]) -> PaymentEvent:
        order_id, payment_id, status = params.get("order_id"), params.get("payment_id"), params.get("status")
        if not (order_id and payment_id and status in ("captured", "failed")):
            raise InvalidSignature("incomplete return")
        if not signature_matches(self.gateway.secret, f"{order_id}|{payment_id}|{status}", params.get("signature")):
            raise InvalidSignature("bad return signature")
        order = await self.gateway.order(order_id)
        if order is None:
            raise InvalidSignature("unknown order")
        return PaymentEvent(
            NAME,
            f"return:{payment_id}",
            f"payment.{status}",
            order_id,
            payment_id,
            order["amount_minor"],
            order["currency"],
        )

    def parse_webhook(self, raw_body: bytes, headers: Mapping[str, str]) -> PaymentEvent:
        if not signature_matches(self.gateway.secret, raw_body, headers.get(SIGNATURE_HEADER)):
            raise InvalidSignature("bad webhook signature")
        try:
            body = json.loads(raw_body)
            payload = body["payload"]
            return PaymentEvent(
                NAME,
                str(body["id"]),
                body["event"],
                payload["order_id"],
                payload.get("payment_id"),
                int(payload["amount_minor"]),
                payload["currency"],
                refund_id=payload.get("refund_id"),
                error=payload.get("error"),
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise InvalidSignature("malformed webhook body") from exc

    async def refund(self, *, payment_id: str, amount_minor: int, receipt: str) -> RefundResult:
        result = await self.gateway.refund(payment_id, amount_minor, receipt)
        return RefundResult(result["refund_id"], "pending")

    async def fetch_order(self, order_id: str) -> ProviderOrder:
        order = await self.gateway.order(order_id)
        if order is None:
            raise ProviderError(f"no order {order_id}")
        return ProviderOrder(
            order_id,
            order["amount_minor"],
            order["currency"],
            [ProviderPayment(p["id"], p["status"], p["amount_minor"]) for p in order["payments"]],
            [ProviderRefund(r["id"], r["payment_id"], r["amount_minor"], r["status"]) for r in order["refunds"]],
        )


# --- the hosted pages and API -----------------------------------------------------------------------------

bp = Blueprint("testpay", __name__, url_prefix="/testpay")


def gateway() -> Gateway:
    provider = current_app.extensions["travelgo.payments"]
    if not isinstance(provider, TestpayProvider):
        abort(404)
    return provider.gateway


def _form_token(gw: Gateway, order_id: str) -> str:
    """The hosted page's own anti-forgery token (TestPay is "another site": it has no TravelGo session)."""
    return gw.sign(f"form|{order_id}")


def _back(order: dict, params: dict) -> Response:
    sep = "&" if "?" in order["return_url"] else "?"
    return redirect(order["return_url"] + sep + urlencode(params), 303)


@bp.get("/checkout/<order_id>")
async def checkout_page(order_id: str):
    """TestPay's hosted checkout: pay, fail, or go back without paying."""
    gw = gateway()
    order = await gw.order(order_id)
    if order is None:
        abort(404, description="TestPay has no such order.")
    paid = any(p["status"] == "captured" for p in order["payments"])
    return await render_template("testpay/checkout.html", order=order, paid=paid, token=_form_token(gw, order_id))


@bp.post("/checkout/<order_id>")
@csrf_exempt  # "the provider's site": its own per-order form token, no TravelGo session
async def checkout_submit(order_id: str):
    gw = gateway()
    form = await request.form
    if not signature_matches(gw.secret, f"form|{order_id}", form.get("token")):
        abort(400, description="This TestPay form is not valid. Go back and try again.")
    order = await gw.order(order_id)
    if order is None:
        abort(404, description="TestPay has no such order.")
    outcome = form.get("outcome")
    if outcome == "cancel":
        return _back(order, {"order_id": order_id, "status": "cancelled"})
    if outcome not in ("captured", "failed"):
        abort(400, description="Choose Pay, Fail or Cancel.")
    try:
        result = await gw.pay(order_id, outcome)
    except ValueError:
        return await render_template("testpay/checkout.html", order=order, paid=True, token=""), 409
    params = {"order_id": order_id, "payment_id": result["payment_id"], "status": outcome}
    return _back(order, {**params, "signature": gw.sign(f"{order_id}|{result['payment_id']}|{outcome}")})


@bp.post("/api/orders/<order_id>/pay")
@csrf_exempt  # the provider's JSON API
async def api_pay(order_id: str):
    """For scripts and tests: {"outcome": "captured" | "failed"} -> {payment_id, status}, and the same webhook."""
    body = await request.get_json(force=True, silent=True)
    outcome = body.get("outcome") if isinstance(body, dict) else None
    if outcome not in ("captured", "failed"):
        return {"detail": 'outcome must be "captured" or "failed"'}, 422
    try:
        result = await gateway().pay(order_id, outcome)
    except LookupError:
        return {"detail": "No such order."}, 404
    except ValueError as exc:
        return {"detail": str(exc)}, 409
    return {"payment_id": result["payment_id"], "status": result["status"]}


@bp.post("/api/orders/<order_id>/fail-refunds")
@csrf_exempt
async def api_fail_refunds(order_id: str):
    """For tests: the order's next refund fails (a refund.failed webhook is sent)."""
    if not await gateway().fail_next_refunds(order_id):
        return {"detail": "No such order."}, 404
    return {"order_id": order_id, "fail_refunds": 1}


# --- delivery loop ----------------------------------------------------------------------------------------


def deliveries(gw: Gateway, interval: float) -> Loop:
    """The webhook sender of one worker: starts sending due webhooks, at once again while some were due."""

    async def send() -> bool:
        return await gw.deliver_due() > 0

    gw.sender = Loop("testpay-webhooks", send, interval)
    return gw.sender
