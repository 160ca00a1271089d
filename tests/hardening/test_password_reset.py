"""Password reset by e-mail: one answer for every address, a single-use token for an hour, the local outbox."""

from __future__ import annotations

import asyncio
import re

from travelgo import db, mail

from .. import factories
from ..conftest import api_token, csrf_for, deliver_notifications, login, post_form

LINK = re.compile(r"http://[^/\s]+(/password/reset/[A-Za-z0-9_-]+)")


async def _background(app) -> None:
    """Wait for the reset work the request handed to a background task, then deliver the mail it queued."""
    await asyncio.gather(*app.background_tasks)
    await deliver_notifications()


async def _request_reset(app, client, email: str):
    response = await post_form(client, "/password/forgot", {"email": email})
    await _background(app)
    return response


async def _reset_path(email: str) -> str:
    messages = await mail.outbox(email)
    assert len(messages) == 1
    match = LINK.search(messages[0]["body"])
    assert match, messages[0]["body"]
    return match.group(1)


async def test_known_and_unknown_addresses_get_the_same_answer(app, client):
    async with db.transaction() as cur:
        await factories.make_user(cur, "known@example.com")
    known = await _request_reset(app, client, "known@example.com")
    unknown = await _request_reset(app, client, "unknown@example.com")
    assert known.status_code == unknown.status_code == 200
    strip = lambda body: re.sub(r'value="[^"]+"', "", body)  # noqa: E731  (CSRF token differs per page)
    assert strip(await known.get_data(as_text=True)) == strip(await unknown.get_data(as_text=True))
    assert len(await mail.outbox("known@example.com")) == 1
    assert await mail.outbox("unknown@example.com") == []


async def test_reset_link_sets_a_new_password_once(app, client):
    async with db.transaction() as cur:
        user = await factories.make_user(cur, "owner@example.com")
    headers = await api_token(client, user["email"])
    await _request_reset(app, client, "Owner@Example.com")
    path = await _reset_path("owner@example.com")

    page = await client.get(path)
    assert page.status_code == 200 and page.headers["Referrer-Policy"] == "no-referrer"
    response = await post_form(
        client, path, {"new_password": "brand-new-password", "confirm_password": "brand-new-password"}
    )
    assert response.status_code == 303 and response.headers["Location"] == "/login"

    await login(client, "owner@example.com", "brand-new-password")
    assert (await client.get("/profile")).status_code == 200
    old = await client.post("/api/v1/auth/token", json={"email": user["email"], "password": user["password"]})
    assert old.status_code == 401
    assert (await client.get("/api/v1/me", headers=headers)).status_code == 401  # API tokens were revoked

    again = await post_form(
        client, path, {"new_password": "another-password-1", "confirm_password": "another-password-1"}
    )
    assert again.status_code == 422 and "expired or was already used" in await again.get_data(as_text=True)
    assert (await client.get(path)).status_code == 410


async def test_expired_link_does_nothing(app, client):
    async with db.transaction() as cur:
        user = await factories.make_user(cur, "late@example.com")
    await _request_reset(app, client, user["email"])
    path = await _reset_path(user["email"])
    async with db.transaction() as cur:
        await cur.execute("UPDATE password_resets SET expires_at = UTC_TIMESTAMP() - INTERVAL 1 SECOND")
    assert (await client.get(path)).status_code == 410
    response = await post_form(
        client, path, {"new_password": "brand-new-password", "confirm_password": "brand-new-password"}
    )
    assert response.status_code == 422
    ok = await client.post("/api/v1/auth/token", json={"email": user["email"], "password": user["password"]})
    assert ok.status_code == 200  # the old password still works


async def test_link_lives_one_hour_and_only_its_hash_is_stored(app, client):
    async with db.transaction() as cur:
        user = await factories.make_user(cur, "hash@example.com")
    await _request_reset(app, client, user["email"])
    token = (await _reset_path(user["email"])).rsplit("/", 1)[1]
    async with db.reading() as cur:
        await cur.execute(
            "SELECT token_hash, TIMESTAMPDIFF(SECOND, UTC_TIMESTAMP(), expires_at) AS life FROM password_resets"
        )
        row = await cur.fetchone()
    assert row["token_hash"] != token and len(row["token_hash"]) == 64
    assert 3500 <= row["life"] <= 3600


async def test_a_newer_reset_spends_older_links_too(app, client):
    async with db.transaction() as cur:
        user = await factories.make_user(cur, "twice@example.com")
    await _request_reset(app, client, user["email"])
    await _request_reset(app, client, user["email"])
    bodies = [m["body"] for m in await mail.outbox(user["email"])]
    first, second = (LINK.search(b).group(1) for b in reversed(bodies))
    await post_form(client, second, {"new_password": "brand-new-password", "confirm_password": "brand-new-password"})
    assert (await client.get(first)).status_code == 410


async def test_two_concurrent_uses_of_one_link_let_only_one_win(app, client):
    async with db.transaction() as cur:
        user = await factories.make_user(cur, "race@example.com")
    await _request_reset(app, client, user["email"])
    path = await _reset_path(user["email"])
    clients = [app.test_client() for _ in range(2)]
    tokens = [await csrf_for(c) for c in clients]
    responses = await asyncio.gather(
        *(
            c.post(
                path,
                form={
                    "new_password": f"password-number-{i}",
                    "confirm_password": f"password-number-{i}",
                    "csrf_token": t,
                },
            )
            for i, (c, t) in enumerate(zip(clients, tokens, strict=True))
        )
    )
    assert sorted(r.status_code for r in responses) == [303, 422]


async def test_mismatched_passwords_come_back_beside_the_field(app, client):
    async with db.transaction() as cur:
        user = await factories.make_user(cur, "typo@example.com")
    await _request_reset(app, client, user["email"])
    path = await _reset_path(user["email"])
    response = await post_form(
        client,
        path,
        {"new_password": "brand-new-password", "confirm_password": "other-one-xx"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 422
    body = await response.get_data(as_text=True)
    assert 'id="e-confirm_password"' in body and "<html" not in body
    assert (await client.get(path)).status_code == 200  # still usable


async def test_a_reset_lets_a_rate_limited_owner_back_in(app, client):
    async with db.transaction() as cur:
        user = await factories.make_user(cur, "locked@example.com")
    for _ in range(11):
        await client.post("/api/v1/auth/token", json={"email": user["email"], "password": "wrong"})
    assert (
        await client.post("/api/v1/auth/token", json={"email": user["email"], "password": user["password"]})
    ).status_code == 429
    await _request_reset(app, client, user["email"])
    await post_form(
        client,
        await _reset_path(user["email"]),
        {"new_password": "brand-new-password", "confirm_password": "brand-new-password"},
    )
    response = await client.post("/api/v1/auth/token", json={"email": user["email"], "password": "brand-new-password"})
    assert response.status_code == 200


async def test_one_address_gets_at_most_five_mails_an_hour_and_the_answer_does_not_change(app, client):
    async with db.transaction() as cur:
        await factories.make_user(cur, "bombed@example.com")
    statuses = [(await _request_reset(app, client, "bombed@example.com")).status_code for _ in range(7)]
    assert statuses == [200] * 7
    assert len(await mail.outbox("bombed@example.com")) == 5


async def test_invalid_email_is_a_field_error_and_unknown_token_is_gone(client):
    response = await post_form(client, "/password/forgot", {"email": "not an email"})
    assert response.status_code == 422
    assert (await client.get("/password/reset/" + "A" * 43)).status_code == 410
    assert (await client.get("/password/reset/" + "A" * 500)).status_code == 410


async def test_production_never_builds_links_from_the_host_header(app, client):

    async with db.transaction() as cur:
        await factories.make_user(cur, "prod@example.com")
    settings = app.config["TRAVELGO"]
    app.config["TRAVELGO"] = settings.model_copy(update=dict(env="production"))
    try:
        await post_form(client, "/password/forgot", {"email": "prod@example.com"}, headers={"Host": "evil.example"})
        await _background(app)
        assert await mail.outbox("prod@example.com") == []
        app.config["TRAVELGO"] = settings.model_copy(
            update=dict(env="production", public_url="https://travelgo.example")
        )
        await post_form(client, "/password/forgot", {"email": "prod@example.com"}, headers={"Host": "evil.example"})
        await _background(app)
    finally:
        app.config["TRAVELGO"] = settings
    [message] = await mail.outbox("prod@example.com")
    assert "https://travelgo.example/password/reset/" in message["body"] and "evil" not in message["body"]


async def test_a_bogus_reset_token_costs_no_hash_and_one_address_is_limited(app, client, monkeypatch):
    """Issue 14 item 3: the token is checked before the slow hash, and reset submissions are limited per address."""
    from travelgo.accounts import service

    hashed = []
    real = service.hash_password

    async def counting(password):
        hashed.append(1)
        return await real(password)

    monkeypatch.setattr(service, "hash_password", counting)
    monkeypatch.setitem(
        app.config,
        "TRAVELGO",
        app.config["TRAVELGO"].model_copy(update={"rate_limit_rules": "password_reset_submit_ip=3/900"}),
    )
    form = {"new_password": "a-new-long-password", "confirm_password": "a-new-long-password"}
    statuses = [(await post_form(client, "/password/reset/" + "x" * 43, form)).status_code for _ in range(4)]
    assert statuses == [422, 422, 422, 429] and hashed == []


async def test_wrong_current_passwords_on_a_password_change_are_limited_per_account(app, client, monkeypatch):
    monkeypatch.setitem(
        app.config,
        "TRAVELGO",
        app.config["TRAVELGO"].model_copy(update={"rate_limit_rules": "password_change_account=3/900"}),
    )
    async with db.transaction() as cur:
        user = await factories.make_user(cur, "changer@example.com")
    await login(client, user["email"])
    wrong = {
        "current_password": "not-my-password",
        "new_password": "brand-new-pass-1",
        "new_password_confirm": "brand-new-pass-1",
    }
    statuses = [(await post_form(client, "/profile/password", wrong)).status_code for _ in range(3)]
    right = {**wrong, "current_password": factories.PASSWORD}
    blocked = await post_form(client, "/profile/password", right)
    assert statuses == [422, 422, 422] and blocked.status_code == 429  # the right one too, until the window ends
