"""Train and flight pages without JavaScript: search across modes with tabs, the stops and berth choice of a
segment, booking it to checkout, and the e-ticket with coach, berth and stop times."""

from __future__ import annotations

import re

from travelgo import db

from .. import factories
from ..bookings.test_pages import post_multi
from ..conftest import login
from ..payhelpers import paid
from .helpers import train

KEY = re.compile(r'name="idempotency_key" value="([^"]+)"')


async def test_search_tabs_and_boarding_at_an_intermediate_stop(client):
    trip = await train(stops=5, coaches=[("S1", "SL"), ("B1", "3A")], size=8)
    query = f"origin={trip['cities'][1]['id']}&destination={trip['cities'][3]['id']}&date={trip['departs_at'].date()}"
    page = await client.get(f"/travel?{query}")
    html = await page.get_data(as_text=True)
    assert page.status_code == 200, html
    assert "1 result" in html and f'href="/trips/{trip["id"]}?origin={trip["cities"][1]["id"]}' in html
    assert 'aria-current="page">All (1)' in html and f'href="/flights?{query}' in html.replace("&amp;", "&")
    flights = await (await client.get(f"/flights?{query}")).get_data(as_text=True)
    assert "0 results" in flights and "Nothing runs" in flights
    same = await client.get(f"/trains?origin={trip['cities'][1]['id']}&destination={trip['cities'][1]['id']}")
    assert same.status_code == 422 and "Destination must differ" in await same.get_data(as_text=True)

    seats = await client.get(
        f"/trips/{trip['id']}?origin={trip['cities'][1]['id']}&destination={trip['cities'][3]['id']}"
    )
    body = await seats.get_data(as_text=True)
    assert seats.status_code == 200
    assert 'value="S1-1"' in body and 'value="B1-8"' in body and "11:10" in body  # departs stop 1 at 11:10
    assert body.count("Board here") == 2 and body.count("Leave here") == 1  # stops 0, 2 to board; 4 to leave
    assert 'sse-connect="/api/v1/trips/' in body


async def test_book_a_berth_from_the_page_then_pay_and_see_the_ticket(client):
    trip = await train(stops=4)
    async with db.transaction() as cur:
        user = await factories.make_user(cur)
    await login(client, user["email"])
    a, b = trip["cities"][0]["id"], trip["cities"][2]["id"]
    form = await client.get(f"/trips/{trip['id']}/book?origin={a}&destination={b}&seats=A1-3")
    html = await form.get_data(as_text=True)
    assert form.status_code == 200 and 'name="p-0-name"' in html and "₹1,100" in html  # ₹500 + ₹3/km × 200 km
    key = KEY.search(html).group(1)
    fields = {
        "origin": str(a),
        "destination": str(b),
        "seats": ["A1-3"],
        "idempotency_key": key,
        "contact_email": "rider@example.com",
        "p-0-name": "Meera Rao",
        "p-0-age": "41",
        "p-0-gender": "female",
        "quoted_total_minor": "110000",
    }
    # a bus's boarding point means nothing on a train: ignored, not an error nobody can see
    booked = await post_multi(client, f"/trips/{trip['id']}/book", {**fields, "boarding_point_id": "no-such"})
    assert booked.status_code == 303, await booked.get_data(as_text=True)
    reference = booked.headers["Location"].rsplit("/", 1)[1]
    assert booked.headers["Location"] == f"/checkout/{reference}"
    again = await post_multi(client, f"/trips/{trip['id']}/book", {**fields, "idempotency_key": key + "x"})
    assert again.status_code == 409 and "A1-3" in await again.get_data(as_text=True)

    await paid({"reference": reference, "user_id": user["id"]})
    ticket = await (await client.get(f"/bookings/{reference}")).get_data(as_text=True)
    assert "E-ticket" in ticket and "Meera Rao" in ticket and "A1-3" in ticket and "lower" in ticket.lower()
    assert "Stops on your journey" in ticket and trip["cities"][1]["name"] in ticket
    listed = await (await client.get("/bookings")).get_data(as_text=True)
    assert "Train" in listed and f"{trip['cities'][0]['name']} → {trip['cities'][2]['name']}" in listed

    blank = await post_multi(client, f"/trips/{trip['id']}/book", {**fields, "p-0-name": "", "idempotency_key": key})
    assert blank.status_code == 422 and "Enter the passenger" in await blank.get_data(as_text=True)


async def test_results_fold_the_search_into_a_summary_and_htmx_gets_the_search_block(client):
    trip = await train(stops=3)
    origin, destination = trip["cities"][0], trip["cities"][2]
    day = trip["departs_at"].date()
    query = f"origin={origin['id']}&destination={destination['id']}&date={day}&passengers=2"
    html = await (await client.get(f"/travel?{query}")).get_data(as_text=True)
    assert '<details class="sheet search-sheet" id="travel-search-sheet">' in html  # closed: results come first
    assert f"<strong>{origin['name']} → {destination['name']}</strong> · {day.strftime('%a %d %b')} · 2 seats" in html
    fragment = await client.get(f"/trains?{query}&sort=price", headers={"HX-Request": "true"})
    body = await fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and body.lstrip().startswith('<div id="travel-search">'), body[:200]
    assert "<html" not in body and '<option value="price" selected>' in body and "1 result" in body
    assert "Vary" in fragment.headers and "HX-Request" in fragment.headers["Vary"]
    empty = await (await client.get("/flights")).get_data(as_text=True)
    assert '<details class="sheet search-sheet" id="travel-search-sheet" open>' in empty
