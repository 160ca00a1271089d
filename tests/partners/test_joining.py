"""Admins create businesses, give them hotels and invite members by mail; people apply and are approved. Each step
is audited with the business it was for."""

from __future__ import annotations

import re

from travelgo import db, mail

from .. import factories
from ..conftest import csrf_for, deliver_notifications, post_form, signed_in

INVITE_LINK = re.compile(r"https?://[^/\s]+(/partner/invitations/\S+)")


async def _partner_id(name: str) -> int:
    async with db.reading() as cur:
        await cur.execute("SELECT id FROM partners WHERE name = %s", (name,))
        return (await cur.fetchone())["id"]


async def test_admin_creates_business_assigns_hotel_and_invitee_joins(app, partners):
    admin = await signed_in(app, partners["admin"]["email"])
    created = await post_form(
        admin, "/admin/partners", {"name": "Coastal Inns", "contact_email": "desk@coastal.example"}
    )
    assert created.status_code in (200, 303), await created.get_data(as_text=True)
    partner_id = await _partner_id("Coastal Inns")
    hotel = partners["b"]["hotel"]  # moved from Bravo to the new business
    assigned = await post_form(admin, f"/admin/partners/{partner_id}/assign", {"hotel_id": hotel["id"]})
    assert assigned.status_code in (200, 303), await assigned.get_data(as_text=True)
    invited = await post_form(
        admin, f"/admin/partners/{partner_id}/invite", {"email": "new.owner@example.com", "role": "owner"}
    )
    assert invited.status_code in (200, 303), await invited.get_data(as_text=True)

    assert await deliver_notifications() >= 1
    bodies = [m["body"] for m in await mail.outbox("new.owner@example.com")]
    paths = [m.group(1) for body in bodies if (m := INVITE_LINK.search(body))]
    assert paths, bodies

    async with db.transaction() as cur:
        await factories.make_user(cur, "new.owner@example.com", full_name="Nina Newowner")
        await factories.make_user(cur, "someone.else@example.com", full_name="Someone Else")
    wrong = await signed_in(app, "someone.else@example.com")
    refused = await wrong.post(paths[0], form={"csrf_token": await csrf_for(wrong, paths[0])})
    assert refused.status_code == 409  # the invitation is for another address
    invitee = await signed_in(app, "new.owner@example.com")
    joined = await invitee.post(paths[0], form={"csrf_token": await csrf_for(invitee, paths[0])})
    assert joined.status_code in (200, 303), await joined.get_data(as_text=True)
    page = await (await invitee.get("/partner/hotels")).get_data(as_text=True)
    assert hotel["name"] in page and partners["a"]["hotel"]["name"] not in page
    assert (await invitee.get(paths[0])).status_code == 404  # used once
    bravo = await signed_in(app, partners["b"]["owner"]["email"])
    assert (await bravo.get(f"/partner/hotels/{hotel['id']}")).status_code == 404  # no longer Bravo's

    async with db.reading() as cur:
        await cur.execute("SELECT action, partner_id FROM audit_log WHERE partner_id = %s ORDER BY id", (partner_id,))
        trail = [(r["action"], r["partner_id"]) for r in await cur.fetchall()]
    assert [a for a, _ in trail] == ["partner.create", "hotel.assign", "partner.invite", "partner.join"]


async def test_application_approved_makes_the_applicant_an_owner(app, partners):
    traveller = await signed_in(app, partners["traveller"]["email"])
    assert (await traveller.get("/partner/")).status_code == 403
    applied = await post_form(
        traveller, "/partner/apply", {"business_name": "Tom's Tiffin", "kind": "restaurant", "message": "Two places"}
    )
    assert applied.status_code in (200, 303), await applied.get_data(as_text=True)
    async with db.reading() as cur:
        await cur.execute("SELECT id FROM partner_applications WHERE business_name = %s", ("Tom's Tiffin",))
        application_id = (await cur.fetchone())["id"]
    assert (
        await post_form(traveller, f"/admin/partner-applications/{application_id}", {"decision": "approve"})
    ).status_code == 403
    admin = await signed_in(app, partners["admin"]["email"])
    listing = await (await admin.get("/admin/partners")).get_data(as_text=True)
    assert "Tom&#39;s Tiffin" in listing
    approved = await post_form(admin, f"/admin/partner-applications/{application_id}", {"decision": "approve"})
    assert approved.status_code in (200, 303), await approved.get_data(as_text=True)
    again = await post_form(admin, f"/admin/partner-applications/{application_id}", {"decision": "reject"})
    assert again.status_code == 409
    dashboard = await traveller.get("/partner/")
    assert dashboard.status_code == 200 and "Tom&#39;s Tiffin" in await dashboard.get_data(as_text=True)
    assert (await traveller.get("/partner/members")).status_code == 200  # the applicant is the owner


async def test_bad_input_is_a_readable_422(app, partners):
    admin = await signed_in(app, partners["admin"]["email"])
    bad = await post_form(admin, "/admin/partners", {"name": "", "contact_email": "not-an-address"})
    assert bad.status_code == 422
    duplicate = await post_form(admin, "/admin/partners", {"name": "Alpha Group", "contact_email": "x@example.com"})
    assert duplicate.status_code == 422 and "already exists" in await duplicate.get_data(as_text=True)
    owner = await signed_in(app, partners["a"]["owner"]["email"])
    bad_invite = await post_form(owner, "/partner/members/invite", {"email": "nope", "role": "boss"})
    assert bad_invite.status_code == 422
