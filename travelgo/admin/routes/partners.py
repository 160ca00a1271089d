"""Partner businesses for admins: create one, give it operators and hotels, invite its members, and decide on
applications from the "List your business" page. The rules live in travelgo.partners.service."""

from __future__ import annotations

from quart import Blueprint, g, request

from ...auth import admin_required
from ...forms import FormState, found, saved
from ...partners import service
from ...partners.forms import AssignForm, InviteForm, PartnerForm
from ...web import public_base_url, render
from ..views import actor

bp = Blueprint("partners", __name__)


async def _list_page(state: FormState, block: str | None = None):
    return await render(
        "admin/partners.html", block=block, status=state.status, partners=await service.list_partners(),
        applications=await service.applications(), **state.context(),
    )  # fmt: skip


@bp.get("/partners")
@admin_required
async def partner_list():
    """Businesses, the new-business form and the applications waiting for a decision."""
    return await _list_page(FormState())


@bp.post("/partners")
@admin_required
async def partner_create():
    """Add a business."""
    state = await FormState.posted(PartnerForm)
    if state.form is not None:
        with state.saving():
            partner_id = await service.create_partner(actor(), state.form)
            return await saved(f"{state.form.name} is added. Give it what it runs and invite its people.",
                               f"/admin/partners/{partner_id}")  # fmt: skip
    return await _list_page(state, "partner_form")


async def _partner_page(partner_id: int, invite: FormState | None = None, assign: FormState | None = None, block=None):
    partner = await found(service.get_partner(partner_id))
    invite, assign = invite or FormState({"role": "owner"}), assign or FormState()
    status = max(invite.status, assign.status)
    return await render(
        "admin/partner.html", block=block, status=status, partner=partner, ownable=await service.ownable(),
        **invite.context("invite_"), **assign.context("assign_"),
    )  # fmt: skip


@bp.get("/partners/<int:partner_id>")
@admin_required
async def partner_show(partner_id: int):
    """A business: its members, invitations, operators and hotels."""
    return await _partner_page(partner_id)


@bp.post("/partners/<int:partner_id>/invite")
@admin_required
async def partner_invite(partner_id: int):
    """Invite a member by e-mail (the link goes through the notifications outbox)."""
    state = await FormState.posted(InviteForm)
    if state.form is not None:
        with state.saving():
            await service.invite(actor(), partner_id, state.form, public_base_url(), g.current_user.full_name)
            return await saved(f"An invitation is on its way to {state.form.email}.", f"/admin/partners/{partner_id}")
    return await _partner_page(partner_id, invite=state, block="invite_form")


@bp.post("/partners/<int:partner_id>/assign")
@admin_required
async def partner_assign(partner_id: int):
    """Give an operator or a hotel to the business, or take it back to the platform."""
    state = await FormState.posted(AssignForm)
    if state.form is not None:
        with state.saving():
            row = await service.assign(actor(), partner_id, state.form)
            done = "now run by this business" if state.form.assign else "back with the platform"
            return await saved(f"{row['name']} is {done}.", f"/admin/partners/{partner_id}")
    return await _partner_page(partner_id, assign=state, block="assign_form")


@bp.post("/partner-applications/<int:application_id>")
@admin_required
async def application_decide(application_id: int):
    """Approve (a business is created, the applicant its owner) or reject an application."""
    approve = (await request.form).get("decision") == "approve"
    state = FormState()
    with state.saving():
        result = await service.decide(actor(), application_id, approve)
        return await saved(f"{result['business_name']}: {result['status']}.", "/admin/partners")
    return await _list_page(state)
