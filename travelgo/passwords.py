"""argon2 hashing off the event loop (a hash costs ~180 ms with the default parameters)."""

from __future__ import annotations

import asyncio

import argon2
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = argon2.PasswordHasher()
# A real hash of a random string: verifying against it when the email is unknown keeps
# the timing of a failed login the same whether or not the account exists.
_DUMMY_HASH = _hasher.hash("travelgo-no-such-user")


def use_cheap_parameters() -> None:
    """For tests only: hashing with the cheapest profile keeps the suite fast."""
    global _hasher, _DUMMY_HASH
    _hasher = argon2.PasswordHasher.from_parameters(argon2.profiles.CHEAPEST)
    _DUMMY_HASH = _hasher.hash("travelgo-no-such-user")


async def hash_password(password: str) -> str:
    return await asyncio.to_thread(_hasher.hash, password)


async def verify_password(password_hash: str | None, password: str) -> bool:
    def check() -> bool:
        try:
            return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
        except (VerificationError, InvalidHashError):
            return False

    return await asyncio.to_thread(check)
