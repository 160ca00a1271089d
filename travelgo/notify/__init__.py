"""Notifications (issue 20): messages written to the `notifications` outbox in the transaction of the change that
causes them (queue.py), delivered by a sender loop in every worker (sender.py) by e-mail (email.py) or SMS/WhatsApp
(messenger.py)."""

from __future__ import annotations


def init_app(app, settings) -> None:
    from . import email, messenger, sender  # here: queue.py is imported by the booking engine, which these import

    email.init_app(app, settings)
    from .devmail import bp as devmail_bp

    app.register_blueprint(devmail_bp)
    messenger.init_app(app)
    sender.init_app(app, settings.notify_poll_seconds)
