"""The e-ticket or voucher as a PDF download (the page itself is bookings/detail.html)."""

from __future__ import annotations

import asyncio

from quart import Blueprint, Response, abort, g

from ..auth import login_required
from ..bookings import service
from .pdf import ticket_pdf
from .qr import qr_svg

bp = Blueprint("tickets", __name__)


@bp.record_once
def ticket_globals(state) -> None:
    state.app.jinja_env.globals.update(qr_svg=qr_svg)  # the ticket page's QR code


@bp.get("/bookings/<reference>/ticket.pdf")
@login_required
async def ticket_download(reference: str) -> Response:
    """The booking as a PDF (reference, QR code, seats or room, times, contact number, total)."""
    booking = await service.get_booking(g.current_user.id, reference.strip().upper())
    if booking is None:  # also another traveller's reference: do not reveal that it exists
        abort(404)
    data = await asyncio.to_thread(ticket_pdf, booking)  # ~10-30 ms of CPU: off the event loop
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="travelgo-{booking["reference"]}.pdf"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
