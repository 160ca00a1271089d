"""Issue 20: a traveller verifies their phone number with a code sent by SMS and opts in to SMS, in the browser with
htmx and with JavaScript off."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.async_api import expect

from .. import factories
from .helpers import htmx_settled, log_in

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("javascript", [True, False], ids=["htmx", "no-js"])
async def test_verify_the_phone_number_and_choose_sms(new_context, arrange, javascript):
    phone = "+91 9" + str(uuid.uuid4().int)[:9]  # one number per run: local_messages outlives a test here
    async with arrange() as cur:
        user = await factories.make_user(cur, full_name="Kavya Iyer")
        await cur.execute("UPDATE users SET phone = %s WHERE id = %s", (phone, user["id"]))
    page = await (await new_context(java_script_enabled=javascript)).new_page()
    await log_in(page, user["email"], user["password"])
    await page.goto("/profile")
    section = page.locator("#notifications")
    await expect(section).to_contain_text("E-mail: always on")
    await expect(section.get_by_label("SMS")).to_be_disabled()

    await section.get_by_role("button", name="Verify this number").click()
    await expect(page.get_by_role("status")).to_contain_text(f"We sent a 6-digit code to {phone}")
    async with arrange() as cur:
        await cur.execute("SELECT body FROM local_messages WHERE to_number = %s ORDER BY id DESC LIMIT 1", (phone,))
        code = re.search(r"\d{6}", (await cur.fetchone())["body"]).group(0)

    wrong = "000000" if code != "000000" else "111111"
    await section.get_by_label("The 6-digit code we sent by SMS").fill(wrong)
    await section.get_by_role("button", name="Verify", exact=True).click()
    await expect(section).to_contain_text("That code is not right. 4 tries left.")
    if javascript:
        await htmx_settled(page)
    await section.get_by_label("The 6-digit code we sent by SMS").fill(code)
    await section.get_by_role("button", name="Verify", exact=True).click()
    await expect(page.get_by_role("status")).to_contain_text("Your phone number is verified.")

    await section.get_by_label("SMS").check()
    await section.get_by_role("button", name="Save choices").click()
    await expect(page.get_by_role("status")).to_contain_text("Your notification choices are saved.")
    await expect(section.get_by_label("SMS")).to_be_checked()
    await expect(section.get_by_label("WhatsApp")).not_to_be_checked()
