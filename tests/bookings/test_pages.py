"""The booking pages: login gate, bus and hotel flows, double submit, conflicts, My bookings, cancel."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta
from urllib.parse import urlencode

from travelgo import db

from .. import factories
from ..conftest import csrf_for, login, post_form
from ..inapp import service
from ..payhelpers import paid, pay
from .helpers import as_user, hotel_and_user, passengers, scalar, stay, trip_and_user

KEY = re.compile(r'name="idempotency_key" value="([^"]+)"')


async def post_multi(client, path: str, form: dict, headers: dict | None = None):
    """POST a form whose list values become repeated fields (seats=12&seats=13), as a browser sends them."""
    token = await csrf_for(client, "/bookings")
    pairs = [(k, item) for k, v in form.items() for item in (v if isinstance(v, list) else [v])]
    return await client.post(
        path,
        data=urlencode(pairs + [("csrf_token", token)]),
        headers={"Content-Type": "application/x-www-form-urlencoded", **(headers or {})},
    )


def bus_form(key: str, seats: list[str], **extra) -> dict:
    form = {"seats": seats, "idempotency_key": key, "contact_email": "rider@example.com", "contact_phone": ""}
    for i in range(len(seats)):
        form.update({f"p-{i}-name": f"Rider {i}", f"p-{i}-age": str(20 + i), f"p-{i}-gender": ""})
    return {**form, **extra}


async def test_anonymous_travellers_log_in_first_and_come_back(client):
    trip, _ = await trip_and_user()
    for path in ("/bookings", f"/buses/{trip['id']}/book?seats=3", "/bookings/TG-AAAAAA"):
        response = await client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login?next=/")


async def test_bus_flow_seat_picker_form_review_confirm_ticket(client):
    trip, user = await trip_and_user(price_minor=2500)
    await login(client, user["email"])
    bare = await client.get(f"/buses/{trip['id']}/book")  # seats are chosen on the trip page's seat map
    assert bare.status_code == 303 and bare.headers["Location"] == f"/buses/{trip['id']}"

    page = await client.get(f"/buses/{trip['id']}/book?seats=12&seats=13")
    html = await page.get_data(as_text=True)
    assert page.status_code == 200 and 'name="p-1-name"' in html and "€50" in html
    key = KEY.search(html).group(1)
    assert (
        KEY.search(await (await client.get(f"/buses/{trip['id']}/book?seats=12")).get_data(as_text=True)).group(1)
        != key
    )

    done = await post_multi(client, f"/buses/{trip['id']}/book", bus_form(key, ["12", "13"]))
    assert done.status_code == 303, await done.get_data(as_text=True)
    location = done.headers["Location"]
    assert re.fullmatch(r"/checkout/TG-[A-Z2-9]{6}", location)  # held while the traveller pays
    reference = location.rsplit("/", 1)[1]
    checkout = await (await client.get(location)).get_data(as_text=True)
    assert f"Held for you: reference {reference}" in checkout and "held until" in checkout
    assert "€50" in checkout and "Rider 1" in checkout and "/testpay/checkout/order_" in checkout
    await pay({"reference": reference})
    ticket = await (await client.get(f"/bookings/{reference}")).get_data(as_text=True)
    assert reference in ticket and "Rider 1" in ticket and "E-ticket" in ticket
    # every stop with its own time (the arrival time once stood beside the first drop-off point, which is earlier)
    assert f"Board at <strong>Central Bus Station</strong> at <strong>{trip['departs_at']:%H:%M}</strong>" in ticket
    assert "Get off at " in ticket
    assert "Total paid" in ticket and "Cancel booking" in ticket


async def test_double_submit_of_the_form_makes_one_booking(client):
    trip, user = await trip_and_user()
    await login(client, user["email"])
    html = await (await client.get(f"/buses/{trip['id']}/book?seats=4")).get_data(as_text=True)
    form = bus_form(KEY.search(html).group(1), ["4"])
    # A double click: both posts in flight at once, then a retry after a "timeout".
    first, second = await asyncio.gather(
        post_multi(client, f"/buses/{trip['id']}/book", form), post_multi(client, f"/buses/{trip['id']}/book", form)
    )
    retry = await post_multi(client, f"/buses/{trip['id']}/book", form)
    assert first.status_code == second.status_code == retry.status_code == 303
    assert first.headers["Location"] == second.headers["Location"] == retry.headers["Location"]
    assert await scalar("SELECT COUNT(*) FROM bookings") == 1


async def test_seat_taken_meanwhile_is_a_409_fragment_naming_it_with_the_seat_map(client):
    trip, user = await trip_and_user()
    async with db.transaction() as cur:
        rival = await factories.make_user(cur)
    await login(client, user["email"])
    html = await (await client.get(f"/buses/{trip['id']}/book?seats=8&seats=9")).get_data(as_text=True)
    await service.book_trip(as_user(rival), trip["id"], ["9"], passengers(1))
    response = await post_multi(
        client,
        f"/buses/{trip['id']}/book",
        bus_form(KEY.search(html).group(1), ["8", "9"]),
        headers={"HX-Request": "true"},
    )
    body = await response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Seat 9 is no longer available" in body and 'id="seat-map"' in body and "<html" not in body
    assert re.search(r'aria-label="Seat 9, [a-z]+, taken"', body)  # the refreshed map shows 9 as taken
    assert re.search(r'aria-label="Seat 8, [a-z]+, selected"', body)  # and keeps the seat that is still free
    assert await scalar("SELECT COUNT(*) FROM booking_seats WHERE seat_label = '8'") == 0
    # A link with a seat that is already gone says so up front, with the map to choose again.
    stale = await client.get(f"/buses/{trip['id']}/book?seats=9")
    assert stale.status_code == 200 and "Seat 9 is no longer available" in await stale.get_data(as_text=True)


async def test_missing_passenger_details_come_back_422_beside_the_field(client):
    trip, user = await trip_and_user()
    await login(client, user["email"])
    html = await (await client.get(f"/buses/{trip['id']}/book?seats=1")).get_data(as_text=True)
    response = await post_multi(
        client,
        f"/buses/{trip['id']}/book",
        bus_form(KEY.search(html).group(1), ["1"], **{"p-0-name": "", "p-0-age": "300"}),
        headers={"HX-Request": "true"},
    )
    body = await response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Enter the passenger&#39;s name" in body and "Enter an age from 0 to 120" in body
    assert 'aria-invalid="true"' in body and await scalar("SELECT COUNT(*) FROM bookings") == 0


async def test_hotel_flow_review_confirm_and_sold_out_nights_named(client):
    hotel, room_type, user = await hotel_and_user(rooms=1, price_minor=9000)
    await login(client, user["email"])
    check_in, check_out = stay(nights=2)
    query = f"room_type_id={room_type['id']}&check_in={check_in}&check_out={check_out}&rooms=1&guests=2"
    page = await client.get(f"/hotels/{hotel['id']}/book?{query}")
    html = await page.get_data(as_text=True)
    assert page.status_code == 200 and "€180" in html and "2 nights" in html
    form = {
        "room_type_id": room_type["id"],
        "check_in": check_in.isoformat(),
        "check_out": check_out.isoformat(),
        "rooms": "1",
        "guests": "2",
        "guest_name": "Ada Lovelace",
        "contact_email": "ada@example.com",
        "contact_phone": "",
        "idempotency_key": KEY.search(html).group(1),
    }
    done = await post_form(client, f"/hotels/{hotel['id']}/book", form)
    assert done.status_code == 303 and done.headers["Location"].startswith("/checkout/")
    await pay({"reference": done.headers["Location"].rsplit("/", 1)[1]})
    voucher = await (await client.get(done.headers["Location"].replace("/checkout/", "/bookings/"))).get_data(
        as_text=True
    )
    assert "Hotel voucher" in voucher and "Ada Lovelace" in voucher and "confirmed" in voucher

    again = {**form, "check_out": (check_out + timedelta(days=1)).isoformat(), "idempotency_key": "another-key-123"}
    conflict = await post_form(client, f"/hotels/{hotel['id']}/book", again, headers={"HX-Request": "true"})
    body = await conflict.get_data(as_text=True)
    assert conflict.status_code == 409 and check_in.strftime("%Y-%m-%d") in body and "Sold out" in body
    bad = await client.get(
        f"/hotels/{hotel['id']}/book?room_type_id={room_type['id']}&check_in={check_out}"
        f"&check_out={check_in}&rooms=1&guests=1"
    )
    assert bad.status_code == 422 and "Check-out must be after check-in" in await bad.get_data(as_text=True)


async def test_my_bookings_tabs_details_and_cancel_with_refund_shown_first(client):
    trip, user = await trip_and_user(price_minor=4000)
    async with db.transaction() as cur:
        stranger = await factories.make_user(cur)
    booking = await paid(await service.book_trip(as_user(user), trip["id"], ["5"], passengers(1)))
    theirs = await service.book_trip(as_user(stranger), trip["id"], ["6"], passengers(1))
    await login(client, user["email"])
    upcoming = await (await client.get("/bookings")).get_data(as_text=True)
    assert booking["reference"] in upcoming and theirs["reference"] not in upcoming
    assert (await client.get(f"/bookings/{theirs['reference']}")).status_code == 404
    assert (await client.get(f"/bookings/{theirs['reference']}/cancel")).status_code == 404

    confirm = await (await client.get(f"/bookings/{booking['reference']}/cancel")).get_data(as_text=True)
    assert "€40" in confirm and "100%" in confirm and "Full refund" in confirm
    done = await post_form(client, f"/bookings/{booking['reference']}/cancel", {"reason": "change of plans"})
    assert done.status_code == 303
    page = await (await client.get(done.headers["Location"])).get_data(as_text=True)
    assert "is cancelled" in page and "badge-cancelled" in page
    assert await scalar("SELECT seats_booked FROM trips WHERE id = %(id)s", {"id": trip["id"]}) == 1
    cancelled_tab = await (await client.get("/bookings?tab=cancelled", headers={"HX-Request": "true"})).get_data(
        as_text=True
    )
    assert (
        booking["reference"] in cancelled_tab
        and 'id="bookings-panel"' in cancelled_tab
        and "<html" not in cancelled_tab
    )
    assert booking["reference"] not in await (await client.get("/bookings?tab=upcoming")).get_data(as_text=True)
    profile = await (await client.get("/profile")).get_data(as_text=True)
    assert booking["reference"] in profile


async def test_a_page_past_the_last_shows_the_last_page_not_an_empty_list(client):
    """Issue 14 item 10: ?page=9 with one page of bookings used to show "Page 9 of 1" and nothing."""
    trip, user = await trip_and_user()
    booking = await service.book_trip(as_user(user), trip["id"], ["1"], passengers(1))
    await login(client, user["email"])
    html = await (await client.get("/bookings?page=9")).get_data(as_text=True)
    assert booking["reference"] in html and "Page 9" not in html


async def test_an_unpaid_hold_s_cancel_pages_speak_of_a_hold_not_of_a_payment_or_refund(client):
    trip, user = await trip_and_user(price_minor=5100)
    hold = await service.book_trip(as_user(user), trip["id"], ["3"], passengers(1))
    await login(client, user["email"])
    detail = await (await client.get(f"/bookings/{hold['reference']}")).get_data(as_text=True)
    assert "nothing is charged" in detail and "Cancelling now refunds" not in detail
    assert "Awaiting payment:" in detail and "E-ticket" not in detail  # not a ticket until it is paid
    page = await (await client.get(f"/bookings/{hold['reference']}/cancel")).get_data(as_text=True)
    assert "awaiting payment of" in page and "Yes, cancel this hold" in page
    assert "paid €51" not in page and "refund €0" not in page


async def test_a_booking_s_times_say_their_zone_on_checkout_my_bookings_and_the_ticket(client):
    """Local departure times stood unlabelled next to 'pay by 19:01 UTC' (browser review): each now says its zone."""
    trip, user = await trip_and_user()
    hold = await service.book_trip(as_user(user), trip["id"], ["2"], passengers(1))
    await login(client, user["email"])
    departs = trip["departs_at"].strftime("%H:%M")
    for path in (f"/checkout/{hold['reference']}", "/bookings", f"/bookings/{hold['reference']}"):
        html = await (await client.get(path)).get_data(as_text=True)
        assert f"{departs} IST" in html, path
