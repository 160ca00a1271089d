"""What the admin route modules share: who is acting, and list pages filtered or searched by the query string."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlencode

from pydantic import BaseModel
from quart import Response, g, request

from ..web import form_dict, parse_model, render
from .forms import Page


def actor() -> int:
    """The signed-in admin's user id, for the audit trail."""
    return g.current_user.id


def area_scope() -> Any:
    """The partner scope on a partner page (travelgo.partners.routes mounts some of these views under /partner
    behind its own guard, which sets it), None on an admin page. The views pass it to every service call, and
    the services filter by it; an admin (None) reaches every row."""
    return g.get("partner_scope")


def area_url(path: str, **args: Any) -> str:
    """A link inside the area the page is in: /admin<path> or /partner<path>."""
    prefix = "/admin" if area_scope() is None else "/partner"
    return prefix + path + (f"?{urlencode(args)}" if args else "")


def query(model: type[BaseModel], *multi: str) -> tuple[Any, dict[str, str], dict[str, Any]]:
    """Parse the query string with a model: (parsed or None, errors, values as sent)."""
    values = form_dict(request.args, *multi)
    parsed, errors = parse_model(model, values)
    return parsed, errors, values


def filter_args(values: dict[str, Any]) -> dict[str, Any]:
    """The filters in use, without the page number (for pagination and CSV links)."""
    return {k: v for k, v in values.items() if v not in (None, "") and k != "page"}


async def filtered(
    template: str, model: type[BaseModel], lister: Callable[[Any], Awaitable[dict]], **ctx: Any
) -> Response:
    """A list page filtered by the query string: bad filters show the unfiltered list with messages (422)."""
    f, errors, values = query(model)
    page = await lister(f or model())
    return await render(
        template,
        block="results",
        status=422 if errors else 200,
        page=page,
        values=values,
        errors=errors,
        args=filter_args(values),
        **ctx,
    )


async def searched(lister: Callable[[Page], Awaitable[dict]]) -> dict:
    """A page of a simple list searched by `q` (cities, operators, vehicles)."""
    f, _, values = query(Page)
    f = f or Page()
    return {"page": await lister(f), "q": f.q or "", "args": filter_args(values)}
