"""Cities and bus operators: a searched list with an add form above it, each row edited in place."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from quart import Blueprint, Response, url_for

from ...auth import admin_required
from ...forms import FormState, found, saved
from ...web import render, wants_fragment
from .. import service
from ..forms import CityForm, OperatorForm, Page
from ..views import actor, searched

bp = Blueprint("places", __name__)

Lister = Callable[[Page], Awaitable[dict]]


async def _create(
    state: FormState, save: Callable[..., Awaitable[dict]], list_page: str, lister: Lister, list_url: str
):
    """Add a row from the form above the list; the form again with messages when it does not save."""
    if state.validating:
        return await state.live()
    if state.form is not None:
        with state.saving():
            item = await save(actor(), state.form)
            return await saved(f"{item['name']} is added.", list_url)
    return await render(
        list_page,
        block="create_form",
        status=state.status,
        **state.context(),
        **await searched(lister),
    )


async def _update(
    state: FormState,
    item_id: int,
    item: dict,
    key: str,
    save: Callable[..., Awaitable[dict]],
    pages: tuple[str, str],
    list_url: str,
) -> Response:
    """Save a row edited in place: the row comes back (htmx) or the list (plain form); else the edit row (422)."""
    edit_page, row = pages
    if state.form is not None:
        with state.saving():
            item = await save(actor(), state.form, item_id)
            if wants_fragment():
                return await render(row, saved=True, **{key: item})
            return await saved(f"{item['name']} is saved.", list_url)
    return await render(edit_page, block="row", status=state.status, **state.context(), **{key: item})


async def _row(item: dict, key: str, pages: tuple[str, str]) -> Response:
    """One row (htmx: cancel an inline edit); without htmx, its edit page."""
    edit_page, row = pages
    if not wants_fragment():
        return await render(edit_page, values=item, errors={}, **{key: item})
    return await render(row, **{key: item})


def _edit(item: dict, key: str, edit_page: str) -> Awaitable[Response]:
    return render(edit_page, block="row", values=item, errors={}, **{key: item})


# --- cities -------------------------------------------------------------------------------------------

CITY_PAGES = ("admin/city_edit.html", "admin/_city_row.html")


@bp.get("/cities")
@admin_required
async def city_list():
    """Cities with search and pagination, and a form to add one."""
    return await render(
        "admin/cities.html", block="results", values={}, errors={}, **await searched(service.list_cities)
    )


@bp.post("/cities")
@admin_required
async def city_create():
    """Add a city."""
    state = await FormState.posted(CityForm)
    return await _create(
        state, service.save_city, "admin/cities.html", service.list_cities, url_for("admin.places.city_list")
    )


@bp.get("/cities/<int:city_id>")
@admin_required
async def city_row(city_id: int):
    """A city's row, or its edit page without htmx."""
    return await _row(await found(service.get_city(city_id)), "city", CITY_PAGES)


@bp.get("/cities/<int:city_id>/edit")
@admin_required
async def city_edit(city_id: int):
    """A city's inline edit row (htmx) or edit page."""
    return await _edit(await found(service.get_city(city_id)), "city", CITY_PAGES[0])


@bp.post("/cities/<int:city_id>")
@admin_required
async def city_update(city_id: int):
    """Save a city."""
    state = await FormState.posted(CityForm)
    city = await found(service.get_city(city_id))
    return await _update(state, city_id, city, "city", service.save_city, CITY_PAGES, url_for("admin.places.city_list"))


# --- operators ----------------------------------------------------------------------------------------

OPERATOR_PAGES = ("admin/operator_edit.html", "admin/_operator_row.html")


@bp.get("/operators")
@admin_required
async def operator_list():
    """Bus operators with search and pagination, and a form to add one."""
    return await render(
        "admin/operators.html", block="results", values={}, errors={}, **await searched(service.list_operators)
    )


@bp.post("/operators")
@admin_required
async def operator_create():
    """Add a bus operator."""
    state = await FormState.posted(OperatorForm)
    return await _create(
        state,
        service.save_operator,
        "admin/operators.html",
        service.list_operators,
        url_for("admin.places.operator_list"),
    )


@bp.get("/operators/<int:operator_id>")
@admin_required
async def operator_row(operator_id: int):
    """An operator's row, or its edit page without htmx."""
    return await _row(await found(service.get_operator(operator_id)), "operator", OPERATOR_PAGES)


@bp.get("/operators/<int:operator_id>/edit")
@admin_required
async def operator_edit(operator_id: int):
    """An operator's inline edit row (htmx) or edit page."""
    return await _edit(await found(service.get_operator(operator_id)), "operator", OPERATOR_PAGES[0])


@bp.post("/operators/<int:operator_id>")
@admin_required
async def operator_update(operator_id: int):
    """Save a bus operator."""
    state = await FormState.posted(OperatorForm)
    operator = await found(service.get_operator(operator_id))
    return await _update(
        state,
        operator_id,
        operator,
        "operator",
        service.save_operator,
        OPERATOR_PAGES,
        url_for("admin.places.operator_list"),
    )
