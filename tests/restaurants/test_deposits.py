"""Deposits: a table with a deposit is a hold until paid (TestPay, the same checkout as seats and rooms); a late
payment takes a free table again or is refunded; cancelling follows the restaurant's own policy."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from travelgo import db
from travelgo.bookings.integrity import check_inventory
from travelgo.dates import local
from travelgo.restaurants.policy import quote

from ..bookings.helpers import as_user, scalar
from ..inapp import checkout, service
from ..payhelpers import paid, pay
from .helpers import restaurant_and_user, tomorrow


async def hold(restaurant: dict, user: dict, day=None, at: time = time(20)) -> dict:
    return await service.book_table(as_user(user), restaurant["id"], day or tomorrow(), at, 2, "Asha Rao")


async def test_paid_deposit_confirms_the_table(client):
    restaurant, user = await restaurant_and_user(deposit_minor=25000, tables=[2])
    booking = await hold(restaurant, user)
    assert booking["status"] == "pending_payment" and booking["total_minor"] == 50000
    confirmed = await paid(booking)
    assert confirmed["status"] == "confirmed" and confirmed["tables"][0]["label"] == "T1"
    assert await check_inventory() == []


async def test_late_payment_retakes_a_free_table_or_is_refunded(client, many_holds):
    restaurant, user = await restaurant_and_user(deposit_minor=10000, tables=[2])
    first = await hold(restaurant, user)
    async with db.transaction() as cur:
        await cur.execute("UPDATE bookings SET expires_at = UTC_TIMESTAMP(6) - INTERVAL 1 SECOND")
    assert await checkout.expire_due_holds() == 1
    confirmed = await paid(first)  # nobody took the table meanwhile: the late payment confirms it
    assert confirmed["status"] == "confirmed"
    assert await scalar("SELECT COUNT(*) FROM restaurant_table_slots") == 6

    day = tomorrow() + timedelta(days=1)
    second = await hold(restaurant, user, day)
    async with db.transaction() as cur:
        await cur.execute(
            "UPDATE bookings SET expires_at = UTC_TIMESTAMP(6) - INTERVAL 1 SECOND WHERE reference = %s",
            (second["reference"],),
        )
    assert await checkout.expire_due_holds() == 1
    third = await hold(restaurant, user, day, time(19, 30))  # takes the only table, overlapping the expired sitting
    answers = await pay(second)
    assert any(body.get("outcome") == "refunded_late" for _, body in answers), answers
    assert await scalar("SELECT status FROM bookings WHERE reference = %(r)s", {"r": second["reference"]}) == "expired"
    assert third["status"] == "pending_payment"
    assert await check_inventory() == []


async def test_cancelling_refunds_the_deposit_only_before_the_policy_window(client):
    restaurant, user = await restaurant_and_user(deposit_minor=25000, tables=[2, 2], free_cancel_hours=4)
    early = await paid(await hold(restaurant, user))
    cancelled = await service.cancel_booking(user["id"], early["reference"])
    assert cancelled["refund"]["amount_minor"] == 50000 and cancelled["refund"]["percent"] == 100
    assert await scalar("SELECT COUNT(*) FROM refunds WHERE reason = 'cancellation'") == 1

    starts = local(datetime.combine(tomorrow(), time(20)), "Asia/Kolkata")
    late = quote(status="confirmed", total_minor=50000, currency="INR", starts_at=starts, free_cancel_hours=4,
                 now=starts - timedelta(hours=3))  # fmt: skip
    assert late.cancellable and late.amount_minor == 0 and "kept" in late.reason
    started = quote(status="confirmed", total_minor=50000, currency="INR", starts_at=starts, free_cancel_hours=4,
                    now=starts + timedelta(minutes=1))  # fmt: skip
    assert not started.cancellable
    free = quote(status="confirmed", total_minor=0, currency="INR", starts_at=starts, free_cancel_hours=4,
                 now=datetime.now(UTC))  # fmt: skip
    assert free.cancellable and free.amount_minor == 0
