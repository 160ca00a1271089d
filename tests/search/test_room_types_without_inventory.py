"""A room type with no inventory (never loaded, or no room on sale on any night ahead) is not offered to travellers:
not on the hotel page, not in the API's hotel detail, and a hotel with nothing else is not a search result."""

from __future__ import annotations

from datetime import timedelta

import pytest

from travelgo import db
from travelgo.dates import today_in

from .. import factories


@pytest.fixture(autouse=True)
def _uses_database(app):
    """Every test here needs the open pools and empty tables."""


async def world() -> dict:
    async with db.transaction() as cur:
        city = await factories.make_city(cur, "Udaipur")
        hotel = await factories.make_hotel(cur, city=city)
        double = await factories.make_room_type(cur, hotel["id"], name="Lake view double")
        await factories.make_room_type(cur, hotel["id"], name="Royal suite", nights=0)  # never loaded
        await factories.make_room_type(cur, hotel["id"], name="Closed wing", rooms=0)  # rows, but no room on sale
        empty_hotel = await factories.make_hotel(cur, city=city)
        await factories.make_room_type(cur, empty_hotel["id"], name="Garden room", nights=0)
    check_in = today_in() + timedelta(days=2)
    stay = {"check_in": check_in.isoformat(), "check_out": (check_in + timedelta(days=2)).isoformat(), "guests": "2"}
    return {"city": city, "hotel": hotel, "double": double, "empty_hotel": empty_hotel, "stay": stay}


async def test_hotel_page_and_api_offer_only_room_types_with_inventory(client):
    w = await world()
    page = await client.get(f"/hotels/{w['hotel']['id']}", query_string=w["stay"])
    html = await page.get_data(as_text=True)
    assert page.status_code == 200 and "Lake view double" in html
    assert "Royal suite" not in html and "Closed wing" not in html
    detail = await (await client.get(f"/api/v1/hotels/{w['hotel']['id']}", query_string=w["stay"])).get_json()
    assert [rt["name"] for rt in detail["room_types"]] == ["Lake view double"]
    # a room type sold out for these dates but on sale on others is still shown (as unavailable for the stay)
    async with db.transaction() as cur:
        await cur.execute(
            "UPDATE room_inventory SET rooms_booked = rooms_total WHERE room_type_id = %s AND night = %s",
            (w["double"]["id"], w["stay"]["check_in"]),
        )
    detail = await (await client.get(f"/api/v1/hotels/{w['hotel']['id']}", query_string=w["stay"])).get_json()
    assert [(rt["name"], rt["rooms_left"]) for rt in detail["room_types"]] == [("Lake view double", 0)]


async def test_a_hotel_with_no_inventory_is_not_a_search_result_even_with_sold_out_shown(client):
    w = await world()
    for shown in ("false", "true"):
        query = {"city": w["city"]["id"], **w["stay"], "show_sold_out": shown}
        body = await (await client.get("/api/v1/hotels", query_string=query)).get_json()
        assert [h["id"] for h in body["items"]] == [w["hotel"]["id"]], shown
