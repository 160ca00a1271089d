"""POST/GET /api/v1/bookings…: shapes, status codes, idempotency, problems."""

from __future__ import annotations

from datetime import timedelta

import pymysql

from travelgo import db
from travelgo.bookings import engine
from travelgo.dates import today_in

from .. import factories
from ..conftest import api_token
from ..payhelpers import paid
from .helpers import hotel_and_user, passengers, stay, stay_body, trip_and_user


def is_problem(response, status: int) -> bool:
    return response.status_code == status and response.mimetype == "application/problem+json"


def bus_body(trip_id: int, seats: list[str]) -> dict:
    return {"type": "bus", "trip_id": trip_id, "seats": seats, "passengers": passengers(len(seats))}


async def test_book_seats_201_then_same_idempotency_key_returns_it(client):
    trip, user = await trip_and_user(price_minor=2500)
    headers = {**await api_token(client, user["email"]), "Idempotency-Key": "order-77"}
    created = await client.post("/api/v1/bookings", json=bus_body(trip["id"], ["12", "13"]), headers=headers)
    assert created.status_code == 201, await created.get_data(as_text=True)
    body = await created.get_json()
    assert body["status"] == "pending_payment" and body["type"] == "bus" and body["total_minor"] == 5000
    assert body["expires_at"].endswith("Z") or body["expires_at"][-6] in "+-"  # RFC 3339 with its offset
    payment = body["payment"]
    assert payment["amount_minor"] == 5000 and payment["currency"] == "EUR" and payment["status"] == "created"
    assert payment["provider"] == "testpay" and payment["order_id"]
    assert payment["checkout_url"].endswith(f"/checkout/{body['reference']}")
    assert {"reference", "currency", "created_at", "starts_at", "ends_at", "seats", "trip"} <= body.keys()
    assert [s["label"] for s in body["seats"]] == ["12", "13"]
    assert body["trip"]["origin"] == trip["origin"]["name"]
    assert body["cancellation"]["cancellable"] and body["cancellation"]["amount_minor"] == 0  # nothing paid yet
    assert created.headers["Location"] == f"/api/v1/bookings/{body['reference']}"

    again = await client.post("/api/v1/bookings", json=bus_body(trip["id"], ["12", "13"]), headers=headers)
    assert again.status_code == 200 and (await again.get_json())["reference"] == body["reference"]
    async with db.reading() as cur:
        await cur.execute("SELECT COUNT(*) AS n FROM bookings")
        assert (await cur.fetchone())["n"] == 1


async def test_taken_seat_is_409_problem_naming_it(client):
    trip, user = await trip_and_user()
    headers = await api_token(client, user["email"])
    assert (await client.post("/api/v1/bookings", json=bus_body(trip["id"], ["7"]), headers=headers)).status_code == 201
    conflict = await client.post("/api/v1/bookings", json=bus_body(trip["id"], ["6", "7"]), headers=headers)
    assert is_problem(conflict, 409)
    body = await conflict.get_json()
    assert body["unavailable_seats"] == ["7"] and "Seat 7" in body["detail"]


async def test_invalid_bus_input_is_422_with_fields(client):
    trip, user = await trip_and_user(seats=20)
    headers = await api_token(client, user["email"])
    cases = [
        ({**bus_body(trip["id"], ["1", "2"]), "passengers": passengers(1)}, "passengers"),
        (bus_body(trip["id"], ["1", "99"]), "seats"),
        (bus_body(trip["id"], [str(i) for i in range(1, 8)]), "seats"),
        (bus_body(trip["id"], []), "seats"),
        (bus_body(trip["id"], ["1", "1"]), "seats"),
        (bus_body(999_999, ["1"]), "trip_id"),
        ({**bus_body(trip["id"], ["1"]), "passengers": [{"name": "", "age": 200}]}, "passengers"),
        ({"type": "boat", "trip_id": trip["id"]}, ""),
    ]
    for payload, field in cases:
        response = await client.post("/api/v1/bookings", json=payload, headers=headers)
        assert is_problem(response, 422), (payload, response.status_code, await response.get_data(as_text=True))
        fields = " ".join(e["field"] for e in (await response.get_json())["errors"])
        assert field in fields, (payload, fields)
    bad_key = await client.post(
        "/api/v1/bookings", json=bus_body(trip["id"], ["1"]), headers={**headers, "Idempotency-Key": "x" * 65}
    )
    assert is_problem(bad_key, 422)
    assert is_problem(await client.post("/api/v1/bookings", data="not json", headers=headers), 422)


async def test_hotel_booking_201_409_and_422(client):
    hotel, room_type, user = await hotel_and_user(rooms=1, price_minor=8000, max_guests=2)
    headers = await api_token(client, user["email"])
    body = stay_body(room_type["id"], guest_name="Ada Lovelace")
    check_in, check_out = stay(nights=2)
    created = await client.post("/api/v1/bookings", json=body, headers=headers)
    assert created.status_code == 201, await created.get_data(as_text=True)
    out = await created.get_json()
    assert out["type"] == "hotel" and out["total_minor"] == 16000 and len(out["nights"]) == 2
    assert out["hotel"]["name"] == hotel["name"] and out["check_in"] == check_in.isoformat()
    assert out["hotel"]["phone"] is None  # the factory's hotel gives none
    async with db.transaction() as cur:
        await cur.execute("UPDATE hotels SET contact_phone = '+91 22 5550 0101' WHERE id = %s", (hotel["id"],))
    shown = await (await client.get(f"/api/v1/bookings/{out['reference']}", headers=headers)).get_json()
    assert shown["hotel"]["phone"] == "+91 22 5550 0101"  # the number the booking page shows

    conflict = await client.post(
        "/api/v1/bookings", json={**body, "check_out": (check_out + timedelta(days=1)).isoformat()}, headers=headers
    )
    assert is_problem(conflict, 409)
    assert (await conflict.get_json())["unavailable_nights"] == [
        check_in.isoformat(),
        (check_in + timedelta(days=1)).isoformat(),
    ]

    yesterday = (today_in() - timedelta(days=1)).isoformat()
    for bad in (
        {"check_out": check_in.isoformat()},
        {"check_in": yesterday},
        {"guests": 5},
        {"rooms": 0},
        {"room_type_id": 999_999},
        {"guest_name": " "},
    ):
        response = await client.post("/api/v1/bookings", json={**body, **bad}, headers=headers)
        assert is_problem(response, 422), (bad, response.status_code)


async def test_list_show_cancel_and_strangers_get_404(client):
    trip, user = await trip_and_user(price_minor=2000)
    async with db.transaction() as cur:
        stranger = await factories.make_user(cur)
    headers = await api_token(client, user["email"])
    booked = await (await client.post("/api/v1/bookings", json=bus_body(trip["id"], ["3"]), headers=headers)).get_json()
    reference = booked["reference"]
    await paid({**booked, "user_id": user["id"]}, client)

    listed = await (await client.get("/api/v1/bookings?scope=upcoming", headers=headers)).get_json()
    assert listed["total"] == 1 and listed["items"][0]["reference"] == reference
    assert listed["items"][0]["title"] == f"{trip['origin']['name']} → {trip['destination']['name']}"
    assert is_problem(await client.get("/api/v1/bookings?scope=later", headers=headers), 422)
    shown = await client.get(f"/api/v1/bookings/{reference}", headers=headers)
    assert shown.status_code == 200 and (await shown.get_json())["seats"][0]["label"] == "3"

    theirs = await api_token(client, stranger["email"])
    assert is_problem(await client.get(f"/api/v1/bookings/{reference}", headers=theirs), 404)
    assert is_problem(await client.post(f"/api/v1/bookings/{reference}/cancel", headers=theirs), 404)

    cancelled = await client.post(f"/api/v1/bookings/{reference}/cancel", json={"reason": "ill"}, headers=headers)
    assert cancelled.status_code == 200, await cancelled.get_data(as_text=True)
    body = await cancelled.get_json()
    assert body["status"] == "cancelled" and body["reference"] == reference
    assert body["refund"] == {**body["refund"], "amount_minor": 2000, "percent": 100, "currency": "EUR"}
    assert is_problem(await client.post(f"/api/v1/bookings/{reference}/cancel", headers=headers), 409)
    assert (await (await client.get("/api/v1/bookings?scope=cancelled", headers=headers)).get_json())["total"] == 1
    assert is_problem(await client.get("/api/v1/bookings", headers={}), 401)


async def test_lock_conflicts_past_the_retries_are_503_busy_with_retry_after(client, monkeypatch):
    trip, user = await trip_and_user()
    headers = await api_token(client, user["email"])
    attempts = []

    async def always_lock_wait(cur, *args):
        attempts.append(1)
        raise pymysql.err.OperationalError(db.LOCK_WAIT_TIMEOUT, "Lock wait timeout exceeded")

    monkeypatch.setattr(engine, "_create", always_lock_wait)
    response = await client.post("/api/v1/bookings", json=bus_body(trip["id"], ["1"]), headers=headers)
    assert is_problem(response, 503) and response.headers["Retry-After"] == "1"
    assert len(attempts) == 4  # the whole transaction was retried before giving up


async def test_openapi_documents_the_booking_endpoints(client):
    doc = await (await client.get("/openapi.json")).get_json()
    paths = doc["paths"]
    assert {"post", "get"} <= paths["/api/v1/bookings"].keys()
    assert "get" in paths["/api/v1/bookings/{reference}"] and "post" in paths["/api/v1/bookings/{reference}/cancel"]
    post = paths["/api/v1/bookings"]["post"]
    assert {"200", "201", "409", "422", "503"} <= post["responses"].keys() and "requestBody" in post
    assert any(p["name"].lower() == "idempotency-key" for p in post.get("parameters", []))


async def test_booking_creation_is_rate_limited_per_account(app, client, monkeypatch):
    from travelgo import ratelimit

    frozen = ratelimit.now()  # one fixed window for all three (they once straddled a minute and the third passed)
    monkeypatch.setattr(ratelimit, "now", lambda: frozen)
    trip, user = await trip_and_user()
    headers = await api_token(client, user["email"])
    monkeypatch.setitem(
        app.config,
        "TRAVELGO",
        app.config["TRAVELGO"].model_copy(update=dict(rate_limits=True, rate_limit_rules="booking_account=2/60")),
    )
    codes = [
        (await client.post("/api/v1/bookings", json=bus_body(trip["id"], [str(s)]), headers=headers)).status_code
        for s in (1, 2, 3)
    ]
    assert codes == [201, 201, 429]


async def test_created_booking_body_equals_the_booking_read_back(client):
    # The 201 body is built from the seats the transaction wrote (no read-back): it must match a later GET,
    # seat order and passenger fields included.
    trip, user = await trip_and_user(price_minor=1800)
    headers = await api_token(client, user["email"])
    body = bus_body(trip["id"], ["13", "2", "12"])
    body["passengers"][1]["gender"] = "female"
    created = await client.post("/api/v1/bookings", json=body, headers=headers)
    assert created.status_code == 201, await created.get_data(as_text=True)
    made = await created.get_json()
    shown = await (await client.get(f"/api/v1/bookings/{made['reference']}", headers=headers)).get_json()
    assert [s["label"] for s in made["seats"]] == ["2", "12", "13"]
    assert made == shown


async def test_a_cancel_with_a_bad_body_changes_nothing(client):
    trip, user = await trip_and_user()
    headers = await api_token(client, user["email"])
    created = await client.post("/api/v1/bookings", json=bus_body(trip["id"], ["5"]), headers=headers)
    reference = (await created.get_json())["reference"]
    cancel = f"/api/v1/bookings/{reference}/cancel"
    json_type = {**headers, "Content-Type": "application/json"}
    assert is_problem(await client.post(cancel, data='{"reason": ', headers=json_type), 400)
    assert is_problem(await client.post(cancel, data='{"reason": 12345}', headers=json_type), 422)
    text_type = {**headers, "Content-Type": "text/plain"}
    assert is_problem(await client.post(cancel, data='{"reason": 12345}', headers=text_type), 422)
    assert is_problem(await client.post(cancel, data="null", headers=json_type), 422)
    shown = await (await client.get(f"/api/v1/bookings/{reference}", headers=headers)).get_json()
    assert shown["status"] == "pending_payment"
    assert (await client.post(cancel, headers=headers)).status_code == 200  # no body at all: no reason, cancelled
