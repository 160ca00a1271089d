"""Notifications (issue 20): messages written to the `notifications` outbox in the transaction of the change that
causes them (queue.py), delivered by a sender loop in every worker (sender.py) by e-mail (email.py: SMTP, or a local
SMTP server in development whose mail /dev/mail shows) or SMS/WhatsApp (messenger.py)."""

from __future__ import annotations


def init_app(app, settings) -> None:
    # Imported here: queue.py is imported by the booking engine, which these modules import.
    from . import email, messenger, sender
    from .devmail import bp as devmail_bp

    email.init_app(app, settings)
    messenger.init_app(app, settings)
    app.register_blueprint(devmail_bp)
    sender.init_app(app, settings.notify_poll_seconds)
