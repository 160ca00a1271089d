"""Authorization matrix over EVERY admin route, read from the app's url_map (new routes are covered
automatically): anonymous → log in (HTML) / 401 (API), traveller → 403, admin → allowed."""

from __future__ import annotations

from travelgo import db

from ..conftest import api_token, csrf_for
from ..segments.helpers import make_train

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def admin_routes(app):
    """(method, rule) for every admin page and admin API route."""
    routes = []
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(("/admin", "/api/v1/admin")):
            routes.extend((method, rule) for method in sorted(rule.methods) if method in METHODS)
    return routes


def build(app, rule, world) -> str:
    values = {
        "city_id": world["trip"]["origin"]["id"],
        "operator_id": world["trip"]["operator"]["id"],
        "vehicle_id": world["trip"]["vehicle"]["id"],
        "trip_id": world["trip"]["id"],
        "hotel_id": world["hotel"]["id"],
        "room_type_id": world["room_type"]["id"],
        "reference": world["bus_booking"]["reference"],
        "refund_id": world["refund_id"],
        "notification_id": world["notification_id"],
        "rule_id": world["rule_id"],
        "review_id": world["review_id"],
        "partner_id": world["partner_id"],
        "application_id": world["application_id"],
        "route_id": world.get("route_id"),  # trains and flights (/admin/routes)
        "restaurant_id": world["restaurant"]["id"],
        "table_id": world["restaurant"]["table_ids"][0],
    }
    missing = set(rule.arguments) - set(values)
    assert not missing, f"add a sample value for {missing} (route {rule.rule})"
    return app.url_map.bind("localhost").build(rule.endpoint, {k: values[k] for k in rule.arguments})


async def call(client, method, path, headers=None):
    headers = dict(headers or {})
    if method == "GET":
        return await client.get(path, headers=headers)
    if not path.startswith("/api/"):
        token = await csrf_for(client)
        return await client.open(path, method=method, form={"csrf_token": token}, headers=headers)
    return await client.open(path, method=method, json={}, headers=headers)


async def test_matrix_covers_every_admin_route(app, client, admin_client, traveller_client, world):
    async with db.transaction() as cur:
        world = {**world, "route_id": (await make_train(cur))["route_id"]}
    routes = admin_routes(app)
    assert len(routes) >= 35, routes  # the matrix is not vacuous
    assert any(r.rule == "/api/v1/admin/bookings" for _, r in routes)
    admin_api = await api_token(app.test_client(), world["admin"]["email"])
    traveller_api = await api_token(app.test_client(), world["traveller"]["email"])
    failures = []
    for method, rule in routes:
        path = build(app, rule, world)
        api = path.startswith("/api/")
        # anonymous
        response = await call(client, method, path)
        if api:
            if response.status_code != 401:
                failures.append(("anonymous", method, path, response.status_code))
        elif response.status_code != 302 or not response.headers["Location"].startswith("/login?next="):
            failures.append(("anonymous", method, path, response.status_code))
        # traveller
        response = await call(traveller_client, method, path, traveller_api if api else None)
        if response.status_code != 403:
            failures.append(("traveller", method, path, response.status_code))
        # admin: GET pages answer 200; writes with an empty form are refused as invalid, never 401/403/5xx
        response = await call(admin_client, method, path, admin_api if api else None)
        expected_ok = response.status_code == 200 if method == "GET" else response.status_code in (200, 303, 409, 422)
        if not expected_ok:
            failures.append(
                ("admin", method, path, response.status_code, (await response.get_data(as_text=True))[:300])
            )
    assert failures == []


async def test_api_problem_json_for_non_admins(client, traveller_client, world):
    response = await client.get("/api/v1/admin/stats")
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    headers = await api_token(client, world["traveller"]["email"])
    response = await client.get("/api/v1/admin/bookings", headers=headers)
    assert response.status_code == 403
    assert (await response.get_json())["title"] == "Forbidden"


async def test_api_checks_the_admin_before_validating_the_query(client, world):
    """A non-admin learns nothing about the query's shape: 401/403 come before any 422."""
    bad_queries = {
        "/api/v1/admin/stats": "?from=not-a-date&to=2020-13-45",
        "/api/v1/admin/bookings": "?limit=0&offset=-1&type=boat&date_from=yesterday",
    }
    traveller = await api_token(client, world["traveller"]["email"])
    admin = await api_token(client, world["admin"]["email"])
    for path, query in bad_queries.items():
        response = await client.get(path + query)
        assert response.status_code == 401, path
        assert response.mimetype == "application/problem+json"
        response = await client.get(path + query, headers=traveller)
        assert response.status_code == 403, path
        assert (await response.get_json())["title"] == "Forbidden"
        response = await client.get(path + query, headers=admin)
        assert response.status_code == 422, path
        assert (await response.get_json())["errors"]
        response = await client.get(path, headers=admin)
        assert response.status_code == 200, path


async def test_admin_api_querystrings_stay_documented(client):
    document = await (await client.get("/openapi.json")).get_json()
    stats = {p["name"] for p in document["paths"]["/api/v1/admin/stats"]["get"]["parameters"]}
    bookings = {p["name"] for p in document["paths"]["/api/v1/admin/bookings"]["get"]["parameters"]}
    assert {"from", "to"} <= stats
    assert {"limit", "offset", "type", "status"} <= bookings
