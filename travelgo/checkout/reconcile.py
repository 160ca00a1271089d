"""`make reconcile`: compare the provider's records with ours and name every mismatch (non-zero exit on any)."""

from __future__ import annotations

from .. import db
from ..payments.base import PaymentProvider, ProviderError


async def reconcile(provider: PaymentProvider) -> list[str]:
    """Every disagreement between TravelGo's payments and refunds and what the provider has on record."""
    async with db.reading() as cur:
        await cur.execute(
            """
            SELECT p.id, p.order_id, p.status, p.provider_payment_id, p.amount_minor, b.reference, b.status AS booking
              FROM payments p
              JOIN bookings b ON b.id = p.booking_id
             WHERE p.provider = %(provider)s
             ORDER BY p.id
            """,
            {"provider": provider.name},
        )
        payments = await cur.fetchall()
        await cur.execute(
            """
            SELECT r.provider_refund_id, r.status, r.amount_minor, b.reference
              FROM refunds r
              JOIN bookings b ON b.id = r.booking_id
            """
        )
        ours = {r["provider_refund_id"]: r for r in await cur.fetchall() if r["provider_refund_id"]}
        await cur.execute(
            """
            SELECT b.reference, r.amount_minor, r.status, r.attempts
              FROM refunds r
              JOIN bookings b ON b.id = r.booking_id
             WHERE r.status = 'failed' OR (r.status = 'pending' AND r.provider_refund_id IS NULL)
            """
        )
        unsent = await cur.fetchall()
    problems: list[str] = []
    for payment in payments:
        ref = payment["reference"]
        try:
            record = await provider.fetch_order(payment["order_id"])
        except ProviderError as exc:
            problems.append(f"{ref}: the provider has no order {payment['order_id']} ({exc})")
            continue
        given_back: dict[str, int] = {}
        for refund in record.refunds:
            if refund.status != "failed":
                given_back[refund.payment_id] = given_back.get(refund.payment_id, 0) + refund.amount_minor
        # A capture refunded in full (a wrong amount) is not a payment of the order.
        captured = [
            p for p in record.payments if p.status == "captured" and given_back.get(p.payment_id, 0) < p.amount_minor
        ]
        if captured and payment["status"] != "captured":
            problems.append(f"{ref}: paid at the provider ({captured[0].payment_id}) but not recorded as paid here")
        if payment["booking"] == "confirmed" and not captured:
            problems.append(f"{ref}: confirmed but the provider has no captured payment")
        for refund in record.refunds:
            mine = ours.get(refund.refund_id)
            if mine is None:
                problems.append(
                    f"{ref}: provider refund {refund.refund_id} ({refund.amount_minor}) is not recorded here"
                )
            elif refund.status == "processed" and mine["status"] != "processed":
                problems.append(
                    f"{ref}: refund {refund.refund_id} is processed at the provider but {mine['status']} here"
                )
            elif mine["status"] == "processed" and refund.status != "processed":
                problems.append(
                    f"{ref}: refund {refund.refund_id} is processed here but {refund.status} at the provider"
                )
    for refund in unsent:
        problems.append(
            f"{refund['reference']}: refund of {refund['amount_minor']} not processed "
            f"({refund['status']}, {refund['attempts']} attempts)"
        )
    return problems
