"""Trains and flights through the JSON API: search across modes, a segment's seat map, booking a segment through
the same lifecycle as a bus (hold, pay, cancel, list), and the problems."""

from __future__ import annotations

from travelgo import db
from travelgo.bookings.integrity import check_inventory

from .. import factories
from ..conftest import api_token
from ..payhelpers import paid
from .helpers import make_train, segment_body, train


def is_problem(response, status: int) -> bool:
    return response.status_code == status and response.mimetype == "application/problem+json"


async def buyer(client) -> tuple[dict, dict]:
    async with db.transaction() as cur:
        user = await factories.make_user(cur)
    return user, await api_token(client, user["email"])


async def test_book_a_middle_segment_then_pay_list_and_cancel(client):
    trip = await train(stops=5)
    user, headers = await buyer(client)
    created = await client.post("/api/v1/bookings", json=segment_body(trip, 1, 3, ["A1-1", "A1-2"]), headers=headers)
    assert created.status_code == 201, await created.get_data(as_text=True)
    body = await created.get_json()
    assert body["type"] == "train" and body["status"] == "pending_payment"
    # 1A fare: ₹500 + ₹3/km over 200 km = ₹1,100 a berth
    assert body["total_minor"] == 2 * 110_000 and [s["price_minor"] for s in body["seats"]] == [110_000, 110_000]
    assert [(s["label"], s["coach"], s["berth"], s["class_code"]) for s in body["seats"]] == [
        ("A1-1", "A1", "lower", "1A"),
        ("A1-2", "A1", "upper", "1A"),
    ]
    leg = body["trip"]
    assert leg["mode"] == "train" and leg["origin"] == trip["cities"][1]["name"]
    assert leg["destination"] == trip["cities"][3]["name"]
    assert [s["city"]["id"] for s in leg["stops"]] == [c["id"] for c in trip["cities"][1:4]]
    assert leg["departs_at"].startswith((trip["departs_at"].date()).isoformat() + "T11:10")
    async with db.reading() as cur:
        await cur.execute(
            "SELECT leg_no, seats_booked FROM trip_legs WHERE trip_id = %(t)s ORDER BY leg_no", {"t": trip["id"]}
        )
        assert [(r["leg_no"], r["seats_booked"]) for r in await cur.fetchall()] == [(0, 0), (1, 2), (2, 2), (3, 0)]

    confirmed = await paid({**body, "user_id": user["id"]})
    assert confirmed["status"] == "confirmed"
    listed = await (await client.get("/api/v1/bookings", headers=headers)).get_json()
    assert [(i["reference"], i["type"], i["title"]) for i in listed["items"]] == [
        (body["reference"], "train", f"{trip['cities'][1]['name']} → {trip['cities'][3]['name']}")
    ]
    cancelled = await client.post(f"/api/v1/bookings/{body['reference']}/cancel", headers=headers)
    assert cancelled.status_code == 200, await cancelled.get_data(as_text=True)
    assert (await cancelled.get_json())["status"] == "cancelled"
    async with db.reading() as cur:
        await cur.execute("SELECT SUM(seats_booked) AS n FROM trip_legs WHERE trip_id = %(t)s", {"t": trip["id"]})
        assert (await cur.fetchone())["n"] == 0
    assert await check_inventory() == []


async def test_a_berth_is_sold_per_segment(client):
    trip = await train(stops=5)
    _, headers = await buyer(client)
    first = await client.post("/api/v1/bookings", json=segment_body(trip, 0, 2, ["A1-5"]), headers=headers)
    assert first.status_code == 201
    overlapping = await client.post("/api/v1/bookings", json=segment_body(trip, 1, 3, ["A1-5"]), headers=headers)
    assert is_problem(overlapping, 409) and (await overlapping.get_json())["unavailable_seats"] == ["A1-5"]
    after = await client.post("/api/v1/bookings", json=segment_body(trip, 2, 4, ["A1-5"]), headers=headers)
    assert after.status_code == 201  # Pune -> Bengaluru is still free after Mumbai -> Pune

    seen = await (
        await client.get(
            f"/api/v1/trips/{trip['id']}",
            query_string={"origin": trip["cities"][1]["id"], "destination": trip["cities"][2]["id"]},
        )
    ).get_json()
    assert seen["mode"] == "train" and [s["city"]["id"] for s in seen["stops"]] == [c["id"] for c in trip["cities"]]
    seats = {s["label"]: s["available"] for s in seen["seats"]}
    assert seats["A1-5"] is False and seats["A1-6"] is True
    assert seen["seats_left"] == trip["seats"] - 1 and seen["coaches"][0]["code"] == "A1"
    whole = await (await client.get(f"/api/v1/trips/{trip['id']}")).get_json()
    assert {s["label"]: s["available"] for s in whole["seats"]}["A1-5"] is False
    assert await check_inventory() == []


async def test_bad_segments_are_problems(client):
    trip = await train(stops=4)
    _, headers = await buyer(client)
    backwards = await client.post("/api/v1/bookings", json=segment_body(trip, 2, 1, ["A1-1"]), headers=headers)
    assert is_problem(backwards, 422) and (await backwards.get_json())["errors"][0]["field"] == "destination"
    async with db.transaction() as cur:
        elsewhere = await factories.make_city(cur)
    body = {**segment_body(trip, 0, 1, ["A1-1"]), "origin": elsewhere["id"]}
    assert is_problem(await client.post("/api/v1/bookings", json=body, headers=headers), 422)
    unknown = await client.post("/api/v1/bookings", json=segment_body(trip, 0, 1, ["Z9-1"]), headers=headers)
    assert is_problem(unknown, 422)
    missing = await client.post(
        "/api/v1/bookings", json={**segment_body(trip, 0, 1, ["A1-1"]), "trip_id": 999999}, headers=headers
    )
    assert is_problem(missing, 422)
    as_bus = await client.get(f"/api/v1/bus-trips/{trip['id']}")
    assert as_bus.status_code == 404  # /api/v1/bus-trips stays buses only
    assert (await client.get("/api/v1/trips/999999")).status_code == 404
    assert await check_inventory() == []


async def test_search_lists_every_mode_with_segment_seats_and_lowest_fare(client):
    trip = await train(stops=5, coaches=[("S1", "SL"), ("A1", "1A")], size=8)
    async with db.transaction() as cur:
        bus = await factories.make_trip(
            cur, origin=trip["cities"][1], destination=trip["cities"][3], price_minor=90_000
        )
        flight = await make_train(
            cur,
            mode="flight",
            coaches=[("J", "J"), ("Y", "Y")],
            size=4,
            cities=[trip["cities"][1], trip["cities"][3]],
            departs_at=trip["departs_at"].replace(hour=15),
        )
    _, headers = await buyer(client)
    assert (
        await client.post("/api/v1/bookings", json=segment_body(trip, 0, 2, ["S1-1"]), headers=headers)
    ).status_code == 201
    query = {
        "origin": trip["cities"][1]["id"],
        "destination": trip["cities"][3]["id"],
        "date": trip["departs_at"].date().isoformat(),
    }
    found = await client.get("/api/v1/trips", query_string={**query, "sort": "price"})
    assert found.status_code == 200, await found.get_data(as_text=True)
    body = await found.get_json()
    assert [(i["id"], i["mode"], i["price_minor"]) for i in body["items"]] == [
        (flight["id"], "flight", 30_000),  # Y: ₹200 + ₹1/km over 100 km
        (trip["id"], "train", 40_000),  # SL: ₹200 + ₹1/km over 200 km (the cheapest class with a berth left)
        (bus["id"], "bus", 90_000),
    ]
    rail = body["items"][1]
    assert rail["seats_left"] == 15  # 16 berths, S1-1 held on leg 1 (which this segment shares)
    assert rail["departs_at"].startswith(query["date"] + "T11:10")
    assert {c["class_code"]: c["seats_left"] for c in rail["classes"]} == {"SL": 7, "1A": 8}
    assert body["counts"] == {"bus": 1, "train": 1, "flight": 1}
    only = await (await client.get("/api/v1/trips", query_string={**query, "modes": "flight,train"})).get_json()
    assert [i["mode"] for i in only["items"]] == ["train", "flight"]  # by departure: 11:10, 15:00
    later = await (
        await client.get(
            "/api/v1/trips",
            query_string={**query, "origin": trip["cities"][2]["id"], "destination": trip["cities"][4]["id"]},
        )
    ).get_json()
    assert [(i["id"], i["seats_left"]) for i in later["items"]] == [(trip["id"], 16)]  # S1-1 is free from stop 2
    bad = await client.get("/api/v1/trips", query_string={**query, "modes": "boat"})
    assert is_problem(bad, 422)


async def test_a_bus_trip_reads_as_a_two_stop_route(client):
    async with db.transaction() as cur:
        bus = await factories.make_trip(cur, seats=12)
    body = await (await client.get(f"/api/v1/trips/{bus['id']}")).get_json()
    assert body["mode"] == "bus" and body["code"] is None
    assert [s["city"]["id"] for s in body["stops"]] == [bus["origin"]["id"], bus["destination"]["id"]]
    assert len(body["seats"]) == 12 and all(s["available"] for s in body["seats"])
    wrong = await client.get(f"/api/v1/trips/{bus['id']}", query_string={"origin": bus["destination"]["id"]})
    assert is_problem(wrong, 422)
    assert is_problem(await client.get(f"/api/v1/trips/{bus['id']}/events"), 404)
    page = await client.get(f"/trips/{bus['id']}")
    assert page.status_code == 303 and page.headers["Location"] == f"/buses/{bus['id']}"
