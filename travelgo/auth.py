"""Who is asking: browser sessions (cookie) and API clients (bearer token), and role checks."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any
from urllib.parse import quote

from quart import current_app, g, redirect, request, session
from quart_auth import AuthUser, QuartAuth, login_user, logout_user
from quart_schema import security_scheme

from . import db
from .problems import Problem
from .security import digest

AUTH_COOKIE = "travelgo_session"
# How long a signature is honoured. Each kind has its own: a bearer token taking the cookie's 14 days would stop
# working half-way through the 30 days its `expires_in` (and its api_tokens row) promise.
SESSION_LIFETIME_SECONDS = 14 * 24 * 3600
API_TOKEN_LIFETIME_SECONDS = 30 * 24 * 3600
cookie_auth = QuartAuth(
    attribute_name="cookie_user", cookie_name=AUTH_COOKIE, salt="travelgo-session", duration=SESSION_LIFETIME_SECONDS
)
bearer_auth = QuartAuth(
    mode="bearer",
    singleton=False,
    attribute_name="bearer_user",
    cookie_name="travelgo_unused",
    salt="travelgo-api-token",
    duration=API_TOKEN_LIFETIME_SECONDS,
)


@dataclass(frozen=True)
class CurrentUser:
    id: int
    email: str
    full_name: str
    phone: str | None
    role: str
    partner_id: int | None = None  # the partner business the user belongs to (travelgo.partners), if any
    token_key: str | None = None  # set when authenticated by an API token
    session_id: str | None = None  # set when authenticated by a browser session

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


USER_COLUMNS = "u.id, u.email, u.full_name, u.phone, u.role, pm.partner_id"
USER_MEMBERSHIP = "LEFT JOIN partner_members pm ON pm.user_id = u.id"  # a user belongs to at most one business


def start_session(session_id: str) -> None:
    """Log the browser in to a server-side session (accounts.service.open_session made it)."""
    login_user(AuthUser(session_id))
    session.pop("csrf", None)  # a new CSRF token for the signed-in session (none carried over from before)
    g.current_user_loaded = False


def end_session() -> str | None:
    """Log the browser out; returns the session id its cookie held, for the caller to revoke."""
    session_id = cookie_auth.load_user().auth_id
    logout_user()
    session.pop("csrf", None)  # the signed-out browser gets a new CSRF token too
    g.current_user, g.current_user_loaded = None, True
    return session_id


async def browser_user() -> CurrentUser | None:
    """The user behind the session cookie's unrevoked session, loaded once per request.

    A cookie from before server-side sessions ("<user id>.<random>") matches no row: signed out."""
    if getattr(g, "current_user_loaded", False):
        return g.current_user
    user = None
    session_id = cookie_auth.load_user().auth_id
    if session_id and len(session_id) <= 64:
        async with db.reading() as cur:
            await cur.execute(
                f"""
                SELECT {USER_COLUMNS}
                  FROM sessions s
                  JOIN users u ON u.id = s.user_id
                  {USER_MEMBERSHIP}
                 WHERE s.id = %(id)s
                   AND s.revoked_at IS NULL
                """,
                {"id": digest(session_id)},
            )
            row = await cur.fetchone()
        user = CurrentUser(**row, session_id=session_id) if row else None
    g.current_user, g.current_user_loaded = user, True
    return user


async def api_user() -> CurrentUser | None:
    """The user behind a valid, unrevoked, unexpired bearer token."""
    if getattr(g, "api_user_loaded", False):
        return g.api_user
    user = None
    token_key = bearer_auth.load_user().auth_id
    if token_key:
        async with db.reading() as cur:
            await cur.execute(
                f"""
                SELECT {USER_COLUMNS}
                  FROM api_tokens t
                  JOIN users u ON u.id = t.user_id
                  {USER_MEMBERSHIP}
                 WHERE t.token_key = %(key)s
                   AND t.revoked_at IS NULL
                   AND t.expires_at > UTC_TIMESTAMP()
                """,
                {"key": digest(token_key)},
            )
            row = await cur.fetchone()
        user = CurrentUser(**row, token_key=token_key) if row else None
    g.api_user, g.api_user_loaded = user, True
    return user


def login_required(func: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    """HTML routes: anonymous users are sent to log in and come back afterwards."""

    @wraps(func)
    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        if await browser_user() is None:
            target = request.full_path.rstrip("?")
            if request.headers.get("HX-Request"):
                response = current_app.response_class("", status=401)
                response.headers["HX-Redirect"] = f"/login?next={quote(target)}"
                return response
            return redirect(f"/login?next={quote(target)}")
        return await func(*args, **kwargs)

    return wrapper


def admin_required(func: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    """HTML routes: anonymous → log in; travellers → 403."""

    @login_required
    @wraps(func)
    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not g.current_user.is_admin:
            from quart import abort

            abort(403)
        return await func(*args, **kwargs)

    return wrapper


def api_auth_required(func: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    """API routes: a valid bearer token or 401 problem+json (the OpenAPI operation says it needs one)."""

    @security_scheme([{"bearer": []}])
    @wraps(func)
    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        if await api_user() is None:
            raise Problem(401, "Authentication required", "Send a valid token as 'Authorization: Bearer <token>'.")
        return await func(*args, **kwargs)

    return wrapper


def api_admin_required(func: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    @api_auth_required
    @wraps(func)
    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not g.api_user.is_admin:
            raise Problem(403, "Forbidden", "This endpoint is for administrators.")
        return await func(*args, **kwargs)

    return wrapper
