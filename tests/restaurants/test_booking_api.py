"""Booking a table through POST /api/v1/bookings: the smallest table that fits, combined tables, the statuses."""

from __future__ import annotations

from travelgo import db
from travelgo.bookings.integrity import check_inventory

from ..bookings.helpers import scalar
from ..conftest import api_token
from .helpers import restaurant_and_user, table_body


async def book(client, headers, body):
    response = await client.post("/api/v1/bookings", json=body, headers=headers)
    return response.status_code, await response.get_json()


async def test_instant_table_without_deposit_is_confirmed_at_the_smallest_table_that_fits(client):
    restaurant, user = await restaurant_and_user(tables=[6, 2, 4])
    async with db.transaction() as cur:
        await cur.execute(
            "UPDATE restaurants SET contact_phone = '+91 22 4000 1234' WHERE id = %s", (restaurant["id"],)
        )
    headers = await api_token(client, user["email"])
    status, body = await book(client, headers, table_body(restaurant["id"], party_size=3, notes="Window, please"))
    assert status == 201, body
    assert body["type"] == "restaurant" and body["status"] == "confirmed" and body["expires_at"] is None
    assert [t["label"] for t in body["tables"]] == ["T3"]  # 4 seats: the smallest that seats three
    assert body["restaurant"]["name"] == restaurant["name"] and body["guests"] == 3
    assert body["restaurant"]["phone"] == "+91 22 4000 1234"  # the number the guest's booking page shows
    shown = await client.get(f"/api/v1/bookings/{body['reference']}", headers=headers)
    assert (await shown.get_json())["restaurant"]["phone"] == "+91 22 4000 1234"
    assert body["notes"] == "Window, please" and body["total_minor"] == 0 and body["payment"] is None
    assert await scalar("SELECT COUNT(*) FROM restaurant_table_slots") == 6  # 90 min in 15-min slots
    assert await check_inventory() == []


async def test_overlapping_sitting_gets_another_table_then_none(client):
    restaurant, user = await restaurant_and_user(tables=[2, 2])
    headers = await api_token(client, user["email"])
    first = await book(client, headers, table_body(restaurant["id"], at="19:00"))
    second = await book(client, headers, table_body(restaurant["id"], at="20:00"))  # overlaps 19:00-20:30
    third = await book(client, headers, table_body(restaurant["id"], at="20:15"))
    assert first[0] == second[0] == 201
    assert {first[1]["tables"][0]["label"], second[1]["tables"][0]["label"]} == {"T1", "T2"}
    assert third[0] == 409 and third[1]["restaurant_id"] == restaurant["id"], third
    later = await book(client, headers, table_body(restaurant["id"], at="20:30"))  # 19:00's table is free again
    assert later[0] == 201 and later[1]["tables"] == first[1]["tables"]


async def test_large_party_gets_two_adjacent_tables_when_the_restaurant_combines(client):
    restaurant, user = await restaurant_and_user(tables=[4, 2, 4], links=[(0, 2)], combine=True)
    headers = await api_token(client, user["email"])
    status, body = await book(client, headers, table_body(restaurant["id"], party_size=7))
    assert status == 201, body
    assert [t["label"] for t in body["tables"]] == ["T1", "T3"]
    assert await scalar("SELECT COUNT(*) FROM restaurant_table_slots") == 12


async def test_large_party_is_refused_when_tables_may_not_be_combined(client):
    restaurant, user = await restaurant_and_user(tables=[4, 4], links=[(0, 1)], combine=False)
    headers = await api_token(client, user["email"])
    status, body = await book(client, headers, table_body(restaurant["id"], party_size=7))
    assert status == 409 and "No table for 7" in body["detail"], body


async def test_deposit_makes_a_hold_to_pay(client):
    restaurant, user = await restaurant_and_user(deposit_minor=50000)
    headers = await api_token(client, user["email"])
    status, body = await book(client, headers, table_body(restaurant["id"], party_size=2))
    assert status == 201, body
    assert body["status"] == "pending_payment" and body["total_minor"] == 100000
    assert body["restaurant"]["phone"] is None  # none given
    assert body["payment"]["amount_minor"] == 100000 and body["expires_at"] is not None


async def test_on_request_booking_waits_for_the_restaurant(client):
    restaurant, user = await restaurant_and_user(confirmation="request", response_minutes=30)
    headers = await api_token(client, user["email"])
    status, body = await book(client, headers, table_body(restaurant["id"]))
    assert status == 201, body
    assert body["status"] == "requested" and body["payment"] is None and body["tables"]
    listed = await (await client.get("/api/v1/bookings", headers=headers)).get_json()
    assert [b["status"] for b in listed["items"]] == ["requested"]


async def test_bad_times_are_field_errors(client):
    restaurant, user = await restaurant_and_user(hours=("18:00", "22:00"))
    headers = await api_token(client, user["email"])
    off_grid = await book(client, headers, table_body(restaurant["id"], at="19:07"))
    too_late = await book(client, headers, table_body(restaurant["id"], at="21:00"))  # ends 22:30, after closing
    too_many = await book(client, headers, table_body(restaurant["id"], party_size=11))
    missing = await book(client, headers, table_body(999999))
    for status, body in (off_grid, too_late, too_many, missing):
        assert status == 422, body
    assert off_grid[1]["errors"][0]["field"] == "time" and too_many[1]["errors"][0]["field"] == "party_size"
    assert await scalar("SELECT COUNT(*) FROM bookings") == 0


async def test_cancel_gives_the_table_back(client):
    restaurant, user = await restaurant_and_user(tables=[2])
    headers = await api_token(client, user["email"])
    _, body = await book(client, headers, table_body(restaurant["id"]))
    response = await client.post(f"/api/v1/bookings/{body['reference']}/cancel", headers=headers, json={})
    cancelled = await response.get_json()
    assert response.status_code == 200, cancelled
    assert cancelled["status"] == "cancelled" and cancelled["refund"]["amount_minor"] == 0
    assert await scalar("SELECT COUNT(*) FROM restaurant_table_slots") == 0
    again = await book(client, headers, table_body(restaurant["id"]))
    assert again[0] == 201
    assert await check_inventory() == []
