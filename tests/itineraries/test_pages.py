"""Itinerary pages without JavaScript: start a trip, "Add to trip" from the bus and hotel forms, the day-by-day
plan, checkout to the one payment page, the 409 page naming what is gone, owner only, My bookings grouped."""

from __future__ import annotations

import json
import re
from datetime import timedelta

from travelgo import db

from .. import factories
from ..bookings.helpers import scalar
from ..conftest import csrf_for, post_form, signed_in
from ..payhelpers import deliver_webhooks, gateway
from .helpers import bus_body, held_counts, trip_plan


async def traveller_client(app):
    async with db.transaction() as cur:
        user = await factories.make_user(cur, full_name="Asha Rao")
    return user, await signed_in(app, user["email"])


async def start_trip(client, name: str = "Goa") -> int:
    response = await post_form(client, "/itineraries", {"name": name})
    assert response.status_code == 303, await response.get_data(as_text=True)
    return int(response.headers["Location"].rsplit("/", 1)[1])


def bus_form(seats: list[str], itinerary_id: int | str) -> dict:
    [seat] = seats  # one seat: the test client's form takes one value per name
    form = {"seats": seat, "idempotency_key": "plan-key-12345", "contact_email": "", "contact_phone": ""}
    for i in range(len(seats)):
        form |= {f"p-{i}-name": f"Rider {i}", f"p-{i}-age": "30", f"p-{i}-gender": ""}
    return form | {"itinerary_id": str(itinerary_id)}


async def planned_trip(client, plan) -> int:
    itinerary_id = await start_trip(client)
    added = await post_form(client, f"/itineraries/add/bus/{plan['out']['id']}", bus_form(["1"], itinerary_id))
    assert added.status_code == 303, await added.get_data(as_text=True)
    assert added.headers["Location"] == f"/itineraries/{itinerary_id}"
    stay = {
        "room_type_id": str(plan["room_type"]["id"]),
        "check_in": plan["day"].isoformat(),
        "check_out": (plan["day"] + timedelta(days=2)).isoformat(),
    }
    form = {**stay, "rooms": "1", "guests": "1", "guest_name": "Asha Rao", "itinerary_id": str(itinerary_id)}
    added = await post_form(client, f"/itineraries/add/hotel/{plan['hotel']['id']}", form)
    assert added.status_code == 303, await added.get_data(as_text=True)
    return itinerary_id


async def test_booking_forms_offer_add_to_trip_and_it_plans_without_holding(app):
    plan = await trip_plan()
    _, client = await traveller_client(app)
    page = await client.get(f"/buses/{plan['out']['id']}/book?seats=1")
    html = await page.get_data(as_text=True)
    assert "Add to trip" in html and f'formaction="/itineraries/add/bus/{plan["out"]["id"]}"' in html
    before = await held_counts()
    itinerary_id = await planned_trip(client, plan)
    assert await held_counts() == before
    show = await (await client.get(f"/itineraries/{itinerary_id}")).get_data(as_text=True)
    assert "Leave Mumbai: Mumbai → Goa" in show and "Arrive in Goa" in show
    assert "Night at Sea View" in show and "Check in: Sea View" in show
    assert "Hold the whole trip and pay" in show
    # the planner suggests the way back, the bus seeded for day + 2
    assert "Journeys back to Mumbai from Goa" in show
    printable = await (await client.get(f"/itineraries/{itinerary_id}/print")).get_data(as_text=True)
    assert "Night at Sea View" in printable
    calendar = await client.get(f"/itineraries/{itinerary_id}.ics")
    assert calendar.mimetype == "text/calendar" and (await calendar.get_data()).count(b"BEGIN:VEVENT") == 2


async def test_a_new_trip_can_be_started_from_the_form(app):
    plan = await trip_plan()
    _, client = await traveller_client(app)
    form = bus_form(["2"], "new") | {"new_trip_name": "Monsoon"}
    added = await post_form(client, f"/itineraries/add/bus/{plan['out']['id']}", form)
    assert added.status_code == 303
    assert await scalar("SELECT name FROM itineraries") == "Monsoon"
    refused = await post_form(client, f"/itineraries/add/bus/{plan['out']['id']}", bus_form(["99"], "new"))
    assert refused.status_code == 422 and "No seat 99" in await refused.get_data(as_text=True)


async def test_checkout_goes_to_one_payment_page_and_paying_confirms_the_trip(app):
    plan = await trip_plan()
    _, client = await traveller_client(app)
    itinerary_id = await planned_trip(client, plan)
    response = await post_form(client, f"/itineraries/{itinerary_id}/checkout", {})
    assert response.status_code == 303 and response.headers["Location"] == f"/itineraries/{itinerary_id}/pay"
    pay = await (await client.get(f"/itineraries/{itinerary_id}/pay")).get_data(as_text=True)
    assert "2 bookings, one payment" in pay and "Everything is held until" in pay
    references = re.findall(r'href="/bookings/(TG-[A-Z0-9]{6})"', pay)
    assert len(set(references)) == 2
    # a booking of the trip sends its checkout to the trip's one payment
    redirected = await client.get(f"/checkout/{references[0]}")
    assert redirected.status_code == 303 and redirected.headers["Location"] == f"/itineraries/{itinerary_id}/pay"
    order_id = await scalar("SELECT order_id FROM payments")
    await gateway().pay(order_id, "captured")
    await deliver_webhooks(client)
    pay = await (await client.get(f"/itineraries/{itinerary_id}/pay")).get_data(as_text=True)
    assert "Paid and confirmed" in pay
    mine = await (await client.get("/bookings")).get_data(as_text=True)
    assert f'Trip: <a href="/itineraries/{itinerary_id}">Goa</a>' in mine
    assert mine.count('booking-card in-trip"') == 2


async def test_checkout_409_page_names_the_gone_item_and_holds_nothing(app):
    plan = await trip_plan(seats=1)
    _, client = await traveller_client(app)
    itinerary_id = await planned_trip(client, plan)
    async with db.transaction() as cur:
        await cur.execute("UPDATE trips SET status = 'cancelled' WHERE id = %(id)s", {"id": plan["out"]["id"]})
    before = await held_counts()
    response = await post_form(client, f"/itineraries/{itinerary_id}/checkout", {})
    assert response.status_code == 409
    html = await response.get_data(as_text=True)
    assert "Nothing was held" in html and "cancelled by the operator" in html
    assert await held_counts() == before


async def test_another_traveller_gets_404(app):
    plan = await trip_plan()
    _, owner = await traveller_client(app)
    itinerary_id = await planned_trip(owner, plan)
    _, other = await traveller_client(app)
    for path in (f"/itineraries/{itinerary_id}", f"/itineraries/{itinerary_id}/print",
                 f"/itineraries/{itinerary_id}.ics", f"/itineraries/{itinerary_id}/pay"):  # fmt: skip
        assert (await other.get(path)).status_code == 404, path
    token = await csrf_for(other, "/itineraries")
    checkout = await other.post(f"/itineraries/{itinerary_id}/checkout", form={"csrf_token": token})
    assert checkout.status_code == 404
    added = await post_form(other, f"/itineraries/add/bus/{plan['out']['id']}", bus_form(["3"], itinerary_id))
    assert added.status_code == 404
    assert await scalar("SELECT COUNT(*) FROM bookings") == 0
    assert await scalar("SELECT COUNT(*) FROM itinerary_items") == 2


async def test_writes_need_the_csrf_token(app):
    _, client = await traveller_client(app)
    response = await client.post("/itineraries", form={"name": "No token"})
    assert response.status_code in (400, 403)
    assert await scalar("SELECT COUNT(*) FROM itineraries") == 0


async def test_json_api_and_pages_agree_on_the_body(app):
    """A stored item body is exactly a POST /api/v1/bookings body."""
    plan = await trip_plan()
    _, client = await traveller_client(app)
    itinerary_id = await start_trip(client)
    await post_form(client, f"/itineraries/add/bus/{plan['out']['id']}", bus_form(["4"], itinerary_id))
    body = json.loads(await scalar("SELECT body FROM itinerary_items"))
    expected = bus_body(plan["out"]["id"], ["4"])
    assert body["type"] == "bus" and body["trip_id"] == expected["trip_id"] and body["seats"] == ["4"]
    assert [p["name"] for p in body["passengers"]] == ["Rider 0"]
