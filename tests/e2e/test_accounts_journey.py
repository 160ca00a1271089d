"""Journeys 1 and 6: register, log out, log in; form validation in the browser and from the server."""

from __future__ import annotations

import asyncio
import re

import pytest
from playwright.async_api import expect

pytestmark = pytest.mark.e2e


async def _mailed_link(arrange, email: str) -> str:
    """The path of the confirmation link in the newest mail to `email` (the server's sender delivers it within about
    a second of the registration; the mail_outbox records it)."""
    for _ in range(50):
        async with arrange() as cur:
            await cur.execute("SELECT body FROM mail_outbox WHERE to_address = %s ORDER BY id DESC LIMIT 1", (email,))
            row = await cur.fetchone()
        if row:
            return re.search(r"https?://[^/\s]+(/register/confirm/\S+)", row["body"]).group(1)
        await asyncio.sleep(0.2)
    raise AssertionError(f"no mail to {email} within 10 s")


async def test_register_logout_login_and_wrong_password(page, unique_email, arrange):
    """Journey 1: a new traveller registers, confirms the address from the mail, logs out, mistypes the password,
    then logs in."""
    await page.goto("/")
    await page.get_by_role("link", name="Register").click()
    await expect(page.get_by_role("heading", name="Create your account")).to_be_visible()
    await page.get_by_label("Full name").fill("Priya Patel")
    await page.get_by_label("Email").fill(unique_email)
    await page.get_by_label("Password").fill("a-long-enough-password")
    await page.get_by_role("button", name="Create account").click()
    await expect(page.locator("#register-form").get_by_role("status")).to_contain_text(
        f"We have sent a message to {unique_email}"
    )

    await page.goto(await _mailed_link(arrange, unique_email))
    await page.get_by_role("button", name="Confirm and log in").click()
    await expect(page).to_have_url(re.compile(r"/$"))
    await expect(page.get_by_role("status")).to_contain_text("Welcome to TravelGo, Priya Patel!")
    nav = page.get_by_role("navigation", name="Main")
    await expect(nav.get_by_role("link", name="Priya Patel")).to_be_visible()

    await nav.get_by_role("button", name="Log out").click()
    await expect(page.get_by_role("status")).to_contain_text("You are logged out.")
    await expect(nav.get_by_role("link", name="Log in")).to_be_visible()
    await expect(nav.get_by_role("link", name="Priya Patel")).to_have_count(0)

    await nav.get_by_role("link", name="Log in").click()
    await page.get_by_label("Email").fill(unique_email)
    await page.get_by_label("Password").fill("not-my-password")
    await page.get_by_role("button", name="Log in").click()
    error = page.get_by_role("alert")
    await expect(error).to_contain_text("Email or password is incorrect.")
    # The error is inside the login form, not a separate page; the email typed is kept.
    await expect(page.locator("#login-form").get_by_role("alert")).to_be_visible()
    await expect(page).to_have_url(re.compile(r"/login$"))
    await expect(page.get_by_label("Email")).to_have_value(unique_email)

    await page.get_by_label("Password").fill("a-long-enough-password")
    await page.get_by_role("button", name="Log in").click()
    await expect(page).to_have_url(re.compile(r"/$"))
    await expect(nav.get_by_role("link", name="Priya Patel")).to_be_visible()

    await nav.get_by_role("link", name="Priya Patel").click()
    await expect(page.get_by_role("heading", name="Your profile")).to_be_visible()
    await expect(page.get_by_text(unique_email)).to_be_visible()


async def test_html5_validation_stops_an_empty_or_invalid_form_before_submit(page):
    """Journey 6a: the browser refuses empty required fields and a malformed email; nothing is posted."""
    posts = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    await page.goto("/register")
    await page.get_by_role("button", name="Create account").click()

    full_name = page.get_by_label("Full name")
    assert await full_name.evaluate("e => e.validity.valueMissing")
    assert await full_name.evaluate("e => e.validationMessage") != ""
    await expect(full_name).to_be_focused()  # the browser shows its message on the first invalid field

    await full_name.fill("Priya Patel")
    email = page.get_by_label("Email")
    await email.fill("not-an-email")
    await page.get_by_label("Password").fill("short")
    await page.get_by_role("button", name="Create account").click()
    assert await email.evaluate("e => e.validity.typeMismatch")
    await expect(email).to_be_focused()
    await email.fill("priya@example.com")
    await page.get_by_role("button", name="Create account").click()
    assert await page.get_by_label("Password").evaluate(
        "e => e.validity.tooShort || e.validity.valueMissing || !e.checkValidity()"
    )
    assert posts == [], f"an invalid form was posted: {posts}"


async def test_server_refusal_comes_back_beside_the_field(page, unique_email):
    """Journey 6b: what HTML5 cannot check (a bad phone number) comes back as a 422 fragment."""
    await page.goto("/register")
    await page.get_by_label("Full name").fill("Priya Patel")
    await page.get_by_label("Email").fill(unique_email)
    await page.get_by_label("Password").fill("a-long-enough-password")
    await page.get_by_label("Phone (optional)").fill("call me maybe")
    async with page.expect_response(lambda r: r.url.endswith("/register") and r.request.method == "POST") as info:
        await page.get_by_role("button", name="Create account").click()
    response = await info.value
    assert response.status == 422
    assert response.headers.get("content-type", "").startswith("text/html")

    phone = page.get_by_label("Phone (optional)")
    await expect(phone).to_have_attribute("aria-invalid", "true")
    await expect(phone).to_have_accessible_description(re.compile("Enter a phone number"))
    await expect(page.locator("#e-phone")).to_be_visible()
    await expect(phone).to_be_focused()  # focus goes to the field that needs fixing
    # The rest of what was typed survives the round trip; the page was not replaced.
    await expect(page.get_by_label("Full name")).to_have_value("Priya Patel")
    await expect(page.get_by_role("heading", name="Create your account")).to_have_count(1)

    # With the browser's checks switched off, empty fields are refused by the server, each beside its field.
    await page.goto("/register")
    await page.locator("#register-form").evaluate("f => f.noValidate = true")
    async with page.expect_response(lambda r: r.url.endswith("/register")) as info:
        await page.get_by_role("button", name="Create account").click()
    assert (await info.value).status == 422
    for label in ("Full name", "Email", "Password"):
        await expect(page.get_by_label(label)).to_have_attribute("aria-invalid", "true")
    await expect(page.get_by_label("Full name")).to_be_focused()

    # A taken email gets the answer any address gets (the owner learns by mail): nothing tells it has an account.
    await page.goto("/register")
    await page.get_by_label("Full name").fill("Asha Again")
    await page.get_by_label("Email").fill("asha@travelgo.example")
    await page.get_by_label("Password").fill("a-long-enough-password")
    await page.get_by_role("button", name="Create account").click()
    await expect(page.locator("#register-form").get_by_role("status")).to_contain_text(
        "We have sent a message to asha@travelgo.example"
    )
