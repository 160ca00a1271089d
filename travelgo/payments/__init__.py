"""Payment providers behind one interface (base.PaymentProvider), chosen by TRAVELGO_PAYMENTS.

`testpay` (default outside production) is a local gateway served under /testpay/; `razorpay` is the real
Razorpay Orders API. The booking side (bookings/checkout.py) reaches the running provider through `current()`.
"""

from __future__ import annotations

from quart import Quart, current_app

from .base import PaymentProvider

EXTENSION = "travelgo.payments"


def current() -> PaymentProvider:
    return current_app.extensions[EXTENSION]


def init_app(app: Quart, settings) -> None:
    """Build the configured provider; TestPay also serves its pages and sends its webhooks from every worker."""
    if settings.payments == "razorpay":
        from .razorpay import RazorpayProvider

        app.extensions[EXTENSION] = RazorpayProvider(
            settings.razorpay_key_id, settings.razorpay_key_secret, settings.razorpay_webhook_secret
        )
        return
    from . import testpay

    gateway = testpay.Gateway(settings.testpay_webhook_secret, retry_base=settings.testpay_retry_seconds)
    app.extensions[EXTENSION] = testpay.TestpayProvider(gateway)
    app.register_blueprint(testpay.bp)
    deliveries = testpay.Deliveries(gateway, interval=settings.payments_poll_seconds)

    @app.before_serving
    async def _start_deliveries() -> None:
        deliveries.start()

    @app.after_serving
    async def _stop_deliveries() -> None:
        await deliveries.stop()
