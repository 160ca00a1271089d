"""SQL for users and API tokens. Cursor first; never commits."""

from __future__ import annotations

from typing import Any

from ..security import digest

USER_FIELDS = "id, email, full_name, phone, role, created_at, notify_sms, notify_whatsapp, phone_verified_at"


async def insert_user(
    cur,
    *,
    email: str,
    password_hash: str,
    full_name: str,
    phone: str | None,
    role: str = "traveller",
    confirmed: bool = True,
) -> int:
    """A new account; confirmed=False (self-registration) cannot log in until its address is confirmed."""
    await cur.execute(
        """
        INSERT INTO users (email, password_hash, full_name, phone, role, email_confirmed_at)
        VALUES (%(email)s, %(password_hash)s, %(full_name)s, %(phone)s, %(role)s,
                IF(%(confirmed)s, UTC_TIMESTAMP(6), NULL))
        """,
        dict(
            email=email, password_hash=password_hash, full_name=full_name, phone=phone, role=role, confirmed=confirmed
        ),
    )
    return cur.lastrowid


async def select_user(cur, user_id: int) -> dict[str, Any] | None:
    await cur.execute(f"SELECT {USER_FIELDS} FROM users WHERE id = %(id)s", {"id": user_id})
    return await cur.fetchone()


async def select_login(cur, email: str) -> dict[str, Any] | None:
    await cur.execute(
        """
        SELECT id, password_hash, email_confirmed_at IS NOT NULL AS confirmed
          FROM users
         WHERE email = %(email)s
        """,
        {"email": email},
    )
    return await cur.fetchone()


async def select_password_hash(cur, user_id: int) -> str | None:
    await cur.execute("SELECT password_hash FROM users WHERE id = %(id)s", {"id": user_id})
    row = await cur.fetchone()
    return row["password_hash"] if row else None


async def update_user_profile(cur, user_id: int, changes: dict[str, Any]) -> None:
    allowed = {k: v for k, v in changes.items() if k in ("full_name", "phone")}
    if not allowed:
        return
    assignments = ", ".join(f"{column} = %({column})s" for column in allowed)
    await cur.execute(f"UPDATE users SET {assignments} WHERE id = %(id)s", {**allowed, "id": user_id})


async def update_password_hash(cur, user_id: int, password_hash: str) -> None:
    await cur.execute(
        "UPDATE users SET password_hash = %(hash)s WHERE id = %(id)s", {"hash": password_hash, "id": user_id}
    )


async def insert_api_token(cur, user_id: int, token_key: str, lifetime_seconds: int) -> None:
    await cur.execute(
        """
        INSERT INTO api_tokens (user_id, token_key, expires_at)
        VALUES (%(user_id)s, %(key)s, UTC_TIMESTAMP() + INTERVAL %(life)s SECOND)
        """,
        {"user_id": user_id, "key": digest(token_key), "life": lifetime_seconds},
    )


async def update_api_token_revoked(cur, token_key: str) -> None:
    await cur.execute(
        "UPDATE api_tokens SET revoked_at = CURRENT_TIMESTAMP(6) WHERE token_key = %(key)s AND revoked_at IS NULL",
        {"key": digest(token_key)},
    )


async def lock_registration(cur, email: str) -> dict[str, Any] | None:
    """The account of an address, locked (or the gap where it would go, so two registrations queue)."""
    await cur.execute(
        "SELECT id, full_name, password_hash, email_confirmed_at FROM users WHERE email = %(email)s FOR UPDATE",
        {"email": email},
    )
    return await cur.fetchone()


async def update_unconfirmed_user(cur, user_id: int, *, password_hash: str, full_name: str, phone: str | None) -> None:
    """Registering again an address nobody has confirmed: the newest details win (the mailbox decides)."""
    await cur.execute(
        """
        UPDATE users
           SET password_hash = %(hash)s, full_name = %(name)s, phone = %(phone)s
         WHERE id = %(id)s AND email_confirmed_at IS NULL
        """,
        {"id": user_id, "hash": password_hash, "name": full_name, "phone": phone},
    )


async def update_email_confirmed(cur, user_id: int) -> bool:
    """Confirm an account's address; False when it already was."""
    await cur.execute(
        "UPDATE users SET email_confirmed_at = UTC_TIMESTAMP(6) WHERE id = %(id)s AND email_confirmed_at IS NULL",
        {"id": user_id},
    )
    return cur.rowcount == 1


async def select_user_by_email(cur, email: str) -> dict[str, Any] | None:
    await cur.execute(f"SELECT {USER_FIELDS} FROM users WHERE email = %(email)s", {"email": email})
    return await cur.fetchone()


async def insert_password_reset(cur, user_id: int, token_hash: str, lifetime_seconds: int) -> None:
    await cur.execute(
        """
        INSERT INTO password_resets (user_id, token_hash, expires_at)
        VALUES (%(user_id)s, %(hash)s, UTC_TIMESTAMP() + INTERVAL %(life)s SECOND)
        """,
        {"user_id": user_id, "hash": token_hash, "life": lifetime_seconds},
    )


LIVE_RESET_SQL = """
        SELECT r.id, r.user_id, u.email
          FROM password_resets r
          JOIN users u ON u.id = r.user_id
         WHERE r.token_hash = %(hash)s
           AND r.used_at IS NULL
           AND r.expires_at > UTC_TIMESTAMP()
        """


async def select_live_password_reset(cur, token_hash: str) -> dict[str, Any] | None:
    """The reset behind a token that is unused and unexpired."""
    await cur.execute(LIVE_RESET_SQL, {"hash": token_hash})
    return await cur.fetchone()


async def lock_live_password_reset(cur, token_hash: str) -> dict[str, Any] | None:
    """Like select_live_password_reset, but locks the row so two uses of one token cannot both win."""
    await cur.execute(LIVE_RESET_SQL + " FOR UPDATE", {"hash": token_hash})
    return await cur.fetchone()


async def update_password_resets_used(cur, user_id: int) -> None:
    """Spend every outstanding reset link of a user (the one used and any older ones)."""
    await cur.execute(
        """
        UPDATE password_resets
           SET used_at = CURRENT_TIMESTAMP(6)
         WHERE user_id = %(user_id)s
           AND used_at IS NULL
        """,
        {"user_id": user_id},
    )


async def update_api_tokens_revoked_for_user(cur, user_id: int) -> None:
    await cur.execute(
        """
        UPDATE api_tokens
           SET revoked_at = CURRENT_TIMESTAMP(6)
         WHERE user_id = %(user_id)s
           AND revoked_at IS NULL
        """,
        {"user_id": user_id},
    )


async def insert_session(cur, session_id: str, user_id: int) -> None:
    await cur.execute(
        "INSERT INTO sessions (id, user_id) VALUES (%(id)s, %(user_id)s)",
        {"id": digest(session_id), "user_id": user_id},
    )


async def delete_sessions_created_before(cur, seconds_ago: int) -> None:
    await cur.execute(
        "DELETE FROM sessions WHERE created_at < CURRENT_TIMESTAMP(6) - INTERVAL %(seconds)s SECOND LIMIT 1000",
        {"seconds": seconds_ago},
    )


async def update_session_revoked(cur, session_id: str) -> None:
    await cur.execute(
        "UPDATE sessions SET revoked_at = CURRENT_TIMESTAMP(6) WHERE id = %(id)s AND revoked_at IS NULL",
        {"id": digest(session_id)},
    )


async def update_sessions_revoked_for_user(cur, user_id: int, *, keep: str | None = None) -> None:
    """Revoke every live session of a user, except `keep` (the one making the change)."""
    await cur.execute(
        """
        UPDATE sessions
           SET revoked_at = CURRENT_TIMESTAMP(6)
         WHERE user_id = %(user_id)s
           AND revoked_at IS NULL
           AND id <> %(keep)s
        """,
        {"user_id": user_id, "keep": digest(keep) if keep else ""},
    )


# --- Notification channels and phone verification (issue 20) ---------------------------------------


async def lock_user_channels(cur, user_id: int) -> dict[str, Any] | None:
    """The phone, its verification and the opt-ins of an account, locked (a change and its check are one step)."""
    await cur.execute(
        "SELECT id, phone, phone_verified_at, notify_sms, notify_whatsapp FROM users WHERE id = %(id)s FOR UPDATE",
        {"id": user_id},
    )
    return await cur.fetchone()


async def update_phone_unverified(cur, user_id: int) -> None:
    """A new phone number is not verified: SMS and WhatsApp stop until it is."""
    await cur.execute(
        """
        UPDATE users
           SET phone_verified_at = NULL, notify_sms = 0, notify_whatsapp = 0
         WHERE id = %(id)s
        """,
        {"id": user_id},
    )
    await delete_phone_verification(cur, user_id)


async def update_user_channels(cur, user_id: int, changes: dict[str, bool]) -> None:
    allowed = {k: int(v) for k, v in changes.items() if k in ("notify_sms", "notify_whatsapp")}
    if not allowed:
        return
    assignments = ", ".join(f"{column} = %({column})s" for column in allowed)
    await cur.execute(f"UPDATE users SET {assignments} WHERE id = %(id)s", {**allowed, "id": user_id})


async def update_phone_verified(cur, user_id: int) -> None:
    await cur.execute("UPDATE users SET phone_verified_at = UTC_TIMESTAMP(6) WHERE id = %(id)s", {"id": user_id})


async def upsert_phone_verification(cur, user_id: int, phone: str, code_hash: str, lifetime_seconds: int) -> None:
    """The account's one live code (a new one replaces the old, with its attempts)."""
    await cur.execute(
        """
        INSERT INTO phone_verifications (user_id, phone, code_hash, attempts, expires_at)
        VALUES (%(user_id)s, %(phone)s, %(hash)s, 0, UTC_TIMESTAMP(6) + INTERVAL %(life)s SECOND)
            ON DUPLICATE KEY UPDATE phone = VALUES(phone), code_hash = VALUES(code_hash), attempts = 0,
                                    expires_at = VALUES(expires_at), created_at = UTC_TIMESTAMP(6)
        """,
        {"user_id": user_id, "phone": phone, "hash": code_hash, "life": lifetime_seconds},
    )


async def select_live_phone_verification(cur, user_id: int, *, lock: bool = False) -> dict[str, Any] | None:
    """The account's unexpired code (its phone, hash and attempts so far), optionally locked."""
    await cur.execute(
        """
        SELECT user_id, phone, code_hash, attempts
          FROM phone_verifications
         WHERE user_id = %(user_id)s
           AND expires_at > UTC_TIMESTAMP(6)
        """
        + (" FOR UPDATE" if lock else ""),
        {"user_id": user_id},
    )
    return await cur.fetchone()


async def update_phone_verification_attempted(cur, user_id: int) -> None:
    await cur.execute(
        "UPDATE phone_verifications SET attempts = attempts + 1 WHERE user_id = %(user_id)s", {"user_id": user_id}
    )


async def delete_phone_verification(cur, user_id: int) -> None:
    await cur.execute("DELETE FROM phone_verifications WHERE user_id = %(user_id)s", {"user_id": user_id})
