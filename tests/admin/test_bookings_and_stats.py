"""Booking search (page and API), CSV export and its escaping, dashboard figures checked against bookings."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

from travelgo import db

from .. import factories
from ..conftest import api_token
from .helpers import book_bus, book_hotel


async def test_booking_search_filters_and_csv(admin_client, world):
    async with db.transaction() as cur:
        sneaky = await factories.make_user(cur, "sneaky@example.com", full_name='=HYPERLINK("http://x")')
        await book_bus(cur, sneaky, world["trip"], ["4"], contact_email="+1@example.com")
    body = await (await admin_client.get("/admin/bookings?type=hotel")).get_data(as_text=True)
    assert world["hotel_booking"]["reference"] in body and world["bus_booking"]["reference"] not in body
    body = await (
        await admin_client.get(
            f"/admin/bookings?reference={world['bus_booking']['reference'].lower()}", headers={"HX-Request": "true"}
        )
    ).get_data(as_text=True)
    assert world["bus_booking"]["reference"] in body and "<html" not in body and "1 in all" in body
    past_the_last = await (await admin_client.get("/admin/hotels?page=50")).get_data(as_text=True)
    assert world["hotel"]["name"] in past_the_last  # the last page of a list, not an empty "Page 50 of 1"
    response = await admin_client.get("/admin/bookings?date_from=2030-02-01&date_to=2030-01-01")
    assert response.status_code == 422

    response = await admin_client.get("/admin/bookings.csv?type=bus")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(await response.get_data(as_text=True))))
    assert len(rows) == 2 and {r["type"] for r in rows} == {"bus"}
    mine = next(r for r in rows if r["traveller_email"] == "sneaky@example.com")
    assert mine["traveller_name"] == '\'=HYPERLINK("http://x")'  # formula injection defused
    assert mine["contact_email"] == "'+1@example.com"
    assert mine["total"] == "25.00" and mine["status"] == "confirmed" and "→" in mine["service"]
    regular = next(r for r in rows if r["reference"] == world["bus_booking"]["reference"])
    assert regular["traveller_name"] == "Tom Traveller" and regular["total"] == "50.00"
    assert regular["total_display"] == "€50" and mine["total_display"] == "€25"  # money() as on the pages


async def test_api_bookings_paginated(client, world):
    headers = await api_token(client, world["admin"]["email"])
    response = await client.get("/api/v1/admin/bookings?limit=1&offset=1", headers=headers)
    assert response.status_code == 200
    page = await response.get_json()
    assert (page["total"], page["limit"], page["offset"], len(page["items"])) == (2, 1, 1, 1)
    response = await client.get("/api/v1/admin/bookings?email=TRAV@example.com&type=bus", headers=headers)
    page = await response.get_json()
    assert [i["reference"] for i in page["items"]] == [world["bus_booking"]["reference"]]
    assert page["items"][0]["total_minor"] == 5000 and page["items"][0]["trip_id"] == world["trip"]["id"]
    response = await client.get("/api/v1/admin/bookings?status=lost", headers=headers)
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    spec = await (await client.get("/openapi.json")).get_json()
    assert "/api/v1/admin/bookings" in spec["paths"] and "/api/v1/admin/stats" in spec["paths"]
    assert not any(p.startswith("/admin") for p in spec["paths"])


async def test_stats_match_bookings_made_in_the_test(client, admin_client, people):
    d1, d3 = date(2030, 1, 1), date(2030, 1, 3)
    at = lambda d, h=10: datetime.combine(d, datetime.min.time()).replace(hour=h)  # noqa: E731
    async with db.transaction() as cur:
        a, b = await factories.make_city(cur, "Alpha"), await factories.make_city(cur, "Beta")
        trip1 = await factories.make_trip(
            cur, seats=10, origin=a, destination=b, departs_at=at(d1, 9), price_minor=1000
        )
        trip2 = await factories.make_trip(
            cur, seats=10, origin=a, destination=b, departs_at=at(d3, 9), price_minor=1000
        )
        trip3 = await factories.make_trip(cur, seats=4, origin=b, destination=a, departs_at=at(d3, 9), price_minor=3000)
        outside = await factories.make_trip(cur, seats=4, origin=b, destination=a, departs_at=at(date(2030, 2, 1)))
        hotel = await factories.make_hotel(cur, city=a, name="Grand Alpha")
        room_type = await factories.make_room_type(cur, hotel["id"], rooms=2, nights=5, start=d1, price_minor=5000)
        user = people["traveller"]
        await book_bus(cur, user, trip1, ["1", "2"], created_at=at(d1))  # 2000 on day 1
        await book_bus(cur, user, trip2, ["1"], created_at=at(d1, 15))  # 1000 on day 1
        await book_bus(cur, user, trip2, ["2"], created_at=at(d3), status="cancelled")  # refunded, day 3
        await book_bus(cur, user, trip3, ["1", "2", "3"], created_at=at(d3))  # 9000 on day 3
        await book_bus(cur, user, outside, ["1"], created_at=at(date(2030, 2, 1)))  # outside the range
        await book_hotel(cur, user, room_type, d1, 2, created_at=at(d1, 12))  # 2 room-nights, 10000 on day 1
    headers = await api_token(client, people["admin"]["email"])
    response = await client.get("/api/v1/admin/stats?from=2030-01-01&to=2030-01-03", headers=headers)
    assert response.status_code == 200
    stats = await response.get_json()
    assert (stats["from"], stats["to"]) == ("2030-01-01", "2030-01-03")
    assert [(d["date"], d["bookings"], d["cancelled"], d["revenue_minor"]) for d in stats["days"]] == [
        ("2030-01-01", 3, 0, 13000),
        ("2030-01-02", 0, 0, 0),
        ("2030-01-03", 2, 1, 9000),
    ]
    totals = stats["totals"]
    assert (totals["bookings"], totals["cancelled"], totals["revenue_minor"]) == (5, 1, 22000)
    assert totals["cancellation_rate"] == 0.2
    assert (totals["seats_offered"], totals["seats_sold"]) == (24, 6)
    routes = {(r["origin"], r["destination"]): r for r in stats["routes"]}
    assert routes[("Alpha", "Beta")] | {} == {
        "origin": "Alpha",
        "destination": "Beta",
        "trips": 2,
        "seats_offered": 20,
        "seats_sold": 3,
        "occupancy": 0.15,
    }
    assert routes[("Beta", "Alpha")]["occupancy"] == 0.75
    # 2 room types-nights booked of 2 rooms × 3 nights in range
    assert stats["hotels"] == [
        {
            "hotel_id": hotel["id"],
            "hotel": "Grand Alpha",
            "city": "Alpha",
            "room_nights_offered": 6,
            "room_nights_sold": 2,
            "occupancy": 0.3333,
        }
    ]
    assert [(r["origin"], r["bookings"], r["revenue_minor"]) for r in stats["top_routes"]] == [
        ("Beta", 1, 9000),
        ("Alpha", 2, 3000),
    ]
    assert [(h["hotel"], h["bookings"], h["revenue_minor"]) for h in stats["top_hotels"]] == [("Grand Alpha", 1, 10000)]

    response = await admin_client.get("/admin/?from=2030-01-01&to=2030-01-03")
    body = await response.get_data(as_text=True)
    assert response.status_code == 200
    assert body.count('role="img"') == 4 and '<title id="chart-bookings-title">Bookings per day</title>' in body
    assert '<span class="kpi" id="kpi-bookings">5</span>' in body and "20.0%" in body and "€220" in body
    assert '<td>Thu 03 Jan 2030</td><td class="num">2</td><td class="num">1</td><td class="num">€90</td>' in body
    response = await client.get("/api/v1/admin/stats?from=2030-01-05&to=2030-01-01", headers=headers)
    assert response.status_code == 422
