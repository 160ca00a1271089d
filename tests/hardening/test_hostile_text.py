"""Script in names, passenger names, hotel names/descriptions and seat labels is shown as text everywhere:
pages, htmx fragments, live (SSE) fragments and CSV exports (where formula-looking cells are neutralised)."""

from __future__ import annotations

import asyncio
import csv
import io

from travelgo import db

from .. import factories
from ..conftest import api_token, login

SCRIPT = "<script>alert(1)</script>"
IMG = '<img src=x onerror="alert(2)">'
FORMULA = '=HYPERLINK("http://evil.example","x")'
LABEL = "<i>z"  # seat labels are at most 8 characters


async def _arrange(app):
    async with db.transaction() as cur:
        traveller = await factories.make_user(cur, "xss@example.com", full_name=f"Eve {SCRIPT}")
        admin = await factories.make_user(cur, "boss@example.com", role="admin", full_name="Boss")
        trip = await factories.make_trip(cur, seats=4)
        await cur.execute(
            "UPDATE vehicle_seats SET label = %s WHERE vehicle_id = %s AND label = '1'", (LABEL, trip["vehicle"]["id"])
        )
        hotel = await factories.make_hotel(cur, name=f"Hotel {SCRIPT}")
        await cur.execute("UPDATE hotels SET description = %s WHERE id = %s", (f"Lovely {IMG}", hotel["id"]))
        room_type = await factories.make_room_type(cur, hotel["id"], name=f"Room {IMG}")
    client = app.test_client()
    headers = await api_token(client, traveller["email"])
    booking = await client.post(
        "/api/v1/bookings",
        headers=headers,
        json={
            "type": "bus",
            "trip_id": trip["id"],
            "seats": [LABEL, "2"],
            "passengers": [{"name": f"Mal {IMG}", "age": 30}, {"name": FORMULA, "age": 31}],
        },
    )
    assert booking.status_code == 201, await booking.get_data(as_text=True)
    return {
        "traveller": traveller,
        "admin": admin,
        "trip": trip,
        "hotel": hotel,
        "room_type": room_type,
        "reference": (await booking.get_json())["reference"],
        "client": client,
        "headers": headers,
    }


def _assert_inert(body: str, where: str) -> None:
    for raw in (SCRIPT, IMG, "<i>z", 'onerror="alert'):
        assert raw not in body, f"{raw!r} unescaped in {where}"


async def test_pages_and_fragments_show_hostile_text_as_text(app):
    world = await _arrange(app)
    ref, hotel = world["reference"], world["hotel"]
    traveller_client = app.test_client()
    await login(traveller_client, world["traveller"]["email"])
    admin_client = app.test_client()
    await login(admin_client, world["admin"]["email"])

    profile = await (await traveller_client.get("/profile")).get_data(as_text=True)
    _assert_inert(profile, "/profile")
    assert "Eve &lt;script&gt;" in profile
    for path in ("/admin/bookings", f"/admin/bookings/{ref}", f"/admin/hotels/{hotel['id']}", "/admin/hotels"):
        for headers in ({}, {"HX-Request": "true"}):
            response = await admin_client.get(path, headers=headers)
            assert response.status_code == 200, path
            _assert_inert(await response.get_data(as_text=True), f"{path} {headers}")
    detail = await (await admin_client.get(f"/admin/bookings/{ref}")).get_data(as_text=True)
    assert "Mal &lt;img" in detail


async def test_api_returns_hostile_text_verbatim_as_json_data(app):
    world = await _arrange(app)
    response = await world["client"].get(f"/api/v1/bookings/{world['reference']}", headers=world["headers"])
    assert response.mimetype == "application/json"
    names = {s["passenger_name"] for s in (await response.get_json())["seats"]}
    assert names == {f"Mal {IMG}", FORMULA}  # stored and returned unchanged; JSON is not HTML


async def test_live_fragments_escape_seat_labels(app):
    world = await _arrange(app)
    client = app.test_client()
    # ?left=0: the page is stale, so the opening carries the full availability (seat labels included)
    async with client.request(f"/buses/{world['trip']['id']}/live?left=0") as connection:
        await connection.send_complete()
        first = (await asyncio.wait_for(connection.receive(), timeout=5)).decode()
        await connection.disconnect()
    assert "event: availability" in first
    _assert_inert(first, "the trip's live stream")
    assert "\\u003ci\\u003ez" in first  # JSON with HTML-significant characters escaped


async def test_csv_export_neutralises_formulas_and_keeps_script_as_plain_text(app):
    world = await _arrange(app)
    admin_client = app.test_client()
    await login(admin_client, world["admin"]["email"])
    response = await admin_client.get("/admin/bookings.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    text = await response.get_data(as_text=True)
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    assert cells, text
    assert any(SCRIPT in c for c in cells)  # CSV is data: text survives unchanged, it is never rendered as HTML

    async with db.transaction() as cur:
        await cur.execute("UPDATE users SET full_name = %s WHERE id = %s", (FORMULA, world["traveller"]["id"]))
    text = await (await admin_client.get("/admin/bookings.csv")).get_data(as_text=True)
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    dangerous = [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert dangerous == [], dangerous
    assert "'" + FORMULA in cells
