"""Registration, login/logout, profile and CSRF through the HTML pages."""

import re
from urllib.parse import quote

from travelgo import db, mail
from travelgo.accounts.service import LOGIN_REFUSED

from .. import factories
from ..conftest import confirm_registration, confirmation_path, csrf_for, deliver_notifications, login, post_form


async def _user_row(email):
    async with db.reading() as cur:
        await cur.execute(
            "SELECT id, email, full_name, phone, role, email_confirmed_at FROM users WHERE email = %s", (email,)
        )
        return await cur.fetchone()


async def _register(client, email: str, password: str = "long-enough-pw", **extra):
    return await post_form(client, "/register", {"email": email, "password": password, "full_name": "Reg", **extra})


async def test_registration_is_confirmed_by_mail_and_then_signs_in(client):
    response = await post_form(
        client,
        "/register",
        {"email": "New.Person@Example.com", "password": "long-enough-pw", "full_name": "  New   Person ", "phone": ""},
    )
    assert response.status_code == 200 and "We have sent a message" in await response.get_data(as_text=True)
    row = await _user_row("new.person@example.com")
    assert row["full_name"] == "New Person" and row["role"] == "traveller" and row["phone"] is None
    assert (await client.get("/profile")).status_code == 302  # not signed in yet: to the login page
    refused = await post_form(client, "/login", {"email": "new.person@example.com", "password": "long-enough-pw"})
    assert refused.status_code == 422 and LOGIN_REFUSED in await refused.get_data(as_text=True)
    path = await confirmation_path("new.person@example.com")
    page = await client.get(path)  # opening the link (a mail scanner does too) changes nothing
    assert page.status_code == 200 and "Confirm and log in" in await page.get_data(as_text=True)
    assert (await _user_row("new.person@example.com"))["email_confirmed_at"] is None
    confirmed = await confirm_registration(client, "new.person@example.com")
    assert confirmed.status_code == 303 and confirmed.headers["Location"] == "/"
    profile = await client.get("/profile")
    assert profile.status_code == 200 and "new.person@example.com" in await profile.get_data(as_text=True)
    again = await confirm_registration(client, "new.person@example.com")
    assert again.status_code == 303 and again.headers["Location"] == "/login"  # used: it signs in only once


async def test_registering_a_taken_address_answers_the_same_and_tells_the_owner_by_mail(client):
    async with db.transaction() as cur:
        await factories.make_user(cur, "taken@example.com", full_name="Owner")
    taken = await _register(client, "TAKEN@example.com", password="attackers-password")
    fresh = await _register(client, "fresh@example.com")
    assert taken.status_code == fresh.status_code == 200
    strip = lambda body, email: re.sub(r'value="[^"]+"', "", body).replace(email, "ADDRESS")  # noqa: E731
    assert strip(await taken.get_data(as_text=True), "taken@example.com") == strip(
        await fresh.get_data(as_text=True), "fresh@example.com"
    )
    await deliver_notifications()
    [note] = await mail.outbox("taken@example.com")
    assert note["subject"] == "You already have a TravelGo account" and "/password/forgot" in note["body"]
    assert "/register/confirm/" not in note["body"]
    await login(client, "taken@example.com")  # the owner's password and account are untouched
    assert (await _user_row("taken@example.com"))["full_name"] == "Owner"


async def test_registering_an_unconfirmed_address_again_voids_the_earlier_link(client):
    await _register(client, "twice@example.com", password="first-password")
    first = await confirmation_path("twice@example.com")
    await _register(client, "twice@example.com", password="second-password")
    second = await confirmation_path("twice@example.com")
    assert first != second
    stale = await client.post(first, form={"csrf_token": await csrf_for(client, first)})
    assert stale.status_code == 400 and "does not work" in await stale.get_data(as_text=True)
    assert (await _user_row("twice@example.com"))["email_confirmed_at"] is None
    assert (await confirm_registration(client, "twice@example.com")).status_code == 303
    await client.post("/logout", form={"csrf_token": await csrf_for(client, "/profile")})
    await login(client, "twice@example.com", "second-password")


async def test_a_forged_or_expired_confirmation_link_is_refused(app, client, monkeypatch):
    from travelgo.accounts import service

    await _register(client, "late@example.com")
    path = await confirmation_path("late@example.com")
    forged = path[:-3] + ("AAA" if not path.endswith("AAA") else "BBB")
    answer = await client.post(forged, form={"csrf_token": await csrf_for(client, forged)})
    assert answer.status_code == 400
    monkeypatch.setattr(service, "CONFIRMATION_LIFETIME_SECONDS", -1)
    answer = await client.post(path, form={"csrf_token": await csrf_for(client, path)})
    assert answer.status_code == 400 and (await _user_row("late@example.com"))["email_confirmed_at"] is None


async def test_register_rejects_bad_input_beside_fields_and_writes_nothing(client):
    response = await post_form(
        client,
        "/register",
        {"email": "not-an-email", "password": "short", "full_name": ""},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 422
    body = await response.get_data(as_text=True)
    assert 'id="register-form"' in body and "<html" not in body  # the fragment only
    assert 'id="e-email"' in body and 'id="e-password"' in body and 'id="e-full_name"' in body
    async with db.reading() as cur:
        await cur.execute("SELECT COUNT(*) AS n FROM users")
        assert (await cur.fetchone())["n"] == 0


async def test_login_wrong_password_and_unknown_email_look_the_same(client):
    async with db.transaction() as cur:
        await factories.make_user(cur, "known@example.com")
    bodies = []
    for email, password in (("known@example.com", "wrong-password"), ("nobody@example.com", "wrong-password")):
        token = await csrf_for(client)
        response = await client.post(
            "/login", form={"email": email, "password": password, "csrf_token": token}, headers={"HX-Request": "true"}
        )
        assert response.status_code == 422
        body = await response.get_data(as_text=True)
        assert "Email or password is incorrect." in body
        bodies.append(re.sub(r'name="csrf_token" value="[^"]+"', "", body.replace(email, "EMAIL")))
    assert bodies[0] == bodies[1]  # apart from the CSRF token, masked afresh on every page


async def test_login_logout_cycle(client):
    async with db.transaction() as cur:
        user = await factories.make_user(cur, "cycle@example.com", full_name="Cy Cle")
    assert (await client.get("/profile")).status_code == 302
    await login(client, user["email"])
    home = await client.get("/")
    assert "Cy Cle" in await home.get_data(as_text=True)
    response = await post_form(client, "/logout", {})
    assert response.status_code == 303
    assert (await client.get("/profile")).status_code == 302


async def test_login_redirects_to_next_but_never_off_site(client):
    async with db.transaction() as cur:
        await factories.make_user(cur, "next@example.com")
    token = await csrf_for(client)
    response = await client.post(
        "/login",
        form={
            "email": "next@example.com",
            "password": factories.PASSWORD,
            "csrf_token": token,
            "next": "//evil.example/steal",
        },
    )
    assert response.status_code == 303 and response.headers["Location"] == "/"


NOT_SAME_SITE = ["/\t/evil.example", "/\n/evil.example", "/\r\n/evil.example", "/\\evil.example", "/ /evil.example"]


async def test_next_with_whitespace_control_characters_or_backslashes_goes_home(client):
    """Browsers drop tabs and newlines from a Location, so "/<TAB>/evil.example" would leave the site."""
    async with db.transaction() as cur:
        await factories.make_user(cur, "tab@example.com")
    form = {"email": "tab@example.com", "password": factories.PASSWORD}
    for target in [*NOT_SAME_SITE, "/buses?origin=1&date=2030-01-01"]:
        expected = "/" if target in NOT_SAME_SITE else target
        page = await client.get("/login", query_string={"next": target})
        assert page.status_code == 200
        token = await csrf_for(client)
        plain = await client.post("/login", query_string={"next": target}, form={**form, "csrf_token": token})
        assert plain.status_code == 303 and plain.headers["Location"] == expected, repr(target)
        token = await csrf_for(client)  # logging in gave the session a new CSRF token
        htmx = await client.post(
            "/login", form={**form, "next": target, "csrf_token": token}, headers={"HX-Request": "true"}
        )
        assert htmx.status_code == 200 and htmx.headers["HX-Redirect"] == expected, repr(target)


async def test_registration_follows_only_same_site_next(app):
    for n, target in enumerate([*NOT_SAME_SITE, "/buses?origin=1&date=2030-01-01"]):
        client = app.test_client()
        response = await post_form(
            client,
            f"/register?next={quote(target)}",
            {"email": f"reg{n}@example.com", "password": "long-enough-pw", "full_name": "Reg"},
            headers={"HX-Request": "true"},
        )
        assert response.status_code == 200
        confirmed = await confirm_registration(client, f"reg{n}@example.com")  # the link carries where to go on
        expected = "/" if target in NOT_SAME_SITE else target
        assert confirmed.status_code == 303 and confirmed.headers["Location"] == expected, repr(target)


async def test_session_id_changes_at_each_login(app):
    async with db.transaction() as cur:
        await factories.make_user(cur, "fix@example.com")
    cookies = []
    for _ in range(2):
        client = app.test_client()
        token = await csrf_for(client)
        response = await client.post(
            "/login", form={"email": "fix@example.com", "password": factories.PASSWORD, "csrf_token": token}
        )
        cookies.append(response.headers.get("Set-Cookie"))
    assert cookies[0] and cookies[1] and cookies[0] != cookies[1]


async def test_profile_edit_and_validation(client):
    async with db.transaction() as cur:
        await factories.make_user(cur, "edit@example.com")
    await login(client, "edit@example.com")
    bad = await post_form(client, "/profile", {"full_name": "", "phone": "call me"}, headers={"HX-Request": "true"})
    assert bad.status_code == 422
    assert 'id="e-phone"' in await bad.get_data(as_text=True)
    ok = await post_form(client, "/profile", {"full_name": "Edited Name", "phone": "+33 1 23 45 67 89"})
    assert ok.status_code == 303
    row = await _user_row("edit@example.com")
    assert row["full_name"] == "Edited Name" and row["phone"] == "+33 1 23 45 67 89"


async def test_change_password_requires_current_one(client):
    async with db.transaction() as cur:
        await factories.make_user(cur, "pw@example.com")
    await login(client, "pw@example.com")
    wrong = await post_form(client, "/profile/password", {"current_password": "nope", "new_password": "a-new-password"})
    assert wrong.status_code == 422
    ok = await post_form(
        client, "/profile/password", {"current_password": factories.PASSWORD, "new_password": "a-new-password"}
    )
    assert ok.status_code == 303
    await post_form(client, "/logout", {})
    await login(client, "pw@example.com", "a-new-password")
    assert (await client.get("/profile")).status_code == 200


async def test_csrf_token_is_required_for_cookie_writes(client):
    async with db.transaction() as cur:
        await factories.make_user(cur, "csrf@example.com")
    await login(client, "csrf@example.com")
    missing = await client.post("/profile", form={"full_name": "Hacked"})
    forged = await client.post("/profile", form={"full_name": "Hacked", "csrf_token": "forged"})
    assert missing.status_code == 403 and forged.status_code == 403
    assert (await _user_row("csrf@example.com"))["full_name"] == "Test Traveller"
    token = await csrf_for(client)
    via_header = await client.post("/profile", form={"full_name": "Via Header"}, headers={"X-CSRF-Token": token})
    assert via_header.status_code == 303


async def test_form_errors_are_written_for_people(client):
    """Field messages say what to do, not pydantic's internal wording."""
    response = await post_form(
        client,
        "/register",
        {"email": "a@example.com", "password": "short", "full_name": ""},
        headers={"HX-Request": "true"},
    )
    body = await response.get_data(as_text=True)
    assert "Use at least 10 characters." in body and "This field is required." in body
    assert "String should" not in body
