"""Account rules, shared by the pages and the API."""

from __future__ import annotations

import hashlib
import hmac
import logging
import random
import secrets
from typing import Any

from itsdangerous import BadData, URLSafeTimedSerializer
from quart import current_app

from .. import db, ratelimit
from ..auth import API_TOKEN_LIFETIME_SECONDS, SESSION_LIFETIME_SECONDS
from ..notify.queue import queue as notify
from ..passwords import hash_password, verify_password
from ..text import normalize_email
from . import queries
from .forms import PasswordChange, PasswordReset, ProfileUpdate, Registration

SESSION_PRUNE_PROBABILITY = 0.01  # of logins; like the rate-limit windows, no scheduler needed

log = logging.getLogger(__name__)
RESET_LIFETIME_SECONDS = 3600
CONFIRMATION_LIFETIME_SECONDS = 2 * 24 * 3600
# One answer for a wrong password, an unknown address and an unconfirmed account, pages and API alike.
LOGIN_REFUSED = "Email or password is incorrect. Just registered? Confirm your address with the link we mailed first."


class ConfirmationLinkInvalid(Exception):
    """The confirmation link is forged, expired, or superseded by a later registration of the address."""


class WrongPassword(Exception):
    """The current password did not match."""


class ResetLinkInvalid(Exception):
    """The reset token is unknown, used or expired (the same answer for all three)."""


# --- Self-registration ----------------------------------------------------------------------------
# The answer and the work are the same whether or not the address has an account (issue 14: no enumeration); only
# the mail differs. A new address gets an unconfirmed account and a link to confirm it; an address whose account
# nobody confirmed yet gets it re-started with these details and a new link (whoever reads the mailbox decides);
# a confirmed address gets a note that it already has an account. An unconfirmed account cannot log in, so
# logging in with the password just chosen does not tell either. The link is signed, not stored: it names the
# account and a fingerprint of its password hash, so a later registration of the address voids earlier links.


def _confirmation_signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="travelgo.email-confirmation")


def _hash_fingerprint(password_hash: str) -> str:
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


def confirmation_token(user_id: int, password_hash: str, next_path: str = "/") -> str:
    return _confirmation_signer().dumps([user_id, _hash_fingerprint(password_hash), next_path])


async def register(form: Registration, client_ip: str | None, base_url: str | None, next_path: str = "/") -> None:
    """Start a traveller account for form.email and mail its owner (see above). RateLimited per client_ip.
    next_path (a same-site path) is where the confirmation link leads once confirmed."""
    if client_ip is not None:
        await ratelimit.hit("register_ip", client_ip)
    password_hash = await hash_password(form.password)  # on every path: the time taken does not tell either
    try:
        await ratelimit.hit("register_mail_account", form.email)
        mail_to = base_url
    except ratelimit.RateLimited:
        mail_to = None  # mail bombing one address stops here, silently (the answer must not differ)
    if base_url is None:
        log.error("registration mail not sent: set TRAVELGO_PUBLIC_URL (links are never built from the Host header)")
    await db.run_in_transaction(_register, form, password_hash, next_path, mail_to)


async def _register(cur, form: Registration, password_hash: str, next_path: str, base_url: str | None) -> None:
    """The account change, and its message (when base_url says one may go) in the same transaction."""
    found = await queries.lock_registration(cur, form.email)
    if found is None:
        user_id = await queries.insert_user(
            cur,
            email=form.email,
            password_hash=password_hash,
            full_name=form.full_name,
            phone=form.phone,
            confirmed=False,
        )
    elif found["email_confirmed_at"] is None:
        user_id = found["id"]
        await queries.update_unconfirmed_user(
            cur, user_id, password_hash=password_hash, full_name=form.full_name, phone=form.phone
        )
    else:
        if base_url:
            await notify(
                cur, "account_exists", user_id=found["id"], context={"name": found["full_name"], "base": base_url}
            )
        return
    if base_url:
        link = f"{base_url}/register/confirm/{confirmation_token(user_id, password_hash, next_path)}"
        await notify(
            cur, "confirm_email", user_id=user_id, context={"name": form.full_name, "link": link, "base": base_url}
        )


async def confirm_email(token: str) -> tuple[dict[str, Any] | None, str]:
    """Confirm the address behind a registration link: (the account, or None when it already was confirmed; the
    path to go on to). ConfirmationLinkInvalid for a forged, expired or superseded link."""
    try:
        user_id, fingerprint, next_path = _confirmation_signer().loads(token, max_age=CONFIRMATION_LIFETIME_SECONDS)
    except (BadData, ValueError, TypeError):
        raise ConfirmationLinkInvalid() from None
    async with db.transaction() as cur:
        current = await queries.select_password_hash(cur, int(user_id))
        if current is None or not hmac.compare_digest(_hash_fingerprint(current), str(fingerprint)):
            raise ConfirmationLinkInvalid()
        if not await queries.update_email_confirmed(cur, int(user_id)):
            return None, str(next_path)
        user = await queries.select_user(cur, int(user_id))
        await notify(cur, "welcome", user_id=user["id"], context={"name": user["full_name"]})
        return user, str(next_path)


def account_key(user_id: int | None, email: str) -> str:
    """The login-failure bucket: the account the users table matches (its e-mail column compares accent- and
    case-insensitively, so every spelling of one address shares it), else the normalised address typed."""
    return f"user:{user_id}" if user_id is not None else f"email:{normalize_email(email)}"


async def login(email: str, password: str, client_ip: str) -> int | None:
    """The user id when email and password match, else None; behind the rate limits (RateLimited, 429).

    Every attempt is counted before the (slow) password check, atomically, so a burst of parallel guesses cannot
    all pass a check made before any of them failed; a success takes its count back (and clears the account's)."""
    email = normalize_email(email)
    await ratelimit.hit("login_ip", client_ip)
    async with db.reading() as cur:
        row = await queries.select_login(cur, email)
    key = account_key(row["id"] if row else None, email)
    await ratelimit.hit("login_fail_account", key)
    await ratelimit.hit("login_fail_ip", client_ip)
    ok = await verify_password(row["password_hash"] if row else None, password)  # same work for an unknown address
    if not (row and ok and row["confirmed"]):  # an unconfirmed account answers like a wrong password
        return None
    await ratelimit.reset("login_fail_account", key)
    await ratelimit.undo("login_fail_ip", client_ip)
    return row["id"]


async def get_user(user_id: int) -> dict[str, Any] | None:
    async with db.reading() as cur:
        return await queries.select_user(cur, user_id)


async def update_profile(user_id: int, form: ProfileUpdate) -> dict[str, Any]:
    """Change name/phone; only fields that were sent change."""
    async with db.transaction() as cur:
        await queries.update_user_profile(cur, user_id, form.model_dump(exclude_unset=True))
        return await queries.select_user(cur, user_id)


async def open_session(user_id: int) -> str:
    """A new browser session for a user who just logged in or registered; returns its id (for the cookie).

    Now and then it also deletes sessions older than the cookie's lifetime, which no cookie can name any more."""
    session_id = secrets.token_urlsafe(32)
    async with db.transaction() as cur:
        await queries.insert_session(cur, session_id, user_id)
    if random.random() < SESSION_PRUNE_PROBABILITY:
        await prune_sessions()
    return session_id


async def prune_sessions() -> None:
    async with db.reading() as cur:
        await queries.delete_sessions_created_before(cur, SESSION_LIFETIME_SECONDS)


async def close_session(session_id: str | None) -> None:
    """Revoke a browser session (logout): its cookie, even if copied, is signed out from now on."""
    if session_id:
        async with db.transaction() as cur:
            await queries.update_session_revoked(cur, session_id)


async def change_password(user_id: int, form: PasswordChange, *, keep_session: str | None = None) -> None:
    """Set a new password after checking the current one; ends every other session, every API token and every
    unused reset link."""
    await ratelimit.hit("password_change_account", user_id)  # counted first: parallel guesses cannot all pass
    async with db.reading() as cur:
        current_hash = await queries.select_password_hash(cur, user_id)
    if not await verify_password(current_hash, form.current_password):
        raise WrongPassword()
    await ratelimit.reset("password_change_account", user_id)
    new_hash = await hash_password(form.new_password)
    async with db.transaction() as cur:
        await queries.update_password_hash(cur, user_id, new_hash)
        await queries.update_sessions_revoked_for_user(cur, user_id, keep=keep_session)
        await queries.update_api_tokens_revoked_for_user(cur, user_id)
        await queries.update_password_resets_used(cur, user_id)  # a reset link sent before no longer works


async def issue_token(user_id: int) -> tuple[str, int]:
    """A new revocable API token key and its lifetime in seconds."""
    token_key = secrets.token_hex(16)
    async with db.transaction() as cur:
        await queries.insert_api_token(cur, user_id, token_key, API_TOKEN_LIFETIME_SECONDS)
    return token_key, API_TOKEN_LIFETIME_SECONDS


async def revoke_token(token_key: str) -> None:
    async with db.transaction() as cur:
        await queries.update_api_token_revoked(cur, token_key)


# --- Password reset by e-mail -------------------------------------------------------------------
# The token is 256 random bits, mailed once and stored only as its SHA-256, valid for an hour and
# for one use. Asking for a reset answers the same whether or not the address has an account (the
# work happens in a background task, so the timing does not tell either).


def reset_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def request_password_reset(email: str, base_url: str | None) -> None:
    """Mail a single-use reset link if `email` has an account; do nothing visible otherwise."""
    email = email.lower()
    try:
        await ratelimit.hit("password_reset_account", email)
    except ratelimit.RateLimited:
        return  # mail bombing one address stops here, silently (the answer must not differ)
    if base_url is None:
        log.error(
            "password reset not sent: set TRAVELGO_PUBLIC_URL (links are never built from the Host header in production)"
        )
        return
    token = secrets.token_urlsafe(32)
    async with db.transaction() as cur:
        user = await queries.select_user_by_email(cur, email)
        if user is None:
            return
        await queries.insert_password_reset(cur, user["id"], reset_token_hash(token), RESET_LIFETIME_SECONDS)
        context = {"name": user["full_name"], "link": f"{base_url}/password/reset/{token}", "base": base_url}
        await notify(cur, "password_reset", user_id=user["id"], context=context)


async def reset_token_is_live(token: str) -> bool:
    """True while the token is unused and unexpired."""
    async with db.reading() as cur:
        return await queries.select_live_password_reset(cur, reset_token_hash(token)) is not None


async def reset_password(token: str, form: PasswordReset) -> None:
    """Set a new password with a live token; spends it (and every older link), ends every session and API token.

    The token is checked before the (deliberately slow) hash, so a bogus one costs a query, not a hash; the
    transaction checks it again under its lock."""
    if not await reset_token_is_live(token):
        raise ResetLinkInvalid()
    new_hash = await hash_password(form.new_password)
    async with db.transaction() as cur:
        row = await queries.lock_live_password_reset(cur, reset_token_hash(token))
        if row is None:
            raise ResetLinkInvalid()
        await queries.update_password_hash(cur, row["user_id"], new_hash)
        await queries.update_email_confirmed(cur, row["user_id"])  # the link came to the mailbox: it is theirs
        await queries.update_password_resets_used(cur, row["user_id"])
        await queries.update_sessions_revoked_for_user(cur, row["user_id"])
        await queries.update_api_tokens_revoked_for_user(cur, row["user_id"])
    await ratelimit.reset("login_fail_account", account_key(row["user_id"], row["email"]))  # back in at once
