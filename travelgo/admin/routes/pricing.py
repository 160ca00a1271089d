"""Dynamic pricing: rules per route, trip, hotel or room type, each previewed on a sample product before it is saved;
a product's floor and ceiling. Every save is audited and reprices its scope at once (travelgo.pricing.service)."""

from __future__ import annotations

from quart import Blueprint, abort, request, url_for

from ...auth import admin_required
from ...forms import FormState, saved
from ...pricing import service
from ...pricing.engine import WEEKDAYS
from ...pricing.forms import BoundsForm, RuleForm
from ...web import form_dict, render
from ..views import actor

bp = Blueprint("pricing", __name__)

NEW_RULE = {"kind": "occupancy", "scope": "route", "priority": 100, "enabled": "1", "weekdays": []}


async def _page(status: int = 200, **context):
    context.setdefault("values", NEW_RULE)
    context.setdefault("errors", {})
    context.setdefault("preview", None)
    context.setdefault("bounds_values", {"product": "trip"})
    context.setdefault("bounds_errors", {})
    return await render(
        "admin/pricing.html", status=status, rules=await service.list_rules(), weekdays=WEEKDAYS, **context
    )


async def _rule_posted(rule_id: int | None):
    """Preview (action=preview: nothing saved) or save a rule; the form again with messages when it is not valid."""
    state = await FormState.posted(RuleForm, "weekdays")
    if state.validating:
        return await state.live()
    previewing = state.values.get("action") == "preview"
    result = None
    if state.form is not None:
        with state.saving():
            if previewing:
                result = await service.preview(state.form, rule_id)
            else:
                rule = await service.save_rule(actor(), state.form, rule_id)
                return await saved(
                    f"Pricing rule “{rule['name']}” is saved; {rule['prices_changed']} price(s) changed.",
                    url_for("admin.pricing.pricing_list"),
                )
    context = {"values": state.values, "errors": state.errors, "preview": result}
    if rule_id is None:
        return await _page(state.status, **context)
    return await render("admin/pricing_rule.html", status=state.status, rule_id=rule_id, weekdays=WEEKDAYS, **context)


@bp.get("/pricing")
@admin_required
async def pricing_list():
    """Every pricing rule, a form to add one (with a preview) and a product's floor and ceiling."""
    return await _page()


@bp.post("/pricing")
@admin_required
async def pricing_create():
    """Preview or save a new rule."""
    return await _rule_posted(None)


@bp.get("/pricing/<int:rule_id>")
@admin_required
async def pricing_edit(rule_id: int):
    """A rule's edit page."""
    rule = await service.get_rule(rule_id)
    if rule is None:
        abort(404)
    values = {k: ("" if v is None else v) for k, v in rule.items()}
    values["enabled"] = "1" if rule["enabled"] else ""
    return await render(
        "admin/pricing_rule.html", rule_id=rule_id, values=values, errors={}, preview=None, weekdays=WEEKDAYS
    )


@bp.post("/pricing/<int:rule_id>")
@admin_required
async def pricing_update(rule_id: int):
    """Preview or save a changed rule."""
    if await service.get_rule(rule_id) is None:
        abort(404)
    return await _rule_posted(rule_id)


@bp.post("/pricing/<int:rule_id>/enabled")
@admin_required
async def pricing_enable(rule_id: int):
    """Turn a rule off or on again (enabled=1)."""
    if await service.get_rule(rule_id) is None:
        abort(404)
    enabled = form_dict(await request.form).get("enabled") == "1"
    rule = await service.set_rule_enabled(actor(), rule_id, enabled)
    return await saved(
        f"Pricing rule “{rule['name']}” is {'on' if enabled else 'off'}; {rule['prices_changed']} price(s) changed.",
        url_for("admin.pricing.pricing_list"),
    )


@bp.post("/pricing/bounds")
@admin_required
async def pricing_bounds():
    """Set a trip's or a room type's floor and ceiling."""
    state = await FormState.posted(BoundsForm)
    if state.form is not None:
        with state.saving():
            result = await service.set_bounds(actor(), state.form)
            return await saved(
                f"Floor and ceiling saved; {result['prices_changed']} price(s) changed.",
                url_for("admin.pricing.pricing_list"),
            )
    return await _page(state.status, bounds_values=state.values, bounds_errors=state.errors)
