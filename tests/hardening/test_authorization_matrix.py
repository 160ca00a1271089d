"""Every route that reads or changes a booking, a profile or a token, called as anonymous, as another
traveller, as the owner and as an admin: only the owner (and the admin on /admin) gets through, and the
refused calls change nothing."""

from __future__ import annotations

import re

import pytest

from travelgo import db

from .. import factories
from ..bookings.helpers import passengers
from ..conftest import CSRF_PATTERN, api_token, csrf_for, login

# Routes this matrix covers; the guard test below fails when a new route of this kind appears unlisted.
COVERED = {
    ("GET", "/api/v1/bookings"),
    ("GET", "/api/v1/bookings/<reference>"),
    ("POST", "/api/v1/bookings/<reference>/cancel"),
    ("POST", "/api/v1/bookings/<reference>/review"),
    ("POST", "/api/v1/bookings"),
    ("GET", "/api/v1/me"),
    ("PATCH", "/api/v1/me"),
    ("DELETE", "/api/v1/auth/token"),
    ("POST", "/api/v1/auth/token"),  # public by design: it is the log-in (rate-limited, see test_rate_limits)
    ("GET", "/profile"),
    ("POST", "/profile"),
    ("POST", "/profile/password"),
    ("POST", "/profile/notifications"),
    ("POST", "/profile/phone/verify"),
    ("POST", "/profile/phone/confirm"),
    ("GET", "/bookings"),
    ("GET", "/bookings/<reference>"),
    ("GET", "/bookings/<reference>/cancel"),
    ("GET", "/bookings/<reference>/ticket.pdf"),
    ("POST", "/bookings/<reference>/cancel"),
    ("POST", "/bookings/<reference>/review"),
    ("GET", "/admin/bookings"),
    ("GET", "/admin/bookings.csv"),
    ("GET", "/admin/bookings/<reference>"),
    ("POST", "/admin/bookings/<reference>/cancel"),
    ("GET", "/api/v1/admin/bookings"),
}
SENSITIVE = re.compile(r"booking|/profile|/me\b|/auth/token$")


def test_every_booking_profile_and_token_route_is_in_the_matrix(app):
    routes = {
        (m, r.rule)
        for r in app.url_map.iter_rules()
        if SENSITIVE.search(r.rule)
        for m in r.methods - {"HEAD", "OPTIONS"}
    }
    missing = routes - COVERED
    assert not missing, f"add these routes to the authorization matrix: {sorted(missing)}"


async def _snapshot() -> dict:
    """Everything a refused call could have changed."""
    state = {}
    async with db.reading() as cur:
        for name, sql in {
            "bookings": "SELECT id, status, cancelled_at, total_minor FROM bookings ORDER BY id",
            "seats": "SELECT booking_id, seat_label, held FROM booking_seats ORDER BY booking_id, seat_label",
            "trips": "SELECT id, seats_booked FROM trips ORDER BY id",
            "users": "SELECT id, email, full_name, phone, role, password_hash, notify_sms, notify_whatsapp, phone_verified_at"
            " FROM users ORDER BY id",
            "tokens": "SELECT token_key, revoked_at FROM api_tokens ORDER BY token_key",
        }.items():
            await cur.execute(sql)
            state[name] = await cur.fetchall()
    return state


@pytest.fixture
async def world(app):
    async with db.transaction() as cur:
        owner = await factories.make_user(cur, "owner@example.com", full_name="Owner Person")
        other = await factories.make_user(cur, "other@example.com", full_name="Other Person")
        admin = await factories.make_user(cur, "admin@example.com", role="admin", full_name="Admin Person")
        trip = await factories.make_trip(cur, seats=8)
    clients = {name: app.test_client() for name in ("anonymous", "other", "owner", "admin")}
    tokens = {"anonymous": {}}
    for name, user in (("other", other), ("owner", owner), ("admin", admin)):
        tokens[name] = await api_token(clients[name], user["email"])
        await login(clients[name], user["email"])
    created = await clients["owner"].post(
        "/api/v1/bookings",
        headers=tokens["owner"],
        json={"type": "bus", "trip_id": trip["id"], "seats": ["2"], "passengers": passengers(1)},
    )
    assert created.status_code == 201
    return {
        "clients": clients,
        "tokens": tokens,
        "reference": (await created.get_json())["reference"],
        "owner": owner,
        "trip": trip,
    }


async def _form(client, path: str, form: dict):
    """POST a form with this client's own CSRF token (a logged-in attacker has a valid one of their own)."""
    page = await client.get("/login")
    match = CSRF_PATTERN.search(await page.get_data(as_text=True))
    token = match.group(1) if match else await csrf_for(client, "/register")
    return await client.post(path, form={**form, "csrf_token": token})


async def test_api_booking_routes(world):
    c, t, ref = world["clients"], world["tokens"], world["reference"]
    before = await _snapshot()
    for who in ("anonymous", "other", "admin"):
        show = await c[who].get(f"/api/v1/bookings/{ref}", headers=t[who])
        cancel = await c[who].post(f"/api/v1/bookings/{ref}/cancel", headers=t[who], json={})
        review = await c[who].post(
            f"/api/v1/bookings/{ref}/review", headers=t[who], json={"rating": 1, "body": "Not my booking at all."}
        )
        listing = await c[who].get("/api/v1/bookings?scope=all", headers=t[who])
        expected = 401 if who == "anonymous" else 404
        assert (show.status_code, cancel.status_code, review.status_code) == (expected, expected, expected), who
        assert show.mimetype == "application/problem+json"
        if who == "anonymous":
            assert listing.status_code == 401
        else:
            assert listing.status_code == 200 and ref not in await listing.get_data(as_text=True)
    # lower-case or padded references do not slip past the owner check either
    assert (await c["other"].get(f"/api/v1/bookings/{ref.lower()}", headers=t["other"])).status_code == 404
    assert await _snapshot() == before

    owner_listing = await c["owner"].get("/api/v1/bookings?scope=all", headers=t["owner"])
    assert ref in await owner_listing.get_data(as_text=True)
    assert (await c["owner"].get(f"/api/v1/bookings/{ref}", headers=t["owner"])).status_code == 200
    assert (await c["owner"].post(f"/api/v1/bookings/{ref}/cancel", headers=t["owner"], json={})).status_code == 200


async def test_html_booking_routes(world):
    c, ref = world["clients"], world["reference"]
    before = await _snapshot()
    anon = c["anonymous"]
    for path in ("/bookings", f"/bookings/{ref}", f"/bookings/{ref}/cancel", f"/bookings/{ref}/ticket.pdf"):
        response = await anon.get(path)
        assert response.status_code in (302, 303) and "/login" in response.headers["Location"], path
    for path in (f"/bookings/{ref}/cancel", f"/bookings/{ref}/review"):
        refused = await _form(anon, path, {"rating": "1", "body": "Not my booking at all."})
        assert refused.status_code in (302, 303) and "/login" in refused.headers["Location"]
    for who in ("other", "admin"):
        assert (await c[who].get(f"/bookings/{ref}")).status_code == 404, who
        assert (await c[who].get(f"/bookings/{ref}/cancel")).status_code == 404, who
        assert (await c[who].get(f"/bookings/{ref}/ticket.pdf")).status_code == 404, who
        assert (await _form(c[who], f"/bookings/{ref}/cancel", {})).status_code == 404, who
        review = {"rating": "1", "body": "Not my booking at all."}
        assert (await _form(c[who], f"/bookings/{ref}/review", review)).status_code == 404, who
        assert (await c[who].post(f"/bookings/{ref}/cancel", form={})).status_code == 403, who  # no CSRF token
        listing = await c[who].get("/bookings?scope=all")
        assert listing.status_code == 200 and ref not in await listing.get_data(as_text=True), who
    assert await _snapshot() == before

    owner = c["owner"]
    assert ref in await (await owner.get("/bookings?scope=all")).get_data(as_text=True)
    assert (await owner.get(f"/bookings/{ref}")).status_code == 200
    pdf = await owner.get(f"/bookings/{ref}/ticket.pdf")
    assert pdf.status_code == 200 and (await pdf.get_data()).startswith(b"%PDF-")
    cancelled = await _form(owner, f"/bookings/{ref}/cancel", {})
    assert cancelled.status_code in (200, 303), cancelled.status_code
    async with db.reading() as cur:
        await cur.execute("SELECT status FROM bookings WHERE reference = %s", (ref,))
        assert (await cur.fetchone())["status"] == "cancelled"


async def test_anonymous_cannot_book(world):
    c = world["clients"]
    before = await _snapshot()
    response = await c["anonymous"].post(
        "/api/v1/bookings",
        json={"type": "bus", "trip_id": world["trip"]["id"], "seats": ["5"], "passengers": passengers(1)},
    )
    assert response.status_code == 401
    assert await _snapshot() == before


async def test_api_profile_and_token_routes(world):
    c, t, owner = world["clients"], world["tokens"], world["owner"]
    before = await _snapshot()
    assert (await c["anonymous"].get("/api/v1/me")).status_code == 401
    assert (await c["anonymous"].patch("/api/v1/me", json={"full_name": "Hacked"})).status_code == 401
    assert (await c["anonymous"].delete("/api/v1/auth/token")).status_code == 401
    # /me is always the caller: extra fields naming another account or a role are not applied
    me = await c["other"].patch(
        "/api/v1/me", headers=t["other"], json={"id": owner["id"], "email": owner["email"], "role": "admin"}
    )
    assert me.status_code in (200, 422)
    after = await _snapshot()
    assert after == before
    assert (await (await c["other"].get("/api/v1/me", headers=t["other"])).get_json())["email"] == "other@example.com"

    # Revoking is per token: the other traveller's revoke leaves the owner's token working
    assert (await c["other"].delete("/api/v1/auth/token", headers=t["other"])).status_code == 204
    assert (await c["other"].get("/api/v1/me", headers=t["other"])).status_code == 401
    owner_me = await c["owner"].get("/api/v1/me", headers=t["owner"])
    assert owner_me.status_code == 200 and (await owner_me.get_json())["full_name"] == "Owner Person"


async def test_html_profile_routes(world):
    c = world["clients"]
    before = await _snapshot()
    anon = c["anonymous"]
    assert (await anon.get("/profile")).status_code in (302, 303)
    for path, form in (
        ("/profile", {"full_name": "Hacked", "phone": ""}),
        ("/profile/password", {"current_password": "x", "new_password": "hacked-password"}),
        ("/profile/notifications", {"notify_sms": "on"}),
        ("/profile/phone/verify", {}),
        ("/profile/phone/confirm", {"code": "123456"}),
    ):
        refused = await _form(anon, path, form)
        assert refused.status_code in (302, 303) and "/login" in refused.headers["Location"]
        no_csrf = await c["other"].post(path, form=form)  # a cross-site form post carries no token
        assert no_csrf.status_code == 403
    assert await _snapshot() == before
    page = await c["other"].get("/profile")
    body = await page.get_data(as_text=True)
    assert "other@example.com" in body and "owner@example.com" not in body and world["reference"] not in body


async def test_admin_booking_routes(world):
    c, t, ref = world["clients"], world["tokens"], world["reference"]
    before = await _snapshot()
    for who in ("anonymous", "other", "owner"):
        for path in ("/admin/bookings", "/admin/bookings.csv", f"/admin/bookings/{ref}"):
            response = await c[who].get(path)
            expected = (302, 303) if who == "anonymous" else (403,)
            assert response.status_code in expected, (who, path, response.status_code)
        cancel = await _form(c[who], f"/admin/bookings/{ref}/cancel", {"reason": "not mine to cancel"})
        assert cancel.status_code in ((302, 303) if who == "anonymous" else (403,)), (who, cancel.status_code)
        api = await c[who].get("/api/v1/admin/bookings", headers=t[who])
        assert api.status_code == (401 if who == "anonymous" else 403)
    assert await _snapshot() == before
    assert (await c["admin"].get(f"/admin/bookings/{ref}")).status_code == 200
    assert (await c["admin"].get("/api/v1/admin/bookings", headers=t["admin"])).status_code == 200
