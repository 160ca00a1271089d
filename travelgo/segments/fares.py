"""What a train or flight seat costs (the one place: search, seat map and booking all call seat_price).

A seat costs its class's fare for the segment's distance (route_fares), then the pricing rules (travelgo/pricing) of
its run (trip rules) or of the two cities it is sold between (route rules), at the segment's occupancy (its busiest
leg), on the travel day at the boarding stop. Nothing is stored: the price is worked out when quoted and again under
the legs' locks when booked (segments.kind), so quote and charge agree unless a booking came between (then the
booking's expected_total_minor refuses it). Floors and ceilings belong to a bus trip's single price: not applied here.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from .. import dates
from ..pricing import queries as pricing_queries
from ..pricing import service as pricing
from ..pricing.engine import Context, Rule, price


def fare_minor(fare: dict[str, Any], distance_km: int) -> int:
    """A class's fare over a distance, in whole rupees (base + per km)."""
    raw = fare["base_minor"] + fare["per_km_minor"] * max(distance_km, 0)
    return (raw + 50) // 100 * 100


def seat_price(fare: dict[str, Any], distance_km: int, ctx: Context, rules: list[Rule]) -> int:
    """What one seat of a class costs on a segment: its fare for the distance, then the rules (segment_pricing)."""
    return price(fare_minor(fare, distance_km), ctx, rules).price_minor


def segment_context(departs_at: datetime, sold: int, capacity: int, zone: str) -> Context:
    """The rules' context for a segment leaving its boarding stop at departs_at (the run's wall clock, `zone`): seats
    sold on its busiest leg of the run's seats (trips.seats_total), the travel day and how many days ahead it is."""
    return pricing.trip_context(
        {"departs_at": departs_at, "seats_booked": sold, "seats_total": capacity}, dates.today_in(zone)
    )


async def segment_pricing(
    cur, trip: dict[str, Any], stops: list[dict], from_stop: int, to_stop: int, legs: list[dict]
) -> tuple[Context, list[Rule]]:
    """The context and rules that price seats on one segment of a run (trip: a select_trip row; legs: the segment's
    trip_legs rows)."""
    origin, destination = stops[from_stop]["city_id"], stops[to_stop]["city_id"]
    rows = await pricing_queries.select_segment_rules(cur, [trip["id"]], origin, destination)
    departs_at = stop_time(trip["departs_at"], stops[from_stop]["departs_after"])
    sold = max((leg["seats_booked"] for leg in legs), default=0)
    ctx = segment_context(departs_at, sold, trip["seats_total"], trip["timezone"])
    return ctx, pricing.segment_rules(rows, trip["id"], origin, destination)


def stop_time(departs_at: datetime, minutes: int | None) -> datetime | None:
    """A stop's wall-clock time from the trip's first departure and the stop's minutes after it."""
    return None if minutes is None else departs_at + timedelta(minutes=minutes)
