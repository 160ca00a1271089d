"""The Twilio messenger against a local stub of Twilio's documented Messages API."""

from __future__ import annotations

import base64
import logging
import time

import pytest

from travelgo.config import Settings
from travelgo.notify import messenger
from travelgo.notify.messenger import LocalMessenger, MessengerError
from travelgo.notify.twilio import TwilioMessenger

from .twilio_stub import ACCOUNT_SID, AUTH_TOKEN, TwilioStub

FROM_SMS, FROM_WHATSAPP = "+15005550006", "+14155238886"


@pytest.fixture
def stub():
    running = TwilioStub()
    yield running
    running.close()


@pytest.fixture
def twilio(stub):
    return TwilioMessenger(ACCOUNT_SID, AUTH_TOKEN, FROM_SMS, FROM_WHATSAPP, api_url=stub.url)


def basic(sid: str, token: str) -> str:
    return "Basic " + base64.b64encode(f"{sid}:{token}".encode()).decode()


async def test_an_sms_is_one_form_post_to_the_messages_resource_with_basic_auth(twilio, stub):
    sid = await twilio.send("sms", "+91 98765-43210", "Your TravelGo code is 123456")

    assert sid.startswith("SM") and sid == stub.messages[0]["sid"]
    [request] = stub.requests
    assert request["path"] == f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
    assert request["headers"]["Authorization"] == basic(ACCOUNT_SID, AUTH_TOKEN)
    assert request["headers"]["Content-Type"] == "application/x-www-form-urlencoded"
    assert request["form"] == {"To": "+919876543210", "From": FROM_SMS, "Body": "Your TravelGo code is 123456"}


async def test_whatsapp_prefixes_both_numbers(twilio, stub):
    await twilio.send("whatsapp", "+919876543210", "Your bus leaves at 21:30")

    assert stub.requests[0]["form"] == {
        "To": "whatsapp:+919876543210",
        "From": f"whatsapp:{FROM_WHATSAPP}",
        "Body": "Your bus leaves at 21:30",
    }


async def test_a_refused_number_is_a_messenger_error_with_twilios_code(twilio, stub):
    stub.refuse_numbers.add("+919999999999")
    with pytest.raises(MessengerError, match="21211"):
        await twilio.send("sms", "+91 99999 99999", "hello")
    assert stub.messages == []


async def test_wrong_credentials_are_a_messenger_error(stub):
    wrong = TwilioMessenger(ACCOUNT_SID, "not-the-token", FROM_SMS, api_url=stub.url)
    with pytest.raises(MessengerError, match="20003"):
        await wrong.send("sms", "+919876543210", "hello")


async def test_a_number_without_country_code_or_sender_fails_before_any_request(stub):
    sms_only = TwilioMessenger(ACCOUNT_SID, AUTH_TOKEN, FROM_SMS, api_url=stub.url)
    with pytest.raises(MessengerError, match="country code"):
        await sms_only.send("sms", "98765 43210", "hello")
    with pytest.raises(MessengerError, match="TWILIO_WHATSAPP_FROM"):
        await sms_only.send("whatsapp", "+919876543210", "hello")
    assert stub.requests == []


async def test_twilio_unreachable_is_a_messenger_error_at_once(stub):
    url = stub.url
    stub.close()  # nothing listens on the port any more
    down = TwilioMessenger(ACCOUNT_SID, AUTH_TOKEN, FROM_SMS, api_url=url)
    started = time.monotonic()
    with pytest.raises(MessengerError, match="unreachable"):
        await down.send("sms", "+919876543210", "hello")
    assert time.monotonic() - started < 3


def settings(**environ: str) -> Settings:
    return Settings.from_env({"SECRET_KEY": "k", **environ})


def test_the_settings_choose_the_messenger(stub, caplog):
    assert isinstance(messenger.from_settings(settings()), LocalMessenger)

    chosen = messenger.from_settings(
        settings(
            TRAVELGO_MESSENGER="twilio",
            TWILIO_ACCOUNT_SID=ACCOUNT_SID,
            TWILIO_AUTH_TOKEN=AUTH_TOKEN,
            TWILIO_FROM_NUMBER=FROM_SMS,
            TWILIO_API_URL=stub.url,
        )
    )
    assert isinstance(chosen, TwilioMessenger)
    assert chosen.client.api.base_url == stub.url

    with pytest.raises(ValueError, match="needs TWILIO_ACCOUNT_SID"):
        settings(TRAVELGO_MESSENGER="twilio")

    with caplog.at_level(logging.WARNING, logger="travelgo.notify.messenger"):
        production = settings(TRAVELGO_ENV="production", TRAVELGO_ADMIN_PASSWORD="x" * 12, TRAVELGO_PAYMENTS="razorpay",
                              RAZORPAY_KEY_ID="a", RAZORPAY_KEY_SECRET="b", RAZORPAY_WEBHOOK_SECRET="c")  # fmt: skip
        assert isinstance(messenger.from_settings(production), LocalMessenger)
    assert "TRAVELGO_MESSENGER=local" in caplog.text


async def test_twilio_sends_through_the_app_configured_by_environment(app, stub, monkeypatch):
    monkeypatch.setitem(
        app.extensions, messenger.EXTENSION, TwilioMessenger(ACCOUNT_SID, AUTH_TOKEN, FROM_SMS, api_url=stub.url)
    )
    async with app.app_context():
        assert (await messenger.current().send("sms", "+919876543210", "hi")).startswith("SM")
    assert stub.messages[0]["to"] == "+919876543210"
