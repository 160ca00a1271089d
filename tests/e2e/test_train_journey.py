"""Trains in a real browser on a 375 px phone: search, board at an intermediate stop, pick a berth, pay, e-ticket;
the same with JavaScript off; no sideways scrolling and no serious accessibility problem on the way."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import expect

from .. import factories
from ..segments.helpers import make_train
from .helpers import assert_accessible, assert_no_sideways_scroll, log_in, pay_at_checkout

pytestmark = pytest.mark.e2e


async def _arrange(arrange, suffix: str):
    async with arrange() as cur:
        cities = [
            await factories.make_city(cur, f"{name} {suffix}") for name in ("Thane", "Kalyan", "Igatpuri", "Nashik")
        ]
        trip = await make_train(cur, cities=cities, coaches=[("S1", "SL"), ("B1", "3A")])
        user = await factories.make_user(cur)
    return trip, user


async def _journey(page, trip, user, *, axe: bool = True) -> None:
    """axe=False with JavaScript off: axe-core's run waits on timers, which never fire in a page without scripts."""
    await log_in(page, user["email"], factories.PASSWORD)
    day = trip["departs_at"].date().isoformat()
    origin, destination = trip["cities"][1], trip["cities"][3]
    await page.goto(f"/trains?origin={origin['id']}&destination={destination['id']}&date={day}")
    await expect(page.get_by_role("heading", level=2)).to_contain_text("1 result")
    await assert_no_sideways_scroll(page)
    if axe:
        await assert_accessible(page)
    await page.get_by_role("link", name=re.compile("Test Express")).click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Test Express")
    await assert_no_sideways_scroll(page)
    if axe:
        await assert_accessible(page)
    await page.locator("#seat-S1-4").check()
    await page.get_by_role("button", name="Continue").click()
    await page.get_by_label("Name").fill("Kavya Iyer")
    await page.get_by_label("Age").fill("29")
    await assert_no_sideways_scroll(page)
    if axe:
        await assert_accessible(page)
    await page.get_by_role("button", name="Hold and pay").click()
    await pay_at_checkout(page)
    await expect(page.get_by_role("heading", level=1)).to_contain_text("E-ticket")
    await expect(page.get_by_role("table").filter(has_text="Kavya Iyer")).to_contain_text("S1-4")
    await assert_no_sideways_scroll(page)


async def test_train_journey_on_a_phone(phone_page, arrange):
    trip, user = await _arrange(arrange, "P")
    await _journey(phone_page, trip, user)


async def test_train_journey_without_javascript(new_context, arrange):
    context = await new_context(java_script_enabled=False)
    page = await context.new_page()
    trip, user = await _arrange(arrange, "N")
    await _journey(page, trip, user, axe=False)
