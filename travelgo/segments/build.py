"""Building trains and flights: coach and cabin layouts, routes with stops and fares, rakes (a train's coaches or an
aircraft's cabins, as one vehicle) and runs (a trip of a route on a date, with its legs). Used by the admin pages,
the seed and the tests, so a train is put together one way everywhere."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

# Indian Railways berth order within a bay: 8 berths (SL, 3A), 6 (2A), 4 (1A cabin).
BAYS = {
    "SL": ("lower", "middle", "upper", "lower", "middle", "upper", "side_lower", "side_upper"),
    "3A": ("lower", "middle", "upper", "lower", "middle", "upper", "side_lower", "side_upper"),
    "2A": ("lower", "upper", "lower", "upper", "side_lower", "side_upper"),
    "1A": ("lower", "upper", "lower", "upper"),
}
BAYS_PER_COACH = {"SL": 9, "3A": 8, "2A": 8, "1A": 6}
CHAIR_ROWS = {"CC": (15, ("window", "middle_seat", "aisle", "aisle", "window")), "EC": (14, ("window", "aisle") * 2)}
CABIN_ROWS = {  # first row, rows, seat letters and their kind
    "J": (1, 3, (("A", "window"), ("C", "aisle"), ("D", "aisle"), ("F", "window"))),
    "Y": (
        7,
        24,
        tuple(zip("ABCDEF", ("window", "middle_seat", "aisle", "aisle", "middle_seat", "window"), strict=True)),
    ),
}
TRAIN_CLASSES = ("SL", "3A", "2A", "1A", "CC", "EC")
FLIGHT_CLASSES = ("J", "Y")


@dataclass(frozen=True)
class Seat:
    label: str
    number: int
    berth: str
    row_no: int
    col_no: int


def coach_seats(code: str, class_code: str, size: int | None = None) -> list[Seat]:
    """The seats or berths of one coach or cabin. Train labels are "<coach>-<number>" ("B2-34"); flight labels
    "<row><letter>" ("12A"). `size` caps a coach's berths (small coaches for tests)."""
    seats: list[Seat] = []
    if class_code in BAYS:
        order = BAYS[class_code]
        for bay in range(BAYS_PER_COACH[class_code]):
            for i, berth in enumerate(order):
                number = bay * len(order) + i + 1
                seats.append(Seat(f"{code}-{number}", number, berth, bay + 1, i + 1))
    elif class_code in CHAIR_ROWS:
        rows, kinds = CHAIR_ROWS[class_code]
        for row in range(rows):
            for i, kind in enumerate(kinds):
                number = row * len(kinds) + i + 1
                seats.append(Seat(f"{code}-{number}", number, kind, row + 1, i + 1))
    else:
        first, rows, letters = CABIN_ROWS[class_code]
        for row in range(first, first + rows):
            for i, (letter, kind) in enumerate(letters):
                seats.append(Seat(f"{row}{letter}", row, kind, row, i + 1))
    return seats[:size] if size else seats


def fare_row(class_code: str, base_minor: int, per_km_minor: int, currency: str = "INR") -> dict[str, Any]:
    return {"class_code": class_code, "base_minor": base_minor, "per_km_minor": per_km_minor, "currency": currency}


async def insert_route(
    cur, *, mode: str, operator_id: int, code: str, name: str, stops: list[dict[str, Any]], fares: list[dict]
) -> int:
    """A route with its stops ({city_id, station, arrives_after, departs_after, distance_km, airport_id?}, in
    order) and fares per class."""
    await cur.execute(
        "INSERT INTO routes (mode, operator_id, code, name) VALUES (%(mode)s, %(op)s, %(code)s, %(name)s)",
        {"mode": mode, "op": operator_id, "code": code, "name": name},
    )
    route_id = cur.lastrowid
    await cur.executemany(
        """
        INSERT INTO route_stops (route_id, stop_no, city_id, airport_id, station, arrives_after, departs_after,
                                 distance_km)
        VALUES (%(route_id)s, %(stop_no)s, %(city_id)s, %(airport_id)s, %(station)s, %(arrives_after)s,
                %(departs_after)s, %(distance_km)s)
        """,
        [{"airport_id": None, **s, "route_id": route_id, "stop_no": i} for i, s in enumerate(stops)],
    )
    await cur.executemany(
        """
        INSERT INTO route_fares (route_id, class_code, base_minor, per_km_minor, currency)
        VALUES (%(route_id)s, %(class_code)s, %(base_minor)s, %(per_km_minor)s, %(currency)s)
        """,
        [{**f, "route_id": route_id} for f in fares],
    )
    return route_id


async def insert_rake(cur, *, operator_id: int, name: str, coaches: list[tuple[str, str]], size: int | None = None):
    """A train's coaches [(code, class)] or an aircraft's cabins, as one vehicle: (vehicle_id, seat count)."""
    layouts = [(code, class_code, coach_seats(code, class_code, size)) for code, class_code in coaches]
    total = sum(len(seats) for _, _, seats in layouts)
    sleeper = any(class_code in BAYS for _, class_code, _ in layouts)
    await cur.execute(
        """
        INSERT INTO vehicles (operator_id, name, is_ac, berth, layout, decks, rows_count, cols_count, seat_count)
        VALUES (%(op)s, %(name)s, 1, %(berth)s, %(layout)s, 1, %(rows)s, 8, %(seats)s)
        """,
        {
            "op": operator_id,
            "name": name,
            "berth": "sleeper" if sleeper else "seater",
            "layout": "rake",
            "rows": min(len(coaches), 255),
            "seats": total,
        },
    )
    vehicle_id = cur.lastrowid
    for position, (code, class_code, seats) in enumerate(layouts, start=1):
        await cur.execute(
            """
            INSERT INTO coaches (vehicle_id, code, class_code, position)
            VALUES (%(v)s, %(code)s, %(class_code)s, %(position)s)
            """,
            {"v": vehicle_id, "code": code, "class_code": class_code, "position": position},
        )
        coach_id = cur.lastrowid
        await cur.executemany(
            """
            INSERT INTO coach_seats (vehicle_id, coach_id, label, number, berth, row_no, col_no)
            VALUES (%(v)s, %(c)s, %(label)s, %(number)s, %(berth)s, %(row_no)s, %(col_no)s)
            """,
            [{"v": vehicle_id, "c": coach_id, **s.__dict__} for s in seats],
        )
    return vehicle_id, total


def run_times(departs_at: datetime, stops: list[dict[str, Any]]) -> tuple[datetime, int]:
    """(arrival at the last stop, minutes end to end) of a run leaving its first stop at departs_at."""
    minutes = stops[-1]["arrives_after"]
    return departs_at + timedelta(minutes=minutes), minutes


async def insert_run(
    cur,
    *,
    mode: str,
    route_id: int,
    operator_id: int,
    vehicle_id: int,
    seats: int,
    stops: list[dict[str, Any]],
    departs_at: datetime,
    currency: str = "INR",
    price_minor: int = 0,
) -> int:
    """A trip of a route leaving its first stop at departs_at, with a leg row per pair of consecutive stops.
    trips.price_minor (the bus fare column) holds the route's lowest full-length fare, for lists that show one."""
    arrives_at, minutes = run_times(departs_at, stops)
    await cur.execute(
        """
        INSERT INTO trips (mode, route_id, operator_id, vehicle_id, origin_id, destination_id, departs_at,
                           arrives_at, duration_minutes, price_minor, currency, seats_total, boarding_points,
                           dropping_points)
        VALUES (%(mode)s, %(route_id)s, %(op)s, %(v)s, %(origin)s, %(destination)s, %(departs_at)s, %(arrives_at)s,
                %(minutes)s, %(price)s, %(currency)s, %(seats)s, %(boarding)s, %(dropping)s)
        """,
        {
            "mode": mode,
            "route_id": route_id,
            "op": operator_id,
            "v": vehicle_id,
            "origin": stops[0]["city_id"],
            "destination": stops[-1]["city_id"],
            "departs_at": departs_at,
            "arrives_at": arrives_at,
            "minutes": minutes,
            "price": price_minor,
            "currency": currency,
            "seats": seats,
            "boarding": json.dumps([{"name": stops[0]["station"], "time": departs_at.strftime("%H:%M")}]),
            "dropping": json.dumps([{"name": stops[-1]["station"], "time": arrives_at.strftime("%H:%M")}]),
        },
    )
    trip_id = cur.lastrowid
    await cur.executemany(
        "INSERT INTO trip_legs (trip_id, leg_no, seats_total) VALUES (%(t)s, %(leg)s, %(seats)s)",
        [{"t": trip_id, "leg": leg, "seats": seats} for leg in range(len(stops) - 1)],
    )
    return trip_id
