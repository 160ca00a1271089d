"""The planner's warnings and day-by-day reading, on items as the service builds them (aware times, city ids)."""

from __future__ import annotations

from datetime import datetime, timedelta

from travelgo.dates import zone
from travelgo.itineraries import planner

from ..conftest import api_token
from .helpers import add, bus_body, hotel_body, new_itinerary, trip_plan

IST = zone("Asia/Kolkata")
_ids = iter(range(1, 1000))


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2027, 1, day, hour, minute, tzinfo=IST)


def journey(frm: int, to: int, start: datetime, end: datetime) -> dict:
    return {"id": next(_ids), "title": f"Bus {frm}→{to}", "from_city_id": frm, "to_city_id": to,
            "from_city": f"C{frm}", "to_city": f"C{to}", "starts_at": start, "ends_at": end, "status": "planned"}  # fmt: skip


def stay(city: int, check_in: int, check_out: int, title: str = "Hotel") -> dict:
    return {"id": next(_ids), "title": title, "from_city_id": city, "to_city_id": city, "from_city": f"C{city}",
            "to_city": f"C{city}", "starts_at": at(check_in, 14), "ends_at": at(check_out, 11), "status": "planned"}  # fmt: skip


def codes(items: list[dict], buffer: int = 60) -> list[str]:
    return [w["code"] for w in planner.warnings(items, buffer)]


def test_a_plan_that_fits_has_no_warning():
    items = [journey(1, 2, at(1, 9), at(1, 13)), stay(2, 1, 3), journey(2, 3, at(3, 12), at(3, 18))]
    assert codes(items) == []


def test_arriving_after_the_check_in_day():
    items = [journey(1, 2, at(1, 22), at(2, 6)), stay(2, 1, 3)]
    [warning] = planner.warnings(items, 60)
    assert warning["code"] == "arrival_after_check_in" and warning["item_ids"] == [items[0]["id"], items[1]["id"]]


def test_short_connection_and_missed_connection():
    assert codes([journey(1, 2, at(1, 9), at(1, 13)), journey(2, 3, at(1, 13, 30), at(1, 18))]) == ["short_connection"]
    assert codes([journey(1, 2, at(1, 9), at(1, 13)), journey(2, 3, at(1, 13, 30), at(1, 18))], buffer=30) == []
    assert codes([journey(1, 2, at(1, 9), at(1, 13)), journey(2, 3, at(1, 12), at(1, 18))]) == ["connection_missed"]


def test_city_gap_between_arrival_and_next_departure():
    assert codes([journey(1, 2, at(1, 9), at(1, 13)), journey(4, 3, at(2, 9), at(2, 18))]) == ["city_gap"]


def test_overlapping_stays():
    assert codes([stay(2, 1, 4, "A"), stay(2, 3, 5, "B")]) == ["overlapping_stays"]
    assert codes([stay(2, 1, 3, "A"), stay(2, 3, 5, "B")]) == []  # check-out day = next check-in day: fine


def test_cancelled_items_are_left_out():
    items = [stay(2, 1, 4, "A"), {**stay(2, 3, 5, "B"), "status": "cancelled"}]
    assert codes(items) == []


def test_days_say_when_you_leave_and_where_you_sleep():
    items = [journey(1, 2, at(1, 9), at(1, 13)), stay(2, 1, 3, "Sea View")]
    days = planner.days(items)
    assert [d["date"].day for d in days] == [1, 2, 3]
    assert [e["text"] for e in days[0]["events"]] == ["Leave C1: Bus 1→2", "Arrive in C2", "Check in: Sea View"]
    assert [d["sleep"] for d in days] == ["Sea View", "Sea View", None]


async def test_the_service_suggests_a_hotel_for_the_arrival_night_and_warns_over_the_api(client):
    from travelgo import db

    from .. import factories

    plan = await trip_plan()
    async with db.transaction() as cur:
        user = await factories.make_user(cur)
    headers = await api_token(client, user["email"])
    itinerary_id = await new_itinerary(client, headers)
    await add(client, headers, itinerary_id, bus_body(plan["out"]["id"], ["1"]))
    shown = await (await client.get(f"/api/v1/itineraries/{itinerary_id}", headers=headers)).get_json()
    hotel = next(s for s in shown["suggestions"] if s["kind"] == "hotel")
    assert hotel["check_in"] == plan["day"].isoformat()
    assert [o["room_type_id"] for o in hotel["options"]] == [plan["room_type"]["id"]]
    # a stay that starts the day before the bus arrives: the night before is paid but unused
    await add(client, headers, itinerary_id, hotel_body(plan["room_type"]["id"], plan["day"] - timedelta(days=1)))
    shown = await (await client.get(f"/api/v1/itineraries/{itinerary_id}", headers=headers)).get_json()
    assert [w["code"] for w in shown["warnings"]] == ["arrival_after_check_in"]
