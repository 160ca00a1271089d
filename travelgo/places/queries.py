"""SQL for cities."""

from __future__ import annotations

from .. import db


def _like_prefix(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


async def select_cities_matching(cur, q: str, limit: int, offset: int) -> tuple[list[dict], int]:
    """Cities whose name starts with q first (index range on the name), then names containing q."""
    params = {"prefix": _like_prefix(q), "inner": "%" + _like_prefix(q), "limit": limit, "offset": offset}
    await cur.execute(
        """
        SELECT c.id, c.name, c.region, c.country, c.latitude, c.longitude,
               COUNT(*) OVER () AS total_count
          FROM cities c
         WHERE c.name LIKE %(inner)s OR c.region LIKE %(prefix)s
         ORDER BY (c.name LIKE %(prefix)s) DESC, c.name
         LIMIT %(limit)s OFFSET %(offset)s
        """,
        params,
    )
    rows = await cur.fetchall()
    return rows, (rows[0]["total_count"] if rows else await _count(cur, params))


async def _count(cur, params: dict) -> int:
    await cur.execute(
        "SELECT COUNT(*) AS n FROM cities c WHERE c.name LIKE %(inner)s OR c.region LIKE %(prefix)s", params
    )
    return (await cur.fetchone())["n"]


async def select_all_cities(cur) -> list[dict]:
    await cur.execute(
        """
        SELECT c.id, c.name, c.region, c.country, c.latitude, c.longitude, c.timezone
          FROM cities c
         ORDER BY c.name
        """
    )
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


async def select_city_by_name(cur, name: str) -> dict | None:
    """Exact (case-insensitive, collation) name match; "Pune, Maharashtra" also matches Pune."""
    await cur.execute(
        """
        SELECT c.id, c.name, c.region, c.country
          FROM cities c
         WHERE c.name = %(name)s
         ORDER BY c.id
         LIMIT 1
        """,
        {"name": name.split(",")[0].strip()},
    )
    return await cur.fetchone()


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
