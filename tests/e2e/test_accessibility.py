"""axe-core finds no serious or critical problems, and no page scrolls sideways on a 375 px phone."""

from __future__ import annotations

import pytest

from . import harness
from .helpers import assert_accessible, assert_no_sideways_scroll, log_in

pytestmark = pytest.mark.e2e

# (name, path, who is logged in)
PAGES = [
    ("home", "/", None),
    ("register", "/register", None),
    ("login", "/login", None),
    ("profile", "/profile", "asha@travelgo.example"),
]


@pytest.mark.parametrize(("name", "path", "who"), PAGES, ids=[p[0] for p in PAGES])
async def test_page_is_accessible_and_fits_a_phone(new_context, name, path, who):
    """Desktop: axe passes. Phone: axe passes and nothing sticks out sideways."""
    for viewport in (harness.DESKTOP, harness.PHONE):
        context = await new_context(viewport=viewport)
        page = await context.new_page()
        if who:
            await log_in(
                page, who, harness.ADMIN_PASSWORD if who == harness.ADMIN_EMAIL else harness.TRAVELLER_PASSWORD
            )
        await page.goto(path)
        await assert_accessible(page)
        if viewport is harness.PHONE:
            await assert_no_sideways_scroll(page)


async def test_validation_errors_stay_accessible(page):
    """A form with server errors (aria-invalid, messages) still passes axe."""
    await page.goto("/register")
    await page.locator("#register-form").evaluate("f => f.noValidate = true")
    await page.get_by_role("button", name="Create account").click()
    await page.locator("[aria-invalid=true]").first.wait_for()
    await assert_accessible(page)


async def test_axe_check_is_not_vacuous(page):
    """The same check fails on a page with known problems, so a pass above means something."""
    await page.goto("about:blank")  # no CSP here: TravelGo's own pages refuse inline style
    await page.set_content('<html><body><input type="text"><p id="faint">faint</p></body></html>')
    # Styled through the CSSOM: the CSP (rightly) ignores inline style attributes.
    await page.evaluate(
        "() => Object.assign(document.getElementById('faint').style, {color: '#aaa', background: '#fff'})"
    )
    from .helpers import axe_violations

    found = {v["id"] for v in await axe_violations(page)}
    assert {"label", "color-contrast"} <= found, found
