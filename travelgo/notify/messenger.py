"""SMS and WhatsApp behind one small interface (issue 20).

`LocalMessenger` (TRAVELGO_MESSENGER=local, the default outside production) records each message in the
`local_messages` table, which development pages and tests read. `TwilioMessenger` (TRAVELGO_MESSENGER=twilio) sends
through Twilio's official SDK (travelgo/notify/twilio.py). The notification sender (travelgo/notify/sender.py) is
the only caller for notifications; phone-number verification codes go straight through `current().send`.
"""

from __future__ import annotations

import logging
from typing import Literal, Protocol

from quart import current_app

from .. import db

log = logging.getLogger(__name__)
Channel = Literal["sms", "whatsapp"]
EXTENSION = "travelgo.messenger"


class MessengerError(Exception):
    """The provider refused or could not be reached; the sender retries later."""


class Messenger(Protocol):
    async def send(self, channel: Channel, to: str, body: str) -> str:
        """Send one text message to a phone number with its country code (as stored, e.g. "+91 98765 43210"; an
        adapter that needs E.164 converts it with text.e164); returns the provider's message id. MessengerError on
        failure."""
        ...


class LocalMessenger:
    """Records messages in local_messages (no network)."""

    async def send(self, channel: Channel, to: str, body: str) -> str:
        async with db.transaction() as cur:
            await cur.execute(
                "INSERT INTO local_messages (channel, to_number, body) VALUES (%(c)s, %(t)s, %(b)s)",
                {"c": channel, "t": to, "b": body},
            )
            return f"local-{cur.lastrowid}"


async def sent(to: str | None = None) -> list[dict]:
    """Messages the local messenger recorded, newest first (development and tests)."""
    async with db.reading() as cur:
        await cur.execute(
            """
            SELECT id, channel, to_number, body, created_at
              FROM local_messages
             WHERE %(to)s IS NULL OR to_number = %(to)s
             ORDER BY id DESC
            """,
            {"to": to},
        )
        return list(await cur.fetchall())


def current() -> Messenger:
    return current_app.extensions[EXTENSION]


def from_settings(settings) -> Messenger:
    """The messenger TRAVELGO_MESSENGER names."""
    if settings.messenger == "twilio":
        from .twilio import TwilioMessenger

        return TwilioMessenger(
            settings.twilio_account_sid,
            settings.twilio_auth_token,
            from_number=settings.twilio_from_number,
            whatsapp_from=settings.twilio_whatsapp_from,
            api_url=settings.twilio_api_url,
        )
    if settings.production_like:
        log.warning("TRAVELGO_MESSENGER=local: SMS and WhatsApp are only recorded in local_messages, never sent")
    return LocalMessenger()


def init_app(app, settings=None) -> None:
    app.extensions[EXTENSION] = LocalMessenger() if settings is None else from_settings(settings)
