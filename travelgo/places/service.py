"""City look-ups for pickers, type-ahead and the cities API."""

from __future__ import annotations

from .. import db
from . import queries


def city_out(row: dict) -> dict:
    return {
        "id": row["id"],
        "name": row["name"],
        "region": row["region"],
        "country": row["country"],
        "latitude": float(row["latitude"]),
        "longitude": float(row["longitude"]),
    }


async def list_cities(q: str | None, limit: int = 20, offset: int = 0) -> dict:
    """Cities matching q (prefix matches first), as a collection."""
    async with db.reading(replica=True) as cur:
        if q and q.strip():
            rows, total = await queries.select_cities_matching(cur, q.strip(), limit, offset)
        else:
            everything = await queries.select_all_cities(cur)
            rows, total = everything[offset : offset + limit], len(everything)
    return {"items": [city_out(r) for r in rows], "total": total, "limit": limit, "offset": offset}


async def all_cities() -> list[dict]:
    """Every city by name (for the no-JS <datalist> fallback)."""
    async with db.reading(replica=True) as cur:
        return await queries.select_all_cities(cur)


async def home_cities() -> tuple[list[dict], list[dict]]:
    """(popular destinations, every city for the pickers' fallback) on one connection."""
    async with db.reading(replica=True) as cur:
        return await queries.select_popular_cities(cur), await queries.select_all_cities(cur)


async def cities_by_ids(ids: list[int]) -> dict[int, dict]:
    """id -> city for the given ids (unknown ids are simply missing)."""
    async with db.reading(replica=True) as cur:
        return await queries.select_cities_by_ids(cur, [i for i in ids if i])


async def resolve_city(value: str | int | None) -> tuple[int | None, str | None]:
    """A picker value (an id, or a city name typed with JavaScript off) -> (city id, error message)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, None
    text = str(value).strip()
    if text.isdigit():
        found = await cities_by_ids([int(text)])
        return (int(text), None) if found else (None, "We don't know that city. Pick one from the list.")
    async with db.reading(replica=True) as cur:
        row = await queries.select_city_by_name(cur, text[:100])
    if row is None:
        return None, f"We don't know a city called “{text[:60]}”. Pick one from the list."
    return row["id"], None
