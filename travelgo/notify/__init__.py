"""Notifications (issue 20): messages written to the `notifications` outbox in the transaction of the change that
causes them (queue.py), delivered by a sender loop in every worker (sender.py) by e-mail (email.py) or SMS/WhatsApp
(messenger.py)."""

from __future__ import annotations

from . import email, messenger


def init_app(app, settings) -> None:
    email.init_app(app, settings)
    from .devmail import bp as devmail_bp

    app.register_blueprint(devmail_bp)
    messenger.init_app(app)
