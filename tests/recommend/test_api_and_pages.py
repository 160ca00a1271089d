"""GET /api/v1/recommendations (anonymous: popular; with a token: personal), the home page and detail pages."""

from __future__ import annotations

from travelgo import db
from travelgo.recommend import service

from ..conftest import api_token, confirm_address, login
from .world import book, make_world


async def test_anonymous_api_gets_popular_items(app, client):
    w = await make_world()
    async with db.transaction() as cur:
        await book(cur, w["users"][3], trip=w["to_pune"])
    await service.refresh()
    response = await client.get("/api/v1/recommendations?limit=2")
    assert response.status_code == 200
    body = await response.get_json()
    assert body["total"] == 3 and body["limit"] == 2 and body["offset"] == 0
    first = body["items"][0]
    assert first["kind"] == "route" and first["id"] is None
    assert (first["origin_id"], first["destination_id"]) == (w["mumbai"]["id"], w["pune"]["id"])
    assert first["title"] == "Mumbai → Pune" and first["reason_code"] == "popular"
    assert first["reason"] == "Popular on TravelGo" and first["score"] == 3


async def test_a_token_gets_personal_items(app, client):
    w = await make_world()
    traveller = w["users"][3]
    async with db.transaction() as cur:
        await book(cur, traveller, trip=w["to_pune"], starts_in_days=-2)
    await service.refresh()
    confirm_address(traveller["email"])
    headers = await api_token(client, traveller["email"])
    body = await (await client.get("/api/v1/recommendations", headers=headers)).get_json()
    first = body["items"][0]
    assert (first["kind"], first["id"]) == ("hotel", w["pune_hotel"]["id"])
    assert first["reason"] == "Travellers who booked Mumbai → Pune also booked this"
    assert all(i["title"] != "Mumbai → Pune" for i in body["items"])  # already booked


async def test_a_bad_token_is_refused_and_bad_limits_are_422(app, client):
    response = await client.get("/api/v1/recommendations", headers={"Authorization": "Bearer nonsense"})
    assert response.status_code == 401
    assert (await client.get("/api/v1/recommendations?limit=0")).status_code == 422
    assert (await client.get("/api/v1/recommendations?limit=")).status_code == 422


async def test_the_openapi_document_lists_the_route(app, client):
    spec = await (await client.get("/openapi.json")).get_json()
    assert "RecommendationList" in spec["components"]["schemas"]
    assert "/api/v1/recommendations" in spec["paths"]


async def test_home_page_shows_popular_routes_then_personal_ones(app, client):
    w = await make_world()
    traveller = w["users"][3]
    async with db.transaction() as cur:
        await book(cur, traveller, trip=w["to_pune"])
    await service.refresh()
    page = await (await client.get("/")).get_data(as_text=True)
    assert "Popular routes" in page and "Mumbai → Pune" in page and "Recommended for you" not in page
    assert f"/buses?origin={w['mumbai']['id']}&amp;destination={w['pune']['id']}" in page
    confirm_address(traveller["email"])
    await login(client, traveller["email"])
    page = await (await client.get("/")).get_data(as_text=True)
    assert "Recommended for you" in page
    assert "Pune Palace" in page and "Near your arrival in Pune" in page


async def test_detail_pages_show_what_travellers_also_booked(app, client):
    w = await make_world()
    await service.refresh()
    trip_page = await (await client.get(f"/buses/{w['to_pune']['id']}")).get_data(as_text=True)
    assert "Travellers who booked this also booked" in trip_page and "Pune Palace" in trip_page
    hotel_page = await (await client.get(f"/hotels/{w['pune_hotel']['id']}")).get_data(as_text=True)
    assert "Travellers who booked this also booked" in hotel_page and "Mumbai → Pune" in hotel_page
    goa_page = await (await client.get(f"/hotels/{w['goa_other']['id']}")).get_data(as_text=True)
    assert "Travellers who booked this also booked" not in goa_page
