"""What a notification says: rendered when it is sent, from templates/notify/<kind>.txt (blocks `subject`, `lead`
and `sms`), the booking as it then stands, and the facts its event recorded (`context`).

The plain-text e-mail is the lead, the booking's summary and the links (notify/_text.txt); the HTML part is the
lead around the booking's card (notify/_mail.html, escaped like every page). A confirmation carries the e-ticket in
that card and an .ics of the journey or stay.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from icalendar import Calendar, Event
from jinja2 import Environment
from quart import current_app

from ..web import public_base_url
from .email import Attachment

LOCAL_BASE = "http://localhost:8000"  # links in development mail when TRAVELGO_PUBLIC_URL is unset (make run's port)
# Messages about an unpaid hold: by the time one goes, the hold may be paid, cancelled or gone (then it is skipped).
ABOUT_A_HOLD = frozenset({"booking_held", "hold_expiring", "payment_failed", "itinerary_held"})
# "Request sent" to an on-request restaurant: once it has answered (or the request ran out), the answer's message says it.
ABOUT_A_REQUEST = frozenset({"restaurant_requested"})


class Obsolete(Exception):
    """What the message would say is no longer true (the sender marks it skipped)."""


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    sms: str
    html: str
    attachments: tuple[Attachment, ...] = field(default_factory=tuple)


TEMPLATES = "travelgo.notify.templates"


def templates() -> Environment:
    """The messages' Jinja environment: Quart's (loader, filters, globals, settings), rendering synchronously. Quart's
    renders asynchronously, which costs an async generator and an await per piece; the messages' templates call
    nothing async, so they need none of it. Made at the first message (after create_app has set the environment up);
    its own cache, since templates compile differently for sync and async rendering."""
    env = current_app.extensions.get(TEMPLATES)
    if env is None:
        env = current_app.extensions[TEMPLATES] = current_app.jinja_env.overlay(enable_async=False, cache_size=100)
    return env


async def render(row: dict[str, Any], booking: dict[str, Any] | None) -> Rendered:
    """The message of one notifications row, in every form a channel needs. `booking`: the row's booking as its
    pages show it (the sender reads a batch's with bookings.service.booking_details), None when it has none or it is
    gone."""
    if row["kind"] in ABOUT_A_HOLD and (booking is None or booking["status"] != "pending_payment"):
        raise Obsolete(f"the booking is {booking['status'] if booking else 'gone'}")
    if row["kind"] in ABOUT_A_REQUEST and (booking is None or booking["status"] != "requested"):
        raise Obsolete(f"the request is {booking['status'] if booking else 'gone'}")
    context = json.loads(row["context"]) if row["context"] else {}
    base = context.get("base") or public_base_url() or LOCAL_BASE  # the site the event's request came to, if any
    variables = {
        "kind": row["kind"],
        "booking": booking,
        "context": context,
        "base": base,
        # A traveller's links; a partner's message (no user: the business's address) has none of theirs to give.
        "booking_url": f"{base}/bookings/{booking['reference']}" if booking and row["user_id"] else None,
        "settings_url": f"{base}/profile#notifications" if row["user_id"] else None,
    }
    if booking is not None and booking.get("itinerary_checkout_id"):
        # A trip's message lists every booking its one checkout holds (each with its own reference).
        variables["trip_bookings"] = await checkout_bookings(booking["itinerary_checkout_id"])
    env = templates()
    # The shared pieces: macros only, which read nothing but their arguments, so one module serves every message.
    variables["b"] = env.get_template("notify/_booking.txt").module
    template = env.get_template(f"notify/{row['kind']}.txt")  # .txt: not HTML-escaped (plain text and SMS)
    blocks = template.new_context(variables)  # one context for the three blocks: none of them sets anything
    subject, lead, sms = ["".join(template.blocks[name](blocks)).strip() for name in ("subject", "lead", "sms")]
    text = env.get_template("notify/_text.txt").render(lead=lead, **variables).strip() + "\n"
    html = env.get_template("notify/_mail.html").render(
        subject=subject, paragraphs=[p for p in lead.split("\n") if p.strip()], **variables
    )
    attachments = ()
    if row["kind"] == "booking_confirmed" and booking is not None:
        attachments = (
            Attachment(f"{booking['reference']}.ics", "text/calendar", ics(booking, variables["booking_url"])),
        )
    elif row["kind"] == "itinerary_confirmed" and variables.get("trip_bookings"):
        trip = [(b, f"{base}/bookings/{b['reference']}") for b in variables["trip_bookings"]]
        attachments = (Attachment("trip.ics", "text/calendar", ics_many(trip)),)
    return Rendered(subject, text, sms, html, attachments)


def ics(booking: dict[str, Any], url: str) -> bytes:
    """An iCalendar event for a booking's journey or stay (aware times: each city's own zone, written in UTC)."""
    return ics_many([(booking, url)])


def ics_many(bookings: list[tuple[dict[str, Any], str]]) -> bytes:
    """One calendar with an event per (booking, url)."""
    calendar = Calendar()
    calendar.add("prodid", "-//TravelGo//Bookings//EN")
    calendar.add("version", "2.0")
    for booking, url in bookings:
        calendar.add_component(_event(booking, url))
    return calendar.to_ical()


def _event(booking: dict[str, Any], url: str) -> Event:
    event = Event()
    event.add("uid", f"{booking['reference']}@travelgo")
    event.add("dtstamp", datetime.now(UTC))
    event.add("dtstart", booking["starts_at"].astimezone(UTC))
    event.add("dtend", max(booking["ends_at"], booking["starts_at"] + timedelta(minutes=1)).astimezone(UTC))
    if booking["type"] in ("bus", "train", "flight"):
        event.add("summary", f"{booking['type'].title()} {booking['title']} ({booking['reference']})")
        event.add("location", booking.get("origin") or "")
    elif booking["type"] == "restaurant":
        event.add("summary", f"Table at {booking['title']} ({booking['reference']})")
        event.add(
            "location", ", ".join(filter(None, (booking.get("restaurant_address"), booking.get("restaurant_city"))))
        )
    else:
        event.add("summary", f"Stay at {booking['title']} ({booking['reference']})")
        event.add("location", ", ".join(filter(None, (booking.get("hotel_address"), booking.get("hotel_city")))))
    event.add("description", f"TravelGo booking {booking['reference']}: {url}")
    event.add("url", url)
    return event


async def checkout_bookings(checkout_id: int) -> list[dict[str, Any]]:
    """Every booking of one itinerary checkout, as its pages show it."""
    from ..itineraries.service import checkout_bookings as of_checkout  # here: itineraries imports the notify queue

    return await of_checkout(checkout_id)
