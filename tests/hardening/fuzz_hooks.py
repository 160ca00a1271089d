"""Schemathesis hooks for test_api_fuzz.py (loaded by `st run` through SCHEMATHESIS_HOOKS).

The test passes the server and an administrator's credentials in FUZZ_BASE_URL, FUZZ_EMAIL and FUZZ_PASSWORD.
"""

from __future__ import annotations

import os

import httpx
import schemathesis

REVOKE = ("DELETE", "/api/v1/auth/token")


def _token() -> str:
    answer = httpx.post(
        f"{os.environ['FUZZ_BASE_URL']}/api/v1/auth/token",
        json={"email": os.environ["FUZZ_EMAIL"], "password": os.environ["FUZZ_PASSWORD"]},
        timeout=10,
    )
    answer.raise_for_status()
    return answer.json()["access_token"]


@schemathesis.auth(refresh_interval=None)
class BearerToken:
    """One administrator's token for every operation (admin routes included); DELETE /auth/token revokes the
    token it is sent with, so it gets a fresh one of its own each time."""

    shared: str | None = None

    def get(self, case, ctx):
        if (case.method.upper(), case.path) == REVOKE:
            return _token()
        if BearerToken.shared is None:
            BearerToken.shared = _token()
        return BearerToken.shared

    def set(self, case, data, ctx):
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


@schemathesis.check
def problem_json_for_client_errors(ctx, response, case):
    """Every 4xx under /api is RFC 9457 problem+json with a matching status."""
    if 400 <= response.status_code < 500:
        content_type = response.headers.get("content-type", [""])
        content_type = content_type[0] if isinstance(content_type, list) else content_type
        assert content_type.startswith("application/problem+json"), f"{response.status_code} as {content_type}"
        assert response.json()["status"] == response.status_code
    return None
