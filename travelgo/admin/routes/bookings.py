"""Bookings: find them, export them as CSV, look at one and cancel it on the traveller's behalf."""

from __future__ import annotations

import csv
import io
from typing import Any

from quart import Blueprint, Response, abort, request, url_for

from ...auth import admin_required
from ...dates import today_in
from ...forms import FormState, found, saved
from ...money import money, plain_amount
from ...web import page_number, render
from .. import service
from ..forms import BookingFilter, CancelForm
from ..views import actor, filtered, query

bp = Blueprint("bookings", __name__)
BOOKINGS_PAGE = 25


@bp.get("/bookings")
@admin_required
async def booking_list():
    """Find bookings by reference, email, service, dates and status."""
    number = page_number(request.args)

    async def lister(f: BookingFilter) -> dict:
        page = await service.search_bookings(f, limit=BOOKINGS_PAGE, offset=(number - 1) * BOOKINGS_PAGE)
        page.update(page=number, pages=max(1, -(-page["total"] // BOOKINGS_PAGE)))
        return page

    return await filtered("admin/bookings.html", BookingFilter, lister)


CSV_COLUMNS = [
    "reference",
    "type",
    "status",
    "traveller_email",
    "traveller_name",
    "contact_email",
    "service",
    "starts_at",
    "ends_at",
    "total",
    "currency",
    "refund",
    "created_at",
    "cancelled_at",
    "cancelled_by",
    "cancel_reason",
    "total_display",  # the amounts as people read them (₹1,80,000); total and refund stay plain numbers to sum
    "refund_display",
]


def csv_cell(value: Any) -> str:
    """A CSV cell that a spreadsheet will not run as a formula (OWASP: prefix = + - @ tab CR with ')."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _csv_row(b: dict) -> list[str]:
    return [
        csv_cell(v)
        for v in (
            b["reference"],
            b["type"],
            b["status"],
            b["traveller_email"],
            b["traveller_name"],
            b["contact_email"],
            service.service_name(b),
            b["starts_at"],
            b["ends_at"],
            plain_amount(b["total_minor"], b["currency"]),
            b["currency"],
            plain_amount(b["refund_minor"], b["currency"]),
            b["created_at"].replace(microsecond=0),
            b["cancelled_at"] and b["cancelled_at"].replace(microsecond=0),
            b["cancelled_by"],
            b["cancel_reason"],
            money(b["total_minor"], b["currency"]),
            money(b["refund_minor"], b["currency"]),
        )
    ]


@bp.get("/bookings.csv")
@admin_required
async def booking_export():
    """The filtered bookings as CSV (streamed in batches)."""
    f, errors, _ = query(BookingFilter)
    if f is None:
        abort(422, description="; ".join(errors.values()))

    async def rows():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(CSV_COLUMNS)
        async for b in service.iter_bookings(f):
            writer.writerow(_csv_row(b))
            if buffer.tell() > 32_000:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    response = Response(rows(), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="bookings-{today_in().isoformat()}.csv"'
    response.timeout = None
    return response


async def _booking_page(reference: str, cancel: FormState, block: str | None = None) -> Response:
    booking = await found(service.get_booking(reference))
    return await render(
        "admin/booking.html",
        block=block,
        status=cancel.status,
        booking=booking,
        money=await service.money_history(booking["id"]),
        service_name=service.service_name(booking),
        **cancel.context("cancel_"),
    )


@bp.get("/bookings/<reference>")
@admin_required
async def booking_show(reference: str):
    """One booking: traveller, service, seats or nights, status, and a cancel form."""
    return await _booking_page(reference, FormState())


@bp.post("/bookings/<reference>/cancel")
@admin_required
async def booking_cancel(reference: str):
    """Cancel a booking on the traveller's behalf with a reason (full refund)."""
    state = await FormState.posted(CancelForm)
    if state.form is not None:
        with state.saving():
            await service.cancel_booking(actor(), reference, state.form.reason)
            return await saved(
                f"Booking {reference.upper()} is cancelled and refunded.",
                url_for("admin.bookings.booking_show", reference=reference.upper()),
            )
    return await _booking_page(reference, state, "cancel_form")
