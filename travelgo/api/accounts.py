"""JSON API: registration, tokens, the current user."""

from __future__ import annotations

from pydantic import BaseModel
from quart import g
from quart_schema import tag, validate_request, validate_response

from ..accounts import service
from ..accounts.forms import Login, ProfileUpdate, Registration
from ..auth import api_auth_required
from ..problems import Problem
from ..security import client_ip
from . import bp


class UserOut(BaseModel):
    id: int
    email: str
    full_name: str
    phone: str | None = None
    role: str


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int


def _user_out(row) -> UserOut:
    return UserOut(id=row["id"], email=row["email"], full_name=row["full_name"], phone=row["phone"], role=row["role"])


@bp.post("/auth/register")
@tag(["accounts"])
@validate_request(Registration)
@validate_response(UserOut, 201)
async def api_register(data: Registration):
    """Create a traveller account."""
    try:
        user = await service.register(data, client_ip=client_ip())
    except service.EmailTaken:
        raise Problem(409, "Email already registered", "An account with this email already exists.") from None
    return _user_out(user), 201


@bp.post("/auth/token")
@tag(["accounts"])
@validate_request(Login)
@validate_response(TokenOut, 200)
async def api_token_create(data: Login):
    """Exchange email and password for a bearer token."""
    user_id = await service.login(data.email, data.password, client_ip())
    if user_id is None:
        raise Problem(401, "Invalid credentials", "Email or password is incorrect.")
    from ..auth import bearer_auth

    token_key, lifetime = await service.issue_token(user_id)
    return TokenOut(access_token=bearer_auth.dump_token(token_key), expires_in=lifetime)


@bp.delete("/auth/token")
@tag(["accounts"])
@api_auth_required
async def api_token_revoke():
    """Revoke the token used for this request."""
    await service.revoke_token(g.api_user.token_key)
    return "", 204


@bp.get("/me")
@tag(["accounts"])
@validate_response(UserOut, 200)
@api_auth_required
async def api_me():
    """The authenticated user."""
    return _user_out(await service.get_user(g.api_user.id))


@bp.patch("/me")
@tag(["accounts"])
@api_auth_required
@validate_request(ProfileUpdate)
@validate_response(UserOut, 200)
async def api_me_update(data: ProfileUpdate):
    """Change full_name and/or phone."""
    return _user_out(await service.update_profile(g.api_user.id, data))
