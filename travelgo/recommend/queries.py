"""SQL for recommendations. An item is a key: 'route:<origin_id>-<destination_id>' or 'hotel:<hotel_id>'."""

from __future__ import annotations

from .. import db

# Each traveller's distinct items from confirmed bookings (pending, expired and cancelled ones say nothing about
# what they chose), with when they last booked each.
USER_ITEMS = """
    SELECT b.user_id, CONCAT('route:', t.origin_id, '-', t.destination_id) AS item, t.origin_id AS city_id,
           COUNT(*) AS bookings, MAX(b.created_at) AS last_at
      FROM bookings b
      JOIN trips t ON t.id = b.trip_id
     WHERE b.status = 'confirmed'
       AND b.type = 'bus'
     GROUP BY b.user_id, t.origin_id, t.destination_id
     UNION ALL
    SELECT b.user_id, CONCAT('hotel:', h.id), h.city_id, COUNT(*), MAX(b.created_at)
      FROM bookings b
      JOIN room_types rt ON rt.id = b.room_type_id
      JOIN hotels h ON h.id = rt.hotel_id
     WHERE b.status = 'confirmed'
       AND b.type = 'hotel'
     GROUP BY b.user_id, h.id
"""


async def replace_travellers(cur) -> int:
    """Rebuild item_travellers (each traveller's items) from confirmed bookings: the one pass over the bookings."""
    await cur.execute("DELETE FROM item_travellers")
    await cur.execute(
        f"""
        INSERT INTO item_travellers (user_id, item, city_id, bookings, last_at, recency)
        SELECT ui.user_id, ui.item, ui.city_id, ui.bookings, ui.last_at,
               ROW_NUMBER() OVER (PARTITION BY ui.user_id ORDER BY ui.last_at DESC, ui.item)
          FROM ({USER_ITEMS}) ui
        """
    )
    return cur.rowcount


async def replace_popularity(cur) -> int:
    """Rebuild item_popularity from item_travellers: score = confirmed bookings, travellers = distinct travellers."""
    await cur.execute("DELETE FROM item_popularity")
    await cur.execute(
        """
        INSERT INTO item_popularity (item, city_id, travellers, score)
        SELECT it.item, MIN(it.city_id), COUNT(*), SUM(it.bookings)
          FROM item_travellers it
         GROUP BY it.item
        """
    )
    return cur.rowcount


async def replace_pairs(cur, recent_items: int, pairs_per_item: int) -> int:
    """Rebuild item_pairs from each traveller's `recent_items` most recently booked items (so one prolific traveller
    costs recent_items² rows, not all their history squared), keeping each item's `pairs_per_item` strongest pairs.
    Reads item_travellers and item_popularity: replace those first, in the same transaction."""
    await cur.execute("DELETE FROM item_pairs")
    await cur.execute(
        """
        INSERT INTO item_pairs (item_a, item_b, travellers, score)
        SELECT ranked.item_a, ranked.item_b, ranked.n, ranked.score
          FROM (SELECT co.item_a, co.item_b, co.n, co.n / SQRT(pa.travellers * pb.travellers) AS score,
                       ROW_NUMBER() OVER (PARTITION BY co.item_a
                                          ORDER BY co.n / SQRT(pa.travellers * pb.travellers) DESC, co.item_b) AS r
                  FROM (SELECT a.item AS item_a, b.item AS item_b, COUNT(*) AS n
                          FROM item_travellers a
                          JOIN item_travellers b
                            ON b.user_id = a.user_id
                           AND b.item <> a.item
                           AND b.recency <= %(recent)s
                         WHERE a.recency <= %(recent)s
                         GROUP BY a.item, b.item) co
                  JOIN item_popularity pa ON pa.item = co.item_a
                  JOIN item_popularity pb ON pb.item = co.item_b) ranked
         WHERE ranked.r <= %(keep)s
        """,
        {"recent": recent_items, "keep": pairs_per_item},
    )
    return cur.rowcount


async def select_refreshed_age(cur) -> float | None:
    """Seconds since the last refresh; None if there has been none (or no booking to learn from)."""
    await cur.execute(
        """
        SELECT TIMESTAMPDIFF(MICROSECOND, MAX(refreshed_at), CURRENT_TIMESTAMP(6)) / 1e6 AS age
          FROM item_popularity
        """
    )
    row = await cur.fetchone()
    return None if row is None or row["age"] is None else float(row["age"])


async def select_history(cur, user_id: int, limit: int = 50) -> list[dict]:
    """A traveller's confirmed bookings as items, newest first: item, arrival city of a bus trip, upcoming or not."""
    await cur.execute(
        """
        SELECT CASE b.type WHEN 'bus' THEN CONCAT('route:', t.origin_id, '-', t.destination_id)
                           ELSE CONCAT('hotel:', rt.hotel_id) END AS item,
               t.destination_id AS arrival_city_id,
               t.origin_id AS origin_city_id,
               b.starts_at > UTC_TIMESTAMP() AS upcoming,
               b.starts_at
          FROM bookings b
          LEFT JOIN trips t ON t.id = b.trip_id
          LEFT JOIN room_types rt ON rt.id = b.room_type_id
         WHERE b.user_id = %(user_id)s
           AND b.status = 'confirmed'
         ORDER BY b.created_at DESC, b.id DESC
         LIMIT %(limit)s
        """,
        {"user_id": user_id, "limit": limit},
    )
    return list(await cur.fetchall())


async def select_pairs(cur, items: list[str], limit_per_item: int = 20) -> dict[str, list[tuple[str, float]]]:
    """The strongest co-booked items of each of `items`."""
    if not items:
        return {}
    within, params = db.in_list("item", items)
    await cur.execute(
        f"""
        SELECT p.item_a, p.item_b, p.score
          FROM item_pairs p
         WHERE p.item_a IN ({within})
         ORDER BY p.item_a, p.score DESC, p.item_b
        """,
        params,
    )
    pairs: dict[str, list[tuple[str, float]]] = {}
    for row in await cur.fetchall():
        kept = pairs.setdefault(row["item_a"], [])
        if len(kept) < limit_per_item:
            kept.append((row["item_b"], float(row["score"])))
    return pairs


async def select_popular(cur, *, city_id: int | None = None, kind: str | None = None, limit: int = 20) -> list:
    """The most booked items (of one city: routes from it, hotels in it), best first, as (item, score)."""
    await cur.execute(
        """
        SELECT p.item, p.score
          FROM item_popularity p
         WHERE (%(city)s IS NULL OR p.city_id = %(city)s)
           AND (%(kind)s IS NULL OR p.item LIKE CONCAT(%(kind)s, ':%%'))
         ORDER BY p.score DESC, p.item
         LIMIT %(limit)s
        """,
        {"city": city_id, "kind": kind, "limit": limit},
    )
    return [(row["item"], float(row["score"])) for row in await cur.fetchall()]


async def select_titles(cur, city_ids: set[int], hotel_ids: set[int]) -> tuple[dict[int, str], dict[int, dict]]:
    """City names and hotels (name, city) for titling items."""
    cities: dict[int, str] = {}
    hotels: dict[int, dict] = {}
    if hotel_ids:
        within, params = db.in_list("id", sorted(hotel_ids))
        await cur.execute(f"SELECT h.id, h.name, h.city_id FROM hotels h WHERE h.id IN ({within})", params)
        hotels = {row["id"]: row for row in await cur.fetchall()}
        city_ids = city_ids | {h["city_id"] for h in hotels.values()}
    if city_ids:
        within, params = db.in_list("id", sorted(city_ids))
        await cur.execute(f"SELECT c.id, c.name FROM cities c WHERE c.id IN ({within})", params)
        cities = {row["id"]: row["name"] for row in await cur.fetchall()}
    return cities, hotels


async def select_best_hotels(cur, city_id: int, limit: int) -> list[tuple[str, float]]:
    """A city's best-rated hotels as (item, rating): for an arrival city nobody has booked a hotel in yet."""
    await cur.execute(
        """
        SELECT h.id, h.rating
          FROM hotels h
         WHERE h.city_id = %(city)s
         ORDER BY h.rating DESC, h.id
         LIMIT %(limit)s
        """,
        {"city": city_id, "limit": limit},
    )
    return [(f"hotel:{row['id']}", float(row["rating"])) for row in await cur.fetchall()]


async def set_work_memory(cur, size: int | None) -> None:
    """This session's in-memory temporary table limit; None puts back the server's default (pooled connection)."""
    if size is None:
        await cur.execute("SET SESSION tmp_table_size = DEFAULT, max_heap_table_size = DEFAULT")
    else:
        await cur.execute("SET SESSION tmp_table_size = %(size)s, max_heap_table_size = %(size)s", {"size": int(size)})


async def try_lock_refresh(cur) -> bool:
    """One refresh at a time across workers and hosts (a named lock held by this connection)."""
    await cur.execute("SELECT GET_LOCK('travelgo_recommend_refresh', 0) AS got")
    return (await cur.fetchone())["got"] == 1


async def unlock_refresh(cur) -> None:
    await cur.execute("SELECT RELEASE_LOCK('travelgo_recommend_refresh')")
