"""The dates TravelGo accepts, one home for each range. A date outside its range is a field error (422 with a
message), so no date arithmetic ever runs near year 1 or 9999 (`OverflowError`, a 500)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated

from pydantic import AfterValidator, WithJsonSchema

BOOKING_HORIZON_DAYS = 365  # travellers search and book up to a year ahead (the seed sells about 120 days)
EARLIEST_ADMIN_DATE = date(2000, 1, 1)  # admin reports, filters, trips and inventory: 2000 .. about 5 years ahead
ADMIN_DAYS_AHEAD = 5 * 365 + 1


def last_travel_date() -> date:
    return date.today() + timedelta(days=BOOKING_HORIZON_DAYS)


def last_admin_date() -> date:
    return date.today() + timedelta(days=ADMIN_DAYS_AHEAD)


def _travel_date(value: date) -> date:
    if value < date.today():
        raise ValueError("Choose today or a later date.")
    if value > (last := last_travel_date()):
        raise ValueError(f"Choose a date at most {BOOKING_HORIZON_DAYS} days ahead (on or before {last}).")
    return value


def _admin_date(value: date) -> date:
    if value < EARLIEST_ADMIN_DATE:
        raise ValueError(f"Choose a date on or after {EARLIEST_ADMIN_DATE}.")
    if value > (last := last_admin_date()):
        raise ValueError(f"Choose a date on or before {last}.")
    return value


TravelDate = Annotated[date, AfterValidator(_travel_date)]
"""A traveller's search or stay date: today up to the booking horizon."""

AdminDate = Annotated[date, AfterValidator(_admin_date)]
"""An admin's filter, report, trip or inventory date: from 2000 up to about five years ahead."""

LocalDateTime = Annotated[
    datetime,
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?$",
            "description": "date and time without an offset, e.g. 2030-01-31T09:30:00 (departures and arrivals in "
            "the local time of the place)",
        }
    ),
]
"""A stored wall-clock time with no offset (trip times, booking times). JSON Schema's `date-time` requires an
offset, so the API documents these as what they are; `expires_at` is aware UTC and stays a `date-time`."""
