"""Review, then confirm: what is booked is what is on screen, at the price on screen (issue 14, items 7 and 8).

The forms are driven as a browser drives them (browser.py): the traveller edits the visible fields and presses a
button; the test sends what that button's form holds, hidden fields and all."""

from __future__ import annotations

from datetime import timedelta

import pytest

from travelgo import db
from travelgo.admin import service as admin_service
from travelgo.templating import money

from .. import factories
from ..conftest import api_token, login
from .browser import press
from .helpers import hotel_and_user, passengers, scalar, stay, trip_and_user


async def hotel_bookings() -> list[tuple]:
    async with db.reading() as cur:
        await cur.execute("SELECT room_type_id, check_in, check_out, rooms, guests, total_minor FROM bookings")
        return [tuple(row.values()) for row in await cur.fetchall()]


async def set_night_price(room_type_id: int, price_minor: int) -> None:
    """What the admin's inventory form does to the price of every night (admin.service.set_inventory)."""
    async with db.transaction() as cur:
        await cur.execute(
            "UPDATE room_inventory SET price_minor = %(p)s WHERE room_type_id = %(id)s",
            {"p": price_minor, "id": room_type_id},
        )


async def double_and_suite(client) -> tuple[dict, dict, dict]:
    """A hotel with a double room (90.00 a night) and a family suite (200.00), and a traveller signed in."""
    async with db.transaction() as cur:
        hotel = await factories.make_hotel(cur)
        double = await factories.make_room_type(cur, hotel["id"], name="Double room", price_minor=9000)
        suite = await factories.make_room_type(cur, hotel["id"], name="Family suite", price_minor=20000, max_guests=4)
        user = await factories.make_user(cur)
    await login(client, user["email"])
    return hotel, double, suite


def review_path(hotel_id: int, room_type_id: int, check_in, check_out, rooms: int = 1, guests: int = 2) -> str:
    return (
        f"/hotels/{hotel_id}/book?room_type_id={room_type_id}&check_in={check_in}&check_out={check_out}"
        f"&rooms={rooms}&guests={guests}"
    )


# --- item 7: the stay on screen is the stay booked ----------------------------------------------------------


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
async def test_confirm_after_changing_the_stay_never_books_the_stay_reviewed_earlier(client, htmx):
    hotel, double, suite = await double_and_suite(client)
    check_in, check_out = stay(nights=2)
    html = await (await client.get(review_path(hotel["id"], double["id"], check_in, check_out))).get_data(as_text=True)
    assert money(18000, "EUR") in html

    # Room type, check-out and guests changed on screen; "Check price" skipped; Confirm pressed.
    new_out = check_out + timedelta(days=1)
    edits = {"room_type_id": str(suite["id"]), "check_out": new_out.isoformat(), "guests": "3", "guest_name": "Ada"}
    headers = {"HX-Request": "true"} if htmx else {}
    response = await press(client, html, "Confirm and book", edits, headers=headers)
    body = await response.get_data(as_text=True)
    on_screen = (suite["id"], check_in, new_out, 1, 3, 60000)
    if response.status_code in (200, 303) and (response.headers.get("HX-Redirect") or response.status_code == 303):
        assert await hotel_bookings() == [on_screen]  # booked exactly what was submitted
        return
    # Or refused, with the stay on screen priced, ready to confirm.
    assert response.status_code == 409, body
    assert await hotel_bookings() == []
    assert money(60000, "EUR") in body and "Family suite" in body and "3 nights" in body
    again = await press(client, body, "Confirm and book", headers=headers)
    assert again.status_code == (200 if htmx else 303), await again.get_data(as_text=True)
    assert again.headers.get("HX-Redirect" if htmx else "Location", "").startswith("/checkout/")
    assert await hotel_bookings() == [on_screen]


async def test_guests_changed_on_screen_are_the_guests_booked(client):
    hotel, room_type, user = await hotel_and_user(max_guests=3)
    await login(client, user["email"])
    check_in, check_out = stay(nights=1)
    page = await client.get(review_path(hotel["id"], room_type["id"], check_in, check_out, guests=1))
    response = await press(client, await page.get_data(as_text=True), "Confirm and book", {"guests": "3"})
    if response.status_code == 409:  # re-quoted; confirming what is now on screen books it
        response = await press(client, await response.get_data(as_text=True), "Confirm and book")
    assert response.status_code == 303
    assert [row[4] for row in await hotel_bookings()] == [3]


async def test_a_stay_edited_onto_sold_out_nights_books_nothing_and_names_them(client):
    hotel, room_type, user = await hotel_and_user(rooms=1, nights=5)  # inventory for the next 5 nights only
    await login(client, user["email"])
    check_in, check_out = stay(start_in_days=2, nights=1)
    html = await (await client.get(review_path(hotel["id"], room_type["id"], check_in, check_out))).get_data(
        as_text=True
    )
    late = check_in + timedelta(days=10)
    edits = {"check_in": late.isoformat(), "check_out": (late + timedelta(days=1)).isoformat(), "guest_name": "Ada"}
    response = await press(client, html, "Confirm and book", edits)
    body = await response.get_data(as_text=True)
    assert response.status_code == 409 and "Sold out" in body and late.isoformat() in body
    assert "Confirm and book" not in body and await hotel_bookings() == []


async def test_check_price_inside_the_form_requotes_without_booking(client):
    hotel, double, suite = await double_and_suite(client)
    check_in, check_out = stay(nights=1)
    html = await (await client.get(review_path(hotel["id"], double["id"], check_in, check_out))).get_data(as_text=True)
    quoted = await press(client, html, "Check price", {"room_type_id": str(suite["id"]), "guest_name": "Ada"})
    body = await quoted.get_data(as_text=True)
    assert quoted.status_code == 200 and money(20000, "EUR") in body and await hotel_bookings() == []
    done = await press(client, body, "Confirm and book", {"guest_name": "Ada"})
    assert done.status_code == 303
    assert await hotel_bookings() == [(suite["id"], check_in, check_out, 1, 2, 20000)]


# --- item 8: a price changed between review and confirm is never charged silently ---------------------------


@pytest.mark.parametrize(
    ("nights", "before", "after"),
    [(1, 27550, 99900), (2, 4_500_000, 9_000_000)],
    ids=["275.50-to-999", "90000-to-180000"],
)
async def test_hotel_price_changed_after_review_is_shown_and_confirmed_again(client, nights, before, after):
    hotel, room_type, user = await hotel_and_user(price_minor=before)
    await login(client, user["email"])
    check_in, check_out = stay(nights=nights)
    html = await (await client.get(review_path(hotel["id"], room_type["id"], check_in, check_out))).get_data(
        as_text=True
    )
    assert money(before * nights, "EUR") in html
    await set_night_price(room_type["id"], after)

    refused = await press(client, html, "Confirm and book", {"guest_name": "Ada Lovelace"})
    body = await refused.get_data(as_text=True)
    assert refused.status_code == 409, body
    assert await hotel_bookings() == []
    assert money(after * nights, "EUR") in body and money(before * nights, "EUR") in body and "price" in body.lower()
    assert "Ada Lovelace" in body  # what the traveller typed is kept

    done = await press(client, body, "Confirm and book")
    assert done.status_code == 303 and done.headers["Location"].startswith("/checkout/")
    assert await hotel_bookings() == [(room_type["id"], check_in, check_out, 1, 2, after * nights)]


async def test_hotel_price_change_is_a_409_fragment_for_htmx(client):
    hotel, room_type, user = await hotel_and_user(price_minor=27550)
    await login(client, user["email"])
    check_in, check_out = stay(nights=1)
    html = await (await client.get(review_path(hotel["id"], room_type["id"], check_in, check_out))).get_data(
        as_text=True
    )
    await set_night_price(room_type["id"], 99900)
    refused = await press(client, html, "Confirm and book", {"guest_name": "Ada"}, headers={"HX-Request": "true"})
    body = await refused.get_data(as_text=True)
    assert refused.status_code == 409 and "<html" not in body and 'id="booking"' in body and money(99900, "EUR") in body
    assert await scalar("SELECT COUNT(*) FROM bookings") == 0


async def test_bus_price_changed_after_review_is_shown_and_confirmed_again(client):
    trip, user = await trip_and_user(price_minor=27550)
    async with db.transaction() as cur:
        admin = await factories.make_user(cur, role="admin")
    await login(client, user["email"])
    html = await (await client.get(f"/buses/{trip['id']}/book?seats=12&seats=13")).get_data(as_text=True)
    assert money(55100, "EUR") in html
    await admin_service.change_trip_price(admin["id"], trip["id"], 99900)

    riders = {"p-0-name": "Asha Rao", "p-0-age": "30", "p-1-name": "Ravi Rao", "p-1-age": "31"}
    refused = await press(client, html, "Confirm and book", riders)
    body = await refused.get_data(as_text=True)
    assert refused.status_code == 409, body
    assert await scalar("SELECT COUNT(*) FROM bookings") == 0
    assert money(199800, "EUR") in body and money(55100, "EUR") in body and "Asha Rao" in body

    done = await press(client, body, "Confirm and book")
    assert done.status_code == 303 and done.headers["Location"].startswith("/checkout/")
    assert await scalar("SELECT total_minor FROM bookings") == 199800
    assert await scalar("SELECT COUNT(*) FROM booking_seats WHERE price_minor = 99900") == 2


async def test_a_quote_that_matches_books_and_a_garbled_quote_is_422_with_nothing_written(client):
    trip, user = await trip_and_user(price_minor=2500)
    hotel, room_type, _ = await hotel_and_user()
    await login(client, user["email"])
    html = await (await client.get(f"/buses/{trip['id']}/book?seats=3")).get_data(as_text=True)
    garbled = html.replace('name="quoted_total_minor" value="2500"', 'name="quoted_total_minor" value="25.00x"')
    assert garbled != html
    bad = await press(client, garbled, "Confirm and book", {"p-0-name": "Asha", "p-0-age": "30"})
    assert bad.status_code == 422 and await scalar("SELECT COUNT(*) FROM bookings") == 0

    check_in, check_out = stay(nights=1)
    html = await (await client.get(review_path(hotel["id"], room_type["id"], check_in, check_out))).get_data(
        as_text=True
    )
    garbled = html.replace('name="quoted_total_minor" value="9000"', 'name="quoted_total_minor" value="-1"')
    assert garbled != html
    bad = await press(client, garbled, "Confirm and book", {"guest_name": "Ada"})
    assert bad.status_code == 422 and await scalar("SELECT COUNT(*) FROM bookings") == 0

    ok = await press(client, html, "Confirm and book", {"guest_name": "Ada"})
    assert ok.status_code == 303 and await scalar("SELECT total_minor FROM bookings") == 9000


# --- the JSON API: expected_total_minor ---------------------------------------------------------------------


async def test_api_expected_total_minor_refuses_a_changed_price_with_a_price_changed_problem(client):
    hotel, room_type, user = await hotel_and_user(price_minor=27550)
    headers = await api_token(client, user["email"])
    check_in, check_out = stay(nights=2)
    body = {
        "type": "hotel",
        "room_type_id": room_type["id"],
        "check_in": check_in.isoformat(),
        "check_out": check_out.isoformat(),
        "rooms": 1,
        "guests": 1,
        "guest_name": "Ada Lovelace",
        "expected_total_minor": 55100,
    }
    await set_night_price(room_type["id"], 99900)
    refused = await client.post("/api/v1/bookings", json=body, headers=headers)
    problem = await refused.get_json()
    assert refused.status_code == 409 and refused.mimetype == "application/problem+json"
    assert problem["code"] == "price_changed"
    assert problem["total_minor"] == 199800 and problem["expected_total_minor"] == 55100
    assert problem["currency"] == "EUR"
    assert await scalar("SELECT COUNT(*) FROM bookings") == 0

    again = await client.post("/api/v1/bookings", json={**body, "expected_total_minor": 199800}, headers=headers)
    assert again.status_code == 201 and (await again.get_json())["total_minor"] == 199800
    without = await client.post("/api/v1/bookings", json={**body, "expected_total_minor": None}, headers=headers)
    assert without.status_code == 201  # optional: absent or null books at the current price, as before


async def test_api_bus_expected_total_minor_matches_books_and_bad_values_are_422(client):
    trip, user = await trip_and_user(price_minor=2500)
    headers = await api_token(client, user["email"])
    body = {"type": "bus", "trip_id": trip["id"], "seats": ["5"], "passengers": passengers(1)}
    for bad in (-1, "abc", 2.5):
        response = await client.post("/api/v1/bookings", json={**body, "expected_total_minor": bad}, headers=headers)
        assert response.status_code == 422, (bad, await response.get_data(as_text=True))
    wrong = await client.post("/api/v1/bookings", json={**body, "expected_total_minor": 2400}, headers=headers)
    assert wrong.status_code == 409 and (await wrong.get_json())["total_minor"] == 2500
    assert await scalar("SELECT COUNT(*) FROM bookings") == 0
    ok = await client.post("/api/v1/bookings", json={**body, "expected_total_minor": 2500}, headers=headers)
    assert ok.status_code == 201
