"""Admin money pages: payments and refunds with filters, a booking's payment history, retrying a failed refund."""

from __future__ import annotations

from travelgo import db

from ..bookings.helpers import as_user, passengers, scalar, trip_and_user
from ..conftest import post_form
from ..inapp import service
from ..payhelpers import deliver_webhooks, gateway, order_of, paid


async def test_payments_and_refunds_are_listed_filtered_and_a_failed_refund_is_retried(admin_client, client):
    trip, user = await trip_and_user(price_minor=2000)
    booking = await paid(await service.book_trip(as_user(user), trip["id"], ["1"], passengers(1)))
    hold = await service.book_trip(as_user(user), trip["id"], ["2"], passengers(1))
    await gateway().fail_next_refunds(await order_of(booking["reference"]))
    await service.cancel_booking(user["id"], booking["reference"])
    assert [b["outcome"] for _, b in await deliver_webhooks(client)] == ["refund_retrying"]
    async with db.transaction() as cur:  # the retries run out: the refund is failed for good
        await cur.execute("UPDATE refunds SET status = 'failed', attempts = 6")

    payments = await (await admin_client.get("/admin/payments?status=captured")).get_data(as_text=True)
    assert booking["reference"] in payments and hold["reference"] not in payments
    unpaid = await (await admin_client.get("/admin/payments?status=created")).get_data(as_text=True)
    assert hold["reference"] in unpaid and booking["reference"] not in unpaid
    past_the_last = await (await admin_client.get("/admin/payments?page=50")).get_data(as_text=True)
    assert booking["reference"] in past_the_last  # the last page, not an empty "page 50"
    bad = await admin_client.get("/admin/payments?status=stolen")
    assert bad.status_code == 422 and "Check the filters" in await bad.get_data(as_text=True)

    refunds = await (await admin_client.get("/admin/refunds?status=failed")).get_data(as_text=True)
    assert booking["reference"] in refunds and "Retry refund" in refunds
    history = await (await admin_client.get(f"/admin/bookings/{booking['reference']}")).get_data(as_text=True)
    assert "Payment history" in history and "payment.captured" in history and "refund.failed" in history

    refund_id = await scalar("SELECT id FROM refunds")
    retried = await post_form(admin_client, f"/admin/refunds/{refund_id}/retry", {"back": "/admin/refunds"})
    assert retried.status_code in (200, 303)
    assert [b["outcome"] for _, b in await deliver_webhooks(client)] == ["refund_processed"]
    assert await scalar("SELECT status FROM refunds") == "processed"
    assert await scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'refund.retry'") == 1
    again = await post_form(admin_client, f"/admin/refunds/{refund_id}/retry", {"back": "/admin/refunds"})
    assert again.status_code == 409  # only a failed refund can be retried
