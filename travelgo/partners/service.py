"""Partner rules: businesses, members, invitations, applications, what a business runs, and its live dashboard.

Every change runs in one transaction that writes its audit entry naming the business (audit.record's partner_id).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import date, timedelta

import pymysql

from .. import db
from ..admin.audit import record
from ..dates import today_in
from ..forms import Invalid, NotFound, Refused
from ..notify.queue import queue_address
from . import queries
from .forms import ApplicationForm, AssignForm, InviteForm, PartnerForm
from .scope import PartnerScope

INVITATION_DAYS = 7


def token_digest(token: str) -> str:
    """Only the SHA-256 of an invitation token is stored: the link is the credential."""
    return hashlib.sha256(token.encode()).hexdigest()


async def _unique_name(work):
    try:
        return await db.run_in_transaction(work)
    except pymysql.err.IntegrityError as exc:
        if db.error_code(exc) == db.DUPLICATE_KEY:
            raise Invalid({"name": "A business with this name already exists."}) from exc
        raise


async def create_partner(actor: int, form: PartnerForm) -> int:
    """An admin adds a business (it runs nothing until operators or hotels are assigned to it)."""

    async def work(cur):
        partner_id = await queries.insert_partner(cur, form.name, form.contact_email)
        await record(
            cur, actor, "partner.create", "partner", partner_id, None, form.model_dump(), partner_id=partner_id
        )
        return partner_id

    return await _unique_name(work)


async def list_partners() -> list[dict]:
    async with db.reading() as cur:
        return await queries.select_partners(cur)


async def get_partner(partner_id: int) -> dict:
    """A business with its members, invitations and what it runs."""
    async with db.reading() as cur:
        partner = await queries.select_partner(cur, partner_id)
        if partner is None:
            raise NotFound("business")
        partner["members"] = await queries.select_members(cur, partner_id)
        partner["invitations"] = await queries.select_invitations(cur, partner_id)
        partner["operators"] = await queries.select_owned(cur, "operator", partner_id)
        partner["hotels"] = await queries.select_owned(cur, "hotel", partner_id)
    return partner


async def ownable() -> dict[str, list[dict]]:
    """Every operator and hotel with the business running it (the admin's assign form)."""
    async with db.reading() as cur:
        return {entity: await queries.select_ownable(cur, entity) for entity in queries.OWNABLE}


async def assign(actor: int, partner_id: int, form: AssignForm) -> dict:
    """Give an operator or hotel to a business (or back to the platform). One business at a time runs it."""

    async def work(cur):
        if await queries.select_partner(cur, partner_id) is None:
            raise NotFound("business")
        row = await queries.lock_ownable(cur, form.entity, form.item_id)
        if row is None:
            raise Invalid({f"{form.entity}_id": f"Choose a {form.entity} from the list."})
        new_owner = partner_id if form.assign else None
        if not form.assign and row["partner_id"] != partner_id:
            raise Refused(f"{row['name']} is not run by this business.")
        await queries.update_owner(cur, form.entity, form.item_id, new_owner)
        await record(
            cur, actor, f"{form.entity}.assign", form.entity, form.item_id,
            {"partner_id": row["partner_id"]}, {"partner_id": new_owner}, partner_id=partner_id,
        )  # fmt: skip
        return row

    return await db.run_in_transaction(work)


async def invite(actor: int, partner_id: int, form: InviteForm, base_url: str | None, inviter: str) -> None:
    """Mail an invitation link (through the notifications outbox, in this transaction). Admins invite to any
    business; an owner invites to their own (the route passes the scope's business)."""
    if base_url is None:
        raise Refused("Invitations need TRAVELGO_PUBLIC_URL to build their link.")
    token = secrets.token_urlsafe(32)

    async def work(cur):
        partner = await queries.select_partner(cur, partner_id)
        if partner is None:
            raise NotFound("business")
        invitation_id = await queries.insert_invitation(
            cur, partner_id=partner_id, email=form.email, role=form.role, digest=token_digest(token),
            invited_by=actor, days=INVITATION_DAYS,
        )  # fmt: skip
        await queue_address(
            cur,
            "partner_invitation",
            form.email,
            {
                "link": f"{base_url}/partner/invitations/{token}",
                "partner_name": partner["name"],
                "role": form.role,
                "invited_by": inviter,
                "base": base_url,
            },
        )
        await record(
            cur, actor, "partner.invite", "partner_invitation", invitation_id, None,
            {"email": form.email, "role": form.role}, partner_id=partner_id,
        )  # fmt: skip

    await db.run_in_transaction(work)


async def invitation(token: str) -> dict | None:
    """A live invitation by its token, or None (unknown, used or expired)."""
    async with db.transaction() as cur:
        return await queries.lock_invitation(cur, token_digest(token))


async def accept_invitation(user, token: str) -> dict:
    """The signed-in user joins the business. The invitation is for one e-mail address and works once."""

    async def work(cur):
        found = await queries.lock_invitation(cur, token_digest(token))
        if found is None:
            raise NotFound("invitation")
        if found["email"].lower() != user.email.lower():
            raise Refused(f"This invitation is for {found['email']}; sign in with that address to accept it.")
        current = await queries.lock_membership(cur, user.id)
        if current is not None:
            raise Refused("You already belong to a business on TravelGo; one account runs one business.")
        await queries.insert_member(cur, user.id, found["partner_id"], found["role"])
        await queries.update_invitation_accepted(cur, found["id"], user.id)
        await record(
            cur, user.id, "partner.join", "partner_member", user.id, None, {"role": found["role"]},
            partner_id=found["partner_id"],
        )  # fmt: skip
        return found

    return await db.run_in_transaction(work)


async def remove_member(actor: int, scope_partner_id: int, user_id: int) -> None:
    """Take a member off a business; the last owner stays (someone must be able to manage members)."""

    async def work(cur):
        current = await queries.lock_membership(cur, user_id)
        if current is None or current["partner_id"] != scope_partner_id:
            raise NotFound("member")
        if current["role"] == "owner" and await queries.count_owners(cur, scope_partner_id) <= 1:
            raise Refused("The last owner cannot be removed; make someone else an owner first.")
        await queries.delete_member(cur, scope_partner_id, user_id)
        await record(
            cur, actor, "partner.remove_member", "partner_member", user_id, {"role": current["role"]}, None,
            partner_id=scope_partner_id,
        )  # fmt: skip

    await db.run_in_transaction(work)


async def members(scope: PartnerScope) -> dict:
    async with db.reading() as cur:
        return {
            "members": await queries.select_members(cur, scope.partner_id),
            "invitations": await queries.select_invitations(cur, scope.partner_id),
        }


async def apply(user_id: int, form: ApplicationForm) -> int:
    """A signed-in user asks to list their business; an admin decides."""

    async def work(cur):
        application_id = await queries.insert_application(
            cur, user_id=user_id, business_name=form.business_name, kind=form.kind, message=form.message
        )
        await record(cur, user_id, "partner.apply", "partner_application", application_id, None, form.model_dump())
        return application_id

    return await db.run_in_transaction(work)


async def applications(user_id: int | None = None) -> list[dict]:
    async with db.reading() as cur:
        return await queries.select_applications(cur, user_id=user_id)


async def decide(actor: int, application_id: int, approve: bool) -> dict:
    """Approve (a business is created with the applicant as its owner) or reject a pending application."""

    async def work(cur):
        app = await queries.lock_application(cur, application_id)
        if app is None:
            raise NotFound("application")
        if app["status"] != "pending":
            raise Refused(f"This application is already {app['status']}.")
        partner_id = None
        if approve:
            if await queries.lock_membership(cur, app["user_id"]) is not None:
                raise Refused(f"{app['email']} already belongs to a business.")
            partner_id = await queries.insert_partner(cur, app["business_name"], app["email"])
            await queries.insert_member(cur, app["user_id"], partner_id, "owner")
        status = "approved" if approve else "rejected"
        await queries.update_application(cur, application_id, status=status, partner_id=partner_id, by=actor)
        await record(
            cur, actor, f"partner_application.{'approve' if approve else 'reject'}", "partner_application",
            application_id, {"status": "pending"}, {"status": status}, partner_id=partner_id,
        )  # fmt: skip
        return {**app, "status": status, "partner_id": partner_id}

    try:
        return await db.run_in_transaction(work)
    except pymysql.err.IntegrityError as exc:
        if db.error_code(exc) == db.DUPLICATE_KEY:
            raise Refused(
                "A business with this name already exists; add the applicant to it with an invitation."
            ) from exc
        raise


async def today(scope: PartnerScope, day: date | None = None) -> dict:
    """Today's departures and check-ins, arrivals and check-outs, the latest bookings and cancellations."""
    day = day or today_in()
    async with db.reading() as cur:
        return {
            "day": day,
            **await queries.select_day_movements(cur, scope, day),
            **await queries.select_recent(cur, scope),
        }


async def live_topics(scope: PartnerScope) -> list[str]:
    """The outbox topics a live dashboard listens to: the business's hotels and restaurants, and its trips from
    yesterday to 60 days ahead (every booking, hold, cancellation and table request answer of the business
    publishes on one of them)."""
    day = today_in()
    async with db.reading() as cur:
        return await queries.select_live_topics(cur, scope, day - timedelta(days=1), day + timedelta(days=60))


async def peak_hours(scope: PartnerScope, date_from: date, date_to: date) -> list[dict]:
    """Bookings made per hour of the day over a range (all 24 hours, zeros included)."""
    async with db.reading() as cur:
        rows = {r["hour"]: int(r["bookings"]) for r in await queries.select_peak_hours(cur, scope, date_from, date_to)}
    return [{"hour": h, "bookings": rows.get(h, 0)} for h in range(24)]
