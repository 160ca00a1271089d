"""Boarding and dropping points: trip detail, choosing them in the API and the HTML form, the ticket and e-mail."""

from __future__ import annotations

import re

import pymysql
import pytest

from travelgo import db, mail

from ..bookings.helpers import passengers
from ..conftest import api_token, deliver_notifications, post_form, signed_in
from ..inapp import service
from ..payhelpers import paid
from .helpers import chosen, trip_with_points


@pytest.fixture(autouse=True)
def _uses_database(app):
    """Every test here needs the open pools and empty tables."""


def bus_body(trip_id: int, seats: list[str], **extra) -> dict:
    return {"type": "bus", "trip_id": trip_id, "seats": seats, "passengers": passengers(len(seats)), **extra}


async def test_trip_detail_lists_points_with_ids_landmarks_and_zoned_times(client):
    trip, _, points = await trip_with_points()
    body = await (await client.get(f"/api/v1/bus-trips/{trip['id']}")).get_json()
    boarding, dropping = body["boarding_points"], body["dropping_points"]
    assert [p["name"] for p in boarding] == ["Majestic", "Silk Board"]
    assert [p["name"] for p in dropping] == ["Wakad", "Hinjewadi", "Shivajinagar"]
    assert boarding[0]["id"] == points["boarding"][0]["id"] and boarding[0]["landmark"].startswith("Kempegowda")
    assert boarding[1]["time"] == (trip["departs_at"].replace(minute=20)).strftime("%H:%M")
    assert re.search(r"[+-]\d\d:\d\d$", boarding[0]["at"]), boarding[0]["at"]  # RFC 3339 with the city's offset
    assert boarding[0]["at"][:16] == body["departs_at"][:16]
    assert dropping[-1]["at"][:16] == body["arrives_at"][:16]


async def test_api_booking_records_the_chosen_points_and_shows_them(client):
    trip, user, points = await trip_with_points()
    headers = await api_token(client, user["email"])
    silk_board, hinjewadi = points["boarding"][1]["id"], points["dropping"][1]["id"]
    response = await client.post(
        "/api/v1/bookings",
        json=bus_body(trip["id"], ["3"], boarding_point_id=silk_board, dropping_point_id=hinjewadi),
        headers=headers,
    )
    assert response.status_code == 201, await response.get_data(as_text=True)
    body = await response.get_json()
    assert body["trip"]["boarding_point"]["name"] == "Silk Board"
    assert body["trip"]["boarding_point"]["id"] == silk_board
    assert body["trip"]["dropping_point"]["name"] == "Hinjewadi"
    assert body["trip"]["operator_phone"] == "+91 80 4000 1234"
    assert await chosen(body["reference"]) == {"boarding_point_id": silk_board, "dropping_point_id": hinjewadi}
    again = await (await client.get(f"/api/v1/bookings/{body['reference']}", headers=headers)).get_json()
    assert again["trip"]["boarding_point"]["name"] == "Silk Board"


async def test_api_booking_without_points_takes_first_boarding_and_last_dropping(client):
    trip, user, points = await trip_with_points()
    headers = await api_token(client, user["email"])
    response = await client.post("/api/v1/bookings", json=bus_body(trip["id"], ["4"]), headers=headers)
    assert response.status_code == 201, await response.get_data(as_text=True)
    body = await response.get_json()
    assert await chosen(body["reference"]) == {
        "boarding_point_id": points["boarding"][0]["id"],
        "dropping_point_id": points["dropping"][-1]["id"],
    }
    assert (body["trip"]["boarding_point"]["name"], body["trip"]["dropping_point"]["name"]) == (
        "Majestic",
        "Shivajinagar",
    )


async def test_a_point_of_another_trip_or_the_wrong_kind_is_422_and_books_nothing(client):
    trip, user, points = await trip_with_points()
    other, _, other_points = await trip_with_points()
    headers = await api_token(client, user["email"])
    for extra, field in (
        ({"boarding_point_id": other_points["boarding"][0]["id"]}, "boarding_point_id"),
        ({"dropping_point_id": points["boarding"][0]["id"]}, "dropping_point_id"),  # a boarding point to get off at
    ):
        response = await client.post("/api/v1/bookings", json=bus_body(trip["id"], ["5"], **extra), headers=headers)
        assert response.status_code == 422, await response.get_data(as_text=True)
        assert response.mimetype == "application/problem+json"
        assert "point" in (await response.get_data(as_text=True))
        assert field in await response.get_data(as_text=True)
    response = await client.post(
        "/api/v1/bookings", json=bus_body(trip["id"], ["5"], boarding_point_id=0), headers=headers
    )
    assert response.status_code == 422
    async with db.reading() as cur:
        await cur.execute("SELECT COUNT(*) AS n FROM bookings")
        assert (await cur.fetchone())["n"] == 0


async def test_the_schema_refuses_a_point_of_another_trip(client):
    trip, user, points = await trip_with_points()
    other, _, other_points = await trip_with_points()
    headers = await api_token(client, user["email"])
    body = await (await client.post("/api/v1/bookings", json=bus_body(trip["id"], ["6"]), headers=headers)).get_json()
    with pytest.raises(pymysql.err.IntegrityError):
        async with db.transaction() as cur:
            await cur.execute(
                """UPDATE booking_points bp JOIN bookings b ON b.id = bp.booking_id
                      SET bp.boarding_point_id = %s WHERE b.reference = %s""",
                (other_points["boarding"][0]["id"], body["reference"]),
            )


async def test_html_form_offers_points_and_the_ticket_and_email_show_the_choice(app):
    trip, user, points = await trip_with_points()
    client = await signed_in(app, user["email"])
    page = await client.get(f"/buses/{trip['id']}/book?seats=7")
    html = await page.get_data(as_text=True)
    assert 'name="boarding_point_id"' in html and 'name="dropping_point_id"' in html
    assert "Kempegowda bus station, platform 8" in html
    first = points["boarding"][0]["id"]
    assert re.search(rf'id="boarding-{first}" name="boarding_point_id" value="{first}" checked', html)
    silk_board, wakad = points["boarding"][1]["id"], points["dropping"][0]["id"]
    key = re.search(r'name="idempotency_key" value="([^"]+)"', html).group(1)
    response = await post_form(
        client,
        f"/buses/{trip['id']}/book",
        {
            "seats": "7",
            "p-0-name": "Asha Rao",
            "p-0-age": "31",
            "contact_email": user["email"],
            "idempotency_key": key,
            "boarding_point_id": str(silk_board),
            "dropping_point_id": str(wakad),
        },
    )
    assert response.status_code == 303, await response.get_data(as_text=True)
    reference = response.headers["Location"].rsplit("/", 1)[-1]
    assert await chosen(reference) == {"boarding_point_id": silk_board, "dropping_point_id": wakad}
    await paid(await service.get_booking(user["id"], reference))
    ticket = await (await client.get(f"/bookings/{reference}")).get_data(as_text=True)
    assert re.search(r"Board at <strong>Silk Board</strong> at <strong>09:20</strong>", ticket), ticket
    assert "Get off at <strong>Wakad</strong>" in ticket and "Under the flyover" in ticket
    assert 'href="tel:+918040001234"' in ticket
    await deliver_notifications()
    bodies = [m["body"] for m in await mail.outbox(user["email"])]
    confirmed = [b for b in bodies if reference in b and "Board at" in b]
    assert confirmed, bodies
    assert "Board at: Silk Board, 09:20 (Under the flyover)" in confirmed[0]
    assert "Get off at: Wakad" in confirmed[0] and "+91 80 4000 1234" in confirmed[0]


async def test_html_form_refuses_a_point_that_is_not_a_number(app):
    trip, user, _ = await trip_with_points()
    client = await signed_in(app, user["email"])
    html = await (await client.get(f"/buses/{trip['id']}/book?seats=8")).get_data(as_text=True)
    key = re.search(r'name="idempotency_key" value="([^"]+)"', html).group(1)
    form = {"seats": "8", "p-0-name": "Ben", "p-0-age": "40", "contact_email": user["email"], "idempotency_key": key}
    response = await post_form(client, f"/buses/{trip['id']}/book", {**form, "boarding_point_id": "x'; DROP"})
    assert response.status_code == 422
    assert "Choose one of this bus&#39;s boarding points." in await response.get_data(as_text=True)
