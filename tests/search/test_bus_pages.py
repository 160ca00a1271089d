"""Bus search and trip pages: full page vs fragment, no-JS forms, validation, type-ahead, seat map."""

from __future__ import annotations

import html
import re
from datetime import timedelta

from travelgo import db
from travelgo.dates import today_in

from .helpers import DAY, bus_world

HX = {"HX-Request": "true"}


async def world():
    async with db.transaction() as cur:
        return await bus_world(cur)


def route_url(w, **extra) -> str:
    params = {"origin": w["pune"]["id"], "destination": w["mumbai"]["id"], "date": DAY.isoformat(), **extra}
    return "/buses?" + "&".join(f"{k}={v}" for k, v in params.items())


async def text(response) -> str:
    return await response.get_data(as_text=True)


async def test_empty_search_page_renders_the_form_without_results(client):
    response = await client.get("/buses")
    body = await text(response)
    assert response.status_code == 200 and "<html" in body
    assert 'id="bus-search-form"' in body and 'method="get" action="/buses"' in body
    assert 'class="results"' not in body


async def test_same_url_full_page_without_htmx_and_fragment_with_it(client):
    w = await world()
    url = route_url(w, sort="price")
    full = await client.get(url)
    full_body = await text(full)
    assert full.status_code == 200 and full_body.lstrip().startswith("<!doctype html>")
    assert "HX-Request" in full.headers.get("Vary", "")
    fragment = await client.get(url, headers=HX)
    frag_body = await text(fragment)
    assert fragment.status_code == 200 and frag_body.lstrip().startswith('<div id="bus-search">')
    assert "<html" not in frag_body
    assert fragment.headers["HX-Push-Url"].startswith("/buses?origin=")
    for trip in w["trips"]:
        assert f'id="seats-left-{trip["id"]}"' in full_body and f'id="seats-left-{trip["id"]}"' in frag_body
    # results in price order, and the badge tells the truth
    order = [int(m) for m in re.findall(r'id="trip-(\d+)"', frag_body)]
    assert order == [t["id"] for t in sorted(w["trips"], key=lambda t: t["price_minor"])]
    assert re.search(rf'id="seats-left-{w["trips"][2]["id"]}"[^>]*>3 seats left<', frag_body)


async def test_city_names_typed_without_javascript_are_understood(client):
    w = await world()
    response = await client.get(f"/buses?origin=pune&destination=Mumbai&date={DAY}")
    body = await text(response)
    assert response.status_code == 200
    assert all(f'id="trip-{t["id"]}"' in body for t in w["trips"])
    assert 'value="Pune"' in body  # the picker shows the canonical name
    response = await client.get(f"/buses?origin=pune&destination=Mumbai&date={DAY}", headers=HX)
    assert (
        response.headers["HX-Push-Url"] == f"/buses?origin={w['pune']['id']}&destination={w['mumbai']['id']}&date={DAY}"
    )


async def test_filters_render_checked_and_results_follow_them(client):
    w = await world()
    response = await client.get(route_url(w) + "&bus_type=ac_sleeper&departure=evening")
    body = await text(response)
    assert re.search(r'value="ac_sleeper"[^>]*checked', body)
    assert re.findall(r'id="trip-(\d+)"', body) == [str(w["trips"][4]["id"])]


async def test_validation_messages_sit_beside_their_fields(client):
    w = await world()
    yesterday = (today_in() - timedelta(days=1)).isoformat()
    cases = [
        (f"/buses?origin=Atlantis&destination=Mumbai&date={DAY}", "origin", "We don't know a city called"),
        (f"/buses?origin=%C2%B2&destination=Mumbai&date={DAY}", "origin", "We don't know a city called"),
        (route_url(w, destination=w["pune"]["id"]), "destination", "must be different"),
        (route_url(w, date=yesterday), "date", "today or a later date"),
        (route_url(w, passengers=9), "passengers", "Choose from 1 to 6 passengers."),
        (route_url(w, passengers=0), "passengers", "Choose from 1 to 6 passengers."),
        (route_url(w, date="31-12-2030"), "date", "Enter a date as YYYY-MM-DD."),
    ]
    for url, field, message in cases:
        for headers in ({}, HX):
            response = await client.get(url, headers=headers)
            body = await text(response)
            assert response.status_code == 422, url
            error = re.search(rf'<p id="e-{field}" class="field-error">([^<]*)</p>', body)
            assert error and message in html.unescape(error.group(1)), url
            assert f'aria-describedby="e-{field}"' in body
            assert 'class="results"' not in body


async def test_empty_state_links_to_the_next_day(client):
    w = await world()
    empty_day = DAY + timedelta(days=5)
    response = await client.get(route_url(w, date=empty_day.isoformat()))
    body = await text(response)
    assert response.status_code == 200 and "No buses on" in body
    next_day = (empty_day + timedelta(days=1)).isoformat()
    assert (
        f'href="/buses?origin={w["pune"]["id"]}&amp;destination={w["mumbai"]["id"]}&amp;date={next_day}"' in body
        or f"date={next_day}" in body
    )
    assert "Try the next day" in body


async def test_pagination_links_carry_the_search(client):
    w = await world()
    body = await text(await client.get(route_url(w, limit=4)))
    assert "1–4 of 6" in body
    match = re.search(r'rel="next" href="([^"]+)"', body)
    assert match and "offset=4" in match.group(1) and "limit=4" in match.group(1)
    second = await text(await client.get(match.group(1).replace("&amp;", "&")))
    assert "5–6 of 6" in second and 'rel="prev"' in second and 'rel="next"' not in second


async def test_type_ahead_suggestions_and_pick(client):
    w = await world()
    response = await client.get("/cities/suggest?field=origin&origin=Mu")
    body = await text(response)
    assert response.status_code == 200
    assert f'hx-get="/cities/pick?field=origin&amp;id={w["mumbai"]["id"]}"' in body and "Pune" not in body
    assert 'type="button"' in body
    none = await text(await client.get("/cities/suggest?field=origin&origin=Zzz"))
    assert "No city matches" in none
    assert (await client.get("/cities/suggest?field=evil&evil=a")).status_code == 404
    pick = await text(await client.get(f"/cities/pick?field=destination&id={w['mumbai']['id']}"))
    assert 'id="destination-picker"' in pick and 'name="destination"' in pick and 'value="Mumbai"' in pick
    assert (await client.get("/cities/pick?field=origin&id=999999")).status_code == 404
    assert (await client.get("/cities/pick?field=origin&id=%C2%B2")).status_code == 404  # "²".isdigit() is True


async def test_home_page_pickers_work_without_javascript(client):
    await world()
    body = await text(await client.get("/"))
    assert '<datalist id="city-names">' in body and '<option value="Pune">' in body
    for field in ("origin", "destination", "city"):
        assert f'id="{field}-picker"' in body and f'name="{field}"' in body


async def test_seat_map_is_a_form_of_real_buttons(client):
    w = await world()
    trip = w["trips"][1]  # seats 1-3 taken
    response = await client.get(f"/buses/{trip['id']}?passengers=2")
    body = await text(response)
    assert response.status_code == 200 and "<html" in body
    assert re.search(rf'<form id="seat-map"[^>]*method="get" action="/buses/{trip["id"]}"', body)
    assert 'aria-label="Seat 4, window, free"' in body and 'name="toggle" value="4"' in body
    assert 'aria-label="Seat 1, window, taken"' in body and 'name="toggle" value="1"' not in body
    assert body.count('name="toggle"') == 37
    assert "Central Bus Station" in body and "Coach Terminal" in body


async def test_choosing_seats_shows_running_fare_and_respects_passengers(client):
    w = await world()
    trip = w["trips"][1]  # ₹900 a seat
    url = f"/buses/{trip['id']}?passengers=2"
    one = await text(await client.get(url + "&toggle=5"))
    assert re.search(r'value="5"[^>]*aria-pressed="true"\s+aria-label="Seat 5, window, selected"', one)
    assert "₹900" in one or "€900" in one
    two = await text(await client.get(url + "&seats=5&toggle=6"))
    assert "€1,800" in two and "Continue to book" in two
    assert f'href="/buses/{trip["id"]}/book?seats=5&amp;seats=6&amp;passengers=2"' in two
    three = await text(await client.get(url + "&seats=5&seats=6&toggle=7"))
    assert "up to 2 seats" in three and 'aria-label="Seat 7, aisle, free"' in three
    off = await text(await client.get(url + "&seats=5&seats=6&toggle=5"))
    assert 'aria-label="Seat 5, window, free"' in off and "Seat 5 removed" in off
    taken = await text(await client.get(url + "&seats=1"))
    assert "was just taken" in taken and "No seat chosen yet" in taken


async def test_seat_press_with_htmx_returns_only_the_seat_map(client):
    w = await world()
    trip = w["trips"][1]
    response = await client.get(f"/buses/{trip['id']}?passengers=1&toggle=9", headers=HX)
    body = await text(response)
    assert body.lstrip().startswith('<form id="seat-map"') and "<html" not in body
    assert response.headers["HX-Replace-Url"] == f"/buses/{trip['id']}?passengers=1&seats=9"


async def test_seat_map_partial_renders_from_trip_and_selected_only(app):
    """Other parts (live updates) render the partial with just `trip` and `selected`."""
    from quart import render_template

    from travelgo.buses.service import get_trip

    w = await world()
    trip = await get_trip(w["trips"][0]["id"])
    async with app.test_request_context("/"):
        page = await render_template("buses/_seat_map.html", trip=trip, selected=["7"])
    assert page.lstrip().startswith('<form id="seat-map"') and 'aria-pressed="true"' in page


async def test_unknown_trip_page_is_404(client):
    response = await client.get("/buses/999999999")
    assert response.status_code == 404
