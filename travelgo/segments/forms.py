"""Validated inputs: the cross-mode search and a train's or flight's segment (pages and API), and the management
forms for routes (admin /admin/routes, partners /partner/routes: travelgo/segments/manage.py).

The route forms take a route's stops and coaches as short text, one per line, so a whole train is one form:
    stops:   "Mumbai | | 0 | 0" then "Pune | 190 | 195 | 192" ... (city, arrives and departs in minutes after the
             first departure, blank at the ends, km from the first stop)
    coaches: "S1 SL, S2 SL, B1 3A, A1 2A"  (flights: "J J, Y Y")
    fares:   "SL 40 0.45" per line (class, base in rupees, rupees per km)
"""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal, InvalidOperation
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from ..dates import BOOKING_HORIZON_DAYS, TravelDate
from ..querystring import QueryModel, split_list
from ..rules import MAX_SEATS
from . import build

Mode = Literal["bus", "train", "flight"]


class TripSearch(QueryModel):
    """GET /api/v1/trips, /trains, /flights, /travel: every mode in one list. Prices in minor units (paise)."""

    model_config = ConfigDict(extra="ignore")

    origin: int = Field(ge=1, description="origin city id (any stop of a train's route)")
    destination: int = Field(ge=1, description="destination city id (a later stop on the same route)")
    date: TravelDate | None = Field(
        None, description=f"travel date at the origin, YYYY-MM-DD (default today, at most {BOOKING_HORIZON_DAYS} days)"
    )
    passengers: int = Field(1, ge=1, le=MAX_SEATS, description="seats needed, 1-6")
    modes: list[Mode] = Field(default_factory=list, description="comma-separated: bus, train, flight (default all)")
    sort: Literal["departure", "price", "duration"] = "departure"

    @field_validator("modes", mode="before")
    @classmethod
    def _lists(cls, value):
        return split_list(value)

    @field_validator("destination")
    @classmethod
    def _not_origin(cls, value: int, info: ValidationInfo) -> int:
        if value == info.data.get("origin"):
            raise ValueError("Destination must differ from origin")
        return value


class SegmentView(QueryModel):
    """GET /api/v1/trips/{id}: the segment to show (city ids of two stops; default the whole route)."""

    model_config = ConfigDict(extra="ignore")

    origin: int | None = Field(None, ge=1, description="boarding city id (default the first stop)")
    destination: int | None = Field(None, ge=1, description="alighting city id (default the last stop)")


# --- route management ---------------------------------------------------------------------------------------

CLASSES = build.TRAIN_CLASSES + build.FLIGHT_CLASSES
MAX_RUN_DAYS = 120


def parse_stops(text: str) -> list[tuple[str, int | None, int | None, int]]:
    """[(city name, arrives, departs, km)] in route order (ValueError says what is wrong, line by line)."""
    stops = []
    for n, line in enumerate(filter(None, (raw.strip() for raw in text.splitlines())), start=1):
        parts = [p.strip() for p in line.split("|")]
        if len(parts) != 4 or not parts[0]:
            raise ValueError(f"Line {n}: write city | arrives | departs | km")
        try:
            arrives, departs = (int(p) if p else None for p in parts[1:3])
            km = int(parts[3] or 0)
        except ValueError:
            raise ValueError(f"Line {n}: minutes and km are whole numbers") from None
        stops.append((parts[0], arrives, departs, km))
    if not 2 <= len(stops) <= 20:
        raise ValueError("A route has 2 to 20 stops")
    if stops[0][2] is None or stops[-1][1] is None:
        raise ValueError("The first stop needs a departure and the last an arrival")
    moments = [m for _, a, d, _ in stops for m in (a, d) if m is not None]
    if moments != sorted(moments) or [s[3] for s in stops] != sorted(s[3] for s in stops):
        raise ValueError("Times and distances must grow along the route")
    for i, (_, arrives, departs, _) in enumerate(stops):
        if (i > 0 and arrives is None) or (i < len(stops) - 1 and departs is None):
            raise ValueError(f"Stop {i + 1} needs an arrival and a departure")
    return stops


def parse_coaches(text: str) -> list[tuple[str, str]]:
    """[(coach code, class)]."""
    coaches = []
    for item in filter(None, (p.strip() for p in text.replace("\n", ",").split(","))):
        parts = item.split()
        if len(parts) != 2 or parts[1] not in CLASSES or not parts[0].isalnum() or len(parts[0]) > 4:
            raise ValueError(f'"{item}": write a coach code and its class ({", ".join(CLASSES)})')
        coaches.append((parts[0], parts[1]))
    if not coaches or len({c for c, _ in coaches}) != len(coaches):
        raise ValueError("Give at least one coach or cabin, each code once")
    return coaches


def parse_fares(text: str) -> list[dict]:
    """route_fares rows (build.fare_row) from "class base per_km" lines in rupees."""
    fares = []
    for n, line in enumerate(filter(None, (raw.strip() for raw in text.splitlines())), start=1):
        parts = line.split()
        try:
            if len(parts) != 3 or parts[0] not in CLASSES:
                raise InvalidOperation
            base, per_km = Decimal(parts[1]), Decimal(parts[2])
        except InvalidOperation:
            raise ValueError(f"Line {n}: write class, base fare (₹) and fare per km (₹)") from None
        if base < 0 or per_km < 0 or base > 1_000_000 or per_km > 1000:
            raise ValueError(f"Line {n}: fares are from 0 to ₹10,00,000 and ₹1,000 per km")
        fares.append(build.fare_row(parts[0], int(base * 100), int(per_km * 100)))
    if not fares or len({f["class_code"] for f in fares}) != len(fares):
        raise ValueError("Give a fare for each class sold, once")
    return fares


class RouteForm(BaseModel):
    """A new train or flight: its operator, number and name, stops, coaches or cabins and fares (as text)."""

    model_config = ConfigDict(str_strip_whitespace=True)

    mode: Literal["train", "flight"]
    operator_id: int = Field(gt=0)
    code: str = Field(min_length=1, max_length=16)
    name: str = Field(min_length=1, max_length=120)
    stops: str = Field(min_length=1, max_length=4000)
    coaches: str = Field(min_length=1, max_length=2000)
    fares: str = Field(min_length=1, max_length=2000)

    _stops = field_validator("stops")(lambda v: (parse_stops(v), v)[1])
    _coaches = field_validator("coaches")(lambda v: (parse_coaches(v), v)[1])

    @field_validator("fares")
    @classmethod
    def _fares_cover_coaches(cls, value: str, info: ValidationInfo) -> str:
        fares = parse_fares(value)
        coaches = info.data.get("coaches")
        if coaches:
            missing = {c for _, c in parse_coaches(coaches)} - {f["class_code"] for f in fares}
            if missing:
                raise ValueError(f"No fare for class {', '.join(sorted(missing))}")
        return value


class RunsForm(BaseModel):
    """Run a route every day from `start` to `end`, leaving its first stop at `departs`."""

    start: date
    end: date
    departs: time

    @field_validator("end")
    @classmethod
    def _range(cls, value: date, info: ValidationInfo) -> date:
        start = info.data.get("start")
        if start is not None and not 0 <= (value - start).days < MAX_RUN_DAYS:
            raise ValueError(f"The last date is the first or up to {MAX_RUN_DAYS - 1} days after it")
        return value


class FareForm(BaseModel):
    """A route's fares, replacing the ones it has."""

    fares: str = Field(min_length=1, max_length=2000)

    _fares = field_validator("fares")(lambda v: (parse_fares(v), v)[1])
