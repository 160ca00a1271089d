"""SMTP_URL, SMTP_FROM and SMTP_TIMEOUT: parsed once at start-up, bad values stop it, the password never printed."""

from __future__ import annotations

import pytest

from travelgo.config import Settings, SmtpURL


@pytest.mark.parametrize(
    "url, expected",
    [
        ("smtp://127.0.0.1:1025", ("127.0.0.1", 1025, "", "", "starttls-auto")),
        ("smtp://mail.example", ("mail.example", 25, "", "", "starttls-auto")),
        ("smtp://me%40x.org:p%40ss@mail.example:587?starttls=1", ("mail.example", 587, "me@x.org", "p@ss", "starttls")),
        ("smtp://relay:2525?starttls=0", ("relay", 2525, "", "", "plain")),
        ("smtps://u:s3cret-pw@mail.example", ("mail.example", 465, "u", "s3cret-pw", "tls")),
    ],
)
def test_smtp_urls(url, expected):
    parsed = SmtpURL.parse(url)
    assert (parsed.host, parsed.port, parsed.username, parsed.password, parsed.security) == expected
    assert parsed.password == "" or parsed.password not in f"{parsed} {parsed!r}"


def test_settings_read_the_smtp_variables():
    settings = Settings.from_env(
        {"SECRET_KEY": "k", "SMTP_URL": "smtp://h:2525", "SMTP_FROM": "Desk <desk@x.org>", "SMTP_TIMEOUT": "3"}
    )
    assert (settings.smtp_url.port, settings.smtp_from, settings.smtp_timeout) == (2525, "Desk <desk@x.org>", 3.0)
    assert not settings.local_mail_server
    defaults = Settings.from_env({"SECRET_KEY": "k", "TRAVELGO_ENV": "test"})
    assert defaults.smtp_url is None and defaults.local_mail_server
    assert defaults.smtp_from == "TravelGo <no-reply@travelgo.example>"
    assert not Settings.from_env({"SECRET_KEY": "k", "TRAVELGO_ENV": "staging"}).local_mail_server


@pytest.mark.parametrize(
    "environ, message",
    [
        ({"SMTP_URL": "http://mail.example"}, "smtp:// or smtps://"),
        ({"SMTP_URL": "smtp://"}, "must name a host"),
        ({"SMTP_URL": "smtp://h?starttls=maybe"}, "starttls is auto, 1 or 0"),
        ({"SMTP_URL": "smtp://h:99999"}, "SMTP_URL"),
        ({"SMTP_FROM": "nobody"}, "SMTP_FROM must be an address"),
        ({"SMTP_TIMEOUT": "0"}, "SMTP_TIMEOUT"),
    ],
)
def test_bad_smtp_settings_stop_the_start(environ, message):
    with pytest.raises(ValueError, match=message):
        Settings.from_env({"SECRET_KEY": "k", **environ})
