"""Server-side browser sessions: logout, a password change and a reset end them, and a copied cookie with them."""

from travelgo import db
from travelgo.accounts.service import reset_token_hash
from travelgo.auth import cookie_auth

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
