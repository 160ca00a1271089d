"""Steps and assertions shared by the browser tests: logging in, axe-core, sideways scrolling."""

from __future__ import annotations

from . import harness


async def axe_violations(page, impacts=("serious", "critical")) -> list[dict]:
    """Run axe-core (vendored, injected only here) on the current page; the violations of the given impacts."""
    # Evaluated through the DevTools protocol: the page's CSP (no inline script) rightly blocks a script tag.
    await page.evaluate(harness.AXE_JS.read_text())
    result = await page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ['violations']});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' :: ' + n.failureSummary)}));
        }"""
    )
    return [v for v in result if v["impact"] in impacts]


def format_violations(violations: list[dict]) -> str:
    return "\n".join(f"[{v['impact']}] {v['id']}: {v['help']}\n    " + "\n    ".join(v["nodes"]) for v in violations)


async def assert_accessible(page) -> None:
    violations = await axe_violations(page)
    assert not violations, f"axe on {page.url}:\n{format_violations(violations)}"


async def assert_no_sideways_scroll(page) -> None:
    width = await page.evaluate("document.documentElement.scrollWidth")
    viewport = page.viewport_size["width"]
    if width > viewport:
        culprits = await page.evaluate(
            """(vw) => [...document.querySelectorAll('body *')]
                .filter(e => e.getBoundingClientRect().right > vw + 0.5)
                .slice(0, 8).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
                    + (e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\\s+/).join('.') : '')
                    + ' right=' + Math.round(e.getBoundingClientRect().right))""",
            viewport,
        )
        raise AssertionError(f"{page.url} scrolls sideways at {viewport}px: scrollWidth={width}; {culprits}")


async def log_in(page, email: str, password: str = harness.TRAVELLER_PASSWORD) -> None:
    """Log in through the login form, as a user would, and wait until the app shows the user's name."""
    await page.goto("/login")
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill(password)
    await page.get_by_role("button", name="Log in").click()
    await page.get_by_role("navigation", name="Main").get_by_role("button", name="Log out").wait_for()
