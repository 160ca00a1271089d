"""Browser fixtures: one seeded database and one Hypercorn-served TravelGo per run, Playwright's async API.

The e2e database is separate from the unit tests' one (E2E_DATABASE_NAME, default `<TEST_DATABASE_NAME>_browser`)
because the unit tests empty their tables before every test while the server here keeps running.
Without Chromium the browser tests are skipped, unless TRAVELGO_REQUIRE_BROWSER=1 (CI), where they fail.
"""

from __future__ import annotations

import os
import uuid

import pytest

from . import harness

REQUIRE_BROWSER = os.environ.get("TRAVELGO_REQUIRE_BROWSER", "") == "1"
E2E_DB = os.environ.get("E2E_DATABASE_NAME") or os.environ.get("TEST_DATABASE_NAME", "travelgo_test") + "_browser"
FAILURE_DIR = harness.ROOT / "var" / "e2e-failures"


def _unavailable(reason: str):
    if REQUIRE_BROWSER:
        pytest.fail(f"TRAVELGO_REQUIRE_BROWSER=1 but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Remember each phase's outcome so the page fixture can save a screenshot of a failing test."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
async def e2e_server():
    """A fresh, seeded database and TravelGo under Hypercorn for the whole browser run."""
    if harness.chromium_path() is None:
        _unavailable("Chromium is not installed (apt-get install -y chromium); browser tests not run")
    url = harness.base_database_url().with_database(E2E_DB)
    await harness.build_database(url)
    harness.seed(url, scale="small")
    async with harness.running_server(url) as server:
        yield server


@pytest.fixture(scope="session")
async def browser(e2e_server):
    try:
        from playwright.async_api import async_playwright
    except ImportError:
        _unavailable("the playwright package is not installed (pip install -r requirements.txt)")
    async with async_playwright() as playwright:
        chromium = await harness.launch_browser(playwright)
        yield chromium
        await chromium.close()


@pytest.fixture
async def new_context(browser, e2e_server, request):
    """Factory for isolated browser contexts (own cookies); closed after the test, screenshots kept on failure."""
    contexts = []

    async def make(viewport=None, **kwargs):
        context = await browser.new_context(
            base_url=e2e_server.base_url, viewport=viewport or harness.DESKTOP, locale="en-GB", **kwargs
        )
        context.set_default_timeout(5_000)
        context.set_default_navigation_timeout(10_000)
        contexts.append(context)
        return context

    yield make
    failed = getattr(request.node, "report_call", None)
    for n, context in enumerate(contexts):
        if failed is not None and failed.failed:
            FAILURE_DIR.mkdir(parents=True, exist_ok=True)
            for m, page in enumerate(context.pages):
                path = FAILURE_DIR / f"{request.node.name}-{n}-{m}.png"
                try:
                    await page.screenshot(path=str(path), full_page=True)
                except Exception:  # the page may already be gone; the assertion message matters more
                    pass
        await context.close()


@pytest.fixture
async def page(new_context):
    """A desktop-sized page in a fresh context."""
    context = await new_context()
    return await context.new_page()


@pytest.fixture
async def phone_page(new_context):
    """A 375 px wide page (touch, phone user agent size)."""
    context = await new_context(viewport=harness.PHONE, is_mobile=True, has_touch=True)
    return await context.new_page()


@pytest.fixture
def arrange(e2e_server):
    """`async with arrange() as cur:` a transaction on the e2e database, for tests/factories.py builders."""
    return lambda: harness.cursor(e2e_server.database)


@pytest.fixture
def unique_email():
    return f"e2e-{uuid.uuid4().hex[:10]}@example.com"
