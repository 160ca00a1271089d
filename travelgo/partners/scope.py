"""Who is asking on a partner route: the business the signed-in user belongs to, resolved once per request.

Routes under /partner and /api/v1/partner are wrapped in one of the decorators below; each loads the caller's
membership (anonymous → log in / 401; no membership → 403; staff on an owner-only route → 403) and leaves the
PartnerScope in `g.partner_scope`. Routes pass `scope()` to the services, which filter by it (ownership.py).
An admin is not a member of any business and gets 403 here: the admin pages reach every row already.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from quart import abort, g

from .. import db
from ..auth import CurrentUser, api_auth_required, api_user, browser_user, login_required
from ..problems import Problem

ROLES = ("owner", "staff")


@dataclass(frozen=True)
class PartnerScope:
    """One business, as seen by one of its members."""

    partner_id: int
    partner_name: str
    role: str  # owner | staff
    user_id: int

    @property
    def is_owner(self) -> bool:
        return self.role == "owner"


async def membership(user: CurrentUser | None) -> PartnerScope | None:
    """The business `user` belongs to (a user belongs to at most one), or None."""
    if user is None:
        return None
    async with db.reading() as cur:
        await cur.execute(
            """
            SELECT m.partner_id, p.name AS partner_name, m.role
              FROM partner_members m
              JOIN partners p ON p.id = m.partner_id
             WHERE m.user_id = %(user_id)s
            """,
            {"user_id": user.id},
        )
        row = await cur.fetchone()
    return PartnerScope(**row, user_id=user.id) if row else None


def scope() -> PartnerScope:
    """The current request's scope (set by the decorators below)."""
    return g.partner_scope


def partner_required(role: str = "staff") -> Callable:
    """HTML routes: anonymous → log in; not a member (or staff where `role` is owner) → 403."""

    def decorator(func: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
        @login_required
        @wraps(func)
        async def wrapper(*args: Any, **kwargs: Any) -> Any:
            found = await membership(await browser_user())
            if found is None:
                abort(403, description="This page is for members of a partner business.")
            if role == "owner" and not found.is_owner:
                abort(403, description="Only the business's owners can do this.")
            g.partner_scope = found
            return await func(*args, **kwargs)

        return wrapper

    return decorator


def api_partner_required(role: str = "staff") -> Callable:
    """API routes: no valid token → 401; not a member (or staff where `role` is owner) → 403 problem+json."""

    def decorator(func: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
        @api_auth_required
        @wraps(func)
        async def wrapper(*args: Any, **kwargs: Any) -> Any:
            found = await membership(await api_user())
            if found is None:
                raise Problem(403, "Forbidden", "This endpoint is for members of a partner business.")
            if role == "owner" and not found.is_owner:
                raise Problem(403, "Forbidden", "Only the business's owners can do this.")
            g.partner_scope = found
            return await func(*args, **kwargs)

        return wrapper

    return decorator
