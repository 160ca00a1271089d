"""Restaurants: a filtered list, the new-restaurant form, a restaurant's details and policy, opening hours, tables
and their adjacency, and the table requests to answer. Every change is audited. Like the hotel pages, these views
are also mounted under /partner (travelgo.partners.routes), where `area_scope()` narrows them to one business."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field
from quart import Blueprint, Response, abort, flash, request

from ...auth import admin_required
from ...bookings.errors import BookingError
from ...bookings.errors import NotFound as BookingNotFound
from ...forms import FormState, found, saved
from ...restaurants import service as requests_service
from ...web import form_dict, hx_redirect, parse_model, render
from .. import service
from ..forms import (
    SLOT_CHOICES,
    SPANS_PER_DAY,
    WEEKDAYS,
    HoursForm,
    RestaurantFilter,
    RestaurantForm,
    TableForm,
    TableLinkForm,
)
from ..views import actor, area_scope, area_url, filtered

bp = Blueprint("restaurants", __name__)

NEW_RESTAURANT = {"price_level": "2", "slot_minutes": "15", "sitting_minutes": "90", "confirmation": "instant",
                  "response_minutes": "120", "deposit": "0.00", "free_cancel_hours": "2", "max_party": "10"}  # fmt: skip


def _restaurant_url(restaurant_id: int) -> str:
    return area_url(f"/restaurants/{restaurant_id}")


async def _form_options() -> dict:
    """What the details form's select boxes offer (the businesses only on the admin's pages)."""
    return {
        "options": await service.options(),
        "partners": await service.partner_options() if area_scope() is None else [],
        "slot_choices": [(m, str(m)) for m in SLOT_CHOICES],
        "default_currency": await service.catalogue_currency(),
    }


@bp.get("/restaurants")
@admin_required
async def restaurant_list():
    """Restaurants with search, a city filter and pagination."""
    return await filtered(
        "admin/restaurants.html",
        RestaurantFilter,
        lambda f: service.list_restaurants(f, area_scope()),
        **await service.options(area_scope()),
    )


async def _new_page(state: FormState, block: str | None = None) -> Response:
    return await render(
        "admin/restaurant_new.html", block=block, status=state.status, **state.context(), **await _form_options()
    )


@bp.get("/restaurants/new")
@admin_required
async def restaurant_new():
    """The form for a new restaurant (optionally run by a partner business)."""
    return await _new_page(FormState(dict(NEW_RESTAURANT)))


@bp.post("/restaurants")
@admin_required
async def restaurant_create():
    """Add a restaurant."""
    state = await FormState.posted(RestaurantForm)
    if state.validating:
        return await state.live()
    if state.form is not None:
        with state.saving():
            r = await service.save_restaurant(actor(), state.form)
            return await saved(f"{r['name']} is added. Now set its hours and tables.", _restaurant_url(r["id"]))
    return await _new_page(state, "restaurant_form")


async def _restaurant_page(
    restaurant_id: int,
    block: str | None = None,
    status: int = 200,
    *,
    details: FormState | None = None,
    hours: FormState | None = None,
    table: FormState | None = None,
    link: FormState | None = None,
    table_edit: tuple[int, FormState] | None = None,
) -> Response:
    """The restaurant page, each of its forms with the state given (blank, or the restaurant's own values)."""
    r = await found(service.get_restaurant(restaurant_id, scope=area_scope()))
    details = details or FormState(service.restaurant_values(r))
    hours = hours or FormState(r["hours_values"])
    table, link = table or FormState(), link or FormState({"linked": "1"})
    edit_id, edit = table_edit or (None, FormState())
    return await render(
        "admin/restaurant.html",
        block=block,
        status=status,
        restaurant=r,
        weekdays=WEEKDAYS,
        spans=range(1, SPANS_PER_DAY + 1),
        **await _form_options(),
        **details.context(),
        **hours.context("hours_"),
        **table.context("table_"),
        **link.context("link_"),
        table_edit_values={edit_id: edit.values} if edit_id else {},
        table_edit_errors={edit_id: edit.errors} if edit_id else {},
    )


@bp.get("/restaurants/<int:restaurant_id>")
@admin_required
async def restaurant_show(restaurant_id: int):
    """A restaurant: details and policy, opening hours, tables and which stand side by side."""
    return await _restaurant_page(restaurant_id)


@bp.post("/restaurants/<int:restaurant_id>")
@admin_required
async def restaurant_update(restaurant_id: int):
    """Save a restaurant's details, policy, deposit and contacts."""
    state = await FormState.posted(RestaurantForm)
    if state.validating:
        return await state.live()
    if state.form is not None:
        with state.saving():
            await service.save_restaurant(actor(), state.form, restaurant_id, scope=area_scope())
            return await saved("The restaurant is saved.", _restaurant_url(restaurant_id))
    return await _restaurant_page(restaurant_id, "details_form", state.status, details=state)


@bp.post("/restaurants/<int:restaurant_id>/hours")
@admin_required
async def restaurant_hours(restaurant_id: int):
    """Set the week's opening hours: up to two services a day, none for a closed day."""
    state = await FormState.posted(HoursForm)
    if state.form is not None:
        with state.saving():
            await service.save_hours(actor(), restaurant_id, state.form, scope=area_scope())
            return await saved("The opening hours are saved.", _restaurant_url(restaurant_id))
    return await _restaurant_page(restaurant_id, "hours_form", state.status, hours=state)


@bp.post("/restaurants/<int:restaurant_id>/tables")
@admin_required
async def table_create(restaurant_id: int):
    """Add a table."""
    state = await FormState.posted(TableForm)
    if state.form is not None:
        with state.saving():
            t = await service.save_table(actor(), restaurant_id, state.form, scope=area_scope())
            return await saved(f"Table {t['label']} is added.", _restaurant_url(restaurant_id))
    return await _restaurant_page(restaurant_id, "table_form", state.status, table=state)


@bp.post("/restaurants/<int:restaurant_id>/tables/<int:table_id>")
@admin_required
async def table_update(restaurant_id: int, table_id: int):
    """Change a table's label or seats (inline in the tables list)."""
    state = await FormState.posted(TableForm)
    if state.form is not None:
        with state.saving():
            await service.save_table(actor(), restaurant_id, state.form, table_id, scope=area_scope())
            return await saved("The table is saved.", _restaurant_url(restaurant_id))
    return await _restaurant_page(restaurant_id, "tables", state.status, table_edit=(table_id, state))


@bp.post("/restaurants/<int:restaurant_id>/tables/<int:table_id>/remove")
@admin_required
async def table_remove(restaurant_id: int, table_id: int):
    """Take a table out of service (refused while a booking still to come holds it)."""
    state = FormState()
    with state.saving():
        t = await service.remove_table(actor(), restaurant_id, table_id, scope=area_scope())
        return await saved(f"Table {t['label']} is removed.", _restaurant_url(restaurant_id))
    return await _restaurant_page(restaurant_id, "tables", state.status, table_edit=(table_id, state))


@bp.post("/restaurants/<int:restaurant_id>/links")
@admin_required
async def table_link(restaurant_id: int):
    """Mark two tables as standing side by side (or no longer)."""
    state = await FormState.posted(TableLinkForm)
    if state.form is not None:
        with state.saving():
            await service.link_tables(actor(), restaurant_id, state.form, scope=area_scope())
            done = "may now be pushed together" if state.form.linked else "are no longer pushed together"
            return await saved(f"The two tables {done}.", _restaurant_url(restaurant_id))
    return await _restaurant_page(restaurant_id, "link_form", state.status, link=state)


# --- table requests ---------------------------------------------------------------------------------------


class AnswerForm(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    booking_id: int = Field(gt=0)
    answer: str = Field(pattern="^(accept|reject)$")
    reason: str | None = Field(default=None, max_length=255)


@bp.get("/restaurant-requests")
@admin_required
async def restaurant_request_list():
    """Open table requests, soonest deadline first, each with Accept and Reject."""
    return await render("restaurants/requests.html", requests=await requests_service.open_requests(scope=area_scope()))


@bp.post("/restaurant-requests")
@admin_required
async def restaurant_request_answer():
    """Accept or reject one request; one answered, withdrawn or expired meanwhile is refused with a message, and
    another business's request is missing (404)."""
    page = area_url("/restaurant-requests")
    form, _ = parse_model(AnswerForm, form_dict(await request.form))
    if form is None:
        await flash("That answer could not be read. Please try again.", "error")
        return hx_redirect(page)
    try:
        if form.answer == "accept":
            status = await requests_service.accept_request(form.booking_id, actor=actor(), scope=area_scope())
            await flash(
                "Accepted: the guest is asked to pay the deposit." if status == "pending_payment" else "Accepted.",
                "success",
            )
        else:
            await requests_service.reject_request(form.booking_id, form.reason, actor=actor(), scope=area_scope())
            await flash("Rejected: the guest has been told.", "success")
    except BookingNotFound:
        abort(404, description="That table request does not exist.")
    except BookingError as exc:
        await flash(exc.detail, "error")
    return hx_redirect(page)
