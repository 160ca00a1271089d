"""HTML helpers shared by every blueprint: page-or-fragment rendering, form parsing, CSRF."""

from __future__ import annotations

import base64
import hmac
import math
import re
import secrets
from collections.abc import Awaitable, Callable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from markupsafe import Markup
from pydantic import BaseModel, ValidationError
from quart import (
    Response,
    abort,
    current_app,
    has_request_context,
    make_response,
    redirect,
    render_template,
    request,
    session,
)

from .assets import answer_response
from .auth import AUTH_COOKIE
from .querystring import canonical_query
from .searchcache import Answer

M = TypeVar("M", bound=BaseModel)
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def wants_fragment() -> bool:
    """An htmx request that is neither boosted nor a history restore gets just the fragment."""
    headers = request.headers
    return (
        headers.get("HX-Request") == "true"
        and headers.get("HX-Boosted") != "true"
        and headers.get("HX-History-Restore-Request") != "true"
    )


async def render(template: str, *, block: str | None = None, status: int = 200, **context: Any) -> Response:
    """Render the full page, or only `block` (a region htmx swaps) when htmx asked for it."""
    return await _page_response(await _render_page(template, block, context), status)


async def _render_page(template: str, block: str | None, context: dict[str, Any]) -> str:
    if block and wants_fragment():
        return await render_block(template, block, **context)
    return await render_template(template, **context)


async def _page_response(body: str, status: int) -> Response:
    response = await make_response(body, status)
    response.vary.add("HX-Request")
    return response


def anonymous_visit() -> bool:
    """Neither signed in nor holding a session: nothing on the page is personal (no name, no CSRF token)."""
    cookies = request.cookies
    return not cookies.get(AUTH_COOKIE) and not cookies.get(current_app.config["SESSION_COOKIE_NAME"])


async def render_search_page(
    template: str,
    block: str,
    answer: Any,
    errors: dict[str, str],
    context: Callable[[], Awaitable[dict[str, Any]]],
    *,
    path: str,
    search: BaseModel | None,
) -> Response:
    """A search page (or its htmx block): 422 with the field errors, or 200 with the answer.

    An anonymous visitor's page is made once per (cached) answer and URL: everything on it comes from the URL
    (the form values) and the answer, so visitors without cookies, most people browsing on a busy day, share one
    rendering until the answer is dropped; the context is only built when a page is really rendered.
    An htmx search gets the canonical, shareable URL of `search` pushed (the form may have sent city names
    and blank fields)."""
    if errors:
        return await render(template, block=block, status=422, **await context())
    if isinstance(answer, Answer) and anonymous_visit():

        async def make() -> bytes:
            return (await _render_page(template, block, await context())).encode()

        name = ("page", template, wants_fragment(), request.query_string)
        body = await answer.made(name, make, bounded=True)
        response = await answer_response(answer, name, body, 200, "text/html; charset=utf-8")
        response.vary.add("HX-Request")
    else:
        response = await render(template, block=block, **await context())
    if search is not None and wants_fragment():
        query = canonical_query(search)
        response.headers["HX-Push-Url"] = path + (f"?{query}" if query else "")
    return response


async def render_block(template_name: str, block: str, **context: Any) -> str:
    """Render one named block of a template with the normal template context."""
    app = current_app
    template = app.jinja_env.get_or_select_template(template_name)
    await app.update_template_context(context)
    ctx = template.new_context(context)
    return "".join([part async for part in template.blocks[block](ctx)])


async def render_answer(template: str, answer: Any, **context: Any) -> Markup:
    """Render a part of a page made from a search answer: once per answer when it is a (cached) Answer.

    So its output may depend only on the answer and on context that is the same for every request that gets
    this answer (the search, labels), never on the visitor (no user, no CSRF token)."""

    async def make() -> Markup:
        return Markup(await render_template(template, **context))

    return await answer.made(template, make) if isinstance(answer, Answer) else await make()


def hx_redirect(location: str) -> Response:
    """Redirect that works for htmx (HX-Redirect) and for plain form posts (303)."""
    if request.headers.get("HX-Request") == "true":
        response = current_app.response_class("", status=200)
        response.headers["HX-Redirect"] = location
        return response
    return redirect(location, 303)


def parse_model(model: type[M], data: Mapping[str, Any]) -> tuple[M | None, dict[str, str]]:
    """Validate data with a pydantic model; on failure return field -> message for the form.

    A model may say in words what a field's pattern means: format_messages = {field: message}; and what a
    number or choice field takes, in the traveller's words: field_messages = {field: "Choose 1 to 6 passengers."},
    used for that field's limit and parsing errors (a validator's own message and "required" stay as they are)."""
    try:
        return model.model_validate(dict(data)), {}
    except ValidationError as exc:
        formats = getattr(model, "format_messages", {})
        worded = getattr(model, "field_messages", {})
        errors: dict[str, str] = {}
        for error in exc.errors(include_url=False, include_input=False):
            field = str(error["loc"][0]) if error["loc"] else "__all__"
            pattern = formats.get(field) if error["type"] == "string_pattern_mismatch" else None
            own = worded.get(field) if error["type"] not in ("missing", "value_error") else None
            errors.setdefault(field, pattern or own or friendly_message(error))
        return None, errors


# pydantic error type -> (context key, wording for a number limit, wording for a date limit)
LIMITS = {
    "greater_than_equal": ("ge", "Use a number of at least {}.", "Choose a date on or after {}."),
    "less_than_equal": ("le", "Use a number no more than {}.", "Choose a date on or before {}."),
    "greater_than": ("gt", "Use a number greater than {}.", "Choose a date after {}."),
    "less_than": ("lt", "Use a number less than {}.", "Choose a date before {}."),
}
NOT_A_NUMBER = {"float_parsing", "float_type", "decimal_parsing", "decimal_type", "finite_number"}
NOT_A_DATE = {"date_parsing", "date_type", "date_from_datetime_parsing", "date_from_datetime_inexact"}
NOT_A_DATETIME = {"datetime_parsing", "datetime_type", "datetime_from_date_parsing"}
NOT_A_TIME = {"time_parsing", "time_type"}
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def friendly_message(error: dict[str, Any]) -> str:
    """pydantic's wording ("String should have at least 10 characters") in the words a traveller expects."""
    kind, ctx = error["type"], error.get("ctx") or {}
    if kind == "missing" or (kind == "string_too_short" and ctx.get("min_length") == 1):
        return "This field is required."
    if kind == "string_too_short" and "min_length" in ctx:
        return f"Use at least {ctx['min_length']} characters."
    if kind == "string_too_long" and "max_length" in ctx:
        return f"Use at most {ctx['max_length']} characters."
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return "Enter a whole number."
    if kind in LIMITS and LIMITS[kind][0] in ctx:
        key, for_number, for_date = LIMITS[kind]
        limit = ctx[key]
        if isinstance(limit, (int, float, Decimal)) and not isinstance(limit, bool):
            return for_number.format(_plain_number(limit))
        if isinstance(limit, date) or ISO_DATE.match(str(limit)):  # errors() gives dates as ISO strings
            return for_date.format(limit)
    if kind in NOT_A_NUMBER:
        return "Enter a number."
    if kind == "decimal_max_places" and "decimal_places" in ctx:
        places = ctx["decimal_places"]
        if places == 0:
            return "Enter a whole number."
        return f"Use at most {places} decimal place{'s' if places > 1 else ''}."
    if kind == "decimal_whole_digits" and "whole_digits" in ctx:
        return f"Use at most {ctx['whole_digits']} digits before the decimal point."
    if kind == "decimal_max_digits" and "max_digits" in ctx:
        return f"Use at most {ctx['max_digits']} digits."
    if kind in NOT_A_DATE:
        return "Enter a date as YYYY-MM-DD."
    if kind in NOT_A_DATETIME:
        return "Enter a date and time as YYYY-MM-DD HH:MM."
    if kind in NOT_A_TIME:
        return "Enter a time as HH:MM."
    if kind == "string_pattern_mismatch":  # never show the regular expression
        return "Check the format of this field."
    if kind == "value_error" and error["msg"].startswith("value is not a valid email address"):
        return "Enter an e-mail address like name@example.com."  # not the library's "must have an @-sign"
    return error["msg"].removeprefix("Value error, ")


def _plain_number(value: int | float | Decimal) -> str:
    """6, 0.5 and -90 as a person writes them (pydantic's context holds 6.0 or Decimal('-90'))."""
    if math.isfinite(value) and value == int(value):
        return str(int(value))
    return format(value, "f") if isinstance(value, Decimal) else repr(value)


MAX_PAGE = 100_000  # ?page= here and in the admin lists' Page model: keeps LIMIT/OFFSET far inside SQL's integers


def page_number(args: Mapping[str, Any]) -> int:
    """?page= as a page number from 1 to MAX_PAGE: a missing or unreadable one is page 1, a huge one MAX_PAGE."""
    try:
        return min(max(int(args.get("page") or 1), 1), MAX_PAGE)
    except (TypeError, ValueError):
        return 1


def form_dict(form: Mapping[str, Any], *multi: str) -> dict[str, Any]:
    """A plain dict of a form; fields named in `multi` keep every value as a list."""
    data: dict[str, Any] = {k: v for k, v in form.items() if k != "csrf_token"}
    for name in multi:
        data[name] = form.getlist(name)
    return data


# --- CSRF -----------------------------------------------------------------------------------------
# quart-auth has no CSRF protection. A random token lives in the signed session cookie; htmx sends it
# as X-CSRF-Token (hx-headers on <body>) and plain forms as a hidden csrf_token field.


def public_base_url() -> str | None:
    """Where links in e-mails and payment returns point: TRAVELGO_PUBLIC_URL; the request's own host only outside
    production (a Host header is the client's to choose), and only while there is a request."""
    settings = current_app.config["TRAVELGO"]
    if settings.public_url:
        return settings.public_url.rstrip("/")
    if settings.production_like or not has_request_context():
        return None
    return request.host_url.rstrip("/")


def csrf_token() -> str:
    """The session's CSRF secret, masked afresh for every use (BREACH): a random pad and the secret XOR the pad,
    so a compressed page never repeats the same token bytes an attacker could guess byte by byte."""
    secret = session.get("csrf")
    if not secret:
        secret = session["csrf"] = secrets.token_urlsafe(32)
    raw = secret.encode()
    pad = secrets.token_bytes(len(raw))
    return base64.urlsafe_b64encode(pad + bytes(a ^ b for a, b in zip(pad, raw, strict=True))).decode()


def _unmasked(token: str) -> str | None:
    """The secret inside a masked CSRF token, or None when it is not one."""
    try:
        data = base64.urlsafe_b64decode(token.encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        return None
    half = len(data) // 2
    if not half or len(data) != 2 * half:
        return None
    try:
        return bytes(a ^ b for a, b in zip(data[:half], data[half:], strict=True)).decode("ascii")
    except UnicodeDecodeError:
        return None


def csrf_exempt(view):
    """Mark a view that takes cross-site POSTs authenticated otherwise (a provider's signed payment return)."""
    view.csrf_exempt = True
    return view


async def csrf_protect() -> None:
    """before_request: refuse cookie-authenticated writes that lack the session's CSRF token."""
    # /api/ is bearer-authenticated; views marked csrf_exempt authenticate their posts otherwise.
    if request.method in SAFE_METHODS or request.path.startswith("/api/"):
        return
    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    if getattr(view, "csrf_exempt", False):
        return
    expected = session.get("csrf")
    sent = request.headers.get("X-CSRF-Token")
    if not sent:
        sent = (await request.form).get("csrf_token")
    secret = _unmasked(str(sent)) if sent else None
    if not expected or not secret or not hmac.compare_digest(str(expected), secret):
        abort(403, description="Your session expired or the form is stale. Reload the page and try again.")
