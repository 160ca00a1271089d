"""Nothing lives in one process: sessions, tokens and data written through one server work on the other."""

import httpx

from tests import factories
from travelgo import db


async def test_every_worker_of_both_servers_answers_from_the_one_database(servers, app):
    a, b = servers
    assert len(a.worker_pids()) == 4 and len(b.worker_pids()) == 2
    async with db.transaction() as cur:
        await factories.make_city(cur, "Scaleton")
    async with httpx.AsyncClient(timeout=10) as http:
        for server in (a, b):
            ready = await http.get(server.base_url + "/readyz")
            assert ready.json() == {"status": "ready", "database": "ok"}
            home = await http.get(server.base_url + "/")
            assert home.status_code == 200 and "Scaleton" in home.text


async def test_a_token_issued_by_one_server_works_on_the_other_and_revocation_is_seen_by_both(servers, app):
    a, b = servers
    async with db.transaction() as cur:
        user = await factories.make_user(cur)
    async with httpx.AsyncClient(timeout=10) as http:
        issued = await http.post(
            a.base_url + "/api/v1/auth/token", json={"email": user["email"], "password": user["password"]}
        )
        assert issued.status_code == 200
        headers = {"Authorization": f"Bearer {issued.json()['access_token']}"}
        # Several requests so that more than one worker of each server is likely to answer.
        for _ in range(6):
            for server in (a, b):
                me = await http.get(server.base_url + "/api/v1/me", headers=headers)
                assert me.status_code == 200 and me.json()["email"] == user["email"]
        assert (await http.delete(b.base_url + "/api/v1/auth/token", headers=headers)).status_code == 204
        for _ in range(6):
            for server in (a, b):
                assert (await http.get(server.base_url + "/api/v1/me", headers=headers)).status_code == 401


async def test_a_browser_session_started_on_one_server_is_valid_on_the_other(servers, app):
    a, b = servers
    async with db.transaction() as cur:
        user = await factories.make_user(cur, full_name="Roaming Traveller")
    async with httpx.AsyncClient(timeout=10, follow_redirects=False) as browser:
        page = await browser.get(a.base_url + "/login")
        token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        login = await browser.post(
            a.base_url + "/login", data={"email": user["email"], "password": user["password"], "csrf_token": token}
        )
        assert login.status_code in (200, 303)
        # The cookies are host-only for 127.0.0.1, so the same jar is sent to the other port too.
        profile = await browser.get(b.base_url + "/profile")
        assert profile.status_code == 200 and "Roaming Traveller" in profile.text
