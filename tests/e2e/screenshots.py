"""`make screenshots`: the main screens at desktop (1280x800) and phone (375x812) size into docs/screenshots/.

Same setup as the browser tests: a fresh seeded database (SCREENSHOT_DATABASE_NAME, default travelgo_screenshots),
TravelGo under Hypercorn on a free port, Debian's Chromium through Playwright.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time

from playwright.async_api import async_playwright

from . import harness

OUT_DIR = harness.ROOT / "docs" / "screenshots"
TRAVELLER = "asha@travelgo.example"


async def _log_in(page, email: str, password: str) -> None:
    await page.goto("/login")
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill(password)
    await page.get_by_role("button", name="Log in").click()
    await page.get_by_role("button", name="Log out").wait_for()


async def _register_errors(page) -> None:
    await page.goto("/register")
    await page.locator("#register-form").evaluate("f => f.noValidate = true")
    await page.get_by_label("Full name").fill("Priya Patel")
    await page.get_by_label("Email").fill("asha@travelgo.example")
    await page.get_by_role("button", name="Create account").click()
    await page.locator("[aria-invalid=true]").first.wait_for()
    await page.evaluate("document.activeElement && document.activeElement.blur()")


# name -> (who is logged in, how to get there)
SCREENS = {
    "home": (None, lambda page: page.goto("/")),
    "register-errors": (None, _register_errors),
    "profile": (TRAVELLER, lambda page: page.goto("/profile")),
}


async def capture(only: set[str] | None = None) -> list[str]:
    """Seed, serve, and write one PNG per screen and size; returns the file names."""
    url = harness.base_database_url().with_database(os.environ.get("SCREENSHOT_DATABASE_NAME", "travelgo_screenshots"))
    await harness.build_database(url)
    harness.seed(url, scale=os.environ.get("SEED_SCALE", "small"))
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    written = []
    async with harness.running_server(url) as server, async_playwright() as playwright:
        browser = await harness.launch_browser(playwright)
        for size, viewport in (("desktop", harness.DESKTOP), ("phone", harness.PHONE)):
            sessions = {}
            for name, (who, go) in SCREENS.items():
                if only and name not in only:
                    continue
                if who not in sessions:
                    context = await browser.new_context(
                        base_url=server.base_url,
                        viewport=viewport,
                        locale="en-GB",
                        device_scale_factor=1,
                        is_mobile=size == "phone",
                        has_touch=size == "phone",
                        reduced_motion="reduce",
                    )
                    context.set_default_timeout(10_000)
                    sessions[who] = context
                    if who:
                        password = harness.ADMIN_PASSWORD if who == harness.ADMIN_EMAIL else harness.TRAVELLER_PASSWORD
                        await _log_in(await context.new_page(), who, password)
                page = await sessions[who].new_page()
                await go(page)
                await page.wait_for_load_state("networkidle")
                path = OUT_DIR / f"{name}-{size}.png"
                await page.screenshot(path=str(path), full_page=False, animations="disabled")
                await page.close()
                written.append(path.name)
        await browser.close()
    return written


def main(argv: list[str]) -> int:
    if harness.chromium_path() is None:
        print("Chromium not found: apt-get install -y chromium (or set TRAVELGO_CHROMIUM)", file=sys.stderr)
        return 1
    started = time.perf_counter()
    written = asyncio.run(capture(set(argv) or None))
    print(f"{len(written)} screenshots in {OUT_DIR.relative_to(harness.ROOT)}/ ({time.perf_counter() - started:.0f}s)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
