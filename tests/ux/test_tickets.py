"""The e-ticket and voucher: reference, QR code of the reference, seats or room, times and the operator's or
hotel's number first; a real PDF made on the server; a cancelled booking says so; My bookings as cards."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader

from travelgo import db
from travelgo.tickets.qr import qr_svg

from .. import factories
from ..bookings.helpers import as_user, hotel_and_user, passengers, stay, trip_and_user
from ..conftest import login
from ..inapp import service
from ..payhelpers import paid


async def confirmed_bus_booking(client) -> dict:
    trip, user = await trip_and_user()
    async with db.transaction() as cur:
        await cur.execute("UPDATE operators SET contact_phone = '+91 80 4123 4567'")
        await cur.execute("UPDATE trips SET currency = 'INR', price_minor = 18000000")
    booking = await paid(await service.book_trip(as_user(user), trip["id"], ["7"], passengers(1)))
    await login(client, user["email"])
    return booking


async def test_ticket_page_leads_with_reference_qr_seat_times_and_operator_number(client):
    booking = await confirmed_bus_booking(client)
    reference = booking["reference"]
    html = await (await client.get(f"/bookings/{reference}")).get_data(as_text=True)
    top = html.split('class="ticket-actions')[0]
    assert f'<strong class="ticket-ref">{reference}</strong>' in top
    assert str(qr_svg(reference)) in top and f'aria-label="QR code of booking {reference}"' in top
    assert '<dd class="ticket-seats">7</dd>' in top and 'href="tel:+918041234567"' in top
    assert f'href="/bookings/{reference}/ticket.pdf"' in html and "data-print" in html
    assert html.index("ticket-actions") < html.index("Cancel booking")
    # the route's cities are in the title only; the operator is named once
    ticket = html.split('<article class="card ticket"')[1].split("</article>")[0]
    assert ticket.count(booking["operator"]) == 1 and ticket.count(booking["origin"]) == 1
    assert "₹1,80,000" in html and "₹1,80,000.00" not in html


async def test_ticket_pdf_is_a_real_pdf_with_the_reference_for_its_owner_only(client, app):
    booking = await confirmed_bus_booking(client)
    reference = booking["reference"]
    response = await client.get(f"/bookings/{reference}/ticket.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert f'filename="travelgo-{reference}.pdf"' in response.headers["Content-Disposition"]
    data = await response.get_data()
    assert data.startswith(b"%PDF-")
    pdf = PdfReader(io.BytesIO(data))
    text = pdf.pages[0].extract_text()
    assert reference in text and "Seats" in text and "₹1,80,000" in text and "+91 80 4123 4567" in text
    assert pdf.metadata.title == f"TravelGo E-ticket {reference}"

    stranger = app.test_client()
    async with db.transaction() as cur:
        other = await factories.make_user(cur)
    await login(stranger, other["email"])
    assert (await stranger.get(f"/bookings/{reference}/ticket.pdf")).status_code == 404
    assert (await app.test_client().get(f"/bookings/{reference}/ticket.pdf")).status_code in (302, 401)


async def test_a_cancelled_hotel_booking_is_titled_cancelled_and_has_no_qr(client):
    hotel, room_type, user = await hotel_and_user()
    async with db.transaction() as cur:
        await cur.execute("UPDATE hotels SET contact_phone = '+91 22 6123 4567'")
    booking = await paid(await service.book_room(as_user(user), room_type["id"], *stay(), 1, 1, "Priya Nair"))
    await service.cancel_booking(user["id"], booking["reference"])
    await login(client, user["email"])
    html = await (await client.get(f"/bookings/{booking['reference']}")).get_data(as_text=True)
    assert f"<title>Cancelled booking {booking['reference']}" in html
    assert re.search(r'<h1 id="ticket-title">Cancelled booking: ', html)
    assert "QR code of booking" not in html and "ticket.pdf" not in html
    pdf = await (await client.get(f"/bookings/{booking['reference']}/ticket.pdf")).get_data()
    assert "Cancelled booking" in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()


async def test_my_bookings_are_cards_by_travel_date(client):
    trip, user = await trip_and_user()
    later, _ = await trip_and_user(departs_at=trip["departs_at"].replace(hour=20))
    u = as_user(user)
    evening = await service.book_trip(u, later["id"], ["1"], passengers(1))
    morning = await service.book_trip(u, trip["id"], ["1"], passengers(1))
    await login(client, user["email"])
    html = await (await client.get("/bookings")).get_data(as_text=True)
    assert '<ol class="booking-cards"' in html and "<table" not in html
    assert html.index(morning["reference"]) < html.index(evening["reference"])  # soonest first, not newest
