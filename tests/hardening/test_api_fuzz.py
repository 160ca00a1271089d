"""Property-based fuzzing of the whole JSON API from its own OpenAPI document (schemathesis).

TravelGo runs under Hypercorn (ports 8500-8599) against the test database; every documented operation
gets valid and invalid generated requests. Properties: never a 5xx, responses match the documented
status codes, content types and schemas, and invalid input is refused with a 4xx problem+json.
Rate limits are off for the fuzzing server (they are tested in test_rate_limits.py).
"""

from __future__ import annotations

import itertools

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, assume, given, settings
from hypothesis.errors import Unsatisfiable

from ..conftest import confirm_address
from .servers import Server

pytestmark = pytest.mark.slow
MAX_EXAMPLES = 50
_seq = itertools.count()


@pytest.fixture(scope="module")
async def fuzz_server(app):
    server = Server({"TRAVELGO_RATE_LIMITS": "off"}).start()
    yield server
    server.stop()


@pytest.fixture
def api_schema(fuzz_server):
    return schemathesis.openapi.from_url(f"{fuzz_server.base}/openapi.json")


def new_token(server: Server) -> dict[str, str]:
    """A fresh traveller's token (an operation like DELETE /auth/token may revoke the previous one)."""
    email = f"fuzz{next(_seq)}@example.com"
    with httpx.Client(base_url=server.base, timeout=10) as http:
        assert (
            http.post(
                "/api/v1/auth/register", json={"email": email, "password": "long-enough-pw", "full_name": "Fuzz"}
            ).status_code
            == 202
        )
        confirm_address(email)  # the mailed link's work (the link itself is tested in tests/accounts)
        token = http.post("/api/v1/auth/token", json={"email": email, "password": "long-enough-pw"}).json()
    return {"Authorization": f"Bearer {token['access_token']}"}


def problem_json_for_client_errors(ctx, response, case):
    """Every 4xx under /api is RFC 9457 problem+json with a matching status."""
    if 400 <= response.status_code < 500:
        content_type = response.headers.get("content-type", [""])
        content_type = content_type[0] if isinstance(content_type, list) else content_type
        assert content_type.startswith("application/problem+json"), f"{response.status_code} as {content_type}"
        assert response.json()["status"] == response.status_code
    return None


CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_schema_conformance,
    schemathesis.checks.negative_data_rejection,
    problem_json_for_client_errors,
]


def fuzz(operation, mode, server: Server, bearer: dict[str, str]):
    """A Hypothesis test of one operation in one generation mode."""

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        if mode is schemathesis.GenerationMode.NEGATIVE:
            # A blank query value means "not given" (HTML forms send empty fields), by design.
            assume(not any(value == "" for value in (case.query or {}).values()))
        headers = {"Authorization": bearer["Authorization"], **(case.headers or {})}
        case.call_and_validate(base_url=server.base, headers=headers, checks=CHECKS)

    return run


def test_api_conforms_to_its_openapi_document(api_schema, fuzz_server):
    """Every operation, valid and invalid input: collect every failure, then report them all."""
    failures: dict[str, str] = {}
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 8
    for operation in operations:
        for mode in schemathesis.GenerationMode:
            try:
                fuzz(operation, mode, fuzz_server, new_token(fuzz_server))()
            except BaseException as exc:  # noqa: BLE001  (collect every operation's failures, report them all)
                if isinstance(exc, (KeyboardInterrupt, SystemExit)):
                    raise
                if isinstance(exc, Unsatisfiable):
                    continue  # nothing to make invalid (e.g. no parameters at all): not a finding
                failures[f"{operation.method.upper()} {operation.path} [{mode.value}]"] = str(exc)[:1500]
    assert not failures, "\n\n".join(f"{name}:\n{text}" for name, text in failures.items())
