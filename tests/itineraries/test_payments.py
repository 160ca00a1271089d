"""One payment for a whole trip, as the provider's events arrive: late but everything still free (confirmed
together), late with one item resold (the whole payment refunded, nothing kept), a failed payment."""

from __future__ import annotations

from travelgo import db

from .. import factories
from ..bookings.helpers import scalar
from ..conftest import api_token
from ..inapp import checkout
from ..payhelpers import deliver_webhooks, gateway
from .helpers import held_counts, held_trip, hotel_body, trip_plan


async def run_out(body: dict) -> int:
    async with db.transaction() as cur:
        for b in body["bookings"]:
            await cur.execute(
                "UPDATE bookings SET expires_at = UTC_TIMESTAMP(6) - INTERVAL 1 SECOND WHERE reference = %(r)s",
                {"r": b["reference"]},
            )
    return await checkout.expire_due_holds()


async def statuses() -> list[str]:
    return (await scalar("SELECT GROUP_CONCAT(status ORDER BY id) FROM bookings")).split(",")


async def test_late_payment_with_everything_still_free_confirms_the_whole_trip(client):
    plan = await trip_plan()
    body, _ = await held_trip(client, plan)
    assert await run_out(body) == 2
    assert await statuses() == ["expired", "expired"] and (await held_counts())["seats"] == 0
    await gateway().pay(body["payment"]["order_id"], "captured")
    assert [a["outcome"] for _, a in await deliver_webhooks(client)] == ["confirmed_late"]
    assert await statuses() == ["confirmed", "confirmed"]
    assert (await held_counts())["seats"] == 1 and (await held_counts())["rooms"] == 2


async def test_late_payment_with_one_item_resold_refunds_everything_and_holds_nothing(client):
    plan = await trip_plan(rooms=1)
    body, _ = await held_trip(client, plan)
    await run_out(body)
    async with db.transaction() as cur:
        rival = await factories.make_user(cur)
    rival_headers = await api_token(client, rival["email"])
    resold = await client.post(
        "/api/v1/bookings", json=hotel_body(plan["room_type"]["id"], plan["day"]), headers=rival_headers
    )
    assert resold.status_code == 201
    await gateway().pay(body["payment"]["order_id"], "captured")
    assert [a["outcome"] for _, a in await deliver_webhooks(client)] == ["refunded_late"]
    assert await statuses() == ["expired", "expired", "pending_payment"]  # the rival's hold untouched
    assert (await held_counts())["seats"] == 0  # the bus was not taken back alone
    total = body["total_minor"]
    assert await scalar("SELECT SUM(amount_minor) FROM refunds WHERE reason = 'late_payment'") == total


async def test_a_pending_trip_paid_in_time_after_the_sweeper_missed_one_item(client):
    """The sweeper released one item of the trip but not yet the other: the payment retakes the one and keeps
    the other, and confirms both."""
    plan = await trip_plan()
    body, _ = await held_trip(client, plan)
    hotel = next(b for b in body["bookings"] if b["type"] == "hotel")
    async with db.transaction() as cur:
        await cur.execute(
            "UPDATE bookings SET expires_at = UTC_TIMESTAMP(6) - INTERVAL 1 SECOND WHERE reference = %(r)s",
            {"r": hotel["reference"]},
        )
    assert await checkout.expire_due_holds() == 1
    await gateway().pay(body["payment"]["order_id"], "captured")
    assert [a["outcome"] for _, a in await deliver_webhooks(client)] == ["confirmed_late"]
    assert await statuses() == ["confirmed", "confirmed"]


async def test_a_failed_payment_keeps_the_trip_held(client):
    plan = await trip_plan()
    body, headers = await held_trip(client, plan)
    await gateway().pay(body["payment"]["order_id"], "failed")
    assert [a["outcome"] for _, a in await deliver_webhooks(client)] == ["failed"]
    assert await statuses() == ["pending_payment", "pending_payment"]
    itinerary = body["itinerary_id"]
    state = await (await client.get(f"/api/v1/itineraries/{itinerary}/checkout", headers=headers)).get_json()
    assert state["payment"]["status"] == "failed" and state["status"] == "pending_payment"
