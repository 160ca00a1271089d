"""Security headers on every response, Secure cookies over TLS, and the request body cap."""

from __future__ import annotations

import pytest

from travelgo import db

from .. import factories
from ..conftest import csrf_for

PAGES = [
    "/",
    "/login",
    "/register",
    "/docs",
    "/openapi.json",
    "/static/css/app.css",
    "/no-such-page",
    "/healthz",
    "/api/v1/me",
]


@pytest.mark.parametrize("path", PAGES)
async def test_every_response_carries_the_security_headers(client, path):
    response = await client.get(path)
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self';" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in csp and "unsafe-eval" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "Strict-Transport-Security" not in response.headers  # plain http here


async def test_only_the_docs_page_allows_inline_style_and_nothing_allows_inline_script(client):
    home = (await client.get("/")).headers["Content-Security-Policy"]
    docs = (await client.get("/docs")).headers["Content-Security-Policy"]
    assert "style-src 'self';" in home
    assert "style-src 'self' 'unsafe-inline'" in docs and "script-src 'self';" in docs


async def test_templates_have_no_inline_script_or_event_handlers():
    import re

    from travelgo.config import ROOT

    inline_script = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
    handler = re.compile(r"""\s(on[a-z]+|hx-on[:-][\w:-]*)\s*=""", re.I)
    offenders = []
    for path in (ROOT / "templates").rglob("*.html"):
        text = path.read_text()
        if inline_script.search(text) or handler.search(text) or "javascript:" in text.lower():
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


async def test_hsts_and_secure_cookies_only_behind_trusted_tls(app, client):
    async with db.transaction() as cur:
        user = await factories.make_user(cur)
    settings = app.config["TRAVELGO"]
    token = await csrf_for(client)
    form = {"email": user["email"], "password": user["password"], "csrf_token": token}
    forwarded = {"X-Forwarded-Proto": "https"}

    untrusted = await client.post("/login", form=form, headers=forwarded)
    assert "Strict-Transport-Security" not in untrusted.headers  # the header alone proves nothing

    app.config["TRAVELGO"] = settings.model_copy(update=dict(trust_proxy=True))
    try:
        response = await client.post("/login", form={**form, "csrf_token": await csrf_for(client)}, headers=forwarded)
    finally:
        app.config["TRAVELGO"] = settings
    assert response.status_code == 303
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    cookies = response.headers.getlist("Set-Cookie")
    session = [c for c in cookies if c.startswith("travelgo_session=")]
    assert session, cookies
    for cookie in cookies:
        attrs = [a.strip().lower() for a in cookie.split(";")]
        assert "secure" in attrs and "httponly" in attrs and "samesite=lax" in attrs, cookie


async def test_session_cookie_is_httponly_and_samesite_over_http(client):
    async with db.transaction() as cur:
        user = await factories.make_user(cur)
    token = await csrf_for(client)
    response = await client.post(
        "/login", form={"email": user["email"], "password": user["password"], "csrf_token": token}
    )
    session = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("travelgo_session="))
    attrs = [a.strip().lower() for a in session.split(";")]
    assert "httponly" in attrs and "samesite=lax" in attrs


BIG = b"x" * (1024 * 1024 + 10)


async def test_large_json_body_gets_413_problem(client):
    response = await client.post(
        "/api/v1/auth/register", data=b'{"email": "' + BIG + b'"}', headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert response.mimetype == "application/problem+json"
    assert (await response.get_json())["status"] == 413


async def test_large_form_body_gets_a_friendly_413_page(client):
    token = await csrf_for(client)
    response = await client.post("/register", form={"email": "a@b.c", "full_name": BIG.decode(), "csrf_token": token})
    assert response.status_code == 413
    body = await response.get_data(as_text=True)
    assert "too large" in body and "<html" in body
    async with db.reading() as cur:
        await cur.execute("SELECT COUNT(*) AS n FROM users")
        assert (await cur.fetchone())["n"] == 0


async def test_a_body_under_the_cap_is_read_normally(client):
    response = await client.post("/api/v1/auth/register", json={"email": "x" * 900_000})
    assert response.status_code == 422


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/api/v1/auth/register", "application/json"),
        ("/login", "application/x-www-form-urlencoded"),
    ],
)
async def test_streamed_body_without_content_length_is_cut_off_at_the_cap(app, path, content_type):
    """A chunked upload (no Content-Length) still stops at about 1 MB: 4 MB offered in 64 KB pieces."""
    client = app.test_client()
    async with client.request(path, method="POST", headers={"Content-Type": content_type}) as connection:
        for _ in range(64):
            await connection.send(b"x" * 65536)
        await connection.send_complete()
    response = await connection.as_response()  # after the handler finished
    assert response.status_code == 413
    assert "Content-Security-Policy" in response.headers
    if path.startswith("/api/"):
        assert response.mimetype == "application/problem+json"


async def test_a_body_that_is_not_utf8_is_a_client_error_not_a_500(client):
    response = await client.post("/api/v1/auth/token", data=b"\xff\xfe{", headers={"Content-Type": "application/json"})
    assert response.status_code == 400 and response.mimetype == "application/problem+json"


async def test_no_content_has_no_content_type(app, client):
    async with db.transaction() as cur:
        user = await factories.make_user(cur)
    from ..conftest import api_token

    headers = await api_token(client, user["email"])
    # Read the raw ASGI headers: the test client's Response object would add a default Content-Type itself.
    async with app.test_client().request("/api/v1/auth/token", method="DELETE", headers=headers) as connection:
        await connection.send_complete()
    assert connection.status_code == 204 and "Content-Type" not in connection.headers


async def test_a_form_of_140000_blank_seats_is_refused_while_it_is_parsed(client):
    """Issue 14 item 1: such a post used to be parsed, validated and re-rendered field by field (seconds of one
    worker); it is now refused with 413 as the body is parsed, before the CSRF check or the route see it."""
    import time

    from ..bookings.helpers import scalar, trip_and_user
    from ..conftest import csrf_for, login

    trip, user = await trip_and_user()
    await login(client, user["email"])
    token = await csrf_for(client, f"/buses/{trip['id']}/book?seats=1")
    body = f"csrf_token={token}&seats=1&" + "seats=&" * 140_000 + "p-0-age=30"
    assert len(body) < 1024 * 1024  # under the body limit: the field cap is what refuses it
    started = time.perf_counter()
    response = await client.post(
        f"/buses/{trip['id']}/book", data=body, headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    elapsed = time.perf_counter() - started
    print(f"140,000-field form answered {response.status_code} in {elapsed * 1000:.0f} ms")
    assert response.status_code == 413 and "200 fields" in await response.get_data(as_text=True)
    assert elapsed < 2.0  # generous: it is a few milliseconds of parsing; the point is no per-field work
    assert await scalar("SELECT COUNT(*) FROM bookings") == 0
    assert (await client.get("/healthz")).status_code == 200


async def test_the_csrf_token_is_masked_afresh_on_every_page_and_each_mask_works(client):
    """Issue 14 item 5 (BREACH): no two renders carry the same token bytes; every one of them is accepted, the
    session's bare secret is not a token, and a tampered one is refused."""
    from ..conftest import csrf_for

    first, second = await csrf_for(client, "/login"), await csrf_for(client, "/register")
    assert first != second
    form = {"email": "nobody@example.com", "password": "wrong-password"}
    for token in (first, second):
        response = await client.post("/login", form={**form, "csrf_token": token})
        assert response.status_code != 403
    async with client.session_transaction() as session:
        bare = session["csrf"]
    assert (await client.post("/login", form={**form, "csrf_token": bare})).status_code == 403
    tampered = first[:-4] + ("AAAA" if not first.endswith("AAAA") else "BBBB")
    assert (await client.post("/login", form={**form, "csrf_token": tampered})).status_code == 403
