"""On-request restaurants: the restaurant accepts or rejects a request by its deadline, or it expires."""

from __future__ import annotations

import pytest

from travelgo import db, mail
from travelgo.bookings.integrity import check_inventory
from travelgo.restaurants import service as restaurants

from ..bookings.helpers import scalar
from ..conftest import api_token, deliver_notifications
from ..inapp import InApp, checkout
from .helpers import restaurant_and_user, table_body

answers = InApp(restaurants)


async def request_table(client, **restaurant_kw) -> tuple[dict, dict, dict]:
    restaurant, user = await restaurant_and_user(confirmation="request", tables=[2], **restaurant_kw)
    headers = await api_token(client, user["email"])
    response = await client.post("/api/v1/bookings", json=table_body(restaurant["id"]), headers=headers)
    body = await response.get_json()
    assert response.status_code == 201 and body["status"] == "requested", body
    return restaurant, headers, body


async def booking_id(reference: str) -> int:
    return await scalar("SELECT id FROM bookings WHERE reference = %(r)s", {"r": reference})


async def show(client, headers, reference: str) -> dict:
    return await (await client.get(f"/api/v1/bookings/{reference}", headers=headers)).get_json()


async def kinds_of_messages(reference: str) -> list[str]:
    async with db.reading() as cur:
        await cur.execute(
            """SELECT n.kind FROM notifications n JOIN bookings b ON b.id = n.booking_id
                WHERE b.reference = %(r)s AND n.channel = 'email' ORDER BY n.id""",
            {"r": reference},
        )
        return [row["kind"] for row in await cur.fetchall()]


async def test_accepted_request_without_deposit_is_confirmed(client):
    _, headers, body = await request_table(client)
    assert await answers.accept_request(await booking_id(body["reference"])) == "confirmed"
    shown = await show(client, headers, body["reference"])
    assert shown["status"] == "confirmed" and shown["expires_at"] is None
    assert await kinds_of_messages(body["reference"]) == ["restaurant_requested", "restaurant_request_accepted"]
    assert await check_inventory() == []


async def test_accepted_request_with_deposit_becomes_a_hold_to_pay(client):
    _, headers, body = await request_table(client, deposit_minor=20000)
    assert await answers.accept_request(await booking_id(body["reference"])) == "pending_payment"
    shown = await show(client, headers, body["reference"])
    assert shown["status"] == "pending_payment" and shown["payment"]["amount_minor"] == 40000


async def test_rejected_request_frees_the_table_and_cannot_be_answered_again(client):
    restaurant, headers, body = await request_table(client)
    bid = await booking_id(body["reference"])
    await answers.reject_request(bid, "Fully booked for a private party")
    shown = await show(client, headers, body["reference"])
    assert shown["status"] == "rejected" and shown["cancel_reason"] == "Fully booked for a private party"
    assert await scalar("SELECT COUNT(*) FROM restaurant_table_slots") == 0
    with pytest.raises(restaurants.NotAnswerable):
        await answers.accept_request(bid)
    assert "restaurant_request_rejected" in await kinds_of_messages(body["reference"])
    again = await client.post("/api/v1/bookings", json=table_body(restaurant["id"]), headers=headers)
    assert again.status_code == 201  # the table is free for the next party
    assert await check_inventory() == []


async def test_unanswered_request_expires_at_its_deadline(client):
    _, headers, body = await request_table(client)
    bid = await booking_id(body["reference"])
    async with db.transaction() as cur:  # the deadline passes
        await cur.execute("UPDATE bookings SET expires_at = UTC_TIMESTAMP(6) - INTERVAL 1 SECOND WHERE id = %s", (bid,))
    assert (await show(client, headers, body["reference"]))["status"] == "expired"  # at once, before the sweep
    with pytest.raises(restaurants.NotAnswerable):
        await answers.accept_request(bid)
    assert await checkout.expire_due_holds() == 1
    shown = await show(client, headers, body["reference"])
    assert shown["status"] == "expired" and shown["cancel_reason"] == "The restaurant did not answer in time."
    assert await scalar("SELECT COUNT(*) FROM restaurant_table_slots") == 0
    assert "restaurant_request_expired" in await kinds_of_messages(body["reference"])
    assert await check_inventory() == []


async def test_traveller_may_withdraw_a_request(client):
    _, headers, body = await request_table(client)
    response = await client.post(f"/api/v1/bookings/{body['reference']}/cancel", headers=headers, json={})
    assert response.status_code == 200
    assert (await response.get_json())["status"] == "cancelled"
    with pytest.raises(restaurants.NotAnswerable):
        await answers.reject_request(await booking_id(body["reference"]))


async def test_unpaid_deposit_hold_expires_like_any_hold(client):
    restaurant, user = await restaurant_and_user(deposit_minor=10000, tables=[2])
    headers = await api_token(client, user["email"])
    body = await (await client.post("/api/v1/bookings", json=table_body(restaurant["id"]), headers=headers)).get_json()
    async with db.transaction() as cur:
        await cur.execute("UPDATE bookings SET expires_at = UTC_TIMESTAMP(6) - INTERVAL 1 SECOND")
    assert await checkout.expire_due_holds() == 1
    shown = await show(client, headers, body["reference"])
    assert shown["status"] == "expired" and shown["cancel_reason"] == "The hold ran out before payment."
    assert await scalar("SELECT COUNT(*) FROM restaurant_table_slots") == 0


async def test_request_messages_are_sent_with_what_happened(client):
    _, _, accepted = await request_table(client, name="Zaffran")
    await answers.accept_request(await booking_id(accepted["reference"]))
    restaurant, user = await restaurant_and_user(confirmation="request", tables=[2], name="Gajalee")
    headers = await api_token(client, user["email"])
    rejected = await (
        await client.post("/api/v1/bookings", json=table_body(restaurant["id"]), headers=headers)
    ).get_json()
    await deliver_notifications()  # "request sent" goes while Gajalee's request is open; Zaffran's is answered already
    await answers.reject_request(await booking_id(rejected["reference"]), "Closed for a wedding")
    await deliver_notifications()
    statuses = await scalar("SELECT GROUP_CONCAT(DISTINCT status ORDER BY status) FROM notifications")
    assert statuses == "sent,skipped"  # Zaffran's "request sent", obsolete once it was accepted, is skipped
    assert await scalar("SELECT COUNT(*) FROM notifications WHERE status = 'skipped'") == 1
    subjects = {m["subject"]: m["body"] for m in await mail.outbox()}
    sent = next(body for subject, body in subjects.items() if subject.startswith("Request sent: Gajalee"))
    assert "The restaurant confirms bookings itself" in sent and "Restaurant: Gajalee" in sent
    assert any(s.startswith("Confirmed: Zaffran") for s in subjects)
    declined = next(body for subject, body in subjects.items() if subject.startswith("Not available: Gajalee"))
    assert "Closed for a wedding" in declined and "Nothing was charged" in declined
