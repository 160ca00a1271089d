"""axe-core finds no serious or critical problems, and no page scrolls sideways on a 375 px phone."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest

from travelgo.dates import today_in

from .. import factories
from . import harness
from .helpers import assert_accessible, assert_attributes_intact, assert_no_sideways_scroll, log_in

pytestmark = pytest.mark.e2e

ASHA = "asha@travelgo.example"  # a seeded traveller with bookings
ADMIN = harness.ADMIN_EMAIL


@pytest.fixture(scope="module")
async def site(e2e_server):
    """One route, trip and hotel for the pages that need ids, arranged once for this module."""
    day = today_in() + timedelta(days=2)
    async with harness.cursor(e2e_server.database) as cur:
        origin = await factories.make_city(cur, "Alleppey")
        destination = await factories.make_city(cur, "Munnar")
        trips = [
            await factories.make_trip(
                cur,
                origin=origin,
                destination=destination,
                seats=seats,
                berth=berth,
                departs_at=datetime.combine(day, time(hour)),
                price_minor=price,
            )
            for seats, berth, hour, price in ((40, "seater", 7, 75000), (30, "sleeper", 22, 140000))
        ]
        hotel = await factories.make_hotel(cur, city=destination, name="Munnar Tea Hills", stars=4)
        room = await factories.make_room_type(cur, hotel["id"], name="Valley view room", price_minor=650000)
        await factories.make_hotel(cur, city=destination, name="Munnar Homestay", stars=2)
    stay = f"check_in={day + timedelta(days=1)}&check_out={day + timedelta(days=3)}"
    trip = trips[0]["id"]
    return {
        "bus results": (f"/buses?origin=Alleppey&destination=Munnar&date={day}&passengers=2", None),
        "trip page": (f"/buses/{trip}?passengers=2&seats=5", None),
        "sleeper trip page": (f"/buses/{trips[1]['id']}?passengers=1", None),
        "seat picker": (f"/buses/{trip}/book", ASHA),
        "bus booking form": (f"/buses/{trip}/book?seats=1&seats=2&passengers=2", ASHA),
        "hotel results": (f"/hotels?city=Munnar&{stay}", None),
        "hotel page": (f"/hotels/{hotel['id']}?{stay}", None),
        "hotel booking form": (f"/hotels/{hotel['id']}/book?room_type_id={room['id']}&{stay}&rooms=1&guests=2", ASHA),
    }


# name -> (path, who is logged in); "site:<name>" paths come from the fixture above
PAGES = {
    "home": ("/", None),
    "register": ("/register", None),
    "login": ("/login", None),
    "forgot password": ("/password/forgot", None),
    "bus search": ("/buses", None),
    "bus results": ("site", None),
    "trip page": ("site", None),
    "sleeper trip page": ("site", None),
    "seat picker": ("site", ASHA),
    "bus booking form": ("site", ASHA),
    "hotel search": ("/hotels", None),
    "hotel results": ("site", None),
    "hotel page": ("site", None),
    "hotel booking form": ("site", ASHA),
    "my bookings": ("/bookings", ASHA),
    "past bookings": ("/bookings?tab=past", ASHA),
    "booking detail": ("first booking", ASHA),
    "cancel booking": ("first booking/cancel", ASHA),
    "profile": ("/profile", ASHA),
    "admin dashboard": ("/admin/", ADMIN),
    "admin trips": ("/admin/trips", ADMIN),
    "admin schedule trips": ("/admin/trips/new", ADMIN),
    "admin bookings": ("/admin/bookings", ADMIN),
    "admin hotels": ("/admin/hotels", ADMIN),
}
_sessions: dict[str, dict] = {}


async def context_for(new_context, browser_viewport, who):
    """A context logged in as `who` (cookies from one login per user, reused)."""
    if who and who not in _sessions:
        context = await new_context()
        page = await context.new_page()
        await log_in(page, who, harness.ADMIN_PASSWORD if who == ADMIN else harness.TRAVELLER_PASSWORD)
        _sessions[who] = await context.storage_state()
    return await new_context(viewport=browser_viewport, storage_state=_sessions.get(who))


async def resolve(page, path: str, site: dict, name: str) -> str:
    if path == "site":
        return site[name][0]
    if path.startswith("first booking"):
        await page.goto("/bookings")
        href = await page.locator(".booking-card-ref").first.get_attribute("href")
        return href + path.removeprefix("first booking")
    return path


@pytest.mark.parametrize("name", list(PAGES))
async def test_page_is_accessible_and_fits_a_phone(new_context, site, name):
    """Desktop and phone: axe finds no serious/critical problem, attributes are well-formed, and at 375 px
    nothing sticks out sideways."""
    path, who = PAGES[name]
    for viewport in (harness.DESKTOP, harness.PHONE):
        context = await context_for(new_context, viewport, who)
        page = await context.new_page()
        url = await resolve(page, path, site, name)
        response = await page.goto(url)
        assert response.status == 200, f"{name}: {url} answered {response.status}"
        await assert_attributes_intact(page)
        await assert_accessible(page)
        if viewport is harness.PHONE:
            await assert_no_sideways_scroll(page)
        await context.close()


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


ADMIN_PAGES = [
    "/admin/cities",
    "/admin/operators",
    "/admin/vehicles",
    "/admin/vehicles/new",
    "/admin/audit",
    "/admin/hotels/new",
]


async def test_admin_pages_fit_a_phone(new_context):
    """The rest of the admin area at 375 px: axe passes, no sideways scrolling (wide tables scroll in their card)."""
    context = await context_for(new_context, harness.PHONE, ADMIN)
    page = await context.new_page()
    for path in ADMIN_PAGES:
        await page.goto(path)
        await assert_no_sideways_scroll(page)
        await assert_attributes_intact(page)
        await assert_accessible(page)
    for kind in ("cities", "operators", "vehicles", "hotels"):
        await page.goto(f"/admin/{kind}")
        link = page.locator(f"main table a[href^='/admin/{kind}/']").first
        await page.goto(await link.get_attribute("href"))
        await assert_no_sideways_scroll(page)
        await assert_accessible(page)
