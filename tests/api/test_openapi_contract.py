"""The OpenAPI document as generated clients read it: shared components, security, required bodies, SSE, Allow."""

from __future__ import annotations

import pytest

REF = "#/components/schemas/"


async def document(client) -> dict:
    return await (await client.get("/openapi.json")).get_json()


def operations(doc: dict):
    for path, methods in doc["paths"].items():
        for method, operation in methods.items():
            yield f"{method.upper()} {path}", operation


async def test_every_response_and_request_body_is_a_shared_component(client):
    """Inline schemas make clients name them per operation: the 200 and 201 of POST /bookings collided."""
    doc = await document(client)
    for name, operation in operations(doc):
        bodies = [*operation["responses"].values(), operation.get("requestBody", {})]
        for body in bodies:
            for media, content in body.get("content", {}).items():
                if media in ("text/event-stream", "text/calendar"):  # not JSON: no schema to share
                    continue
                ref = content["schema"].get("$ref", "")
                assert ref.startswith(REF) and ref[len(REF) :] in doc["components"]["schemas"], (name, media)
    created = doc["paths"]["/api/v1/bookings"]["post"]["responses"]
    assert (
        created["200"]["content"]
        == created["201"]["content"]
        == {"application/json": {"schema": {"$ref": REF + "BookingOut"}}}
    )


async def test_the_problem_component_declares_the_409_fields(client):
    doc = await document(client)
    problem = doc["components"]["schemas"]["Problem"]
    assert set(problem["required"]) == {"type", "title", "status", "detail"}
    assert {"errors", "unavailable_seats", "unavailable_nights", "seats_left", "trip_id"} <= problem[
        "properties"
    ].keys()
    conflict = doc["paths"]["/api/v1/bookings"]["post"]["responses"]["409"]
    assert conflict["content"] == {"application/problem+json": {"schema": {"$ref": REF + "Problem"}}}


async def test_operations_that_need_a_token_declare_bearer_security(client):
    doc = await document(client)
    assert doc["components"]["securitySchemes"]["bearer"] == {"type": "http", "scheme": "bearer"}
    secured = {name for name, operation in operations(doc) if operation.get("security") == [{"bearer": []}]}
    assert {
        "GET /api/v1/me",
        "PATCH /api/v1/me",
        "DELETE /api/v1/auth/token",
        "POST /api/v1/bookings",
        "GET /api/v1/bookings",
        "GET /api/v1/bookings/{reference}",
        "POST /api/v1/bookings/{reference}/cancel",
        "POST /api/v1/bookings/{reference}/review",
        "GET /api/v1/admin/bookings",
        "GET /api/v1/admin/stats",
        "POST /api/v1/itineraries",
        "GET /api/v1/itineraries",
        "GET /api/v1/itineraries/{itinerary_id}",
        "DELETE /api/v1/itineraries/{itinerary_id}",
        "POST /api/v1/itineraries/{itinerary_id}/items",
        "GET /api/v1/itineraries/{itinerary_id}/items",
        "GET /api/v1/itineraries/{itinerary_id}/items/{item_id}",
        "DELETE /api/v1/itineraries/{itinerary_id}/items/{item_id}",
        "POST /api/v1/itineraries/{itinerary_id}/checkout",
        "GET /api/v1/itineraries/{itinerary_id}/checkout",
        "POST /api/v1/itineraries/{itinerary_id}/cancel",
        "GET /api/v1/itineraries/{itinerary_id}.ics",
        "GET /api/v1/partner/me",
        "GET /api/v1/partner/bookings",
        "GET /api/v1/partner/bookings/{reference}",
        "POST /api/v1/partner/bookings/{reference}/cancel",
        "GET /api/v1/partner/stats",
        "GET /api/v1/partner/hotels",
        "POST /api/v1/partner/hotels/{hotel_id}/stop-sell",
        "PUT /api/v1/partner/hotels/{hotel_id}/inventory",
        "GET /api/v1/partner/restaurants",
        "GET /api/v1/partner/restaurant-requests",
        "POST /api/v1/partner/restaurant-requests/{reference}",
    } == secured
    token_revoke = doc["paths"]["/api/v1/auth/token"]["delete"]
    assert not any(p["name"].lower() == "authorization" for p in token_revoke.get("parameters", []))


async def test_request_bodies_are_required_except_the_optional_cancel_reason(client):
    doc = await document(client)
    bodies = {name: op["requestBody"]["required"] for name, op in operations(doc) if "requestBody" in op}
    assert bodies.pop("POST /api/v1/bookings/{reference}/cancel") is False
    assert bodies.pop("POST /api/v1/itineraries/{itinerary_id}/cancel") is False
    assert bodies and all(bodies.values()), bodies


async def test_event_streams_document_their_200_as_text_event_stream(client):
    doc = await document(client)
    for path in ("/api/v1/bus-trips/{trip_id}/events", "/api/v1/hotels/{hotel_id}/events"):
        assert "text/event-stream" in doc["paths"][path]["get"]["responses"]["200"]["content"]


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("PUT", "/api/v1/bookings", {"GET", "POST"}),
        ("TRACE", "/api/v1/me", {"GET", "PATCH"}),
        ("DELETE", "/api/v1/cities", {"GET"}),
    ],
)
async def test_a_wrong_method_is_a_405_problem_with_allow(client, method, path, allowed):
    response = await client.open(path, method=method)
    assert response.status_code == 405 and response.mimetype == "application/problem+json"
    assert allowed <= {m.strip() for m in response.headers["Allow"].split(",")}


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/api/v1/bus-trips?date=", "date"),
        ("/api/v1/bus-trips?origin=1&destination=%20", "destination"),
        ("/api/v1/cities?q=", "q"),
        ("/api/v1/hotels?amenities=", "amenities"),
        ("/api/v1/hotels/1?check_in=", "check_in"),
    ],
)
async def test_an_empty_query_value_is_a_422_naming_it_not_absent(client, path, field):
    response = await client.get(path)
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    assert [error["field"] for error in (await response.get_json())["errors"]] == [field]


async def test_an_empty_query_value_on_a_token_route_is_still_a_401_without_the_token(client):
    assert (await client.get("/api/v1/bookings?scope=")).status_code == 401
    assert (await client.get("/api/v1/admin/stats?from=")).status_code == 401


async def test_free_text_query_parameters_are_documented_as_not_blank(client):
    doc = await document(client)
    (q,) = [p for p in doc["paths"]["/api/v1/cities"]["get"]["parameters"] if p["name"] == "q"]
    text = q["schema"]["anyOf"][0]
    assert text["minLength"] == 1 and text["pattern"] == r"\S"


async def test_trip_and_booking_times_match_their_documented_schema(app, client):
    """Every time is documented as `date-time` and sent as RFC 3339 with its offset (a city's times with the
    city's offset, stamps in UTC); before, trip times went out without one and failed every validator."""
    from datetime import datetime

    from travelgo import db

    from .. import factories
    from ..conftest import api_token

    async with db.transaction() as cur:
        trip = await factories.make_trip(cur, seats=2)
        user = await factories.make_user(cur)
    headers = await api_token(client, user["email"])
    body = {"type": "bus", "trip_id": trip["id"], "seats": ["1"], "passengers": [{"name": "A Person", "age": 30}]}
    booking = await (await client.post("/api/v1/bookings", json=body, headers=headers)).get_json()
    shown = await (await client.get(f"/api/v1/bus-trips/{trip['id']}")).get_json()
    schemas = (await document(client))["components"]["schemas"]
    for model, value in (("TripDetail", shown), ("BookingOut", booking), ("BookedTripOut", booking["trip"])):
        for name in ("departs_at", "arrives_at", "starts_at", "ends_at", "created_at", "expires_at"):
            if name in schemas[model]["properties"]:
                schema = schemas[model]["properties"][name]
                schema = next((o for o in schema.get("anyOf", [schema]) if o.get("type") == "string"), schema)
                assert schema.get("format") == "date-time", (model, name, schema)
                assert datetime.fromisoformat(value[name]).tzinfo is not None, (model, name, value[name])


async def test_login_fields_are_documented_as_not_blank_as_they_are_checked(client):
    """Login strips its fields: a password of spaces is a 422, which the document must not call valid."""
    login = (await document(client))["components"]["schemas"]["Login"]["properties"]
    assert login["email"]["pattern"] == login["password"]["pattern"] == r"\S"
    response = await client.post("/api/v1/auth/token", json={"email": "a@example.com", "password": "   "})
    assert response.status_code == 422
