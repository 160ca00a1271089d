"""Property-based fuzzing of the whole JSON API from its own OpenAPI document, with every schemathesis check on.

TravelGo runs under Hypercorn (ports 8500-8599) against the test database with a trip and a hotel in it;
`st run --checks all` runs every phase (examples, coverage, fuzzing, stateful) against the live document:
never a 5xx, status codes, content types, headers and bodies as documented, invalid input refused, valid
input accepted, 405 with Allow, no operation that ignores its authentication, plus our own check that every
4xx is problem+json (fuzz_hooks.py). Rate limits are off for the fuzzing server (test_rate_limits.py tests them).
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest

from travelgo import db

from .. import conftest, factories
from .servers import Server

pytestmark = pytest.mark.slow
EXAMPLES = 15  # per operation and phase: about a minute for the whole run

# Valid by the schema is not always valid by the rules: a date from today on (search, stay, booking), origin and
# destination that differ (for a train: two of its stops, in order), a report range of at most two years, a visible name or review text. JSON Schema cannot say "today"
# or compare two fields, so for these operations a schema-valid request may be refused with a 422 problem
# (which the problem+json check still inspects); every other operation must accept schema-valid input.
CONFIG = """
[[operations]]
include-path-regex = "^/api/v1/(bus-trips|trips|hotels|restaurants|bookings|admin/(stats|bookings)|auth/register|me)$|^/api/v1/(hotels|restaurants|trips)/|/review$|^/api/v1/itineraries|^/api/v1/partner/"
checks.positive_data_acceptance.expected-statuses = ["2xx", "3xx", "401", "403", "404", "409", "422", "429"]
"""


@pytest.fixture
async def fuzz_server(app):
    async with db.transaction() as cur:
        admin = await factories.make_user(cur, "fuzz-admin@example.com", role="admin")
        trip = await factories.make_trip(cur, seats=8)
        hotel = await factories.make_hotel(cur)
        await factories.make_room_type(cur, hotel["id"], rooms=3)
        # the fuzzing user also owns a partner business running the trip's operator and the hotel (/api/v1/partner)
        await cur.execute("INSERT INTO partners (name, contact_email) VALUES ('Fuzz Group', 'fuzz@biz.example')")
        partner_id = cur.lastrowid
        await cur.execute(
            "INSERT INTO partner_members (user_id, partner_id, role) VALUES (%s, %s, 'owner')",
            (admin["id"], partner_id),
        )
        await cur.execute("UPDATE operators SET partner_id = %s WHERE id = %s", (partner_id, trip["operator"]["id"]))
        await cur.execute("UPDATE hotels SET partner_id = %s WHERE id = %s", (partner_id, hotel["id"]))
        await factories.make_restaurant(cur, city=hotel["city"], tables=[2, 4])
    server = Server({"DATABASE_URL": conftest.test_database_url(), "TRAVELGO_RATE_LIMITS": "off"})
    await asyncio.to_thread(server.start)
    yield server, admin
    await asyncio.to_thread(server.stop)


def schemathesis_run(server: Server, admin: dict, where: Path) -> subprocess.CompletedProcess:
    config = where / "schemathesis.toml"
    config.write_text(CONFIG)
    st = Path(sys.executable).with_name("st")
    env = {
        **os.environ,
        "SCHEMATHESIS_HOOKS": "tests.hardening.fuzz_hooks",
        "FUZZ_BASE_URL": server.base,
        "FUZZ_EMAIL": admin["email"],
        "FUZZ_PASSWORD": admin["password"],
        "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
    }
    command = [
        str(st), "--config-file", str(config), "run", f"{server.base}/openapi.json",
        "--checks", "all",
        "--phases", "examples,coverage,fuzzing,stateful",
        "--max-examples", str(EXAMPLES),
        "--seed", "14",
        "--exclude-path-regex", "/events$",  # server-sent events never end: test_api_streams.py covers them
        "--suppress-health-check", "all",
        "--no-color",
    ]  # fmt: skip
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=600, cwd=where)


async def test_api_conforms_to_its_openapi_document(fuzz_server, tmp_path):
    server, admin = fuzz_server
    result = await asyncio.to_thread(schemathesis_run, server, admin, tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-12000:]
    # 21 + 12 itinerary + 8 partner + 2 restaurant + 2 trip operations
    assert "Operations:       45 selected" in output or "45 selected" in output, output[-3000:]
