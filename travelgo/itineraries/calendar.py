"""The whole trip as an iCalendar file: one event per item still planned, held or paid, at its place, in its
cities' own time zones (written in UTC, so every calendar shows the right local time)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from icalendar import Calendar, Event

from . import planner


def ics(itinerary: dict[str, Any], base_url: str) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//TravelGo//Itineraries//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", itinerary["name"])
    for item in itinerary["items"]:
        if item["status"] in ("cancelled", "expired"):
            continue
        event = Event()
        event.add("uid", f"itinerary-{itinerary['id']}-item-{item['id']}@travelgo")
        event.add("dtstamp", datetime.now(UTC))
        event.add("dtstart", item["starts_at"].astimezone(UTC))
        event.add("dtend", max(item["ends_at"], item["starts_at"] + timedelta(minutes=1)).astimezone(UTC))
        if planner.is_journey(item):
            summary = f"{item['title']} ({item['from_city']} → {item['to_city']})"
        elif planner.is_stay(item):
            summary = f"Stay: {item['title']}"
        else:
            summary = item["title"]
        reference = item["booking_reference"] if item["status"] in ("pending_payment", "confirmed") else None
        event.add("summary", f"{summary} [{reference}]" if reference else summary)
        if item["location"]:
            event.add("location", item["location"])
        url = f"{base_url}/bookings/{reference}" if reference else f"{base_url}/itineraries/{itinerary['id']}"
        status = {"confirmed": "CONFIRMED"}.get(item["status"], "TENTATIVE")
        event.add("status", status)
        event.add("description", f"{itinerary['name']}: {summary}. {url}")
        event.add("url", url)
        calendar.add_component(event)
    return calendar.to_ical()
