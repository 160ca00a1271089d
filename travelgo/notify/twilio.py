"""Twilio (TRAVELGO_MESSENGER=twilio): SMS and WhatsApp through the official `twilio` SDK.

Both channels use the Messages resource, `POST /2010-04-01/Accounts/{AccountSid}/Messages.json` (form fields To,
From, Body; HTTP basic auth with the account SID and auth token). WhatsApp is the same call with both numbers
prefixed `whatsapp:`. The SDK is blocking (requests), so every call runs in a thread. Its API domain has a
`base_url` (TWILIO_API_URL), which is how tests point it at a local stub of the documented endpoint.
"""

from __future__ import annotations

import asyncio

from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from ..text import e164
from .messenger import Channel, MessengerError

API_URL = "https://api.twilio.com"
TIMEOUT_SECONDS = 10.0  # a slow provider must not hold a sender slot for long; the sender retries later


class TwilioMessenger:
    """Sends through Twilio's Messages API; returns the message SID (SM…)."""

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        from_number: str = "",
        whatsapp_from: str = "",
        api_url: str = API_URL,
        timeout: float = TIMEOUT_SECONDS,
    ) -> None:
        self.from_number = from_number
        self.whatsapp_from = whatsapp_from
        # environment={} : the SDK would otherwise also read TWILIO_EDGE/TWILIO_REGION and rewrite the host.
        self.client = Client(account_sid, auth_token, http_client=TwilioHttpClient(timeout=timeout), environment={})
        self.client.api.base_url = api_url.rstrip("/")
        self.messages = self.client.api.v2010.account.messages

    def _addresses(self, channel: Channel, to: str) -> tuple[str, str]:
        """(To, From) as Twilio wants them for the channel."""
        sender = self.from_number if channel == "sms" else self.whatsapp_from
        if not sender:
            setting = "TWILIO_FROM_NUMBER" if channel == "sms" else "TWILIO_WHATSAPP_FROM"
            raise MessengerError(f"{setting} is not set: cannot send {channel}")
        try:
            to, sender = e164(to), e164(sender)
        except ValueError as exc:
            raise MessengerError(f"not an international number: {exc}") from exc
        if channel == "whatsapp":
            return f"whatsapp:{to}", f"whatsapp:{sender}"
        return to, sender

    async def send(self, channel: Channel, to: str, body: str) -> str:
        to_address, from_address = self._addresses(channel, to)
        try:
            message = await asyncio.to_thread(self.messages.create, to=to_address, from_=from_address, body=body)
        except TwilioRestException as exc:
            raise MessengerError(f"Twilio refused ({exc.status}, code {exc.code}): {exc.msg}") from exc
        except (TwilioException, OSError, ValueError) as exc:  # requests' errors are OSErrors (connection, timeout)
            raise MessengerError(f"Twilio unreachable: {exc}") from exc
        return message.sid
