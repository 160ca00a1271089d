"""Money on the admin side: revenue never adds currencies together, labels carry the right symbol, and new trips
and room types default to the currency the catalogue is priced in."""

from __future__ import annotations

from datetime import date, datetime

from travelgo import db

from .. import factories
from ..conftest import api_token
from .helpers import book_bus, book_hotel

DAY = date(2030, 1, 1)
AT = datetime(2030, 1, 1, 10)


async def rupee_world(people) -> dict:
    """An all-INR catalogue with two rupee bookings (₹3,000), plus one old euro booking on the same day."""
    async with db.transaction() as cur:
        trip = await factories.make_trip(cur, seats=10, price_minor=100000)
        hotel = await factories.make_hotel(cur, city=trip["origin"])
        room_type = await factories.make_room_type(cur, hotel["id"], rooms=2, start=DAY)
        await cur.execute("UPDATE trips SET currency = 'INR'")
        await cur.execute("UPDATE room_types SET currency = 'INR'")
        await book_bus(cur, people["traveller"], trip, ["1", "2"], created_at=AT)  # ₹2,000
        await book_bus(cur, people["traveller"], trip, ["4"], created_at=AT)  # ₹1,000
        euro = await book_bus(cur, people["traveller"], trip, ["3"], created_at=AT, price_minor=5000)
        await cur.execute("UPDATE bookings SET currency = 'INR' WHERE reference <> %s", (euro["reference"],))
    return {"trip": trip, "hotel": hotel, "room_type": room_type}


async def test_revenue_is_reported_per_currency_never_summed_across(client, admin_client, people):
    await rupee_world(people)
    headers = await api_token(client, people["admin"]["email"])
    stats = await (await client.get("/api/v1/admin/stats?from=2030-01-01&to=2030-01-01", headers=headers)).get_json()
    assert stats["currency"] == "INR"
    assert stats["totals"]["revenue_minor"] == 300000 and stats["totals"]["bookings"] == 3
    assert stats["totals"]["revenue_by_currency"] == {"EUR": 5000, "INR": 300000}
    [day] = stats["days"]
    assert day["revenue_minor"] == 300000 and day["revenue_by_currency"] == {"EUR": 5000, "INR": 300000}

    body = await (await admin_client.get("/admin/?from=2030-01-01&to=2030-01-01")).get_data(as_text=True)
    assert "₹3,000 net revenue" in body and "€" not in body.split('id="kpi-revenue"')[0]
    assert '<span class="kpi" id="kpi-revenue">₹3,000</span>' in body and "plus €50" in body


async def test_new_trip_and_room_type_forms_default_to_the_catalogue_currency(admin_client, people):
    world = await rupee_world(people)
    trip_form = await (await admin_client.get("/admin/trips/new")).get_data(as_text=True)
    assert 'name="currency" type="text" value="INR"' in trip_form and 'value="EUR"' not in trip_form
    hotel_page = await (await admin_client.get(f"/admin/hotels/{world['hotel']['id']}")).get_data(as_text=True)
    assert 'name="currency" type="text" value="INR"' in hotel_page and 'value="EUR"' not in hotel_page


async def test_top_routes_and_hotels_keep_each_currency_apart(client, admin_client, people):
    world = await rupee_world(people)
    async with db.transaction() as cur:  # one night in rupees and one in euros at the same hotel
        rupees = await book_hotel(cur, people["traveller"], world["room_type"], DAY, 1, created_at=AT)
        await book_hotel(cur, people["traveller"], world["room_type"], DAY, 1, created_at=AT)
        await cur.execute("UPDATE bookings SET currency = 'INR' WHERE reference = %s", (rupees["reference"],))
    headers = await api_token(client, people["admin"]["email"])
    stats = await (await client.get("/api/v1/admin/stats?from=2030-01-01&to=2030-01-01", headers=headers)).get_json()
    assert [(r["bookings"], r["revenue_minor"], r["currency"]) for r in stats["top_routes"]] == [
        (2, 300000, "INR"),
        (1, 5000, "EUR"),
    ]
    assert [(h["bookings"], h["revenue_minor"], h["currency"]) for h in stats["top_hotels"]] == [
        (1, 9000, "EUR"),
        (1, 9000, "INR"),
    ]

    body = await (await admin_client.get("/admin/?from=2030-01-01&to=2030-01-01")).get_data(as_text=True)
    top = body.split('id="table-top-routes"')[1].split("</table>")[0]
    assert "₹3,000" in top and "€50" in top and "3,050" not in top
    hotels = body.split('id="table-top-hotels"')[1].split("</table>")[0]
    assert "₹90" in hotels and "€90" in hotels and "180" not in hotels
