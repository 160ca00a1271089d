"""SQL metacharacters in every search field are plain text: no error, no injection, no wildcard."""

from __future__ import annotations

import pytest

from travelgo import db

from .. import factories

PAYLOADS = ["%", "_", "'", "\\", "' OR '1'='1", '"; DROP TABLE cities; --', "a%'--", "%%__\\%"]


@pytest.fixture
async def cities():
    async with db.transaction() as cur:
        plain = await factories.make_city(cur, "Alpha")
        await factories.make_city(cur, "Beta")
        odd = await factories.make_city(cur, "O'Brien_100%")
    return plain, odd


async def test_city_search_treats_wildcards_and_quotes_literally(client, cities):
    for q, expected in (
        ("%", ["O'Brien_100%"]),
        ("_", ["O'Brien_100%"]),
        ("'", ["O'Brien_100%"]),
        ("' OR '1'='1", []),
        ("\\", []),
        ("a%'--", []),
        ("Alp", ["Alpha"]),
    ):
        response = await client.get("/api/v1/cities", query_string={"q": q})
        assert response.status_code == 200, q
        assert [c["name"] for c in (await response.get_json())["items"]] == expected, q


async def test_every_search_query_parameter_survives_metacharacters(app, client, cities):
    document = await (await client.get("/openapi.json")).get_json()
    searches = {
        path: op["get"]
        for path, op in document["paths"].items()
        if "get" in op
        and "{" not in path
        and not path.startswith(
            ("/api/v1/admin", "/api/v1/bookings", "/api/v1/itineraries", "/api/v1/partner")
        )  # token routes
        and path != "/api/v1/me"
    }
    assert {"/api/v1/cities", "/api/v1/bus-trips", "/api/v1/hotels"} <= searches.keys()
    for path, operation in searches.items():
        names = [p["name"] for p in operation.get("parameters", []) if p.get("in") == "query"]
        for name in names:
            for payload in PAYLOADS:
                response = await client.get(path, query_string={name: payload})
                assert response.status_code in (200, 422), (path, name, payload, response.status_code)
    for path in ("/buses", "/hotels"):
        for name in ("from", "to", "origin", "destination", "city", "q", "date", "check_in", "sort", "amenities"):
            for payload in PAYLOADS:
                response = await client.get(path, query_string={name: payload})
                assert response.status_code in (200, 422), (path, name, payload, response.status_code)
    async with db.reading() as cur:
        await cur.execute("SELECT COUNT(*) AS n FROM cities")
        assert (await cur.fetchone())["n"] == 3
