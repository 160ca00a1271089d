"""Every page works under the Content-Security-Policy: no violation reported, htmx and Swagger UI run."""

from __future__ import annotations

import pytest

from . import harness
from .helpers import log_in

pytestmark = pytest.mark.e2e

PAGES = ["/", "/login", "/register", "/password/forgot", "/buses", "/hotels", "/profile", "/bookings", "/docs"]


async def test_no_page_triggers_a_csp_violation(new_context):
    context = await new_context()
    page = await context.new_page()
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    await page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => console.error("
        "'Content Security Policy violation: ' + e.violatedDirective + ' ' + e.blockedURI))"
    )
    await log_in(page, "asha@travelgo.example", harness.TRAVELLER_PASSWORD)
    for path in PAGES:
        await page.goto(path)
        await page.wait_for_load_state("networkidle")
    assert violations == []


async def test_swagger_ui_renders_under_the_csp(page):
    await page.goto("/docs")
    await page.locator(".swagger-ui .opblock").first.wait_for()
    assert await page.locator(".swagger-ui .opblock").count() > 3
