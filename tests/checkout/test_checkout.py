"""Checkout on the real database: holds, TestPay payments and webhooks, expiry, late payments, refunds.

Webhooks reach TravelGo's webhook route as a provider would send them (signed raw bodies); here through the test
client, and in test_over_http.py over real HTTP from TestPay's own delivery loop to a Hypercorn server.
"""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

import httpx
import pytest

from travelgo import db, payments
from travelgo.bookings.integrity import check_inventory
from travelgo.checkout import queries as checkout_queries

from .. import conftest, factories
from ..bookings.helpers import as_user, hotel_and_user, passengers, scalar, stay, trip_and_user
from ..conftest import api_token, login
from ..inapp import checkout, service
from ..payhelpers import deliver_webhooks, gateway, order_of, paid, pay


@pytest.fixture
def hold_for(app, monkeypatch):
    """Set TRAVELGO_HOLD_SECONDS for one test."""

    def set_hold(seconds: int) -> None:
        monkeypatch.setitem(
            app.config, "TRAVELGO", app.config["TRAVELGO"].model_copy(update=dict(hold_seconds=seconds))
        )

    return set_hold


async def expire_now(reference: str) -> None:
    """Time passes: the hold's expires_at is in the past (the sweeper has not come yet)."""
    async with db.transaction() as cur:
        await cur.execute(
            "UPDATE bookings SET expires_at = UTC_TIMESTAMP(6) - INTERVAL 1 SECOND WHERE reference = %(r)s",
            {"r": reference},
        )


async def sweep() -> int:
    return await checkout.expire_due_holds()


def bus_body(trip_id: int, seats: list[str]) -> dict:
    return {"type": "bus", "trip_id": trip_id, "seats": seats, "passengers": passengers(len(seats))}


async def test_pay_then_confirm_through_the_api(client):
    trip, user = await trip_and_user(price_minor=2500)
    headers = await api_token(client, user["email"])
    created = await client.post("/api/v1/bookings", json=bus_body(trip["id"], ["4"]), headers=headers)
    hold = await created.get_json()
    assert created.status_code == 201 and hold["status"] == "pending_payment"
    order_id = hold["payment"]["order_id"]

    paid_answer = await client.post(f"/testpay/api/orders/{order_id}/pay", json={"outcome": "captured"})
    assert paid_answer.status_code == 200 and (await paid_answer.get_json())["status"] == "captured"
    assert [body["outcome"] for _, body in await deliver_webhooks(client)] == ["confirmed"]

    shown = await (await client.get(f"/api/v1/bookings/{hold['reference']}", headers=headers)).get_json()
    assert shown["status"] == "confirmed" and shown["expires_at"] is None
    assert shown["payment"]["status"] == "captured" and shown["payment"]["amount_minor"] == 2500
    assert await scalar("SELECT COUNT(*) FROM payment_events") == 1
    assert await check_inventory() == []


async def test_a_failed_payment_keeps_the_hold_and_a_retry_on_the_same_order_confirms(client):
    trip, user = await trip_and_user()
    hold = await service.book_trip(as_user(user), trip["id"], ["2"], passengers(1))
    assert [b["outcome"] for _, b in await pay(hold, "failed")] == ["failed"]
    again = await service.get_booking(user["id"], hold["reference"])
    assert again["status"] == "pending_payment" and again["payment"]["status"] == "failed"
    assert again["payment"]["error"] and await scalar("SELECT seats_booked FROM trips") == 1
    assert (await paid(hold))["status"] == "confirmed"
    assert await check_inventory() == []


async def test_an_abandoned_hold_expires_frees_the_seat_and_another_traveller_books_it(client, hold_for):
    trip, user = await trip_and_user()
    async with db.transaction() as cur:
        other = await factories.make_user(cur)
    hold = await service.book_trip(as_user(user), trip["id"], ["9"], passengers(1))
    with pytest.raises(service.SeatsUnavailable):  # held while the first traveller pays
        await service.book_trip(as_user(other), trip["id"], ["9"], passengers(1))
    await expire_now(hold["reference"])
    # Reading an expired hold never shows it as pending, even before the sweeper releases it.
    assert (await service.get_booking(user["id"], hold["reference"]))["status"] == "expired"
    assert await sweep() == 1 and await sweep() == 0  # released once
    assert await scalar("SELECT status FROM bookings WHERE reference = %(r)s", {"r": hold["reference"]}) == "expired"
    events = await scalar(
        "SELECT payload FROM events WHERE topic = %(t)s ORDER BY id DESC LIMIT 1", {"t": f"trip:{trip['id']}"}
    )
    assert json.loads(events)["unavailable_seats"] == []  # open seat maps learn at once
    second = await service.book_trip(as_user(other), trip["id"], ["9"], passengers(1))
    assert second["status"] == "pending_payment"
    assert await check_inventory() == []


async def test_payment_after_expiry_with_the_seat_still_free_confirms_the_booking(client):
    trip, user = await trip_and_user()
    hold = await service.book_trip(as_user(user), trip["id"], ["3"], passengers(1))
    await expire_now(hold["reference"])
    await sweep()
    assert await scalar("SELECT seats_booked FROM trips") == 0
    assert [b["outcome"] for _, b in await pay(hold)] == ["confirmed_late"]
    booking = await service.get_booking(user["id"], hold["reference"])
    assert booking["status"] == "confirmed" and booking["refunds"] == []
    assert await scalar("SELECT seats_booked FROM trips") == 1
    assert await check_inventory() == []


async def test_payment_after_expiry_with_the_seat_resold_is_refunded_in_full_and_never_oversold(client):
    trip, user = await trip_and_user(price_minor=4200)
    async with db.transaction() as cur:
        other = await factories.make_user(cur)
    hold = await service.book_trip(as_user(user), trip["id"], ["3"], passengers(1))
    await expire_now(hold["reference"])
    await sweep()
    rival = await paid(await service.book_trip(as_user(other), trip["id"], ["3"], passengers(1)))
    assert [b["outcome"] for _, b in await pay(hold)] == ["refunded_late"]
    late = await service.get_booking(user["id"], hold["reference"])
    assert late["status"] == "expired" and late["payment"]["status"] == "captured"
    assert [(r["amount_minor"], r["reason"], r["status"]) for r in late["refunds"]] == [
        (4200, "late_payment", "pending")
    ]
    assert [b["outcome"] for _, b in await deliver_webhooks(client)] == ["refund_processed"]
    late = await service.get_booking(user["id"], hold["reference"])
    assert late["refunds"][0]["status"] == "processed"
    held = await scalar("SELECT COUNT(*) FROM booking_seats WHERE seat_label = '3' AND held = 1")
    assert held == 1 and rival["status"] == "confirmed"
    assert await check_inventory() == []


async def test_duplicate_and_out_of_order_webhooks_are_applied_once(client):
    trip, user = await trip_and_user()
    hold = await service.book_trip(as_user(user), trip["id"], ["1"], passengers(1))
    order_id = await order_of(hold["reference"])
    failed = await gateway().pay(order_id, "failed")
    captured = await gateway().pay(order_id, "captured")
    rows = await gateway().claim_due()
    assert [json.loads(r["body"])["event"] for r in rows] == ["payment.failed", "payment.captured"]

    async def send(row):
        return await client.post(
            "/api/v1/payments/webhooks/testpay",
            data=row["body"].encode(),
            headers={"Content-Type": "application/json", "X-Testpay-Signature": gateway().sign(row["body"])},
        )

    # captured first, then the older failure, then the capture again (a provider retry)
    outcomes = [(await (await send(r)).get_json())["outcome"] for r in (rows[1], rows[0], rows[1])]
    assert outcomes == ["confirmed", "ignored_after_capture", "duplicate"]
    booking = await service.get_booking(user["id"], hold["reference"])
    assert booking["status"] == "confirmed" and booking["payment"]["status"] == "captured"
    assert booking["payment"]["payment_id"] == captured["payment_id"] != failed["payment_id"]
    assert await scalar("SELECT COUNT(*) FROM payment_events") == 2


async def test_a_capture_of_another_amount_is_refunded_and_the_order_can_still_be_paid(client):
    from travelgo.checkout.reconcile import reconcile

    trip, user = await trip_and_user(price_minor=2500)
    hold = await service.book_trip(as_user(user), trip["id"], ["1"], passengers(1))
    order_id = await order_of(hold["reference"])
    short = await gateway().pay(order_id, "captured")
    async with db.transaction() as cur:  # the provider captured 10.00 of the order's 25.00
        await cur.execute(
            "UPDATE testpay_payments SET amount_minor = 1000 WHERE id = %(id)s", {"id": short["payment_id"]}
        )
        await cur.execute(
            "UPDATE testpay_webhooks SET body = REPLACE(body, '\"amount_minor\":2500', '\"amount_minor\":1000')"
        )
    assert [b["outcome"] for _, b in await deliver_webhooks(client)] == ["refunded_wrong_amount"]
    shown = await service.get_booking(user["id"], hold["reference"])
    assert shown["status"] == "pending_payment" and shown["payment"]["status"] == "created"
    assert "refunded" in shown["payment"]["error"]
    assert [(r["amount_minor"], r["reason"]) for r in shown["refunds"]] == [(1000, "wrong_amount")]
    # The traveller pays the right amount: the booking is confirmed, not refunded as a duplicate.
    outcomes = [b["outcome"] for _, b in await pay(hold)]
    assert "confirmed" in outcomes and "refunded_duplicate" not in outcomes
    booking = await service.get_booking(user["id"], hold["reference"])
    assert booking["status"] == "confirmed" and booking["payment"]["payment_id"] != short["payment_id"]
    assert await reconcile(conftest.APP.extensions[payments.EXTENSION]) == []
    assert await check_inventory() == []


async def test_a_bad_or_missing_signature_is_400_and_changes_nothing(client):
    trip, user = await trip_and_user()
    hold = await service.book_trip(as_user(user), trip["id"], ["1"], passengers(1))
    await gateway().pay(await order_of(hold["reference"]), "captured")
    (row,) = await gateway().claim_due()
    url = "/api/v1/payments/webhooks/testpay"
    for headers in ({}, {"X-Testpay-Signature": "0" * 64}, {"X-Testpay-Signature": gateway().sign(row["body"] + " ")}):
        answer = await client.post(
            url, data=row["body"].encode(), headers={"Content-Type": "application/json", **headers}
        )
        assert answer.status_code == 400 and answer.mimetype == "application/problem+json"
    assert (await client.post("/api/v1/payments/webhooks/razorpay", data=b"{}")).status_code == 404
    assert await scalar("SELECT status FROM bookings") == "pending_payment"
    assert await scalar("SELECT COUNT(*) FROM payment_events") == 0


async def test_the_browser_return_and_the_webhook_race_and_exactly_one_confirms(client):
    trip, user = await trip_and_user()
    hold = await service.book_trip(as_user(user), trip["id"], ["6"], passengers(1))
    order_id = await order_of(hold["reference"])
    await login(client, user["email"])
    page = await client.get(f"/testpay/checkout/{order_id}")
    token = (await page.get_data(as_text=True)).split('name="token" value="')[1].split('"')[0]
    back = await client.post(f"/testpay/checkout/{order_id}", form={"token": token, "outcome": "captured"})
    assert back.status_code == 303
    return_path = back.headers["Location"].removeprefix("http://localhost")
    (row,) = await gateway().claim_due()
    webhook = client.post(
        "/api/v1/payments/webhooks/testpay",
        data=row["body"].encode(),
        headers={"Content-Type": "application/json", "X-Testpay-Signature": gateway().sign(row["body"])},
    )
    returned, hooked = await asyncio.gather(client.get(return_path), webhook)
    assert returned.status_code == 303
    result = await client.get(returned.headers["Location"])
    assert "Booking confirmed" in await result.get_data(as_text=True)
    assert (await hooked.get_json())["outcome"] in ("confirmed", "already_applied")
    outcomes = await scalar("SELECT GROUP_CONCAT(outcome ORDER BY outcome) FROM payment_events")
    assert outcomes == "already_applied,confirmed"  # whichever came first confirmed; the other did nothing
    assert await scalar("SELECT status FROM bookings") == "confirmed"
    # A forged return is refused and changes nothing.
    forged = await client.get(return_path.replace("signature=", "signature=0"))
    assert forged.status_code == 400


async def test_cancelling_a_paid_booking_refunds_through_the_provider(client):
    trip, user = await trip_and_user(price_minor=3000)
    booking = await paid(await service.book_trip(as_user(user), trip["id"], ["1"], passengers(1)))
    cancelled = await service.cancel_booking(user["id"], booking["reference"])
    assert cancelled["refund"]["amount_minor"] == 3000
    (refund,) = cancelled["refunds"]
    assert refund["status"] == "pending" and refund["provider_refund_id"]  # sent to the provider at once
    assert [b["outcome"] for _, b in await deliver_webhooks(client)] == ["refund_processed"]
    shown = await (
        await client.get(f"/api/v1/bookings/{booking['reference']}", headers=await api_token(client, user["email"]))
    ).get_json()
    assert shown["refunds"] == [
        {"id": refund["id"], "amount_minor": 3000, "currency": "EUR", "reason": "cancellation", "status": "processed"}
    ]
    assert await check_inventory() == []


async def test_a_failed_refund_is_retried_until_the_provider_processes_it(client):
    trip, user = await trip_and_user(price_minor=3000)
    booking = await paid(await service.book_trip(as_user(user), trip["id"], ["1"], passengers(1)))
    await gateway().fail_next_refunds(await order_of(booking["reference"]))
    await service.cancel_booking(user["id"], booking["reference"])
    assert [b["outcome"] for _, b in await deliver_webhooks(client)] == ["refund_retrying"]
    async with db.transaction() as cur:  # the backoff passes
        await cur.execute("UPDATE refunds SET next_attempt_at = UTC_TIMESTAMP(6)")
    assert await checkout.send_due_refunds() == 1
    assert [b["outcome"] for _, b in await deliver_webhooks(client)] == ["refund_processed"]
    assert await scalar("SELECT status FROM refunds") == "processed"
    assert await scalar("SELECT COUNT(*) FROM testpay_refunds") == 2  # one failed, one processed


async def test_a_refund_resent_after_its_answer_was_lost_is_paid_out_once(client, monkeypatch):
    """The provider took the refund but our write of its id failed: the lease runs out and the refund is sent
    again with the same receipt, and the provider answers with the refund it already made."""
    trip, user = await trip_and_user(price_minor=3000)
    booking = await paid(await service.book_trip(as_user(user), trip["id"], ["1"], passengers(1)))
    record_sent = checkout_queries.update_refund_sent

    async def lost(*args, **kwargs):
        monkeypatch.setattr(checkout_queries, "update_refund_sent", record_sent)
        raise ConnectionError("the database went away")

    monkeypatch.setattr(checkout_queries, "update_refund_sent", lost)
    with pytest.raises(db.DatabaseUnavailable):
        await service.cancel_booking(user["id"], booking["reference"])
    assert await scalar("SELECT provider_refund_id FROM refunds") is None
    async with db.transaction() as cur:  # the lease runs out
        await cur.execute("UPDATE refunds SET next_attempt_at = UTC_TIMESTAMP(6)")
    assert await checkout.send_due_refunds() == 1
    assert await scalar("SELECT COUNT(*) FROM testpay_refunds") == 1  # paid out once
    assert await scalar("SELECT provider_refund_id FROM refunds") == await scalar("SELECT id FROM testpay_refunds")
    assert [b["outcome"] for _, b in await deliver_webhooks(client)] == ["refund_processed"]
    assert await scalar("SELECT status FROM refunds") == "processed"


async def test_cancelling_a_hold_moves_no_money_and_frees_the_rooms(client):
    hotel, room_type, user = await hotel_and_user(rooms=1)
    hold = await service.book_room(as_user(user), room_type["id"], *stay(), 1, 1, "Ada")
    cancelled = await service.cancel_booking(user["id"], hold["reference"])
    assert cancelled["status"] == "cancelled" and cancelled["refund_minor"] == 0 and cancelled["refunds"] == []
    assert await scalar("SELECT SUM(rooms_booked) FROM room_inventory") == 0
    # Paying the cancelled hold's order afterwards returns the money in full.
    assert [b["outcome"] for _, b in await pay(hold)] == ["refunded_late"]
    assert await check_inventory() == []


async def test_a_fourth_open_hold_is_refused_with_a_clear_409(client):
    trip, user = await trip_and_user()
    headers = await api_token(client, user["email"])
    for seat in ("1", "2", "3"):
        assert (
            await client.post("/api/v1/bookings", json=bus_body(trip["id"], [seat]), headers=headers)
        ).status_code == 201
    fourth = await client.post("/api/v1/bookings", json=bus_body(trip["id"], ["4"]), headers=headers)
    assert fourth.status_code == 409 and "awaiting payment" in (await fourth.get_json())["detail"]
    assert await scalar("SELECT COUNT(*) FROM bookings") == 3 and await scalar("SELECT seats_booked FROM trips") == 3


async def test_fifty_clients_race_for_one_seat_and_the_winner_pays_while_the_sweeper_runs(app, client, hold_for):
    from ..concurrency.test_booking_races import make_buyers, race

    hold_for(2)
    trip, _ = await trip_and_user()
    buyers = await make_buyers(client, 50)
    responses = await race(client, [(bus_body(trip["id"], ["8"]), buyers[i]) for i in range(50)])
    statuses = [r.status_code for r in responses]
    assert statuses.count(201) == 1 and statuses.count(409) == 49
    winner = await next(r for r in responses if r.status_code == 201).get_json()
    sweeping = asyncio.Event()

    async def sweeper():
        while not sweeping.is_set():
            await sweep()
            await asyncio.sleep(0.01)

    task = asyncio.create_task(sweeper())
    try:
        await gateway().pay(winner["payment"]["order_id"], "captured")
        outcomes = [b["outcome"] for _, b in await deliver_webhooks(client)]
        await asyncio.sleep(2.5)  # past the hold: the sweeper must leave a paid booking alone
    finally:
        sweeping.set()
        await task
    assert outcomes == ["confirmed"]
    assert await scalar("SELECT status FROM bookings") == "confirmed"
    assert await scalar("SELECT COUNT(*) FROM booking_seats WHERE held = 1") == 1
    assert await check_inventory() == []


async def test_reconcile_is_clean_after_a_paid_cancelled_journey_and_names_a_payment_we_never_heard_of(client):
    import os
    import sys

    from travelgo import payments
    from travelgo.checkout.reconcile import reconcile

    from .. import conftest

    provider = conftest.APP.extensions[payments.EXTENSION]
    trip, user = await trip_and_user()
    booking = await paid(await service.book_trip(as_user(user), trip["id"], ["1"], passengers(1)))
    await service.cancel_booking(user["id"], booking["reference"])
    await deliver_webhooks(client)
    assert await reconcile(provider) == []

    silent = await service.book_trip(as_user(user), trip["id"], ["2"], passengers(1))
    await gateway().pay(await order_of(silent["reference"]), "captured")  # its webhook never arrives
    problems = await reconcile(provider)
    assert problems == [f"{silent['reference']}: paid at the provider ({problems[0].split('(')[1].split(')')[0]}) "
                        "but not recorded as paid here"]  # fmt: skip
    cli = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "travelgo.cli",
        "reconcile",
        env={**os.environ, "DATABASE_URL": conftest.test_database_url()},
        stdout=asyncio.subprocess.PIPE,
    )
    out, _ = await asyncio.wait_for(cli.communicate(), 60)
    assert cli.returncode == 1 and f"MISMATCH: {silent['reference']}: paid at the provider" in out.decode()
    await deliver_webhooks(client)
    assert await reconcile(provider) == []


async def test_many_holds_expiring_together_are_released_per_trip_and_room_type_once(client, many_holds):
    """The sweeper's set-based release: several holds of one trip and overlapping stays of one room type, one of
    them paid in time, released in one go; counters, seats, nights and the published availability agree."""
    trip, user = await trip_and_user(seats=10)
    hotel, room_type, _ = await hotel_and_user(rooms=3)
    holds = [await service.book_trip(as_user(user), trip["id"], [s], passengers(1)) for s in ("1", "2", "3", "4")]
    check_in, _ = stay(start_in_days=3, nights=1)
    stays = [
        await service.book_room(as_user(user), room_type["id"], check_in, check_in + timedelta(days=n), 1, 1, "Ada")
        for n in (1, 2, 3)
    ]
    paid_in_time = await paid(holds[0])
    for booking in holds + stays:
        await expire_now(booking["reference"])
    assert await sweep() == 6 and await sweep() == 0
    assert paid_in_time["status"] == "confirmed"
    assert await scalar("SELECT seats_booked FROM trips") == 1
    assert await scalar("SELECT GROUP_CONCAT(seat_label) FROM booking_seats WHERE held = 1") == "1"
    assert await scalar("SELECT SUM(rooms_booked) FROM room_inventory") == 0
    assert await scalar("SELECT COUNT(*) FROM bookings WHERE status = 'expired'") == 6
    last = json.loads(
        await scalar(
            "SELECT payload FROM events WHERE topic = %(t)s ORDER BY id DESC LIMIT 1", {"t": f"hotel:{hotel['id']}"}
        )
    )
    assert set(last["rooms_left"].values()) == {3}
    assert await check_inventory() == []


async def test_a_payment_never_waits_for_a_webhook_claim_in_progress(app):
    """TestPay's sender claims due webhooks with SELECT … FOR UPDATE SKIP LOCKED on their due index. At REPEATABLE
    READ that scan also locked the gap where every new webhook row goes, so each payment's INSERT queued behind the
    claim and sometimes deadlocked with it (the pay answered 503). The claim runs at READ COMMITTED: no gap locks."""
    trip, user = await trip_and_user()
    first = await service.book_trip(as_user(user), trip["id"], ["1"], passengers(1))
    second = await service.book_trip(as_user(user), trip["id"], ["2"], passengers(1))
    await gateway().pay(await order_of(first["reference"]), "captured")  # one webhook due
    order = await order_of(second["reference"])
    async with db.transaction(read_committed=True) as cur:  # the sender's claim, held open
        assert len(await gateway().claim_in(cur)) == 1
        paid_while_claiming = await asyncio.wait_for(gateway().pay(order, "captured"), timeout=5)
    assert paid_while_claiming["status"] == "captured"
    assert [body["outcome"] for _, body in await deliver_webhooks()] == ["confirmed"]  # the second's; the first leased


async def test_testpay_sends_a_new_webhook_while_an_earlier_one_is_still_on_its_way(app):
    """The sender starts each claimed webhook and claims again when woken: a webhook queued while an earlier one
    waits for its answer goes out at once (it used to wait for the earlier round's slowest delivery)."""
    trip, user = await trip_and_user()
    first = await service.book_trip(as_user(user), trip["id"], ["1"], passengers(1))
    second = await service.book_trip(as_user(user), trip["id"], ["2"], passengers(1))
    answer_first, second_sent, sent = asyncio.Event(), asyncio.Event(), []

    async def merchant(request: httpx.Request) -> httpx.Response:
        sent.append(json.loads(request.content)["payload"]["receipt"])
        if len(sent) == 1:
            await answer_first.wait()  # a slow answer
        else:
            second_sent.set()
        return httpx.Response(200)

    gw = gateway()
    gw.client = httpx.AsyncClient(transport=httpx.MockTransport(merchant))
    try:
        await gw.pay(await order_of(first["reference"]), "captured")
        assert await asyncio.wait_for(gw.deliver_due(), timeout=5) == 1
        await gw.pay(await order_of(second["reference"]), "captured")
        assert await asyncio.wait_for(gw.deliver_due(), timeout=5) == 1  # not held up by the first, still on its way
        await asyncio.wait_for(second_sent.wait(), timeout=5)
        assert sent == [first["reference"], second["reference"]]  # the first still unanswered
        answer_first.set()
    finally:
        await gw.close()
    assert gw.in_flight == set() and gw.client is None
    assert await scalar("SELECT COUNT(*) FROM testpay_webhooks WHERE delivered_at IS NOT NULL") == 2
