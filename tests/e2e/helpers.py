"""Steps and assertions shared by the browser tests: logging in, axe-core, sideways scrolling."""

from __future__ import annotations

import re

from playwright.async_api import expect

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


async def search_buses(page, origin: str, destination: str, day, passengers: int = 1) -> None:
    """Fill the bus search form on /buses (going there first if needed) and submit it."""
    if "/buses" not in page.url:
        await page.goto("/buses")
    await page.get_by_label("From").fill(origin)
    await page.get_by_label("To", exact=True).fill(destination)
    await page.get_by_label("Date").fill(day.isoformat())
    await page.get_by_label("Passengers").fill(str(passengers))
    await page.get_by_role("button", name="Search buses").click()
    await page.get_by_role("heading", name=re.compile(rf"\b(bus|buses) from {re.escape(origin)} to ")).wait_for()


async def search_hotels(page, city: str, check_in, check_out, guests: int = 2) -> None:
    """Fill the hotel search form on /hotels and submit it."""
    if "/hotels" not in page.url:
        await page.goto("/hotels")
    await page.get_by_label("City").fill(city)
    await page.get_by_label("Check-in").fill(check_in.isoformat())
    await page.get_by_label("Check-out").fill(check_out.isoformat())
    await page.get_by_label("Guests").fill(str(guests))
    await page.get_by_role("button", name="Search hotels").click()
    await page.get_by_role("heading", name=re.compile(rf"hotels? in {re.escape(city)}")).wait_for()


GLUED_ATTRIBUTES = """() => {
    // Attribute names that are two names run together (a template lost the space between them):
    // "requiredautocomplete", "checkeddisabled", "requiredaria-invalid".
    const known = ['required', 'checked', 'selected', 'disabled', 'autofocus', 'readonly', 'multiple', 'hidden',
        'novalidate', 'value', 'type', 'name', 'id', 'class', 'autocomplete', 'placeholder', 'min', 'max', 'step',
        'maxlength', 'minlength', 'pattern', 'inputmode', 'title', 'role', 'href', 'rel', 'for', 'lang', 'tabindex',
        'action', 'method', 'list', 'spellcheck', 'rows', 'cols', 'open', 'style', 'src', 'alt'];
    const starts = ['aria-', 'hx-', 'data-', 'sse-'];
    const glued = name => {
        for (let i = 1; i < name.length; i++) {
            const head = name.slice(0, i), tail = name.slice(i);
            if (known.includes(head) && (known.includes(tail) || starts.some(p => tail.startsWith(p)))) return true;
        }
        return false;
    };
    const bad = [];
    for (const el of document.querySelectorAll('*')) {
        for (const {name} of el.attributes) {
            if (glued(name)) bad.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + ' [' + name + ']');
        }
    }
    return bad;
}"""


async def assert_attributes_intact(page) -> None:
    bad = await page.evaluate(GLUED_ATTRIBUTES)
    assert not bad, f"{page.url}: attributes run together (missing space in a template): {bad}"


async def htmx_settled(page) -> None:
    """Wait until htmx has no request in flight and has finished settling swapped content.

    htmx wires up the triggers of new content in its settle step (~20 ms after the swap); a person never acts
    that fast, a test does, so interactions right after a swap wait for this first."""
    await page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling, .htmx-added')"
    )


async def pay_at_checkout(page) -> str:
    """From the checkout a booking lands on: Pay, pay on TestPay's hosted page, back to the confirmation, then the
    ticket. Works with or without JavaScript. Returns the reference."""
    await expect(page).to_have_url(re.compile(r"/checkout/TG-[A-Z0-9]{6}$"))
    reference = page.url.rsplit("/", 1)[1]
    await expect(page.locator("#messages")).to_contain_text(f"Held for you: reference {reference}")
    await page.get_by_role("link", name=re.compile(r"^Pay ")).click()
    await expect(page.get_by_text("TestPay - test gateway, no real money")).to_be_visible()
    await page.get_by_role("button", name=re.compile(r"^Pay ")).click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Booking confirmed")
    await expect(page.get_by_role("status").filter(has_text="paid")).to_contain_text(reference)
    await page.get_by_role("link", name=re.compile(r"^Open your ")).click()
    await expect(page).to_have_url(re.compile(rf"/bookings/{reference}$"))
    return reference
