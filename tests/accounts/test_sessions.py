"""Server-side browser sessions: logout, a password change and a reset end them, and a copied cookie with them."""

import time

from travelgo import db
from travelgo.accounts.service import reset_token_hash
from travelgo.auth import SESSION_LIFETIME_SECONDS, cookie_auth
from travelgo.security import digest

from .. import factories
from ..conftest import api_token, csrf_for, login, post_form


def _cookie_header(client) -> dict[str, str]:
    """The cookies a browser would send, to replay from another client (a stolen or copied cookie)."""
    return {"Cookie": "; ".join(f"{c.name}={c.value}" for c in client.cookie_jar)}


async def _signed_in(app, cookies: dict[str, str]) -> bool:
    response = await app.test_client(use_cookies=False).get("/profile", headers=cookies)
    assert response.status_code in (200, 302)
    return response.status_code == 200


async def _user(email: str) -> dict:
    async with db.transaction() as cur:
        return await factories.make_user(cur, email)


async def test_a_copied_cookie_is_signed_out_after_logout(app, client):
    await _user("copy@example.com")
    await login(client, "copy@example.com")
    copied = _cookie_header(client)
    assert await _signed_in(app, copied)
    assert (await post_form(client, "/logout", {})).status_code == 303
    assert not await _signed_in(app, copied)
    async with db.reading() as cur:
        await cur.execute("SELECT COUNT(*) AS n FROM sessions WHERE revoked_at IS NOT NULL")
        assert (await cur.fetchone())["n"] == 1


async def test_a_password_change_ends_other_sessions_and_api_tokens_but_not_the_changer(app, client):
    await _user("change@example.com")
    await login(client, "change@example.com")
    other = app.test_client()
    await login(other, "change@example.com")
    token = await api_token(client, "change@example.com")
    assert (await client.get("/api/v1/me", headers=token)).status_code == 200

    changed = await post_form(
        client, "/profile/password", {"current_password": factories.PASSWORD, "new_password": "a-new-password"}
    )
    assert changed.status_code == 303
    assert (await client.get("/profile")).status_code == 200
    assert (await other.get("/profile")).status_code == 302
    assert (await client.get("/api/v1/me", headers=token)).status_code == 401


async def test_logging_in_again_in_the_same_browser_ends_the_session_it_had(app, client):
    await _user("twice@example.com")
    await login(client, "twice@example.com")
    first = _cookie_header(client)
    await login(client, "twice@example.com")
    assert await _signed_in(app, _cookie_header(client))
    assert not await _signed_in(app, first)


async def test_a_password_change_spends_reset_links_sent_before(app, client):
    user = await _user("spent@example.com")
    async with db.transaction() as cur:
        await cur.execute(
            "INSERT INTO password_resets (user_id, token_hash, expires_at)"
            " VALUES (%s, %s, UTC_TIMESTAMP() + INTERVAL 1 HOUR)",
            (user["id"], reset_token_hash("sent-before")),
        )
    await login(client, "spent@example.com")
    changed = await post_form(
        client, "/profile/password", {"current_password": factories.PASSWORD, "new_password": "a-new-password"}
    )
    assert changed.status_code == 303
    reset = await post_form(
        app.test_client(),
        "/password/reset/sent-before",
        {"new_password": "attackers-password", "confirm_password": "attackers-password"},
    )
    assert reset.status_code in (410, 422)
    await login(app.test_client(), "spent@example.com", "a-new-password")  # the changed password still stands


async def test_a_password_reset_ends_every_session(app, client):
    user = await _user("reset@example.com")
    other = app.test_client()
    for browser in (client, other):
        await login(browser, "reset@example.com")
    async with db.transaction() as cur:
        await cur.execute(
            "INSERT INTO password_resets (user_id, token_hash, expires_at)"
            " VALUES (%s, %s, UTC_TIMESTAMP() + INTERVAL 1 HOUR)",
            (user["id"], reset_token_hash("the-token")),
        )
    reset = await post_form(
        app.test_client(),
        "/password/reset/the-token",
        {"new_password": "brand-new-password", "confirm_password": "brand-new-password"},
    )
    assert reset.status_code == 303
    assert (await client.get("/profile")).status_code == 302
    assert (await other.get("/profile")).status_code == 302


async def test_a_cookie_from_before_server_side_sessions_is_simply_signed_out(app):
    user = await _user("old@example.com")
    old = cookie_auth.dump_token(f"{user['id']}.abcdefghijklmnop", app=app)
    response = await app.test_client(use_cookies=False).get("/profile", headers={"Cookie": f"travelgo_session={old}"})
    assert response.status_code == 302
    home = await app.test_client(use_cookies=False).get("/", headers={"Cookie": f"travelgo_session={old}"})
    assert home.status_code == 200


async def test_logging_in_and_out_rotates_the_csrf_token(client):
    await _user("rotate@example.com")
    before = await csrf_for(client)
    await login(client, "rotate@example.com")
    signed_in = await csrf_for(client, "/profile")
    assert signed_in != before
    stale = await client.post("/profile", form={"full_name": "Old Token", "csrf_token": before})
    assert stale.status_code == 403
    assert (await post_form(client, "/logout", {})).status_code == 303
    assert await csrf_for(client) != signed_in


async def test_sessions_older_than_the_cookie_lifetime_are_pruned():
    from travelgo.accounts.service import open_session, prune_sessions

    user = await _user("prune@example.com")
    old, fresh = await open_session(user["id"]), await open_session(user["id"])
    async with db.transaction() as cur:
        await cur.execute(
            "UPDATE sessions SET created_at = CURRENT_TIMESTAMP(6) - INTERVAL %s SECOND WHERE id = %s",
            (SESSION_LIFETIME_SECONDS + 60, digest(old)),
        )
    await prune_sessions()
    async with db.reading() as cur:
        await cur.execute("SELECT id FROM sessions WHERE user_id = %s", (user["id"],))
        assert [r["id"] for r in await cur.fetchall()] == [digest(fresh)]


async def test_a_database_read_yields_no_live_session_or_token(app, client):
    """Issue 14 item 5: only digests are stored; a cookie or bearer token made from a stored value signs nobody in."""
    from travelgo.accounts.service import issue_token, open_session
    from travelgo.auth import bearer_auth

    user = await _user("stored@example.com")
    session_id, (token_key, _) = await open_session(user["id"]), await issue_token(user["id"])
    async with db.reading() as cur:
        await cur.execute("SELECT id FROM sessions")
        (stored_session,) = [r["id"] for r in await cur.fetchall()]
        await cur.execute("SELECT token_key FROM api_tokens")
        (stored_key,) = [r["token_key"] for r in await cur.fetchall()]
    assert stored_session == digest(session_id) and stored_key == digest(token_key)
    me = "/api/v1/me"
    assert (
        await client.get(me, headers={"Authorization": f"Bearer {bearer_auth.dump_token(token_key, app)}"})
    ).status_code == 200
    forged = bearer_auth.dump_token(stored_key, app)
    assert (await client.get(me, headers={"Authorization": f"Bearer {forged}"})).status_code == 401


async def test_an_api_token_works_for_the_lifetime_it_promises(app, client, monkeypatch):
    """The signature must not expire before the token's own expires_in (the session cookie's 14 days)."""
    import itsdangerous.timed

    from travelgo.accounts.service import issue_token
    from travelgo.auth import bearer_auth

    user = await _user("longlived@example.com")
    token_key, lifetime = await issue_token(user["id"])
    twenty_days_ago = time.time() - 20 * 24 * 3600
    assert lifetime > 20 * 24 * 3600
    monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: twenty_days_ago)
    async with app.app_context():
        token = bearer_auth.dump_token(token_key)  # as if issued twenty days ago
    monkeypatch.undo()
    response = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
