"""Recommendations: the refresh that rebuilds pairs and popularity, and the lists the pages and the API show."""

from __future__ import annotations

import logging
import time
from urllib.parse import urlencode

from .. import db
from ..dates import today_in
from . import queries
from .rank import Suggestion, home_city, hotel_key, parse, rank, route_key

log = logging.getLogger(__name__)

RECENT_ITEMS = 40  # each traveller's most recently booked items that feed the pairs
PAIRS_PER_ITEM = 50  # the strongest pairs kept for each item
MAX_ITEMS = 50  # the longest list offered (the API's total is at most this)
# In-memory temporary tables for the refresh's GROUP BY of pairs: at the server's default 16 MB they spill to disk
# and the refresh of the large seed takes twice as long. Only this connection, only while it refreshes.
WORK_MEMORY = 256 * 1024 * 1024


async def refresh(min_age: float = 0.0) -> dict | None:
    """Rebuild item_popularity and item_pairs from confirmed bookings in one transaction (readers see the old rows
    until it commits). Skipped (None) while another worker refreshes, or if the last refresh is under `min_age`
    seconds old (every worker runs the loop; one refresh per interval is enough)."""
    started = time.perf_counter()
    async with db.transaction() as cur:
        if not await queries.try_lock_refresh(cur):
            return None
        try:
            age = await queries.select_refreshed_age(cur)
            if min_age and age is not None and age < min_age:
                return None
            await queries.set_work_memory(cur, WORK_MEMORY)
            await queries.replace_travellers(cur)
            items = await queries.replace_popularity(cur)
            pairs = await queries.replace_pairs(cur, RECENT_ITEMS, PAIRS_PER_ITEM)
        finally:
            await queries.set_work_memory(cur, None)
            await queries.unlock_refresh(cur)
    seconds = time.perf_counter() - started
    log.info("recommendations refreshed: %d items, %d pairs in %.2f s", items, pairs, seconds)
    return {"items": items, "pairs": pairs, "seconds": seconds}


async def for_traveller(user_id: int | None, limit: int = MAX_ITEMS) -> list[dict]:
    """A traveller's suggestions (popularity alone for anonymous visitors and travellers with no booking yet)."""
    async with db.reading() as cur:
        rows = await queries.select_history(cur, user_id) if user_id is not None else []
        history = [row["item"] for row in rows]
        city_id = home_city(history)
        arrival = next((row["arrival_city_id"] for row in rows if row["upcoming"] and row["arrival_city_id"]), None)
        hotels_at_arrival: list[tuple[str, float]] = []
        if arrival is not None:
            hotels_at_arrival = await queries.select_popular(cur, city_id=arrival, kind="hotel", limit=4)
            hotels_at_arrival = hotels_at_arrival or await queries.select_best_hotels(cur, arrival, 4)
        pairs = await queries.select_pairs(cur, list(dict.fromkeys(history))[:20])
        in_city = await queries.select_popular(cur, city_id=city_id, limit=limit) if city_id else []
        popular = await queries.select_popular(cur, limit=limit + len(history))
        suggestions = rank(
            history,
            pairs,
            in_city,
            popular,
            city_id=city_id,
            arrival_city_id=arrival,
            hotels_at_arrival=hotels_at_arrival,
            limit=limit,
        )
        return await _described(cur, suggestions)


async def also_booked(item: str, limit: int = 4) -> list[dict]:
    """'Travellers who booked this also booked': the strongest pairs of one route or hotel."""
    async with db.reading() as cur:
        pairs = await queries.select_pairs(cur, [item], limit_per_item=limit)
        suggestions = [Suggestion(other, score, "also_booked", item) for other, score in pairs.get(item, [])]
        return await _described(cur, suggestions)


def trip_item(trip: dict) -> str:
    return route_key(trip["origin"]["id"], trip["destination"]["id"])


def hotel_item(hotel_id: int) -> str:
    return hotel_key(hotel_id)


async def _described(cur, suggestions: list[Suggestion]) -> list[dict]:
    """Titles, reasons in words and links for ranked suggestions (an item whose hotel or city is gone is left out)."""
    city_ids: set[int] = set()
    hotel_ids: set[int] = set()
    for s in suggestions:
        for item in (s.item, s.because if isinstance(s.because, str) else None):
            if item is None:
                continue
            kind, ids = parse(item)
            (city_ids.update(ids) if kind == "route" else hotel_ids.update(ids))
        if isinstance(s.because, int):
            city_ids.add(s.because)
    cities, hotels = await queries.select_titles(cur, city_ids, hotel_ids)

    def title(item: str) -> str | None:
        kind, ids = parse(item)
        if kind == "route":
            if ids[0] in cities and ids[1] in cities:
                return f"{cities[ids[0]]} → {cities[ids[1]]}"
            return None
        hotel = hotels.get(ids[0])
        return f"{hotel['name']}, {cities.get(hotel['city_id'], '')}".rstrip(", ") if hotel else None

    today = today_in().isoformat()
    described = []
    for s in suggestions:
        name = title(s.item)
        if name is None:
            continue
        kind, ids = parse(s.item)
        if s.reason == "also_booked":
            reason = f"Travellers who booked {title(s.because) or 'this'} also booked this"
        elif s.reason == "near_arrival":
            reason = f"Near your arrival in {cities.get(s.because, 'your destination')}"
        elif s.reason == "popular_from_city":
            reason = f"Popular {'from' if kind == 'route' else 'in'} {cities.get(s.because, 'your city')}"
        else:
            reason = "Popular on TravelGo"
        if kind == "route":
            url = "/buses?" + urlencode({"origin": ids[0], "destination": ids[1], "date": today})
            entry = {"kind": "route", "id": None, "origin_id": ids[0], "destination_id": ids[1]}
        else:
            url = f"/hotels/{ids[0]}"
            entry = {"kind": "hotel", "id": ids[0], "origin_id": None, "destination_id": None}
        described.append(
            {**entry, "title": name, "reason": reason, "reason_code": s.reason, "score": s.score, "url": url}
        )
    return described
