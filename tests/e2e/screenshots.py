"""`make screenshots`: the main screens at desktop (1280x800) and phone (375x812) size into docs/screenshots/.

Same setup as the browser tests: a fresh seeded database (SCREENSHOT_DATABASE_NAME, default travelgo_screenshots),
TravelGo under Hypercorn on a free port, Debian's Chromium through Playwright.
"""

from __future__ import annotations

import asyncio
import os
import re
import sys
import time
from datetime import timedelta

from playwright.async_api import async_playwright

from travelgo.dates import today_in

from . import harness

OUT_DIR = harness.ROOT / "docs" / "screenshots"
TRAVELLER = "asha@travelgo.example"


async def _log_in(page, email: str, password: str) -> None:
    await page.goto("/login")
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill(password)
    await page.get_by_role("button", name="Log in").click()
    await page.get_by_role("button", name="Log out").wait_for()


TOMORROW = today_in() + timedelta(days=1)  # the admin form's default: tomorrow on the home zone's clock
ROUTE = f"/buses?origin=Mumbai&destination=Pune&date={TOMORROW}&passengers=2"
STAY = f"check_in={TOMORROW}&check_out={TOMORROW + timedelta(days=2)}&guests=2"
SITTING = f"date={TOMORROW}&party_size=2"


async def _register_errors(page) -> None:
    await page.goto("/register")
    await page.locator("#register-form").evaluate("f => f.noValidate = true")
    await page.get_by_label("Full name").fill("Priya Patel")
    await page.get_by_label("Email").fill("asha@travelgo.example")
    await page.get_by_role("button", name="Create account").click()
    await page.locator("[aria-invalid=true]").first.wait_for()
    await page.evaluate("document.activeElement && document.activeElement.blur()")


async def _trip_with_seats(page) -> None:
    """The first bus on the sample route, with two free seats chosen on the seat map."""
    await page.goto(ROUTE)
    await page.get_by_role("list", name="Buses").get_by_role("link", name=re.compile("^Select seats")).first.click()
    for _ in range(2):
        await page.locator("#seat-map").get_by_role("button", name=re.compile(r", free$")).first.click()
        await page.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-settling, .htmx-added')")
    if page.viewport_size["width"] < 720:  # on a phone the map sits below the trip details
        await page.locator("#seat-map").scroll_into_view_if_needed()
    else:
        await page.evaluate("window.scrollTo(0, 0)")


async def _bus_booking_form(page) -> None:
    await _trip_with_seats(page)
    await page.get_by_role("link", name="Continue to book").click()
    for n, (name, age) in enumerate((("Asha Traveller", "34"), ("Ravi Traveller", "36"))):
        group = page.get_by_role("group").filter(has=page.locator(f"#f-p-{n}-name"))
        await group.get_by_label("Full name").fill(name)
        await group.get_by_label("Age").fill(age)


async def _checkout(page) -> None:
    await _bus_booking_form(page)
    await page.get_by_role("button", name=re.compile("^Confirm and book")).click()
    await page.wait_for_url(re.compile(r"/checkout/TG-"))


async def _booking_confirmed(page) -> None:
    await _checkout(page)
    await page.get_by_role("link", name=re.compile("^Pay ")).click()  # to TestPay's hosted page
    await page.get_by_role("button", name=re.compile("^Pay ")).click()
    await page.get_by_role("link", name=re.compile("^Open your ")).click()
    await page.wait_for_url(re.compile(r"/bookings/TG-"))


async def _hotel_page(page) -> None:
    await page.goto(f"/hotels?city=Mumbai&{STAY}")
    await page.get_by_role("list", name="Hotels").get_by_role("link", name=re.compile("^See rooms")).first.click()
    await page.get_by_role("heading", level=1).wait_for()


# name -> (who is logged in, how to get there)
SCREENS = {
    "home": (None, lambda page: page.goto("/")),
    "bus-results": (None, lambda page: page.goto(ROUTE)),
    "seat-map": (None, _trip_with_seats),
    "bus-booking": (TRAVELLER, _bus_booking_form),
    "checkout": (TRAVELLER, _checkout),
    "booking-confirmed": (TRAVELLER, _booking_confirmed),
    "travel-results": (None, lambda page: page.goto(ROUTE.replace("/buses", "/travel", 1))),
    "hotel-results": (None, lambda page: page.goto(f"/hotels?city=Mumbai&{STAY}")),
    "hotel-page": (None, _hotel_page),
    "restaurant-results": (None, lambda page: page.goto(f"/restaurants?city=Mumbai&{SITTING}&time=20:00")),
    "restaurant-page": (None, lambda page: page.goto(f"/restaurants/1?{SITTING}")),
    "my-bookings": (TRAVELLER, lambda page: page.goto("/bookings")),
    "admin-dashboard": (harness.ADMIN_EMAIL, lambda page: page.goto("/admin/")),
    "admin-payments": (harness.ADMIN_EMAIL, lambda page: page.goto("/admin/payments")),
    "register-errors": (None, _register_errors),
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
