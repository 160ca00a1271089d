"""SQL for cities."""

from __future__ import annotations

from .. import db


async def select_all_cities(cur) -> list[dict]:
    await cur.execute(
        """
        SELECT c.id, c.name, c.region, c.country, c.latitude, c.longitude, c.timezone
          FROM cities c
         ORDER BY c.name
        """
    )
    return await cur.fetchall()


async def select_cities_version(cur) -> tuple[int, int]:
    """(how many cities, the highest id): tells a cached catalog that cities were added or removed behind its back."""
    await cur.execute("SELECT COUNT(*) AS n, COALESCE(MAX(c.id), 0) AS top FROM cities c")
    row = await cur.fetchone()
    return int(row["n"]), int(row["top"])


async def select_city_aliases(cur) -> list[dict]:
    """Every alias (old name, spelling, region) with the current name of the city it means."""
    await cur.execute("SELECT a.alias, a.city_name, a.kind FROM city_aliases a ORDER BY a.alias")
    return await cur.fetchall()


async def select_cities_by_ids(cur, ids: list[int]) -> dict[int, dict]:
    if not ids:
        return {}
    within, params = db.in_list("c", ids)
    await cur.execute(
        f"""
        SELECT c.id, c.name, c.region, c.country
          FROM cities c
         WHERE c.id IN ({within})
        """,
        params,
    )
    return {row["id"]: row for row in await cur.fetchall()}


async def select_popular_cities(cur, limit: int = 8) -> list[dict]:
    """The cities with the most hotels (the home page's destinations)."""
    await cur.execute(
        """
        SELECT c.id, c.name, c.country, COUNT(h.id) AS hotels
          FROM cities c
          JOIN hotels h ON h.city_id = c.id
         GROUP BY c.id, c.name, c.country
         ORDER BY hotels DESC, c.name
         LIMIT %(limit)s
        """,
        {"limit": limit},
    )
    return await cur.fetchall()


async def select_city_zone(cur, city_id: int) -> str | None:
    """The city's time zone name (a plain read: zones are not part of any lock)."""
    await cur.execute("SELECT c.timezone FROM cities c WHERE c.id = %(id)s", {"id": city_id})
    row = await cur.fetchone()
    return row["timezone"] if row else None


async def select_zones(cur) -> list[str]:
    """Every time zone some city is in."""
    await cur.execute("SELECT DISTINCT c.timezone FROM cities c")
    return [row["timezone"] for row in await cur.fetchall()]
