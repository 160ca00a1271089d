"""Payment providers behind one interface (base.PaymentProvider), chosen by TRAVELGO_PAYMENTS.

`testpay` (default outside production) is a local gateway served under /testpay/; `razorpay` is the real
Razorpay Orders API. The booking side (bookings/checkout.py) reaches the running provider through `current()`.
"""

from __future__ import annotations

import logging

from quart import Quart, current_app

from ..loops import run_while_serving
from .base import PaymentProvider

EXTENSION = "travelgo.payments"


def current() -> PaymentProvider:
    return current_app.extensions[EXTENSION]


def build(settings) -> PaymentProvider:
    """The provider TRAVELGO_PAYMENTS names, configured from the settings."""
    if settings.payments == "razorpay":
        from .razorpay import RazorpayProvider

        return RazorpayProvider(
            settings.razorpay_key_id, settings.razorpay_key_secret, settings.razorpay_webhook_secret
        )
    from . import testpay

    return testpay.TestpayProvider(testpay.Gateway(settings.testpay_webhook_secret, settings.testpay_retry_seconds))


def init_app(app: Quart, settings) -> None:
    """Install the provider; TestPay also serves its pages and sends its webhooks from every worker."""
    provider = app.extensions[EXTENSION] = build(settings)
    if settings.production_like and not settings.public_url:
        # Links are never built from the Host header here: the provider would be sent to http://localhost.
        logging.getLogger(__name__).error(
            "TRAVELGO_PUBLIC_URL is unset: payment returns and webhooks (and links in e-mails) cannot reach this server"
        )
    if settings.payments != "testpay":
        return
    from . import testpay

    app.register_blueprint(testpay.bp)
    run_while_serving(app, testpay.deliveries(provider.gateway, settings.payments_poll_seconds))

    @app.after_serving
    async def _close_deliveries() -> None:  # after the delivery loop's own after_serving stopped it
        await provider.gateway.close()
