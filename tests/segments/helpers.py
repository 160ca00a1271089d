"""Trains and flights for tests: a route through n cities, one run of it, small coaches."""

from __future__ import annotations

from datetime import datetime, timedelta

from travelgo import db
from travelgo.dates import today_in
from travelgo.segments import build

from .. import factories


async def make_train(
    cur,
    *,
    stops: int = 5,
    coaches: list[tuple[str, str]] | None = None,
    size: int | None = None,
    departs_at: datetime | None = None,
    mode: str = "train",
    cities: list[dict] | None = None,
    code: str | None = None,
    operator: dict | None = None,
    name: str = "Test Express",
) -> dict:
    """A train (or flight: mode="flight", coaches [("J", "J"), ("Y", "Y")]) calling at `stops` new cities, two hours
    apart with 10 minutes' halts, 100 km between stops; fares 1A ₹500 + ₹3/km, others cheaper. A new operator unless
    `operator` is given."""
    cities = cities or [await factories.make_city(cur) for _ in range(stops)]
    operator = operator or await factories.make_operator(cur)
    coaches = coaches or [("A1", "1A")]
    stop_rows = []
    for i, city in enumerate(cities):
        stop_rows.append(
            {
                "city_id": city["id"],
                "station": f"{city['name']} Junction",
                "arrives_after": None if i == 0 else i * 130 - 10,
                "departs_after": None if i == len(cities) - 1 else i * 130,
                "distance_km": i * 100,
            }
        )
    classes = sorted({c for _, c in coaches})
    fares = [
        build.fare_row(c, 50_000 if c in ("1A", "J") else 20_000, 300 if c in ("1A", "J") else 100) for c in classes
    ]
    route_id = await build.insert_route(
        cur,
        mode=mode,
        operator_id=operator["id"],
        code=code or f"T{next(factories._seq)}",
        name=name,
        stops=stop_rows,
        fares=fares,
    )
    vehicle_id, seats = await build.insert_rake(
        cur, operator_id=operator["id"], name="Test rake", coaches=coaches, size=size
    )
    departs_at = departs_at or datetime.combine(today_in() + timedelta(days=3), datetime.min.time()).replace(hour=9)
    trip_id = await build.insert_run(
        cur,
        mode=mode,
        route_id=route_id,
        operator_id=operator["id"],
        vehicle_id=vehicle_id,
        seats=seats,
        stops=stop_rows,
        departs_at=departs_at,
    )
    return {
        "id": trip_id,
        "route_id": route_id,
        "cities": cities,
        "seats": seats,
        "departs_at": departs_at,
        "vehicle_id": vehicle_id,
    }


async def train(**kw) -> dict:
    async with db.transaction() as cur:
        return await make_train(cur, **kw)


def segment_body(trip: dict, a: int, b: int, seats: list[str], mode: str = "train") -> dict:
    """A booking body from stop a to stop b (indices into the trip's cities)."""
    return {
        "type": mode,
        "trip_id": trip["id"],
        "origin": trip["cities"][a]["id"],
        "destination": trip["cities"][b]["id"],
        "seats": seats,
        "passengers": [{"name": f"Passenger {i + 1}", "age": 30 + i} for i in range(len(seats))],
    }
