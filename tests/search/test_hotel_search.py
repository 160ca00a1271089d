"""Hotel search and hotel pages checked against what the database holds."""

from __future__ import annotations

import re
from datetime import timedelta

from travelgo import db
from travelgo.dates import today_in
from travelgo.hotels import service

from .helpers import DAY, hotel_world

HX = {"HX-Request": "true"}
LIST_FIELDS = {
    "id",
    "review_count",
    "name",
    "city",
    "stars",
    "rating",
    "amenities",
    "distance_km",
    "price_from_minor",
    "currency",
    "rooms_left",
}


async def world():
    async with db.transaction() as cur:
        return await hotel_world(cur)


async def search(client, **params):
    response = await client.get("/api/v1/hotels", query_string=params)
    assert response.status_code == 200, await response.get_data(as_text=True)
    return await response.get_json()


def ids(body) -> list[int]:
    return [h["id"] for h in body["items"]]


async def test_search_leaves_out_sold_out_and_stop_sell_hotels(client):
    w = await world()
    body = await search(client, city=w["jaipur"]["id"], **w["stay"])
    assert set(ids(body)) == {w["budget"]["id"], w["grand"]["id"], w["middle"]["id"]}
    assert body["total"] == 3
    assert set(body["items"][0]) == LIST_FIELDS
    with_sold_out = await search(client, city=w["jaipur"]["id"], show_sold_out="true", **w["stay"])
    assert with_sold_out["total"] == 5
    sold = [h for h in with_sold_out["items"] if h["price_from_minor"] is None]
    assert {h["id"] for h in sold} == {w["full"]["id"], w["closed"]["id"]} and all(h["rooms_left"] == 0 for h in sold)
    assert with_sold_out["items"][-1]["price_from_minor"] is None  # sold out last


async def test_prices_and_rooms_left_are_the_database_truth(client):
    w = await world()
    body = await search(client, city=w["jaipur"]["id"], **w["stay"])
    by_id = {h["id"]: h for h in body["items"]}
    middle = by_id[w["middle"]["id"]]
    assert middle["price_from_minor"] == (400000 + 500000) // 2  # average nightly price of the stay
    grand = by_id[w["grand"]["id"]]
    # standard: min(4-1, 4-3) = 1 left; suite: 2 left; the cheapest available is the standard room
    assert grand["price_from_minor"] == 1200000 and grand["rooms_left"] == 3
    # asking for two rooms: the standard no longer fits, the suite does
    two = await search(client, city=w["jaipur"]["id"], rooms=2, guests=2, **w["stay"])
    assert {h["id"]: h for h in two["items"]}[w["grand"]["id"]]["price_from_minor"] == 2500000


async def test_filters(client):
    w = await world()
    city = {"city": w["jaipur"]["id"], **w["stay"]}
    body = await search(client, max_price=2000, **city)
    assert ids(body) == [w["budget"]["id"]] and all(h["price_from_minor"] <= 200000 for h in body["items"])
    body = await search(client, min_price=2000, **city)
    assert all(h["price_from_minor"] >= 200000 for h in body["items"]) and body["total"] == 2
    body = await search(client, min_stars=3, **city)
    assert all(h["stars"] >= 3 for h in body["items"]) and body["total"] == 2
    body = await search(client, min_rating=8.0, **city)
    assert all(h["rating"] >= 8.0 for h in body["items"]) and body["total"] == 2
    body = await search(client, amenities="wifi,breakfast", **city)
    assert set(ids(body)) == {w["grand"]["id"], w["middle"]["id"]}
    body = await search(client, max_distance=3, **city)
    assert all(h["distance_km"] <= 3 for h in body["items"]) and body["total"] == 2
    body = await search(client, guests=4, **city)  # only the suite sleeps four
    assert ids(body) == [w["grand"]["id"]]


async def test_sorts(client):
    w = await world()
    city = {"city": w["jaipur"]["id"], **w["stay"]}
    prices = [h["price_from_minor"] for h in (await search(client, sort="price", **city))["items"]]
    assert prices == sorted(prices)
    ratings = [h["rating"] for h in (await search(client, sort="rating", **city))["items"]]
    assert ratings == sorted(ratings, reverse=True)
    stars = [h["stars"] for h in (await search(client, sort="stars", **city))["items"]]
    assert stars == sorted(stars, reverse=True)
    distances = [h["distance_km"] for h in (await search(client, sort="distance", **city))["items"]]
    assert distances == sorted(distances)


async def test_pagination(client):
    w = await world()
    city = {"city": w["jaipur"]["id"], "show_sold_out": "true", **w["stay"]}
    pages = [await search(client, limit=2, offset=o, **city) for o in (0, 2, 4, 6)]
    assert [len(p["items"]) for p in pages] == [2, 2, 1, 0] and {p["total"] for p in pages} == {5}
    assert len({h for p in pages for h in ids(p)}) == 5


async def test_validation_422_names_the_parameter(client):
    w = await world()
    today = today_in()
    cases = [
        ({"check_in": DAY, "check_out": DAY}, "check_out"),
        ({"check_in": DAY, "check_out": DAY - timedelta(days=1)}, "check_out"),
        ({"check_in": today - timedelta(days=1), "check_out": DAY}, "check_in"),
        ({"check_in": DAY, "check_out": DAY + timedelta(days=31)}, "check_out"),
        ({"guests": 13, "rooms": 1}, "rooms"),
        ({"guests": 1, "rooms": 2}, "rooms"),
        ({"sort": "cheap"}, "sort"),
        ({"amenities": "sauna"}, "amenities"),
        ({"city": 987654}, "city"),
        ({"limit": 500}, "limit"),
    ]
    for params, field in cases:
        response = await client.get("/api/v1/hotels", query_string={"city": w["jaipur"]["id"], **params})
        assert response.status_code == 422, params
        problem = await response.get_json()
        assert field in [e["loc"][0] for e in problem["errors"]], (params, problem)


async def test_hotel_detail_rooms_left_is_the_minimum_over_the_nights(client):
    w = await world()
    response = await client.get(f"/api/v1/hotels/{w['grand']['id']}", query_string=w["stay"])
    hotel = await response.get_json()
    assert response.status_code == 200
    assert LIST_FIELDS <= set(hotel) and {"description", "room_types", "check_in", "check_out"} <= set(hotel)
    rooms = {rt["id"]: rt for rt in hotel["room_types"]}
    standard = rooms[w["rt"]["grand"]["id"]]
    assert set(standard) == {"id", "name", "max_guests", "beds", "price_per_night_minor", "total_minor", "rooms_left"}
    assert standard["rooms_left"] == 1 and standard["total_minor"] == 2 * 1200000
    assert rooms[w["rt"]["grand_suite"]["id"]]["rooms_left"] == 2
    closed = await service.get_hotel(w["closed"]["id"], DAY, DAY + timedelta(days=2), 2)
    assert closed["room_types"][0]["rooms_left"] == 0  # a stop-sell night counts as 0
    assert (await client.get("/api/v1/hotels/999999")).status_code == 404
    assert await service.get_hotel(999999, DAY, DAY + timedelta(days=1), 2) is None


async def test_search_page_full_and_fragment(client):
    w = await world()
    url = f"/hotels?city={w['jaipur']['id']}&check_in={w['stay']['check_in']}&check_out={w['stay']['check_out']}"
    full = await (await client.get(url)).get_data(as_text=True)
    assert full.lstrip().startswith("<!doctype html>") and "Budget Inn" in full and "Full House" not in full
    response = await client.get(url, headers=HX)
    fragment = await response.get_data(as_text=True)
    assert fragment.lstrip().startswith('<div id="hotel-search">') and "<html" not in fragment
    assert response.headers["HX-Push-Url"].startswith(f"/hotels?check_in={w['stay']['check_in']}")
    assert f'id="hotel-rooms-left-{w["grand"]["id"]}"' in fragment and "3 rooms left" in fragment
    by_name = await (await client.get(url.replace(f"city={w['jaipur']['id']}", "city=jaipur"))).get_data(as_text=True)
    assert "Budget Inn" in by_name and 'value="Jaipur"' in by_name
    sold = await (await client.get(url + "&show_sold_out=true")).get_data(as_text=True)
    assert "Sold out for these dates" in sold


async def test_search_page_validation_beside_fields(client):
    w = await world()
    response = await client.get(f"/hotels?city={w['jaipur']['id']}&check_in={DAY}&check_out={DAY}", headers=HX)
    body = await response.get_data(as_text=True)
    assert response.status_code == 422
    assert re.search(r'<p id="e-check_out" class="field-error">Check-out must be after check-in</p>', body)
    unknown = await client.get(f"/hotels?city=Atlantis&check_in={DAY}")
    assert unknown.status_code == 422 and 'id="e-city"' in await unknown.get_data(as_text=True)


async def test_hotel_page_rooms_calendar_and_booking_links(client):
    w = await world()
    url = f"/hotels/{w['grand']['id']}?check_in={w['stay']['check_in']}&check_out={w['stay']['check_out']}&guests=2"
    body = await (await client.get(url)).get_data(as_text=True)
    standard, suite = w["rt"]["grand"]["id"], w["rt"]["grand_suite"]["id"]
    assert re.search(rf'id="rooms-left-{standard}"[^>]*>\s*1 room left', body)
    assert re.search(rf'id="rooms-left-{suite}"[^>]*>\s*2 rooms left', body)
    assert (
        f'href="/hotels/{w["grand"]["id"]}/book?room_type_id={standard}&amp;check_in={w["stay"]["check_in"]}'
        f'&amp;check_out={w["stay"]["check_out"]}&amp;rooms=1&amp;guests=2"'
    ) in body
    assert body.count('class="day ') == 60  # 30 nights x 2 room types
    fragment = await (await client.get(url, headers=HX)).get_data(as_text=True)
    assert fragment.lstrip().startswith('<div id="hotel-rooms">')
    assert (await client.get("/hotels/999999")).status_code == 404
    bad = await client.get(f"/hotels/{w['grand']['id']}?check_in={DAY}&check_out={DAY}")
    assert bad.status_code == 422 and "Check-out must be after check-in" in await bad.get_data(as_text=True)


async def test_a_room_type_for_six_is_found_by_a_search_for_six_in_one_room(client):
    """Admins can make room types for up to twelve guests: one room for six is a search, not a 422."""
    from .. import factories

    async with db.transaction() as cur:
        hotel = await factories.make_hotel(cur)
        await factories.make_room_type(cur, hotel["id"], max_guests=6, name="Family suite")
    check_in = today_in() + timedelta(days=2)
    stay = {"check_in": check_in.isoformat(), "check_out": (check_in + timedelta(days=1)).isoformat()}
    body = await search(client, city=hotel["city"]["id"], rooms=1, guests=6, **stay)
    assert ids(body) == [hotel["id"]]
    assert (await client.get("/api/v1/hotels", query_string={**stay, "rooms": 1, "guests": 13})).status_code == 422
