"""The itinerary API: plan (nothing held), check out whole (one transaction, one payment), 409 naming items, the
owner alone, cancel one item or the whole trip, and the calendar."""

from __future__ import annotations

from datetime import timedelta

from icalendar import Calendar

from travelgo import db

from .. import factories
from ..bookings.helpers import scalar
from ..conftest import api_token, deliver_notifications
from ..payhelpers import deliver_webhooks, gateway
from .helpers import add, bus_body, held_counts, hotel_body, new_itinerary, trip_plan


async def traveller(client) -> tuple[dict, dict]:
    async with db.transaction() as cur:
        user = await factories.make_user(cur)
    return user, await api_token(client, user["email"])


async def planned(client, headers, plan) -> int:
    """An itinerary with the bus there, the hotel and the bus back."""
    itinerary_id = await new_itinerary(client, headers)
    await add(client, headers, itinerary_id, bus_body(plan["out"]["id"], ["1"]))
    await add(client, headers, itinerary_id, hotel_body(plan["room_type"]["id"], plan["day"]))
    await add(client, headers, itinerary_id, bus_body(plan["back"]["id"], ["1"]))
    return itinerary_id


async def test_adding_items_holds_nothing_and_reads_like_the_trip(client):
    plan = await trip_plan()
    _, headers = await traveller(client)
    before = await held_counts()
    itinerary_id = await new_itinerary(client, headers)
    item = await add(client, headers, itinerary_id, bus_body(plan["out"]["id"], ["1", "2"]))
    assert item["status"] == "planned" and item["type"] == "bus" and item["total_minor"] == 5000
    assert item["title"] == "Mumbai → Goa" and item["from_city"] == "Mumbai" and item["to_city"] == "Goa"
    assert item["body"]["seats"] == ["1", "2"] and item["starts_at"].endswith("+05:30")
    await add(client, headers, itinerary_id, hotel_body(plan["room_type"]["id"], plan["day"]))
    assert await held_counts() == before  # the preview was rolled back: nothing held, no booking row

    shown = await (await client.get(f"/api/v1/itineraries/{itinerary_id}", headers=headers)).get_json()
    assert [i["type"] for i in shown["items"]] == ["bus", "hotel"]
    assert shown["totals"] == [{"currency": "EUR", "total_minor": 5000 + 18000}]
    # arriving 17:00 on the check-in day fits; no return journey yet, so the planner suggests one
    assert shown["warnings"] == []
    listed = await (await client.get("/api/v1/itineraries", headers=headers)).get_json()
    assert listed["total"] == 1 and listed["items"][0]["item_count"] == 2


async def test_an_item_that_cannot_be_booked_now_is_refused_when_added(client):
    plan = await trip_plan(seats=4)
    _, headers = await traveller(client)
    itinerary_id = await new_itinerary(client, headers)
    response = await client.post(
        f"/api/v1/itineraries/{itinerary_id}/items", json=bus_body(plan["out"]["id"], ["99"]), headers=headers
    )
    assert response.status_code == 422 and "No seat 99" in (await response.get_json())["detail"]
    bad = await client.post(f"/api/v1/itineraries/{itinerary_id}/items", json={"type": "boat"}, headers=headers)
    assert bad.status_code == 422
    assert await scalar("SELECT COUNT(*) FROM itinerary_items") == 0


async def test_checkout_holds_every_item_in_one_go_and_one_payment_confirms_them_all(client):
    plan = await trip_plan()
    _, headers = await traveller(client)
    itinerary_id = await planned(client, headers, plan)
    response = await client.post(f"/api/v1/itineraries/{itinerary_id}/checkout", headers=headers)
    assert response.status_code == 201, await response.get_data(as_text=True)
    body = await response.get_json()
    assert body["status"] == "pending_payment" and len(body["bookings"]) == 3
    assert {b["status"] for b in body["bookings"]} == {"pending_payment"}
    assert len({b["reference"] for b in body["bookings"]}) == 3  # each its own reference
    total = 2500 + 18000 + 2500
    assert body["total_minor"] == total and body["payment"]["amount_minor"] == total
    assert await scalar("SELECT COUNT(*) FROM payments") == 1  # one payment for the whole trip
    assert (await held_counts())["seats"] == 2 and (await held_counts())["rooms"] == 2

    # Checking out again holds nothing more.
    again = await client.post(f"/api/v1/itineraries/{itinerary_id}/checkout", headers=headers)
    assert again.status_code == 409

    await gateway().pay(body["payment"]["order_id"], "captured")
    answers = await deliver_webhooks(client)
    assert [a["outcome"] for _, a in answers] == ["confirmed"]
    state = await (await client.get(f"/api/v1/itineraries/{itinerary_id}/checkout", headers=headers)).get_json()
    assert state["status"] == "confirmed" and {b["status"] for b in state["bookings"]} == {"confirmed"}
    assert {b["payment"]["status"] for b in state["bookings"]} == {"captured"}
    await deliver_notifications()
    kinds = await scalar(
        "SELECT GROUP_CONCAT(kind ORDER BY id) FROM notifications WHERE channel = 'email' AND user_id IS NOT NULL"
    )
    assert kinds == "itinerary_held,itinerary_confirmed"  # one message each, not one per booking


async def test_checkout_names_the_unavailable_item_with_alternatives_and_holds_nothing(client):
    plan = await trip_plan(seats=4)
    async with db.transaction() as cur:
        later = await factories.make_trip(
            cur, seats=4, origin=plan["mumbai"], destination=plan["goa"],
            departs_at=plan["out"]["departs_at"] + timedelta(hours=3),
        )  # fmt: skip
    _, headers = await traveller(client)
    itinerary_id = await planned(client, headers, plan)
    _, rival = await traveller(client)
    taken = await client.post("/api/v1/bookings", json=bus_body(plan["out"]["id"], ["1"]), headers=rival)
    assert taken.status_code == 201
    before = await held_counts()

    response = await client.post(f"/api/v1/itineraries/{itinerary_id}/checkout", headers=headers)
    assert response.status_code == 409 and response.mimetype == "application/problem+json"
    problem = await response.get_json()
    [failed] = problem["unavailable_items"]
    assert failed["type"] == "bus" and failed["title"] == "Mumbai → Goa" and failed["unavailable_seats"] == ["1"]
    assert [a["trip_id"] for a in failed["alternatives"]] == [later["id"]]
    assert await held_counts() == before  # the hotel and the return were not held either


async def test_only_the_owner_sees_or_changes_an_itinerary(client):
    plan = await trip_plan()
    _, headers = await traveller(client)
    itinerary_id = await planned(client, headers, plan)
    _, other = await traveller(client)
    item_id = (await (await client.get(f"/api/v1/itineraries/{itinerary_id}", headers=headers)).get_json())["items"][0][
        "id"
    ]
    for method, path in [
        ("GET", f"/api/v1/itineraries/{itinerary_id}"),
        ("GET", f"/api/v1/itineraries/{itinerary_id}.ics"),
        ("POST", f"/api/v1/itineraries/{itinerary_id}/checkout"),
        ("DELETE", f"/api/v1/itineraries/{itinerary_id}/items/{item_id}"),
        ("GET", f"/api/v1/itineraries/{itinerary_id}/items/{item_id}"),
    ]:
        response = await client.open(path, method=method, headers=other)
        assert response.status_code == 404, (method, path, response.status_code)
    response = await client.post(
        f"/api/v1/itineraries/{itinerary_id}/items", json=bus_body(plan["out"]["id"], ["5"]), headers=other
    )
    assert response.status_code == 404
    assert (await client.get(f"/api/v1/itineraries/{itinerary_id}")).status_code == 401
    assert (
        await scalar("SELECT COUNT(*) FROM itinerary_items") == 3 and await scalar("SELECT COUNT(*) FROM bookings") == 0
    )


async def test_cancel_one_paid_item_refunds_it_alone_then_the_whole_trip(client):
    plan = await trip_plan(days_ahead=5)
    _, headers = await traveller(client)
    itinerary_id = await planned(client, headers, plan)
    body = await (await client.post(f"/api/v1/itineraries/{itinerary_id}/checkout", headers=headers)).get_json()
    hotel_ref = next(b["reference"] for b in body["bookings"] if b["type"] == "hotel")
    # While unpaid, one item cannot be cancelled alone (the one payment covers them all).
    refused = await client.post(f"/api/v1/bookings/{hotel_ref}/cancel", headers=headers)
    assert refused.status_code == 409 and "whole trip" in (await refused.get_json())["detail"]
    await gateway().pay(body["payment"]["order_id"], "captured")
    await deliver_webhooks(client)

    one = await client.post(f"/api/v1/bookings/{hotel_ref}/cancel", headers=headers)
    assert one.status_code == 200, await one.get_data(as_text=True)
    cancelled = await one.get_json()
    assert cancelled["status"] == "cancelled" and cancelled["refund"]["amount_minor"] == 18000
    assert [r["amount_minor"] for r in cancelled["refunds"]] == [18000]
    assert (await held_counts())["rooms"] == 0 and (await held_counts())["seats"] == 2

    whole = await client.post(f"/api/v1/itineraries/{itinerary_id}/cancel", headers=headers)
    assert whole.status_code == 200, await whole.get_data(as_text=True)
    refunds = sorted(b["refund"]["amount_minor"] for b in (await whole.get_json())["bookings"])
    assert refunds == [2500, 2500]
    assert await scalar("SELECT SUM(amount_minor) FROM refunds") == 18000 + 5000
    assert (await held_counts())["seats"] == 0


async def test_calendar_has_an_event_per_item_at_its_place_in_utc(client):
    plan = await trip_plan()
    _, headers = await traveller(client)
    itinerary_id = await planned(client, headers, plan)
    response = await client.get(f"/api/v1/itineraries/{itinerary_id}.ics", headers=headers)
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    calendar = Calendar.from_ical(await response.get_data())
    events = sorted(calendar.walk("VEVENT"), key=lambda e: e.decoded("dtstart"))
    assert len(events) == 3
    bus = events[0]
    # 09:00 in Mumbai (Asia/Kolkata, +05:30) is 03:30 UTC
    assert bus.decoded("dtstart").utcoffset() == timedelta(0)
    assert bus.decoded("dtstart").strftime("%H:%M") == "03:30"
    assert "Central Bus Station" in str(bus["location"]) and "Mumbai" in str(bus["location"])
    hotel = events[1]
    assert "Sea View" in str(hotel["location"]) and hotel.decoded("dtstart").strftime("%H:%M") == "08:30"  # 14:00 IST


async def test_delete_an_item_only_while_it_is_not_booked(client):
    plan = await trip_plan()
    _, headers = await traveller(client)
    itinerary_id = await planned(client, headers, plan)
    items = (await (await client.get(f"/api/v1/itineraries/{itinerary_id}", headers=headers)).get_json())["items"]
    gone = await client.delete(f"/api/v1/itineraries/{itinerary_id}/items/{items[2]['id']}", headers=headers)
    assert gone.status_code == 204
    await client.post(f"/api/v1/itineraries/{itinerary_id}/checkout", headers=headers)
    held = await client.delete(f"/api/v1/itineraries/{itinerary_id}/items/{items[0]['id']}", headers=headers)
    assert held.status_code == 409


async def test_delete_a_trip_only_before_its_first_checkout(client):
    plan = await trip_plan()
    _, headers = await traveller(client)
    draft = await planned(client, headers, plan)
    assert (await client.delete(f"/api/v1/itineraries/{draft}", headers=headers)).status_code == 204
    assert await scalar("SELECT COUNT(*) FROM itinerary_items") == 0
    booked = await planned(client, headers, plan)
    await client.post(f"/api/v1/itineraries/{booked}/checkout", headers=headers)
    await client.post(f"/api/v1/itineraries/{booked}/cancel", headers=headers)
    kept = await client.delete(f"/api/v1/itineraries/{booked}", headers=headers)
    assert kept.status_code == 409 and kept.mimetype == "application/problem+json"


async def test_a_train_segment_and_a_restaurant_table_are_itinerary_items_like_any_booking(client):
    """Every kind the engine sells plugs in through bookings.service.UNITS: a berth on two legs of a train and a
    table with a deposit are held in one checkout, each its own booking."""
    from ..restaurants.helpers import table_body
    from ..segments.helpers import segment_body, train

    plan = await trip_plan()
    rail = await train()
    async with db.transaction() as cur:  # a deposit: the table is held and paid with the rest of the trip
        restaurant = await factories.make_restaurant(cur, city=plan["goa"], deposit_minor=20000)
    table = table_body(restaurant["id"], day=plan["day"])
    _, headers = await traveller(client)
    itinerary_id = await new_itinerary(client, headers)
    berth = await add(client, headers, itinerary_id, segment_body(rail, 1, 3, ["A1-1"]))
    assert berth["type"] == "train" and berth["status"] == "planned"
    # the booked stops, not the route's ends: the planner's connections and city gaps are about these
    assert (berth["from_city"], berth["to_city"]) == (rail["cities"][1]["name"], rail["cities"][3]["name"])
    dinner = await add(client, headers, itinerary_id, table)
    assert dinner["from_city"] == dinner["to_city"] == plan["goa"]["name"]  # where the restaurant is
    response = await client.post(f"/api/v1/itineraries/{itinerary_id}/checkout", headers=headers)
    assert response.status_code == 201, await response.get_data(as_text=True)
    body = await response.get_json()
    assert sorted(b["type"] for b in body["bookings"]) == ["restaurant", "train"]
    assert {b["status"] for b in body["bookings"]} == {"pending_payment"}
    assert await scalar("SELECT COUNT(*) FROM booking_seat_legs WHERE held = 1") == 2  # legs 1-2 and 2-3
