"""JSON API: provider webhooks (routes are added to travelgo.api.bp)."""

from __future__ import annotations

from pydantic import BaseModel
from quart import request
from quart_schema import tag, validate_response

from .. import payments
from ..checkout import service as checkout
from ..payments.base import InvalidSignature
from ..problems import Problem
from . import bp


class WebhookOut(BaseModel):
    event_id: str
    outcome: str


@bp.post("/payments/webhooks/<provider>")
@tag(["payments"])
@validate_response(WebhookOut, 200)
async def api_payment_webhook(provider: str):
    """A provider's signed event (TestPay: X-Testpay-Signature; Razorpay: X-Razorpay-Signature).

    400 for a missing or bad signature (nothing changes); 200 once the event is applied or was already applied;
    503 when it cannot be applied yet (the provider delivers it again).
    """
    running = payments.current()
    if provider != running.name:
        raise Problem(404, "Not found", f"No webhooks are taken for {provider!r} here.")
    raw = await request.get_data()
    try:
        event = running.parse_webhook(raw, request.headers)
    except InvalidSignature as exc:
        raise Problem(400, "Bad signature", "The webhook signature does not verify.") from exc
    try:
        outcome = await checkout.apply_event(event)
    except checkout.RetryLater as exc:
        raise Problem(503, "Try again", str(exc), headers={"Retry-After": "2"}) from exc
    return {"event_id": event.event_id, "outcome": outcome}
