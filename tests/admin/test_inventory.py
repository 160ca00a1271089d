"""Inventory management: cities, operators, vehicles (seat layouts), trips and hotel inventory, with audit."""

from __future__ import annotations

from datetime import timedelta

from travelgo import db
from travelgo.admin import service
from travelgo.dates import today_in

from .. import factories
from ..conftest import csrf_for, post_form
from .helpers import events_for, fetch_all, fetch_one

HX = {"HX-Request": "true"}


async def post_pairs(client, path: str, form: dict, headers: dict | None = None):
    """POST a form whose list values become repeated fields (checkbox groups)."""
    pairs = [("csrf_token", await csrf_for(client))]
    for key, value in form.items():
        pairs.extend((key, v) for v in value) if isinstance(value, list) else pairs.append((key, value))
    return await client.post(path, form=pairs, headers=headers or {})


async def audit_rows(action: str) -> list[dict]:
    async with db.reading() as cur:
        return await fetch_all(cur, "SELECT * FROM audit_log WHERE action = %s ORDER BY id", action)


async def test_city_create_validate_and_inline_edit(admin_client, people):
    form = {
        "name": "Porto",
        "region": "Norte",
        "country": "pt",
        "latitude": "41.15",
        "longitude": "-8.61",
        "timezone": "Europe/Lisbon",
    }
    # live validation: only validates, saves nothing, complains only about filled-in fields
    response = await post_form(admin_client, "/admin/cities?validate=1", {**form, "latitude": "123"}, HX)
    assert response.status_code == 422
    body = await response.get_data(as_text=True)
    assert "Latitude:" in body and "Use a number no more than 90." in body and "<form" not in body
    response = await post_form(admin_client, "/admin/cities", form)
    assert response.status_code == 303
    async with db.reading() as cur:
        city = await fetch_one(cur, "SELECT * FROM cities WHERE name = 'Porto'")
    assert city["country"] == "PT"
    # the same name in the same country is a field error, not a 500
    response = await post_form(admin_client, "/admin/cities", form, HX)
    assert response.status_code == 422
    assert "already exists" in await response.get_data(as_text=True)
    # inline edit: the row comes back
    response = await post_form(admin_client, f"/admin/cities/{city['id']}", {**form, "region": "North"}, HX)
    assert response.status_code == 200
    body = await response.get_data(as_text=True)
    assert body.lstrip().startswith(f'<tr id="city-{city["id"]}"') and "North" in body
    created, updated = await audit_rows("city.create"), await audit_rows("city.update")
    assert len(created) == 1 and created[0]["user_id"] == people["admin"]["id"]
    assert '"region": "Norte"' in updated[0]["before_data"] and '"region": "North"' in updated[0]["after_data"]


async def test_city_list_search_and_pagination(admin_client):
    async with db.transaction() as cur:
        for i in range(30):
            await factories.make_city(cur, f"Town {i:02d}")
        await factories.make_city(cur, "Lisbon")
    body = await (await admin_client.get("/admin/cities?q=lisb")).get_data(as_text=True)
    assert "Lisbon" in body and "Town 01" not in body
    body = await (await admin_client.get("/admin/cities?q=town&page=2", headers=HX)).get_data(as_text=True)
    assert "Page 2 of 2" in body and "Town 29" in body and "Town 00" not in body and "<html" not in body


async def test_vehicle_seat_layout_preview_and_create(admin_client):
    async with db.transaction() as cur:
        operator = await factories.make_operator(cur)
    response = await admin_client.get("/admin/vehicles/preview?decks=2&rows=3&columns=3&aisle_after=1", headers=HX)
    body = await response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="seat-preview"' in body and "<html" not in body
    assert "18 seats" in body and "Upper deck" in body and body.count('class="aisle"') == 6
    response = await admin_client.get("/admin/vehicles/preview?rows=3&columns=3&aisle_after=3", headers=HX)
    assert "aisle must come after a seat" in await response.get_data(as_text=True)

    form = {
        "operator_id": operator["id"],
        "name": "Sleeper One",
        "is_ac": "1",
        "berth": "sleeper",
        "decks": "2",
        "rows": "3",
        "columns": "3",
        "aisle_after": "1",
    }
    response = await post_form(admin_client, "/admin/vehicles", form)
    assert response.status_code == 303
    async with db.reading() as cur:
        vehicle = await fetch_one(cur, "SELECT * FROM vehicles WHERE name = 'Sleeper One'")
        seats = await fetch_all(
            cur,
            "SELECT label, deck, row_no, col_no, kind FROM vehicle_seats WHERE vehicle_id = %s "
            "ORDER BY deck, row_no, col_no",
            vehicle["id"],
        )
    assert (vehicle["seat_count"], vehicle["layout"], vehicle["cols_count"], vehicle["decks"]) == (18, "1+2", 4, 2)
    assert [(s["label"], s["col_no"], s["kind"]) for s in seats[:3]] == [
        ("L1", 1, "window"),
        ("L2", 3, "aisle"),
        ("L3", 4, "window"),
    ]
    assert seats[-1]["label"] == "U9" and seats[-1]["deck"] == 2
    assert len(await audit_rows("vehicle.create")) == 1


async def test_vehicle_layout_fixed_once_trips_use_it(admin_client):
    async with db.transaction() as cur:
        trip = await factories.make_trip(cur, seats=8)
    vehicle_id = trip["vehicle"]["id"]
    form = {
        "name": "Renamed",
        "is_ac": "1",
        "berth": "seater",
        "decks": "1",
        "rows": "3",
        "columns": "4",
        "aisle_after": "2",
    }
    response = await post_form(admin_client, f"/admin/vehicles/{vehicle_id}", form, HX)
    assert response.status_code == 409
    assert "1 trip use this vehicle" in await response.get_data(as_text=True)
    async with db.reading() as cur:
        assert (await fetch_one(cur, "SELECT COUNT(*) AS n FROM vehicle_seats WHERE vehicle_id = %s", vehicle_id))[
            "n"
        ] == 8
    # the same layout with a new name is fine
    response = await post_form(admin_client, f"/admin/vehicles/{vehicle_id}", {**form, "rows": "2"}, HX)
    assert response.status_code == 200 and response.headers["HX-Redirect"] == f"/admin/vehicles/{vehicle_id}"


async def test_trip_create_and_recurring_schedule(admin_client):
    async with db.transaction() as cur:
        operator = await factories.make_operator(cur)
        vehicle = await factories.make_vehicle(cur, operator["id"], seats=12)
        a, b = await factories.make_city(cur, "Aville"), await factories.make_city(cur, "Beeton")
    base = {
        "vehicle_id": vehicle["id"],
        "origin_id": a["id"],
        "destination_id": b["id"],
        "duration_minutes": "150",
        "price": "19.50",
        "currency": "EUR",
        "amenities": "wifi",
        "boarding_point": "Stop A",
        "dropping_point": "Stop B",
    }
    response = await post_form(
        admin_client,
        "/admin/trips",
        {**base, "destination_id": a["id"], "departs_on": "2031-03-03", "departs_time": "09:15"},
        HX,
    )
    assert response.status_code == 422
    assert "must be different" in await response.get_data(as_text=True)
    response = await post_form(
        admin_client, "/admin/trips", {**base, "departs_on": "2031-03-03", "departs_time": "09:15"}
    )
    assert response.status_code == 303
    # Mondays and Wednesdays of two weeks (2031-03-03 is a Monday), twice a day
    response = await post_pairs(
        admin_client,
        "/admin/trips/schedule",
        {**base, "start": "2031-03-03", "end": "2031-03-16", "times": "07:00, 18:30", "weekdays": ["mon", "wed"]},
    )
    assert response.status_code == 303, await response.get_data(as_text=True)
    async with db.reading() as cur:
        trips = await fetch_all(
            cur,
            "SELECT departs_at, arrives_at, seats_total, price_minor, amenities, operator_id FROM trips ORDER BY id",
        )
    assert len(trips) == 1 + 8
    assert (
        trips[0]["seats_total"] == 12 and trips[0]["price_minor"] == 1950 and trips[0]["operator_id"] == operator["id"]
    )
    assert trips[0]["arrives_at"] - trips[0]["departs_at"] == timedelta(minutes=150)
    assert {t["departs_at"].strftime("%a %H:%M") for t in trips[1:]} == {
        "Mon 07:00",
        "Mon 18:30",
        "Wed 07:00",
        "Wed 18:30",
    }
    assert len(await audit_rows("trip.schedule")) == 1


async def test_trip_seat_reduction_below_booked_is_refused(admin_client, world):
    trip = world["trip"]  # 8 seats, 2 booked
    response = await post_form(admin_client, f"/admin/trips/{trip['id']}/seats", {"seats_total": "1"}, HX)
    assert response.status_code == 409
    assert "2 seats are already booked" in await response.get_data(as_text=True)
    async with db.reading() as cur:
        row = await fetch_one(cur, "SELECT seats_total, seats_booked FROM trips WHERE id = %s", trip["id"])
        assert (row["seats_total"], row["seats_booked"]) == (8, 2)
        assert await events_for(cur, f"trip:{trip['id']}") == []
    assert await audit_rows("trip.seats") == []
    response = await post_form(admin_client, f"/admin/trips/{trip['id']}/seats", {"seats_total": "5"}, HX)
    assert response.status_code == 200
    async with db.reading() as cur:
        events = await events_for(cur, f"trip:{trip['id']}")
    assert events == [
        {
            "kind": "availability",
            "payload": {
                "trip_id": trip["id"],
                "seats_left": 3,
                "unavailable_seats": ["1", "2"],
                "origin_id": trip["origin"]["id"],
                "destination_id": trip["destination"]["id"],
            },
        }
    ]
    assert len(await audit_rows("trip.seats")) == 1


async def test_trip_price_change(admin_client, world):
    trip = world["trip"]
    response = await post_form(admin_client, f"/admin/trips/{trip['id']}/price", {"price": "-3"}, HX)
    assert response.status_code == 422
    response = await post_form(admin_client, f"/admin/trips/{trip['id']}/price", {"price": "31.25"}, HX)
    assert response.status_code == 200
    async with db.reading() as cur:
        assert (await fetch_one(cur, "SELECT price_minor FROM trips WHERE id = %s", trip["id"]))["price_minor"] == 3125
    assert '"price_minor": 2500' in (await audit_rows("trip.price"))[0]["before_data"]


async def test_hotel_and_room_type_forms(admin_client, world):
    city = world["trip"]["origin"]
    form = {
        "city_id": city["id"],
        "name": "Harbour Inn",
        "description": "By the sea.",
        "address": "1 Quay",
        "area": "Docks",
        "stars": "4",
        "rating": "8.5",
        "latitude": "50.1",
        "longitude": "-5.2",
        "distance_km": "0.8",
    }
    response = await post_pairs(admin_client, "/admin/hotels", {**form, "amenities": ["wifi", "pool"]})
    assert response.status_code == 303, await response.get_data(as_text=True)
    async with db.reading() as cur:
        hotel = await fetch_one(cur, "SELECT * FROM hotels WHERE name = 'Harbour Inn'")
    assert sorted(hotel["amenities"].split(",") if isinstance(hotel["amenities"], str) else hotel["amenities"]) == [
        "pool",
        "wifi",
    ]
    response = await post_form(
        admin_client,
        f"/admin/hotels/{hotel['id']}/room-types",
        {"name": "Suite", "max_guests": "13", "beds": "1 king", "base_price": "120"},
        HX,
    )
    assert response.status_code == 422 and "Use a number no more than 12." in await response.get_data(as_text=True)
    response = await post_form(
        admin_client,
        f"/admin/hotels/{hotel['id']}/room-types",
        {"name": "Suite", "max_guests": "3", "beds": "1 king", "base_price": "120"},
        HX,
    )
    assert response.status_code == 200
    body = await (await admin_client.get(f"/admin/hotels/{hotel['id']}")).get_data(as_text=True)
    assert "Suite" in body and "Set inventory" in body
    assert len(await audit_rows("hotel.create")) == 1 and len(await audit_rows("room_type.create")) == 1


async def test_inventory_range_upsert_and_refused_reduction(admin_client, world):
    hotel, room_type = world["hotel"], world["room_type"]  # 3 rooms a night for 10 nights; 1 booked on days 2-3
    today = today_in()
    path = f"/admin/hotels/{hotel['id']}/inventory"
    refused = {
        "room_type_id": room_type["id"],
        "start": today.isoformat(),
        "end": (today + timedelta(days=12)).isoformat(),
        "rooms_total": "0",
        "price": "70",
    }
    async with db.reading() as cur:
        before = await fetch_all(
            cur, "SELECT * FROM room_inventory WHERE room_type_id = %s ORDER BY night", room_type["id"]
        )
    response = await post_form(admin_client, path, refused, HX)
    assert response.status_code == 409
    assert f"1 room is already booked on {today + timedelta(days=2):%a %d %b %Y}" in await response.get_data(
        as_text=True
    )
    async with db.reading() as cur:
        after = await fetch_all(
            cur, "SELECT * FROM room_inventory WHERE room_type_id = %s ORDER BY night", room_type["id"]
        )
        assert after == before
        assert await events_for(cur, f"hotel:{hotel['id']}") == []

    response = await post_form(admin_client, path, {**refused, "rooms_total": "1"}, HX)
    assert response.status_code == 200
    async with db.reading() as cur:
        rows = await fetch_all(
            cur,
            "SELECT night, rooms_total, rooms_booked, price_minor FROM room_inventory "
            "WHERE room_type_id = %s ORDER BY night",
            room_type["id"],
        )
        events = await events_for(cur, f"hotel:{hotel['id']}")
    assert len(rows) == 13 and all(r["rooms_total"] == 1 and r["price_minor"] == 7000 for r in rows)
    payload = events[0]["payload"]
    assert payload["room_type_id"] == room_type["id"] and len(payload["dates"]) == 13
    assert payload["rooms_left"][(today + timedelta(days=2)).isoformat()] == 0
    assert payload["rooms_left"][today.isoformat()] == 1
    assert len(await audit_rows("inventory.set")) == 1


async def test_check_constraint_is_translated_to_the_same_message(admin_client, world, monkeypatch):
    """Control: with the locked pre-check blinded, the schema's CHECK stops the change, with the same message."""
    hotel, room_type = world["hotel"], world["room_type"]
    real = service.queries.lock_inventory
    calls = {"n": 0}

    async def blind_first_check(cur, *args):
        calls["n"] += 1
        return [] if calls["n"] == 1 else await real(cur, *args)

    monkeypatch.setattr(service.queries, "lock_inventory", blind_first_check)
    day = today_in() + timedelta(days=2)
    response = await post_form(
        admin_client,
        f"/admin/hotels/{hotel['id']}/inventory",
        {
            "room_type_id": room_type["id"],
            "start": day.isoformat(),
            "end": day.isoformat(),
            "rooms_total": "0",
            "price": "70",
        },
        HX,
    )
    assert response.status_code == 409
    assert f"1 room is already booked on {day:%a %d %b %Y}" in await response.get_data(as_text=True)
    async with db.reading() as cur:
        row = await fetch_one(
            cur, "SELECT rooms_total FROM room_inventory WHERE room_type_id = %s AND night = %s", room_type["id"], day
        )
    assert row["rooms_total"] == 3


async def test_stop_sell(admin_client, world):
    hotel, room_type = world["hotel"], world["room_type"]
    day = today_in() + timedelta(days=5)
    response = await post_form(
        admin_client,
        f"/admin/hotels/{hotel['id']}/stop-sell",
        {
            "room_type_id": room_type["id"],
            "start": day.isoformat(),
            "end": (day + timedelta(days=1)).isoformat(),
            "stop_sell": "1",
        },
        HX,
    )
    assert response.status_code == 200
    async with db.reading() as cur:
        rows = await fetch_all(
            cur, "SELECT night FROM room_inventory WHERE room_type_id = %s AND stop_sell = 1", room_type["id"]
        )
        events = await events_for(cur, f"hotel:{hotel['id']}")
    assert [r["night"] for r in rows] == [day, day + timedelta(days=1)]
    assert events[0]["payload"]["rooms_left"] == {day.isoformat(): 0, (day + timedelta(days=1)).isoformat(): 0}
    assert len(await audit_rows("inventory.stop_sell")) == 1


async def test_hotel_details_error_comes_back_as_a_fragment_not_a_500(client):
    """An htmx post of the hotel details form with a bad value re-renders the form with its options (422)."""
    from travelgo import db as _db

    from .. import factories
    from ..conftest import login, post_form

    async with _db.transaction() as cur:
        await factories.make_user(cur, "fragment-admin@example.com", role="admin")
        hotel = await factories.make_hotel(cur)
    await login(client, "fragment-admin@example.com")
    response = await post_form(
        client, f"/admin/hotels/{hotel['id']}", {"name": "Renamed", "stars": "9"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 422
    assert "<html" not in await response.get_data(as_text=True)


async def test_an_operator_s_bookings_address_is_kept_checked_and_optional(admin_client, world):
    from ..bookings.helpers import scalar
    from ..conftest import post_form

    bad = await post_form(admin_client, "/admin/operators", {"name": "Dawn Coaches", "contact_email": "not-mail"})
    assert bad.status_code == 422 and await scalar("SELECT COUNT(*) FROM operators WHERE name = 'Dawn Coaches'") == 0
    await post_form(admin_client, "/admin/operators", {"name": "Dawn Coaches", "contact_email": "desk@dawn.example"})
    await post_form(admin_client, "/admin/operators", {"name": "Dusk Coaches", "contact_email": ""})
    assert await scalar("SELECT contact_email FROM operators WHERE name = 'Dawn Coaches'") == "desk@dawn.example"
    assert await scalar("SELECT contact_email FROM operators WHERE name = 'Dusk Coaches'") is None
    listing = await (await admin_client.get("/admin/operators?q=Dawn")).get_data(as_text=True)
    assert "desk@dawn.example" in listing
