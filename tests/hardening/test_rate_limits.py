"""Rate limits: 429 + Retry-After, per account and per client, shared through the database."""

from __future__ import annotations

import pytest

from travelgo import create_app, db, ratelimit

from .. import factories
from ..conftest import csrf_for


@pytest.fixture
def clock(monkeypatch):
    """Move the rate limiter's clock: clock.advance(seconds)."""

    class Clock:
        offset = 0.0

        def advance(self, seconds: float) -> None:
            self.offset += seconds

    c = Clock()
    real = ratelimit.now
    monkeypatch.setattr(ratelimit, "now", lambda: real() + c.offset)
    return c


@pytest.fixture(autouse=True)
def trusted_proxy(app):
    """These tests name their client address in X-Forwarded-For, as a reverse proxy would."""
    settings = app.config["TRAVELGO"]
    app.config["TRAVELGO"] = settings.model_copy(update=dict(trust_proxy=True))
    yield
    app.config["TRAVELGO"] = settings


@pytest.fixture
async def user():
    async with db.transaction() as cur:
        return await factories.make_user(cur, "owner@example.com")


async def _api_login(client, email, password, ip="203.0.113.7"):
    return await client.post(
        "/api/v1/auth/token", json={"email": email, "password": password}, headers={"X-Forwarded-For": ip}
    )


async def _rows(prefix: str) -> int:
    async with db.reading() as cur:
        await cur.execute("SELECT COALESCE(SUM(hits), 0) AS n FROM rate_limits WHERE bucket LIKE %s", (prefix + ":%",))
        return int((await cur.fetchone())["n"])


async def test_ten_failed_logins_then_429_even_with_the_right_password(client, user, clock):
    for _ in range(10):
        response = await _api_login(client, user["email"], "wrong-password")
        assert response.status_code == 401
    blocked = await _api_login(client, user["email"], user["password"])
    assert blocked.status_code == 429
    assert blocked.mimetype == "application/problem+json"
    retry_after = int(blocked.headers["Retry-After"])
    assert 1 <= retry_after <= 900
    body = await blocked.get_json()
    assert body["status"] == 429 and "try again" in body["detail"]


async def test_the_owner_gets_back_in_after_the_window_without_a_reset(client, user, clock):
    for _ in range(12):
        await _api_login(client, user["email"], "wrong-password")
    assert (await _api_login(client, user["email"], user["password"])).status_code == 429
    clock.advance(901)
    assert (await _api_login(client, user["email"], user["password"])).status_code == 200


async def test_a_success_clears_the_failures_so_typos_do_not_add_up(client, user, clock):
    for _ in range(9):
        await _api_login(client, user["email"], "wrong-password")
    assert (await _api_login(client, user["email"], user["password"])).status_code == 200
    for _ in range(9):
        assert (await _api_login(client, user["email"], "wrong-password")).status_code == 401
    assert (await _api_login(client, user["email"], user["password"])).status_code == 200


async def test_one_locked_account_does_not_block_other_accounts(client, user, clock):
    async with db.transaction() as cur:
        other = await factories.make_user(cur, "other@example.com")
    for _ in range(11):
        await _api_login(client, user["email"], "wrong-password")
    assert (await _api_login(client, other["email"], other["password"])).status_code == 200


async def test_unknown_accounts_are_limited_the_same_way(client, clock):
    statuses = [(await _api_login(client, "nobody@example.com", "x")).status_code for _ in range(11)]
    assert statuses == [401] * 10 + [429]


async def test_html_login_is_limited_and_shares_the_account_counter(client, user, clock):
    for _ in range(10):
        await _api_login(client, user["email"], "wrong-password")
    token = await csrf_for(client)
    response = await client.post(
        "/login", form={"email": user["email"].upper(), "password": user["password"], "csrf_token": token}
    )
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    assert "Too many attempts" in await response.get_data(as_text=True)


async def test_failures_from_one_client_across_many_accounts_are_limited(client, clock):
    statuses = [
        (await _api_login(client, f"guess{i}@example.com", "x", ip="198.51.100.9")).status_code for i in range(101)
    ]
    assert statuses[:100] == [401] * 100 and statuses[100] == 429
    # another client is unaffected
    assert (await _api_login(client, "guess0@example.com", "x", ip="198.51.100.10")).status_code == 401


async def test_registration_is_limited_per_client(client, clock):
    statuses = []
    for i in range(21):
        response = await client.post(
            "/api/v1/auth/register",
            json={"email": f"new{i}@example.com", "password": "long-enough-pw", "full_name": "New"},
        )
        statuses.append(response.status_code)
    assert statuses == [202] * 20 + [429]


async def test_counters_are_shared_between_app_instances(app, user, clock):
    """Two app instances (two workers or hosts) see one counter, because it lives in the database."""
    other_app = create_app()  # shares nothing with `app` but the database (the pool module is process-wide)
    client_a, client_b = app.test_client(), other_app.test_client()
    for i in range(10):
        await _api_login(client_a if i % 2 else client_b, user["email"], "wrong-password")
    assert (await _api_login(client_a, user["email"], user["password"])).status_code == 429
    assert (await _api_login(client_b, user["email"], user["password"])).status_code == 429


async def test_rate_limits_off_switch(app, client, user, clock):
    settings = app.config["TRAVELGO"]
    app.config["TRAVELGO"] = settings.model_copy(update=dict(rate_limits=False))
    try:
        statuses = {(await _api_login(client, user["email"], "wrong")).status_code for _ in range(15)}
        assert statuses == {401}
        assert (await _api_login(client, user["email"], user["password"])).status_code == 200
    finally:
        app.config["TRAVELGO"] = settings
    assert await _rows("login_fail_account") == 0


async def test_rules_can_be_overridden_and_bad_rules_fail_at_start():
    rules = ratelimit.parse_rules("login_fail_account=3/60")
    assert rules["login_fail_account"] == ratelimit.Rule(3, 60)
    with pytest.raises(ValueError):
        ratelimit.parse_rules("login_fail_account=lots")
    with pytest.raises(ValueError):
        ratelimit.parse_rules("no_such_rule=1/1")
    with pytest.raises(ValueError, match="TRAVELGO_RATE_LIMIT_RULES"):
        ratelimit.parse_rules("login_fail_account=²/60")  # "²".isdigit() is True; int("²") fails with its own error


async def test_expired_windows_are_pruned(app, client, user, clock):
    await _api_login(client, user["email"], "wrong")
    assert await _rows("login_fail_account") == 1
    clock.advance(901)
    async with app.app_context():
        await ratelimit.prune()
    assert await _rows("login_fail_account") == 0
    assert await _rows("login_ip") == 0


async def test_booking_limit_helper(app, clock):
    async with app.app_context():
        for _ in range(60):
            await ratelimit.limit_booking(42, "192.0.2.1")
        with pytest.raises(ratelimit.RateLimited) as info:
            await ratelimit.limit_booking(42, "192.0.2.1")
        assert info.value.status == 429 and 1 <= info.value.retry_after <= 60
        await ratelimit.limit_booking(43, "192.0.2.1")  # another account from the same address


async def test_one_statement_counts_both_booking_limits_and_a_refused_attempt_counts_against_neither(app, clock):
    settings = app.config["TRAVELGO"]
    app.config["TRAVELGO"] = settings.model_copy(update=dict(rate_limit_rules="booking_ip=2/60"))
    try:
        async with app.app_context():
            await ratelimit.limit_booking(1, "192.0.2.9")
            await ratelimit.limit_booking(2, "192.0.2.9")
            with pytest.raises(ratelimit.RateLimited) as info:
                await ratelimit.limit_booking(3, "192.0.2.9")  # the address is used up, account 3 is not
        assert info.value.extra["limit"] == "booking_ip" and 1 <= info.value.retry_after <= 60
        assert await _rows("booking_ip") == 2 and await _rows("booking_account") == 2  # account 3 was not counted
    finally:
        app.config["TRAVELGO"] = settings


async def test_booking_creation_is_limited_per_account_and_the_refused_one_books_nothing(app, client, clock):
    from ..bookings.helpers import passengers, scalar, trip_and_user
    from ..conftest import api_token

    trip, user = await trip_and_user(seats=10)
    headers = await api_token(client, user["email"])
    settings = app.config["TRAVELGO"]
    app.config["TRAVELGO"] = settings.model_copy(
        update=dict(rate_limit_rules="booking_account=3/60", max_open_holds=10)
    )
    try:
        statuses = []
        for seat in range(1, 5):
            body = {"type": "bus", "trip_id": trip["id"], "seats": [str(seat)], "passengers": passengers(1)}
            response = await client.post("/api/v1/bookings", json=body, headers=headers)
            statuses.append(response.status_code)
        assert statuses == [201, 201, 201, 429]
        assert 1 <= int(response.headers["Retry-After"]) <= 60
        assert response.mimetype == "application/problem+json"
        assert await scalar("SELECT COUNT(*) FROM bookings") == 3
        assert await scalar("SELECT seats_booked FROM trips WHERE id = %(id)s", {"id": trip["id"]}) == 3
        clock.advance(61)
        body = {"type": "bus", "trip_id": trip["id"], "seats": ["9"], "passengers": passengers(1)}
        assert (await client.post("/api/v1/bookings", json=body, headers=headers)).status_code == 201
    finally:
        app.config["TRAVELGO"] = settings


async def test_every_spelling_of_one_address_shares_the_account_counter(client, clock):
    """Issue 14 item 2: the users table matches 'Ásha@…' and 'asha@…' as one account; so does the failure counter."""
    async with db.transaction() as cur:
        await factories.make_user(cur, "asha@example.com")
    spellings = ["ásha", "àsha", "âsha", "äsha", "ãsha", "åsha", "ÁSHA", "Asha", "aSHA", "āsha"]
    statuses = [(await _api_login(client, f"{name}@example.com", "wrong-password")).status_code for name in spellings]
    assert statuses == [401] * 10
    assert (await _api_login(client, "asha@example.com", factories.PASSWORD)).status_code == 429


async def test_parallel_guesses_cannot_all_pass_the_check(app, client, clock, monkeypatch):
    """Counted before the slow check: of 30 simultaneous guesses with a limit of 5, exactly 5 are checked."""
    import asyncio

    monkeypatch.setitem(
        app.config,
        "TRAVELGO",
        app.config["TRAVELGO"].model_copy(update={"rate_limit_rules": "login_fail_account=5/900"}),
    )
    async with db.transaction() as cur:
        user = await factories.make_user(cur, "target@example.com")
    responses = await asyncio.gather(*(_api_login(client, user["email"], f"guess-{i}") for i in range(30)))
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [401] * 5 + [429] * 25
