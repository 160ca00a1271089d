"""Settings are declared once (travelgo/config.py) and documented in the README; bad values stop the start."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from travelgo.config import Settings

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


def test_the_readme_documents_every_setting():
    documented = set(re.findall(r"`([A-Z][A-Z0-9_]+)`", README))
    missing = sorted(set(Settings.variables()) - documented)
    assert missing == [], f"add these to the README's configuration table: {missing}"


def test_values_are_parsed_from_their_variables_and_overrides_win():
    settings = Settings.from_env(
        {
            "SECRET_KEY": "k",
            "TRAVELGO_RATE_LIMITS": "off",
            "TRAVELGO_HOLD_SECONDS": "90",
            "DATABASE_URL": "mysql://u:p@db:3307/x",
        },
        max_open_holds=7,
    )
    assert (settings.rate_limits, settings.hold_seconds, settings.max_open_holds) == (False, 90, 7)
    assert (settings.database_url.host, settings.database_url.port, settings.database_url.database) == ("db", 3307, "x")
    assert settings.testpay_webhook_secret and settings.testpay_webhook_secret != "k"  # derived, not the key itself


@pytest.mark.parametrize(
    "environ, message",
    [
        ({"TRAVELGO_ENV": "production"}, "SECRET_KEY is required"),
        ({"TRAVELGO_ENV": "production", "SECRET_KEY": "k", "TRAVELGO_ADMIN_PASSWORD": "x" * 12}, "testpay is a test"),
        (
            {
                "TRAVELGO_ENV": "production",
                "SECRET_KEY": "k",
                "TRAVELGO_PAYMENTS": "razorpay",
                "RAZORPAY_KEY_ID": "a",
                "RAZORPAY_KEY_SECRET": "b",
                "RAZORPAY_WEBHOOK_SECRET": "c",
            },
            "TRAVELGO_ADMIN_PASSWORD must be set",
        ),
        ({"SECRET_KEY": "k", "TRAVELGO_PAYMENTS": "razorpay"}, "needs RAZORPAY_KEY_ID"),
        ({"SECRET_KEY": "k", "TRAVELGO_PAYMENTS": "paypal"}, "TRAVELGO_PAYMENTS"),
        ({"SECRET_KEY": "k", "TRAVELGO_HOLD_SECONDS": "0"}, "TRAVELGO_HOLD_SECONDS"),
        ({"SECRET_KEY": "k", "TRAVELGO_ENV": "prod"}, "TRAVELGO_ENV"),
    ],
)
def test_bad_settings_stop_the_start_with_a_readable_message(environ, message):
    with pytest.raises(ValueError, match=message):
        Settings.from_env(environ)


def test_staging_is_production_like_and_may_use_testpay():
    settings = Settings.from_env({"TRAVELGO_ENV": "staging", "SECRET_KEY": "k"})
    assert settings.production_like and settings.payments == "testpay" and not settings.fast_password_hashing
