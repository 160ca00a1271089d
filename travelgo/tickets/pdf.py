"""The e-ticket or hotel voucher as a PDF, made on the server with fpdf2 (pure Python).

It carries what the ticket page leads with: reference, QR code, seats or room, times, the operator's or hotel's
number, then the passengers or nights and the total. Text is set in DejaVu Sans when the system has it (₹ and
Indian names need Unicode); otherwise in the PDF core font, with amounts written with their currency code."""

from __future__ import annotations

import io
from pathlib import Path

from ..money import money
from .qr import qr_svg_bytes

UNICODE_FONTS = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/dejavu/DejaVuSans.ttf"),
    Path("/usr/local/share/fonts/DejaVuSans.ttf"),
)
HEADINGS = {"pending_payment": "Awaiting payment", "expired": "Hold ran out", "cancelled": "Cancelled booking"}


def heading(booking: dict) -> str:
    """What the document is: a ticket or voucher only when confirmed (the page's title says the same)."""
    return HEADINGS.get(booking["status"]) or ("E-ticket" if booking["type"] == "bus" else "Hotel voucher")


def when(value) -> str:
    return f"{value:%a %d %b %Y, %H:%M} {value.tzname() or ''}".strip() if value is not None else ""


class _Doc:
    def __init__(self) -> None:
        # Imported on the first ticket (in the download's thread, off the event loop), not at start-up: fpdf2 with
        # fontTools and Pillow adds ~20 MB to every worker's RSS, a worker that never renders a ticket included.
        from fpdf import FPDF

        self.pdf = FPDF(format="A4")
        self.pdf.set_auto_page_break(True, margin=15)
        self.pdf.set_margins(15, 15, 15)
        self.pdf.add_page()
        self.unicode = False
        for path in UNICODE_FONTS:
            if path.exists():
                self.pdf.add_font("TicketSans", "", str(path))
                bold = path.with_name("DejaVuSans-Bold.ttf")
                self.pdf.add_font("TicketSans", "B", str(bold if bold.exists() else path))
                self.unicode = True
                break
        self.family = "TicketSans" if self.unicode else "Helvetica"

    def text(self, value: str) -> str:
        if self.unicode:
            return value
        return value.replace("₹", "INR ").replace("→", "->").encode("latin-1", "replace").decode("latin-1")

    def money(self, minor: int | None, currency: str) -> str:
        return self.text(money(minor, currency))

    def line(self, text: str, size: float = 11, bold: bool = False, height: float = 6.5, width: float = 0) -> None:
        self.pdf.set_font(self.family, "B" if bold else "", size)
        self.pdf.multi_cell(width, height, self.text(text), new_x="LMARGIN", new_y="NEXT")

    def fact(self, label: str, value: str, width: float = 120) -> None:
        self.pdf.set_font(self.family, "", 9)
        self.pdf.set_text_color(86, 97, 113)
        self.pdf.cell(width, 5, self.text(label), new_x="LMARGIN", new_y="NEXT")
        self.pdf.set_text_color(28, 36, 48)
        self.line(value, size=11, width=width)
        self.pdf.ln(1)


def ticket_pdf(booking: dict) -> bytes:
    """The booking's PDF (bytes starting %PDF-)."""
    doc = _Doc()
    pdf = doc.pdf
    reference = booking["reference"]
    pdf.set_title(f"TravelGo {heading(booking)} {reference}")
    pdf.set_author("TravelGo")
    pdf.set_creator("TravelGo")
    pdf.image(io.BytesIO(qr_svg_bytes(reference, scale=10)), x=150, y=15, w=45, h=45)

    doc.line("TravelGo", size=10, bold=True, width=120)
    doc.line(f"{heading(booking)}: {booking['title']}", size=17, bold=True, height=8, width=130)
    doc.line(f"Reference {reference}", size=15, bold=True, height=8, width=130)
    pdf.ln(2)
    if booking["type"] == "bus":
        seats = ", ".join(s["label"] for s in booking.get("seats") or [])
        doc.fact("Seats", seats or "-")
        doc.fact("Departs", when(booking.get("departs_at")))
        doc.fact("Arrives", when(booking.get("arrives_at")))
        for key, label in (("boarding_point", "Board at"), ("dropping_point", "Get off at")):
            if point := booking.get(key):  # the traveller's choice (stops.service.booking_points)
                landmark = f" ({point['landmark']})" if point.get("landmark") else ""
                doc.fact(label, f"{point['name']}, {point['time']}{landmark}")
        operator = booking.get("operator") or ""
        phone = booking.get("operator_phone")
        doc.fact("Operator", f"{operator} · call {phone}" if phone else operator)
    else:
        doc.fact("Room", f"{booking['rooms']} × {booking['room_type_name']} · {booking['guests']} guests")
        doc.fact("Check-in", when(booking.get("starts_at")))
        doc.fact("Check-out", when(booking.get("ends_at")))
        address = f"{booking.get('hotel_address') or ''}, {booking.get('hotel_city') or ''}".strip(", ")
        phone = booking.get("hotel_phone")
        doc.fact("Address", f"{address} · call {phone}" if phone else address)
    pdf.set_y(max(pdf.get_y(), 70))

    pdf.set_font(doc.family, "B", 10)
    if booking["type"] == "bus":
        doc.line("Passengers", size=12, bold=True)
        for seat in booking.get("seats") or []:
            doc.line(
                f"Seat {seat['label']}  ·  {seat['passenger_name']}, {seat['passenger_age']}  ·  "
                f"{doc.money(seat['price_minor'], booking['currency'])}",
                size=10,
            )
    else:
        doc.line("Nights", size=12, bold=True)
        for night in booking.get("nights") or []:
            doc.line(
                f"{night['night']:%a %d %b %Y}  ·  {night['rooms']} room(s)  ·  "
                f"{doc.money(night['price_minor'], booking['currency'])} per room",
                size=10,
            )
    pdf.ln(2)
    doc.line(f"Total {doc.money(booking['total_minor'], booking['currency'])}", size=13, bold=True)
    if booking["status"] == "cancelled":
        doc.line(f"Cancelled. Refund: {doc.money(booking.get('refund_minor') or 0, booking['currency'])}.", size=11)
    pdf.ln(4)
    doc.line("Show the QR code or the reference when you board or check in. Carry a photo ID.", size=9)
    return bytes(pdf.output())
