"""The dates TravelGo accepts, one home for each range. A date outside its range is a field error (422 with a
message), so no date arithmetic ever runs near year 1 or 9999 (`OverflowError`, a 500)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator

BOOKING_HORIZON_DAYS = 365  # travellers search and book up to a year ahead (the seed sells about 120 days)
EARLIEST_ADMIN_DATE = date(2000, 1, 1)  # admin reports, filters, trips and inventory: 2000 .. about 5 years ahead
ADMIN_DAYS_AHEAD = 5 * 365 + 1

# --- time zones: the one home for "now" ----------------------------------------------------------------------------
# Departure and arrival times (trips, bookings.starts_at/ends_at) are naive wall-clock times of their city
# (cities.timezone); check-in dates are the hotel city's dates. Created/updated/expiry stamps are naive UTC. The host's
# TZ and the database session's time zone never decide what "now" is: every comparison goes through these helpers.
HOME_ZONE = "Asia/Kolkata"  # the seed's zone: "today" for a form that names no city (the service re-checks)


@lru_cache(maxsize=256)
def zone(name: str | None = None) -> ZoneInfo:
    """The zone called `name` (HOME_ZONE when None or unknown to this machine)."""
    try:
        return ZoneInfo(name or HOME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(HOME_ZONE)


def known_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def now_in(name: str | None = None) -> datetime:
    """Now, aware, in the named zone."""
    return datetime.now(zone(name))


def wall_now(name: str | None = None) -> datetime:
    """Now as a naive wall-clock time in the named zone: what a DATETIME column of that city compares with."""
    return now_in(name).replace(tzinfo=None)


def utc_now() -> datetime:
    """Now as naive UTC: what the stamp columns (created_at, expires_at, ...) hold."""
    return datetime.now(UTC).replace(tzinfo=None)


def today_in(name: str | None = None) -> date:
    """Today's date in the named zone."""
    return now_in(name).date()


def local(moment: datetime | None, name: str | None) -> datetime | None:
    """A city's naive wall-clock time (a departure, a check-in) as an aware datetime in its zone."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=zone(name))


def utc(moment: datetime | None) -> datetime | None:
    """A naive UTC column value (created_at, holds, payments) as an aware datetime, written with its offset."""
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


def zoned(row: dict) -> dict:
    """A booking row with every moment aware: starts_at/departs_at in the start city's zone, ends_at/arrives_at in
    the end city's (the columns hold the start city's wall-clock times), stamps (created_at, expires_at, ...) in UTC."""
    start, end = row.get("timezone"), row.get("end_timezone") or row.get("timezone")
    out = dict(row)
    for key in ("starts_at", "departs_at"):
        if out.get(key) is not None:
            out[key] = local(out[key], start)
    for key in ("ends_at", "arrives_at"):
        if out.get(key) is not None:
            out[key] = local(out[key], start).astimezone(zone(end))
    for key in ("created_at", "expires_at", "cancelled_at"):
        if key in out:
            out[key] = utc(out[key])
    return out


def wall_now_sql(zone_column: str, zones: Iterable[str]) -> tuple[str, dict]:
    """A SQL expression for "now" as wall-clock time in the zone named by `zone_column` (one row's city), and its
    parameters: the zones' clocks are read here, so the database's own time zone (and its tz tables) never matter."""
    return zone_case_sql(zone_column, {name: wall_now(name) for name in zones}, wall_now())


def zone_case_sql(zone_column: str, by_zone: dict[str, datetime], default: datetime) -> tuple[str, dict]:
    """A SQL expression picking by_zone[<the row's zone>] (default for a zone not listed), and its parameters."""
    params: dict = {"zone_default": default}
    cases = []
    for i, (name, moment) in enumerate(sorted(by_zone.items())):
        params[f"zone{i}"], params[f"zone_at{i}"] = name, moment
        cases.append(f"WHEN %(zone{i})s THEN %(zone_at{i})s")
    if not cases:  # no city yet: CASE needs a WHEN
        return "CAST(%(zone_default)s AS DATETIME(6))", params
    return f"CAST(CASE {zone_column} {' '.join(cases)} ELSE %(zone_default)s END AS DATETIME(6))", params


def last_travel_date() -> date:
    return today_in() + timedelta(days=BOOKING_HORIZON_DAYS)


def last_admin_date() -> date:
    return today_in() + timedelta(days=ADMIN_DAYS_AHEAD)


def _travel_date(value: date) -> date:
    if value < today_in():
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
