"""City look-ups for pickers, type-ahead and the cities API."""

from __future__ import annotations

from .. import db, searchcache
from ..text import is_digits
from . import queries
from .resolver import CityIndex

CATALOG = ("places",)  # the search-cache tag of the city list


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
    """Cities matching q (exact names and aliases first, then prefixes), as a collection; every city without q."""
    answer = await current_catalog() if q and q.strip() else await catalog()
    everything = answer["index"].matching(q) if q and q.strip() else answer["cities"]
    rows, total = everything[offset : offset + limit], len(everything)
    return {"items": [city_out(r) for r in rows], "total": total, "limit": limit, "offset": offset}


async def catalog(refresh: bool = False) -> searchcache.Answer:
    """Every city ("cities", by name; "by_id") and the home page's popular destinations ("popular").

    Read once per worker and kept in the search cache: cities change through the admin pages, whose catalog
    event drops it on every worker (and a look-up of an id it lacks reads it again). Pages build their pickers'
    fallback list from it once (.made)."""
    cache = searchcache.current()
    if refresh:
        cache.invalidate([CATALOG])
    return await cache.get_or_compute(("places",), [CATALOG], _load_catalog)


async def _load_catalog() -> searchcache.Answer:
    async with db.reading(replica=True) as cur:
        cities = await queries.select_all_cities(cur)
        aliases = await queries.select_city_aliases(cur)
        popular = await queries.select_popular_cities(cur)
    return searchcache.Answer(
        cities=cities,
        by_id={c["id"]: c for c in cities},
        popular=popular,
        index=CityIndex.build(cities, aliases),
    )


async def current_catalog() -> searchcache.Answer:
    """The catalog, read again when the cities table has other rows than it (one small query): what people type
    is matched against every city, as the name look-up in SQL did before the catalog was cached."""
    answer = await catalog()
    async with db.reading(replica=True) as cur:
        count, top = await queries.select_cities_version(cur)
    if (count, top) != (len(answer["cities"]), max(answer["by_id"], default=0)):
        answer = await catalog(refresh=True)
    return answer


async def cities_by_ids(ids: list[int]) -> dict[int, dict]:
    """id -> city for the given ids (unknown ids are simply missing)."""
    by_id = (await catalog())["by_id"]
    if any(i not in by_id for i in ids):  # a city added since (say, by a reseed): read the list again
        by_id = (await catalog(refresh=True))["by_id"]
    return {i: by_id[i] for i in ids if i in by_id}


async def zones(city_ids: list[int] | None = None) -> list[str]:
    """The time zones of these cities (every city's when None), from the catalog."""
    if city_ids is None:
        return sorted({c["timezone"] for c in (await catalog())["cities"]})
    return sorted({c["timezone"] for c in (await cities_by_ids(city_ids)).values()})


async def resolve_city(value: str | int | None) -> tuple[int | None, str | None]:
    """A picker value (an id, or a city name typed with JavaScript off) -> (city id, error message)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, None
    text = str(value).strip()
    if is_digits(text):
        found = await cities_by_ids([int(text)])
        return (int(text), None) if found else (None, "We don't know that city. Pick one from the list.")
    resolution = (await catalog())["index"].resolve(text[:100])
    if resolution.city is None:  # a city added behind the cache's back (a script, a test) is found all the same
        resolution = (await current_catalog())["index"].resolve(text[:100])
    return (resolution.city["id"], None) if resolution.city else (None, resolution.error)
