"""Arrangements for itinerary tests: a two-city trip (a bus there, a hotel at the far end) and its bodies."""

from __future__ import annotations

from datetime import datetime, timedelta

from travelgo import db
from travelgo.dates import today_in

from .. import factories
from ..bookings.helpers import passengers, scalar


async def trip_plan(seats: int = 40, rooms: int = 5, days_ahead: int = 3, suffix: str = "") -> dict:
    """Mumbai -> Goa by bus on day `days_ahead` 09:00-17:00, a Goa hotel from that day for two nights, a bus back."""
    day = today_in() + timedelta(days=days_ahead)
    async with db.transaction() as cur:
        mumbai = await factories.make_city(cur, f"Mumbai{suffix}")
        goa = await factories.make_city(cur, f"Goa{suffix}")
        out = await factories.make_trip(
            cur, seats=seats, origin=mumbai, destination=goa,
            departs_at=datetime.combine(day, datetime.min.time()).replace(hour=9), minutes=480,
        )  # fmt: skip
        back = await factories.make_trip(
            cur, seats=seats, origin=goa, destination=mumbai,
            departs_at=datetime.combine(day + timedelta(days=2), datetime.min.time()).replace(hour=12), minutes=480,
        )  # fmt: skip
        hotel = await factories.make_hotel(cur, city=goa, name="Sea View")
        room_type = await factories.make_room_type(cur, hotel["id"], rooms=rooms, price_minor=9000)
    return {"day": day, "mumbai": mumbai, "goa": goa, "out": out, "back": back, "hotel": hotel,
            "room_type": room_type}  # fmt: skip


def bus_body(trip_id: int, seats: list[str]) -> dict:
    return {"type": "bus", "trip_id": trip_id, "seats": seats, "passengers": passengers(len(seats))}


def hotel_body(room_type_id: int, check_in, nights: int = 2, rooms: int = 1) -> dict:
    return {
        "type": "hotel",
        "room_type_id": room_type_id,
        "check_in": check_in.isoformat(),
        "check_out": (check_in + timedelta(days=nights)).isoformat(),
        "rooms": rooms,
        "guests": rooms,
        "guest_name": "Asha Rao",
    }


async def new_itinerary(client, headers: dict, name: str = "Goa in December") -> int:
    response = await client.post("/api/v1/itineraries", json={"name": name}, headers=headers)
    assert response.status_code == 201, await response.get_data(as_text=True)
    return (await response.get_json())["id"]


async def add(client, headers: dict, itinerary_id: int, body: dict) -> dict:
    response = await client.post(f"/api/v1/itineraries/{itinerary_id}/items", json=body, headers=headers)
    assert response.status_code == 201, await response.get_data(as_text=True)
    return await response.get_json()


async def held_trip(client, plan) -> tuple[dict, dict]:
    """A new traveller's itinerary of the plan's bus there and two hotel nights, checked out: (the checkout's body,
    the traveller's API headers)."""
    from ..conftest import api_token

    async with db.transaction() as cur:
        user = await factories.make_user(cur)
    headers = await api_token(client, user["email"])
    itinerary_id = await new_itinerary(client, headers)
    await add(client, headers, itinerary_id, bus_body(plan["out"]["id"], ["1"]))
    await add(client, headers, itinerary_id, hotel_body(plan["room_type"]["id"], plan["day"]))
    response = await client.post(f"/api/v1/itineraries/{itinerary_id}/checkout", headers=headers)
    assert response.status_code == 201, await response.get_data(as_text=True)
    return await response.get_json(), headers


async def held_counts() -> dict:
    """What inventory is consumed, and how many bookings exist."""
    return {
        "seats": await scalar("SELECT COALESCE(SUM(seats_booked), 0) AS n FROM trips"),
        "rooms": await scalar("SELECT COALESCE(SUM(rooms_booked), 0) AS n FROM room_inventory"),
        "bookings": await scalar("SELECT COUNT(*) AS n FROM bookings"),
        "held_seats": await scalar("SELECT COUNT(*) AS n FROM booking_seats WHERE held = 1"),
    }
