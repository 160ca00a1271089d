"""JSON API: registration, tokens, the current user."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field
from quart import g
from quart_schema import tag, validate_request, validate_response

from ..accounts import service
from ..accounts.forms import Login, ProfileUpdate, Registration
from ..auth import api_auth_required
from ..problems import Problem
from ..security import client_ip
from ..web import public_base_url
from . import bp


class UserOut(BaseModel):
    id: int
    email: str
    full_name: str
    phone: str | None = None
    role: str
    notify_sms: bool = Field(False, description="booking notifications also by SMS (needs a verified phone)")
    notify_whatsapp: bool = Field(False, description="booking notifications also by WhatsApp (needs a verified phone)")
    phone_verified: bool = Field(False, description="the phone number was verified with a code sent to it (read-only)")


class RegistrationOut(BaseModel):
    """The one answer to every valid registration: whether the address had an account is said only by mail."""

    status: Literal["confirmation_sent"] = "confirmation_sent"
    email: str
    detail: str = "Check your inbox: we sent a message to this address. Confirm it with the link to finish."


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int


def _user_out(row) -> UserOut:
    return UserOut(
        id=row["id"],
        email=row["email"],
        full_name=row["full_name"],
        phone=row["phone"],
        role=row["role"],
        notify_sms=bool(row["notify_sms"]),
        notify_whatsapp=bool(row["notify_whatsapp"]),
        phone_verified=row["phone_verified_at"] is not None,
    )


@bp.post("/auth/register")
@tag(["accounts"])
@validate_request(Registration)
@validate_response(RegistrationOut, 202)
async def api_register(data: Registration):
    """Start a traveller account. 202 whether or not the address already has one (no enumeration): a new address
    gets a link to confirm it, which the account needs before `POST /auth/token` accepts it; an address with an
    account gets a note saying so."""
    await service.register(data, client_ip(), public_base_url())
    return RegistrationOut(email=data.email), 202


@bp.post("/auth/token")
@tag(["accounts"])
@validate_request(Login)
@validate_response(TokenOut, 200)
async def api_token_create(data: Login):
    """Exchange email and password for a bearer token."""
    user_id = await service.login(data.email, data.password, client_ip())
    if user_id is None:
        raise Problem(401, "Invalid credentials", service.LOGIN_REFUSED)
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
    """Change full_name, phone, notify_sms and/or notify_whatsapp. A new phone number is unverified and ends the SMS
    and WhatsApp opt-ins; opting in needs a verified number (422 otherwise; verify it on the profile page)."""
    try:
        return _user_out(await service.update_profile(g.api_user.id, data))
    except service.ChannelsNeedVerifiedPhone as exc:
        field = next(k for k in service.CHANNELS if getattr(data, k))
        error = {"loc": ["body", field], "field": field, "msg": str(exc), "type": "phone_not_verified"}
        raise Problem(422, "Phone number not verified", str(exc), errors=[error]) from None
