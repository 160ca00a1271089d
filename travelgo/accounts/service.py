"""Account rules, shared by the pages and the API."""

from __future__ import annotations

import secrets
from typing import Any

import pymysql

from .. import db, ratelimit
from ..passwords import hash_password, verify_password
from . import queries
from .forms import PasswordChange, ProfileUpdate, Registration

TOKEN_LIFETIME_SECONDS = 30 * 24 * 3600


class EmailTaken(Exception):
    """An account with that email exists."""


class WrongPassword(Exception):
    """The current password did not match."""


async def register(form: Registration, role: str = "traveller", client_ip: str | None = None) -> dict[str, Any]:
    """Create an account; raises EmailTaken when the email is registered (RateLimited per client_ip)."""
    if client_ip is not None:
        await ratelimit.hit("register_ip", client_ip)
    password_hash = await hash_password(form.password)
    try:
        async with db.transaction() as cur:
            user_id = await queries.insert_user(
                cur, email=form.email, password_hash=password_hash, full_name=form.full_name, phone=form.phone, role=role
            )
            return await queries.select_user(cur, user_id)
    except pymysql.err.IntegrityError as exc:
        if db.error_code(exc) == db.DUPLICATE_KEY:
            raise EmailTaken(form.email) from exc
        raise


async def authenticate(email: str, password: str) -> int | None:
    """The user id when email and password match; None otherwise (same work either way)."""
    async with db.reading() as cur:
        row = await queries.select_login(cur, email.lower())
    ok = await verify_password(row["password_hash"] if row else None, password)
    return row["id"] if row and ok else None


async def login(email: str, password: str, client_ip: str) -> int | None:
    """authenticate() behind the rate limits: raises ratelimit.RateLimited (429) when an account or a
    client has failed too often in the window; a success clears the account's failures."""
    email = email.lower()
    await ratelimit.hit("login_ip", client_ip)
    await ratelimit.check("login_fail_account", email)
    await ratelimit.check("login_fail_ip", client_ip)
    user_id = await authenticate(email, password)
    if user_id is None:
        await ratelimit.hit("login_fail_account", email, raise_over=False)
        await ratelimit.hit("login_fail_ip", client_ip, raise_over=False)
    else:
        await ratelimit.reset("login_fail_account", email)
    return user_id


async def get_user(user_id: int) -> dict[str, Any] | None:
    async with db.reading() as cur:
        return await queries.select_user(cur, user_id)


async def update_profile(user_id: int, form: ProfileUpdate) -> dict[str, Any]:
    """Change name/phone; only fields that were sent change."""
    async with db.transaction() as cur:
        await queries.update_user_profile(cur, user_id, form.model_dump(exclude_unset=True))
        return await queries.select_user(cur, user_id)


async def change_password(user_id: int, form: PasswordChange) -> None:
    async with db.reading() as cur:
        current_hash = await queries.select_password_hash(cur, user_id)
    if not await verify_password(current_hash, form.current_password):
        raise WrongPassword()
    new_hash = await hash_password(form.new_password)
    async with db.transaction() as cur:
        await queries.update_password_hash(cur, user_id, new_hash)


async def issue_token(user_id: int) -> tuple[str, int]:
    """A new revocable API token key and its lifetime in seconds."""
    token_key = secrets.token_hex(16)
    async with db.transaction() as cur:
        await queries.insert_api_token(cur, user_id, token_key, TOKEN_LIFETIME_SECONDS)
    return token_key, TOKEN_LIFETIME_SECONDS


async def revoke_token(token_key: str) -> None:
    async with db.transaction() as cur:
        await queries.update_api_token_revoked(cur, token_key)
