"""Bus search (API and pages) checked against what the database holds."""

from __future__ import annotations

from datetime import timedelta

from travelgo import db
from travelgo.buses import service
from travelgo.dates import today_in, wall_now

from .helpers import DAY, bus_world

LIST_FIELDS = {
    "id",
    "mode",
    "operator",
    "origin",
    "destination",
    "departs_at",
    "arrives_at",
    "duration_minutes",
    "bus_type",
    "price_minor",
    "currency",
    "seats_total",
    "seats_left",
    "amenities",
}


async def world():
    async with db.transaction() as cur:
        return await bus_world(cur)


async def search(client, **params):
    response = await client.get("/api/v1/bus-trips", query_string=params)
    assert response.status_code == 200, await response.get_data(as_text=True)
    return await response.get_json()


def route(w, **extra):
    return {"origin": w["pune"]["id"], "destination": w["mumbai"]["id"], "date": DAY.isoformat(), **extra}


async def test_route_search_returns_exactly_that_days_trips_with_the_api_shape(client):
    w = await world()
    body = await search(client, **route(w))
    assert body["total"] == 6 and body["limit"] == 20 and body["offset"] == 0
    assert [t["id"] for t in body["items"]] == [t["id"] for t in w["trips"]]  # default sort: departure
    item = body["items"][1]
    assert set(item) == LIST_FIELDS
    assert item["operator"] == {"id": w["fast"]["id"], "name": "Fast Lines", "rating": 4.6, "review_count": 0}
    assert item["origin"] == {"id": w["pune"]["id"], "name": "Pune"}
    assert item["bus_type"] == "ac_seater" and item["seats_left"] == 37 and item["seats_total"] == 40
    assert item["amenities"] == ["wifi", "charging", "water"]
    assert item["departs_at"].startswith(DAY.isoformat() + "T07:00")


async def test_price_filter_keeps_only_trips_in_range(client):
    w = await world()
    body = await search(client, **route(w, min_price=600, max_price=1200))
    prices = [t["price_minor"] for t in body["items"]]
    assert prices and all(60000 <= p <= 120000 for p in prices)
    assert body["total"] == len([t for t in w["trips"] if 60000 <= t["price_minor"] <= 120000]) == 4


async def test_departure_windows_bus_type_operator_amenities_and_min_seats(client):
    w = await world()
    body = await search(client, **route(w, departure="early_morning,night"))
    assert sorted(int(t["departs_at"][11:13]) for t in body["items"]) == [4, 22]
    body = await search(client, **route(w, bus_type="ac_sleeper"))
    assert {t["bus_type"] for t in body["items"]} == {"ac_sleeper"} and body["total"] == 2
    body = await search(client, **route(w, operator=str(w["slow"]["id"])))
    assert {t["operator"]["name"] for t in body["items"]} == {"Slow Coaches"} and body["total"] == 3
    body = await search(client, **route(w, amenities="wifi,charging"))
    assert body["total"] == 2 and all({"wifi", "charging"} <= set(t["amenities"]) for t in body["items"])
    body = await search(client, **route(w, min_seats=5))
    assert w["trips"][2]["id"] not in [t["id"] for t in body["items"]] and body["total"] == 5
    # repeated parameters work like comma lists (HTML checkboxes send them that way)
    response = await client.get(
        f"/api/v1/bus-trips?origin={w['pune']['id']}&destination={w['mumbai']['id']}"
        f"&date={DAY}&bus_type=ac_sleeper&bus_type=non_ac_seater"
    )
    assert (await response.get_json())["total"] == 4


async def test_passengers_hide_trips_without_enough_seats(client):
    w = await world()
    body = await search(client, **route(w, passengers=4))
    assert w["trips"][2]["id"] not in [t["id"] for t in body["items"]]
    assert all(t["seats_left"] >= 4 for t in body["items"])


async def test_sorts_are_true(client):
    w = await world()
    by_price = (await search(client, **route(w, sort="price")))["items"]
    assert [t["price_minor"] for t in by_price] == sorted(t["price_minor"] for t in by_price)
    by_duration = (await search(client, **route(w, sort="duration")))["items"]
    assert [t["duration_minutes"] for t in by_duration] == sorted(t["duration_minutes"] for t in by_duration)
    by_rating = (await search(client, **route(w, sort="rating")))["items"]
    ratings = [t["operator"]["rating"] for t in by_rating]
    assert ratings == sorted(ratings, reverse=True) and ratings[0] == 4.6
    by_departure = (await search(client, **route(w, sort="departure")))["items"]
    assert [t["departs_at"] for t in by_departure] == sorted(t["departs_at"] for t in by_departure)


async def test_pagination_edges(client):
    w = await world()
    pages = [await search(client, **route(w, limit=4, offset=o)) for o in (0, 4, 8)]
    assert [len(p["items"]) for p in pages] == [4, 2, 0]
    assert {p["total"] for p in pages} == {6}
    ids = [t["id"] for p in pages for t in p["items"]]
    assert len(ids) == len(set(ids)) == 6
    for bad in ({"limit": 0}, {"limit": 101}, {"offset": -1}, {"limit": "many"}):
        response = await client.get("/api/v1/bus-trips", query_string=route(w, **bad))
        assert response.status_code == 422
        problem = await response.get_json()
        assert problem["errors"][0]["loc"][-1] == next(iter(bad))


async def test_browse_a_day_without_cities_and_unknown_params_are_ignored(client):
    w = await world()
    body = await search(client, date=DAY.isoformat(), utm_source="mail")
    # 6 Pune->Mumbai, Mumbai->Pune and Pune->Panaji (the next day's trip is left out)
    assert body["total"] == 8
    assert all(t["departs_at"].startswith(DAY.isoformat()) for t in body["items"])
    assert w


async def test_todays_departures_that_already_left_are_hidden(client):

    from tests import factories

    async with db.transaction() as cur:
        a, b = await factories.make_city(cur), await factories.make_city(cur)
        now = wall_now()
        gone = await factories.make_trip(cur, origin=a, destination=b, departs_at=now - timedelta(minutes=1))
        later = await factories.make_trip(cur, origin=a, destination=b, departs_at=now + timedelta(minutes=5))
    ids = [t["id"] for t in (await search(client, origin=a["id"], destination=b["id"]))["items"]]
    if later["departs_at"].date() == today_in():
        assert later["id"] in ids
    assert gone["id"] not in ids


async def test_invalid_parameters_are_422_problems_naming_the_parameter(client):
    w = await world()
    cases = [
        (route(w, destination=w["pune"]["id"]), "destination"),
        (route(w, date=(today_in() - timedelta(days=1)).isoformat()), "date"),
        (route(w, passengers=7), "passengers"),
        (route(w, passengers=0), "passengers"),
        (route(w, sort="cheapest"), "sort"),
        (route(w, departure="brunch"), "departure"),
        (route(w, origin=987654), "origin"),
        (route(w, min_price=500, max_price=100), "max_price"),
        (route(w, date="tomorrow"), "date"),
    ]
    for params, field in cases:
        response = await client.get("/api/v1/bus-trips", query_string=params)
        assert response.status_code == 422, (params, await response.get_data(as_text=True))
        assert response.mimetype == "application/problem+json"
        problem = await response.get_json()
        assert problem["status"] == 422
        assert field in [e["loc"][-1] for e in problem["errors"]] or field in [e["loc"][0] for e in problem["errors"]]


async def test_trip_detail_seats_left_equals_free_seats_on_the_map(client):
    w = await world()
    trip_id = w["trips"][2]["id"]
    response = await client.get(f"/api/v1/bus-trips/{trip_id}")
    assert response.status_code == 200
    trip = await response.get_json()
    assert set(trip) == LIST_FIELDS | {
        "status",
        "bookable",
        "closed_reason",
        "departs_in",
        "seats",
        "boarding_points",
        "dropping_points",
    }
    assert 0 < trip["departs_in"] <= 366 * 86400
    free = [s for s in trip["seats"] if s["available"]]
    assert trip["seats_left"] == len(free) == 3
    assert {s["label"] for s in trip["seats"] if not s["available"]} == {str(n) for n in range(1, 28)}
    assert set(trip["seats"][0]) == {"label", "deck", "row", "column", "kind", "available"}
    assert trip["boarding_points"][0]["name"] == "Central Bus Station"
    # the service contract other parts use returns the same shape
    direct = await service.get_trip(trip_id)
    assert set(direct) == set(trip) and direct["seats_left"] == 3
    assert await service.get_trip(10**12) is None


async def test_unknown_trip_is_404_problem(client):
    response = await client.get("/api/v1/bus-trips/999999999")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"


async def test_cities_api_type_ahead_and_shape(client):
    await world()
    body = await (await client.get("/api/v1/cities?q=pu")).get_json()
    assert [c["name"] for c in body["items"]] == ["Pune"]
    assert set(body["items"][0]) == {"id", "name", "region", "country", "latitude", "longitude"}
    everything = await (await client.get("/api/v1/cities?limit=2")).get_json()
    assert everything["total"] == 3 and len(everything["items"]) == 2
    assert (await client.get("/api/v1/cities?limit=1000")).status_code == 422


async def test_openapi_documents_the_search_endpoints(client):
    doc = await (await client.get("/openapi.json")).get_json()
    for path in (
        "/api/v1/cities",
        "/api/v1/bus-trips",
        "/api/v1/bus-trips/{trip_id}",
        "/api/v1/hotels",
        "/api/v1/hotels/{hotel_id}",
    ):
        assert path in doc["paths"], path
    params = {p["name"] for p in doc["paths"]["/api/v1/bus-trips"]["get"]["parameters"]}
    assert {"origin", "destination", "date", "passengers", "max_price", "departure", "sort", "limit"} <= params
