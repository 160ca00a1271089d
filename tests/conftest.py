"""One real database per test run, built by the production migration runner; tables emptied before each test."""

from __future__ import annotations

import asyncio
import os
import re

import aiomysql
import pymysql
import pytest

os.environ["TRAVELGO_ENV"] = "test"
os.environ.setdefault("TRAVELGO_RATE_LIMITS", "on")
# The sweeper and TestPay's webhook sender run in every served worker; in-process tests (no HTTP server for TestPay
# to post to) drive their rounds explicitly instead, so the loops are off here (tests that serve turn them on).
os.environ.setdefault("TRAVELGO_PAYMENTS_POLL_SECONDS", "0")
os.environ.setdefault("TRAVELGO_PRICING_REFRESH_SECONDS", "0")
os.environ.setdefault("TRAVELGO_NOTIFY_POLL_SECONDS", "0")
os.environ.setdefault("TRAVELGO_RECOMMEND_REFRESH_SECONDS", "0")  # tests call recommend.service.refresh()

from travelgo import create_app, db, mail, searchcache  # noqa: E402
from travelgo.config import DatabaseURL  # noqa: E402
from travelgo.migrations import migrate  # noqa: E402
from travelgo.seed import clear_all  # noqa: E402

from . import factories  # noqa: E402
from .roundtrips import statements  # noqa: E402, F401 (a fixture: the round trips a test's code makes)

# The cluster suite needs a Galera cluster (`make test-cluster` starts one and sets this); plain runs leave it out.
collect_ignore = [] if os.environ.get("TRAVELGO_CLUSTER_TESTS") == "1" else ["cluster"]

BASE_URL = DatabaseURL.parse(os.environ.get("DATABASE_URL", "mysql://root@127.0.0.1:3306/travelgo"))
TEST_DB = os.environ.get("TEST_DATABASE_NAME", "travelgo_test")
TEST_URL = BASE_URL.with_database(TEST_DB)
APP = None  # the session's app, for tests that call services directly (tests/inapp.py)


def test_database_url() -> str:
    auth = BASE_URL.user + (f":{BASE_URL.password}" if BASE_URL.password else "")
    return f"mysql://{auth}@{BASE_URL.host}:{BASE_URL.port}/{TEST_DB}"


@pytest.fixture(scope="session")
async def database():
    """Drop and rebuild the test database with the migration runner."""
    conn = await aiomysql.connect(autocommit=True, **TEST_URL.connect_kwargs(with_database=False))
    async with conn.cursor() as cur:
        await cur.execute(f"DROP DATABASE IF EXISTS `{TEST_DB}`")
    conn.close()
    await migrate(TEST_URL)
    os.environ["DATABASE_URL"] = test_database_url()
    return TEST_URL


@pytest.fixture(scope="session")
async def app(database):
    application = create_app()
    global APP
    APP = application
    # Generous timeouts: on a loaded 2-core CI machine start-up and shutdown can take seconds.
    async with application.test_app_class(application, startup_timeout=60, shutdown_timeout=60):
        yield application
        watchdog = asyncio.get_running_loop().call_later(15, _dump_tasks)
    watchdog.cancel()


def _dump_tasks() -> None:
    """If shutdown hangs, show what every task is waiting on (a hang is a bug worth a readable report)."""
    import sys

    for task in asyncio.all_tasks():
        print(f"--- still running at shutdown: {task!r}", file=sys.stderr)
        task.print_stack(file=sys.stderr)


@pytest.fixture(autouse=True)
async def clean_tables(request):
    """Empty every table before each test that uses the database."""
    if "app" not in request.fixturenames and "database" not in request.fixturenames:
        yield
        return
    application = request.getfixturevalue("app")
    async with db.transaction() as cur:
        await clear_all(cur)
    # Emptying tables publishes no events: forget the previous test's search answers too.
    application.extensions[searchcache.EXTENSION].clear()
    yield


@pytest.fixture
def many_holds(app, monkeypatch):
    """Lift the open-holds limit (TRAVELGO_MAX_OPEN_HOLDS) for a test about something else that books a lot."""

    monkeypatch.setitem(app.config, "TRAVELGO", app.config["TRAVELGO"].model_copy(update=dict(max_open_holds=1000)))


@pytest.fixture
async def client(app):
    return app.test_client()


CSRF_PATTERN = re.compile(r'name="csrf_token" value="([^"]+)"')


async def csrf_for(client, path: str = "/login") -> str:
    """Fetch a page and return the CSRF token of this client's session."""
    response = await client.get(path)
    match = CSRF_PATTERN.search(await response.get_data(as_text=True))
    assert match, f"no csrf token on {path}"
    return match.group(1)


async def login(client, email: str, password: str = factories.PASSWORD) -> None:
    token = await csrf_for(client)
    response = await client.post("/login", form={"email": email, "password": password, "csrf_token": token})
    assert response.status_code in (200, 303), await response.get_data(as_text=True)


async def signed_in(app, email: str):
    """A fresh test client logged in as `email` (its own cookies)."""
    client = app.test_client()
    await login(client, email)
    return client


async def post_form(client, path: str, form: dict, headers: dict | None = None):
    """POST a form with this client's CSRF token, as a browser would."""
    token = await csrf_for(client)
    return await client.post(path, form={**form, "csrf_token": token}, headers=headers or {})


CONFIRM_LINK = re.compile(r"https?://[^/\s]+(/register/confirm/\S+)")


async def deliver_notifications() -> int:
    """Run the notification sender's rounds (its loop is off in tests) until nothing is due; how many were sent."""
    from .inapp import notifications

    sent = 0
    while n := await notifications.send_due():
        sent += n
    return sent


async def confirmation_path(email: str) -> str:
    """The link path in the newest registration mail to `email` (the local outbox)."""
    await deliver_notifications()
    links = [m.group(1) for message in await mail.outbox(email) if (m := CONFIRM_LINK.search(message["body"]))]
    assert links, f"no confirmation link mailed to {email}"
    return links[0]


async def confirm_registration(client, email: str):
    """Open the confirmation link mailed to `email` and press its button, as its owner would (signs this client in)."""
    path = await confirmation_path(email)
    return await client.post(path, form={"csrf_token": await csrf_for(client, path)})


def confirm_address(email: str) -> None:
    """For tests that only need a confirmed account made through the API (sync: no event loop needed)."""
    conn = pymysql.connect(autocommit=True, **TEST_URL.connect_kwargs(key="database"))
    try:
        with conn.cursor() as cur:
            cur.execute("UPDATE users SET email_confirmed_at = UTC_TIMESTAMP(6) WHERE email = %s", (email,))
    finally:
        conn.close()


async def api_token(client, email: str, password: str = factories.PASSWORD) -> dict[str, str]:
    response = await client.post("/api/v1/auth/token", json={"email": email, "password": password})
    assert response.status_code == 200, await response.get_data(as_text=True)
    return {"Authorization": f"Bearer {(await response.get_json())['access_token']}"}
