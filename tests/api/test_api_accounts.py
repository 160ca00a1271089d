"""API registration, tokens, /me, and problem+json shapes."""

from travelgo import db

from .. import factories
from ..conftest import api_token, confirm_registration


def assert_problem(response, status):
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"


async def test_register_answers_202_either_way_and_the_token_waits_for_confirmation(client):
    async with db.transaction() as cur:
        await factories.make_user(cur, "owner@example.com")
    payload = {"email": "api@example.com", "password": "long-enough-pw", "full_name": "Api User"}
    created = await client.post("/api/v1/auth/register", json=payload)
    taken = await client.post("/api/v1/auth/register", json={**payload, "email": "owner@example.com"})
    assert created.status_code == taken.status_code == 202
    body = await created.get_json()
    assert body["status"] == "confirmation_sent" and body["email"] == "api@example.com"
    assert {**await taken.get_json(), "email": body["email"]} == body  # nothing says the address had an account
    early = await client.post("/api/v1/auth/token", json={"email": "api@example.com", "password": "long-enough-pw"})
    assert_problem(early, 401)
    assert (await confirm_registration(client, "api@example.com")).status_code == 303
    me = await client.get("/api/v1/me", headers=await api_token(client, "api@example.com", "long-enough-pw"))
    assert (await me.get_json())["role"] == "traveller"


async def test_invalid_input_is_422_problem_with_field_locations(client):
    response = await client.post("/api/v1/auth/register", json={"email": "x", "password": "short"})
    assert_problem(response, 422)
    body = await response.get_json()
    assert {"type", "title", "status", "detail", "errors"} <= body.keys()
    fields = {e["field"] for e in body["errors"]}
    assert {"email", "password", "full_name"} <= fields


async def test_token_issue_use_and_revoke(client):
    async with db.transaction() as cur:
        await factories.make_user(cur, "tok@example.com", full_name="Token User")
    headers = await api_token(client, "tok@example.com")
    me = await client.get("/api/v1/me", headers=headers)
    assert me.status_code == 200 and (await me.get_json())["full_name"] == "Token User"
    patched = await client.patch("/api/v1/me", json={"phone": "+49 30 123456"}, headers=headers)
    assert patched.status_code == 200 and (await patched.get_json())["phone"] == "+49 30 123456"
    revoked = await client.delete("/api/v1/auth/token", headers=headers)
    assert revoked.status_code == 204
    assert_problem(await client.get("/api/v1/me", headers=headers), 401)


async def test_bad_credentials_and_garbage_tokens_are_401(client):
    async with db.transaction() as cur:
        await factories.make_user(cur, "cred@example.com")
    wrong = await client.post("/api/v1/auth/token", json={"email": "cred@example.com", "password": "wrong"})
    assert_problem(wrong, 401)
    for header in ("Bearer garbage", "Bearer ", "Basic abc", "Bearer a.b.c"):
        assert_problem(await client.get("/api/v1/me", headers={"Authorization": header}), 401)
    assert_problem(await client.get("/api/v1/me"), 401)


async def test_api_writes_need_no_csrf_and_unknown_route_is_404_problem(client):
    assert_problem(await client.get("/api/v1/no-such-thing"), 404)


async def test_openapi_lists_only_api_routes_and_docs_work_offline(client):
    spec = await (await client.get("/openapi.json")).get_json()
    assert spec["paths"] and all(path.startswith("/api/v1/") for path in spec["paths"])
    assert "/api/v1/auth/token" in spec["paths"]
    docs = await (await client.get("/docs")).get_data(as_text=True)
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in docs and "http" not in docs.split("<body>")[1]


async def test_healthz_and_readyz(client):
    assert (await client.get("/healthz")).status_code == 200
    ready = await client.get("/readyz")
    assert ready.status_code == 200 and (await ready.get_json())["database"] == "ok"


async def test_openapi_schemas_describe_what_the_booking_endpoints_return(client):
    """quart-schema names each component after its model class: two models of one name would overwrite each other
    (the booking answer's seats were documented as seat-map seats)."""
    import inspect

    from pydantic import BaseModel

    from travelgo import api

    names: dict[str, list[str]] = {}
    for module in (m for m in vars(api).values() if inspect.ismodule(m) and m.__name__.startswith("travelgo.api")):
        for model in vars(module).values():
            if inspect.isclass(model) and issubclass(model, BaseModel) and model.__module__ == module.__name__:
                names.setdefault(model.__name__, []).append(module.__name__)
    assert {name: where for name, where in names.items() if len(where) > 1} == {}

    spec = await (await client.get("/openapi.json")).get_json()
    shown = spec["paths"]["/api/v1/bookings/{reference}"]["get"]["responses"]["200"]
    component = lambda ref: spec["components"]["schemas"][ref["$ref"].rsplit("/", 1)[1]]  # noqa: E731
    booking = component(shown["content"]["application/json"]["schema"])["properties"]
    seat = component(booking["seats"]["items"])
    assert {"label", "passenger_name", "price_minor"} <= set(seat["properties"])


async def test_a_name_of_invisible_characters_is_refused_and_nothing_is_created(client):
    from ..bookings.helpers import scalar

    body = {"email": "ghost@example.com", "password": "long-enough-pass", "full_name": "\u200b\u202e\u200d"}
    response = await client.post("/api/v1/auth/register", json=body)
    assert response.status_code == 422 and "full name" in await response.get_data(as_text=True)
    assert await scalar("SELECT COUNT(*) FROM users WHERE email = 'ghost@example.com'") == 0
