"""Travellers choose SMS/WhatsApp on their profile, only for a phone number they verified with a code sent by SMS."""

from __future__ import annotations

import re

from travelgo import db
from travelgo.notify import messenger

from .. import factories
from ..conftest import api_token, csrf_for, login, post_form

PHONE = "+91 98765 43210"
HTMX = {"HX-Request": "true"}


async def signed_in(client, phone: str | None = PHONE) -> dict:
    async with db.transaction() as cur:
        user = await factories.make_user(cur)
        await cur.execute("UPDATE users SET phone = %s WHERE id = %s", (phone, user["id"]))
    await login(client, user["email"])
    return user


async def channels(user_id: int) -> dict:
    async with db.reading() as cur:
        await cur.execute(
            "SELECT phone, phone_verified_at, notify_sms, notify_whatsapp FROM users WHERE id = %s", (user_id,)
        )
        return await cur.fetchone()


async def verification_row(user_id: int) -> dict | None:
    async with db.reading() as cur:
        await cur.execute("SELECT * FROM phone_verifications WHERE user_id = %s", (user_id,))
        return await cur.fetchone()


async def texted_code(phone: str = PHONE) -> str:
    [message, *_] = await messenger.sent(phone)
    assert message["channel"] == "sms"
    return re.search(r"\b(\d{6})\b", message["body"]).group(1)


async def test_verify_the_number_by_sms_code_then_opt_in(client):
    user = await signed_in(client)
    page = await (await client.get("/profile")).get_data(as_text=True)
    assert "Notifications" in page and "E-mail: always on" in page and "Verify this number" in page
    assert re.search(r'<fieldset class="checks" disabled>', page)  # no SMS/WhatsApp before verification

    sent = await post_form(client, "/profile/phone/verify", {})
    assert sent.status_code == 303 and sent.headers["Location"] == "/profile"
    code = await texted_code()
    row = await verification_row(user["id"])
    assert code not in str(row) and row["attempts"] == 0  # only a keyed hash is stored
    page = await (await client.get("/profile")).get_data(as_text=True)
    assert "The 6-digit code we sent by SMS" in page and "Send a new code" in page

    wrong = "000000" if code != "000000" else "111111"
    refused = await post_form(client, "/profile/phone/confirm", {"code": wrong}, headers=HTMX)
    body = await refused.get_data(as_text=True)
    assert refused.status_code == 422 and "That code is not right. 4 tries left." in body
    assert body.lstrip().startswith('<div id="notifications">')  # the section's fragment for htmx
    assert (await verification_row(user["id"]))["attempts"] == 1
    assert (await channels(user["id"]))["phone_verified_at"] is None

    verified = await post_form(client, "/profile/phone/confirm", {"code": code[:3] + " " + code[3:]})
    assert verified.status_code == 303
    assert (await channels(user["id"]))["phone_verified_at"] is not None
    assert await verification_row(user["id"]) is None  # a code works once
    page = await (await client.get("/profile")).get_data(as_text=True)
    assert "is <strong>verified</strong>" in page and '<fieldset class="checks">' in page

    saved = await post_form(client, "/profile/notifications", {"notify_sms": "on"})
    assert saved.status_code == 303
    assert {k: (await channels(user["id"]))[k] for k in ("notify_sms", "notify_whatsapp")} == {
        "notify_sms": 1,
        "notify_whatsapp": 0,
    }
    page = await (await client.get("/profile")).get_data(as_text=True)
    assert re.search(r'name="notify_sms"[^>]*checked', page) and not re.search(
        r'name="notify_whatsapp"[^>]*checked', page
    )


async def test_opting_in_without_a_verified_number_is_refused(client):
    user = await signed_in(client)
    refused = await post_form(client, "/profile/notifications", {"notify_sms": "on", "notify_whatsapp": "on"})
    assert refused.status_code == 422 and "need a verified phone number" in await refused.get_data(as_text=True)
    assert (await channels(user["id"]))["notify_sms"] == 0


async def test_a_code_is_refused_after_five_wrong_tries_and_when_expired(client):
    user = await signed_in(client)
    await post_form(client, "/profile/phone/verify", {})
    code = await texted_code()
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        await post_form(client, "/profile/phone/confirm", {"code": wrong})
    late = await post_form(client, "/profile/phone/confirm", {"code": code})
    assert late.status_code == 422 and "Too many wrong codes" in await late.get_data(as_text=True)
    assert (await channels(user["id"]))["phone_verified_at"] is None

    await post_form(client, "/profile/phone/verify", {})  # a new code starts afresh
    code = await texted_code()
    async with db.transaction() as cur:
        await cur.execute("UPDATE phone_verifications SET expires_at = UTC_TIMESTAMP(6) - INTERVAL 1 SECOND")
    expired = await post_form(client, "/profile/phone/confirm", {"code": code})
    assert expired.status_code == 422 and "expired" in await expired.get_data(as_text=True)
    malformed = await post_form(client, "/profile/phone/confirm", {"code": "12ab"})
    assert malformed.status_code == 422 and "Enter the 6 digits" in await malformed.get_data(as_text=True)


async def test_sending_codes_is_rate_limited_per_account(client):
    await signed_in(client)
    for _ in range(5):
        assert (await post_form(client, "/profile/phone/verify", {})).status_code == 303
    limited = await post_form(client, "/profile/phone/verify", {})
    assert limited.status_code == 422 and "Too many attempts" in await limited.get_data(as_text=True)
    assert len(await messenger.sent(PHONE)) == 5


async def test_a_number_without_country_code_cannot_be_verified(client):
    await signed_in(client, phone="98765 43210")
    page = await (await client.get("/profile")).get_data(as_text=True)
    assert "with its country code" in page and "Verify this number" not in page
    refused = await post_form(client, "/profile/phone/verify", {})
    assert refused.status_code == 422 and "country code" in await refused.get_data(as_text=True)
    assert await messenger.sent() == []


async def test_changing_the_phone_number_clears_verification_and_opt_ins(client):
    user = await signed_in(client)
    async with db.transaction() as cur:
        await cur.execute(
            "UPDATE users SET phone_verified_at = UTC_TIMESTAMP(6), notify_sms = 1, notify_whatsapp = 1 WHERE id = %s",
            (user["id"],),
        )
    same = await post_form(client, "/profile", {"full_name": "Asha", "phone": "+919876543210"})  # respaced only
    assert same.status_code == 303 and (await channels(user["id"]))["phone_verified_at"] is not None

    changed = await post_form(client, "/profile", {"full_name": "Asha", "phone": "+91 91234 56789"})
    assert changed.status_code == 303
    assert await channels(user["id"]) == {
        "phone": "+91 91234 56789",
        "phone_verified_at": None,
        "notify_sms": 0,
        "notify_whatsapp": 0,
    }


async def test_the_forms_need_the_csrf_token(client):
    await signed_in(client)
    await csrf_for(client, "/profile")
    for path in ("/profile/phone/verify", "/profile/phone/confirm", "/profile/notifications"):
        assert (await client.post(path, form={"code": "123456", "notify_sms": "on"})).status_code in (400, 403)
    assert await messenger.sent() == []


async def test_the_api_reads_and_sets_the_channels(client):
    async with db.transaction() as cur:
        user = await factories.make_user(cur)
        await cur.execute("UPDATE users SET phone = %s WHERE id = %s", (PHONE, user["id"]))
    auth = await api_token(client, user["email"])

    me = await (await client.get("/api/v1/me", headers=auth)).get_json()
    assert (me["notify_sms"], me["notify_whatsapp"], me["phone_verified"]) == (False, False, False)

    refused = await client.patch("/api/v1/me", json={"notify_whatsapp": True}, headers=auth)
    problem = await refused.get_json()
    assert refused.status_code == 422 and "verified phone number" in problem["detail"]
    assert problem["errors"][0]["field"] == "notify_whatsapp"

    async with db.transaction() as cur:
        await cur.execute("UPDATE users SET phone_verified_at = UTC_TIMESTAMP(6) WHERE id = %s", (user["id"],))
    opted = await client.patch("/api/v1/me", json={"notify_whatsapp": True}, headers=auth)
    assert opted.status_code == 200
    body = await opted.get_json()
    assert (body["notify_sms"], body["notify_whatsapp"], body["phone_verified"]) == (False, True, True)

    ignored = await client.patch("/api/v1/me", json={"phone_verified": False, "full_name": "A"}, headers=auth)
    assert (await ignored.get_json())["phone_verified"] is True  # read-only

    moved = await client.patch("/api/v1/me", json={"phone": "+44 20 7946 0958", "notify_sms": True}, headers=auth)
    assert moved.status_code == 422  # a new number is unverified: nothing changes
    assert (await channels(user["id"]))["phone"] == PHONE
    moved = await client.patch("/api/v1/me", json={"phone": "+44 20 7946 0958"}, headers=auth)
    body = await moved.get_json()
    assert (body["notify_whatsapp"], body["phone_verified"]) == (False, False)
