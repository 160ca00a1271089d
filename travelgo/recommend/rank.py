"""Ranking: one pure function from a traveller's history, the co-booking pairs and popularity to a ranked list."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Literal

Reason = Literal["also_booked", "near_arrival", "popular_from_city", "popular"]


@dataclass(frozen=True)
class Suggestion:
    item: str  # 'route:<origin>-<destination>' or 'hotel:<id>'
    score: float  # strength within its reason: summed co-booking cosine, or bookings for popularity
    reason: Reason
    because: str | int | None = None  # the booked item behind also_booked; the city id behind the others


def route_key(origin_id: int, destination_id: int) -> str:
    return f"route:{origin_id}-{destination_id}"


def hotel_key(hotel_id: int) -> str:
    return f"hotel:{hotel_id}"


def parse(item: str) -> tuple[str, tuple[int, ...]]:
    """'route:3-7' → ('route', (3, 7)); 'hotel:5' → ('hotel', (5,))."""
    kind, _, rest = item.partition(":")
    return kind, tuple(int(part) for part in rest.split("-"))


def home_city(history: list[str]) -> int | None:
    """The city a traveller most often leaves from (ties: the most recent); None without a bus booking."""
    origins = [parse(item)[1][0] for item in history if item.startswith("route:")]
    if not origins:
        return None
    counts = Counter(origins)
    best = max(counts.values())
    return next(city for city in origins if counts[city] == best)


def rank(
    history: list[str],
    pairs: dict[str, list[tuple[str, float]]],
    popular_in_city: list[tuple[str, float]],
    popular: list[tuple[str, float]],
    *,
    city_id: int | None = None,
    arrival_city_id: int | None = None,
    hotels_at_arrival: list[tuple[str, float]] = (),
    limit: int = 10,
    exclude_booked: bool = True,
    max_near_arrival: int = 2,
) -> list[Suggestion]:
    """Suggestions for one traveller, best first, each item once.

    history: the traveller's booked items, newest first (empty for a new traveller). Tiers, in order: up to
    `max_near_arrival` hotels in the arrival city of an upcoming bus trip; items co-booked with the history (score:
    the sum over the history of each pair's cosine, the reason naming the booked item that contributed most);
    then popularity, of the traveller's city first (`popular_in_city`, `city_id`) and then overall (`popular`).
    With exclude_booked, nothing already in the history is suggested."""
    booked = set(history) if exclude_booked else set()
    chosen: dict[str, Suggestion] = {}

    def add(suggestion: Suggestion) -> None:
        if len(chosen) < limit and suggestion.item not in booked and suggestion.item not in chosen:
            chosen[suggestion.item] = suggestion

    if arrival_city_id is not None:
        for item, score in list(hotels_at_arrival)[:max_near_arrival]:
            add(Suggestion(item, score, "near_arrival", arrival_city_id))

    totals: dict[str, float] = {}
    strongest: dict[str, tuple[float, str]] = {}
    for source in dict.fromkeys(history):  # each booked item counts once, however often it was booked
        for item, score in pairs.get(source, ()):
            totals[item] = totals.get(item, 0.0) + score
            if item not in strongest or score > strongest[item][0]:
                strongest[item] = (score, source)
    for item, total in sorted(totals.items(), key=lambda kv: (-kv[1], kv[0])):
        add(Suggestion(item, round(total, 4), "also_booked", strongest[item][1]))

    for item, score in popular_in_city if city_id is not None else ():
        add(Suggestion(item, score, "popular_from_city", city_id))
    for item, score in popular:
        add(Suggestion(item, score, "popular"))
    return list(chosen.values())
