"""SQL for hotel search and hotel pages. Availability for a stay is one grouped query over
room_inventory's primary key (room_type_id, night): rooms left = the minimum over the nights
(a stop-sell night counts as 0; a night with no inventory row makes the room type unavailable)."""

from __future__ import annotations

from datetime import date

ORDER_BY = {
    "price": "x.price_from_minor IS NULL, x.price_from_minor, x.rating DESC, x.id",
    "rating": "x.price_from_minor IS NULL, x.rating DESC, x.price_from_minor, x.id",
    "stars": "x.price_from_minor IS NULL, x.stars DESC, x.rating DESC, x.id",
    "distance": "x.price_from_minor IS NULL, x.distance_km, x.id",
}
# The nights of the stay as rows, so room_inventory is reached by its full primary key (room_type_id, night):
# a range on night after a join on room_type_id reads every night the room type has on sale (about 120 rows
# per room type on the large seed) instead of the stay's few. MariaDB 10.2+ and MySQL 8 both have WITH RECURSIVE.
STAY_NIGHTS = """
        WITH RECURSIVE stay_nights (night) AS (
            SELECT CAST(%(check_in)s AS DATE)
            UNION ALL
            SELECT night + INTERVAL 1 DAY FROM stay_nights WHERE night + INTERVAL 1 DAY < %(check_out)s)"""
# Per room type over the stay: rooms left (0 unless every night has a sellable row) and the stay price.
# Needs STAY_NIGHTS in front of the statement.
ROOM_TYPE_AVAILABILITY = """
        SELECT rt.id AS room_type_id, rt.hotel_id, rt.currency, rh.stars, rh.rating, rh.distance_km,
               IF(COUNT(*) = %(nights)s,
                  MIN(IF(ri.stop_sell, 0, ri.rooms_total - ri.rooms_booked)), 0) AS rooms_left,
               SUM(ri.price_minor) AS stay_minor
          FROM room_types rt
          JOIN hotels rh ON rh.id = rt.hotel_id
          JOIN stay_nights n
          JOIN room_inventory ri ON ri.room_type_id = rt.id AND ri.night = n.night
         WHERE {hotel_filter}
           AND rt.max_guests * %(rooms)s >= %(guests)s
         GROUP BY rt.id, rt.hotel_id, rt.currency, rh.stars, rh.rating, rh.distance_km"""


def hotel_search_sql(
    *,
    city: int | None,
    min_stars: int | None,
    min_rating: float | None,
    max_distance: float | None,
    amenities: list[str],
    min_price: int | None,
    max_price: int | None,
    show_sold_out: bool,
    sort: str,
) -> tuple[str, dict]:
    """The search statement and its filter parameters (caller adds check_in, check_out, nights, rooms,
    guests, limit, offset). Only fixed fragments are joined; values are named parameters."""
    params: dict = {}
    hotel_where = ["1 = 1"]
    if city is not None:
        hotel_where.append("{h}.city_id = %(city)s")
        params["city"] = city
    if min_stars is not None:
        hotel_where.append("{h}.stars >= %(min_stars)s")
        params["min_stars"] = min_stars
    if min_rating is not None:
        hotel_where.append("{h}.rating >= %(min_rating)s")
        params["min_rating"] = min_rating
    if max_distance is not None:
        hotel_where.append("{h}.distance_km <= %(max_distance)s")
        params["max_distance"] = max_distance
    for i, amenity in enumerate(amenities):
        params[f"am{i}"] = amenity
        hotel_where.append(f"FIND_IN_SET(%(am{i})s, {{h}}.amenities) > 0")
    # The same hotel filter inside the derived table keeps its work to the matching hotels' room types.
    inner = ROOM_TYPE_AVAILABILITY.format(hotel_filter=" AND ".join(w.format(h="rh") for w in hotel_where))
    having = []
    if min_price is not None:
        having.append("x.price_from_minor >= %(min_price)s")
        params["min_price"] = min_price
    if max_price is not None:
        having.append("x.price_from_minor <= %(max_price)s")
        params["max_price"] = max_price
    price_condition = " AND ".join(having) if having else "1 = 1"
    if show_sold_out:
        having_sql = f"(x.price_from_minor IS NULL OR ({price_condition}))"
    else:
        having_sql = f"x.price_from_minor IS NOT NULL AND {price_condition}"
    # Group, filter, count, sort and page on narrow rows (the hotel id and its sort keys), then join the page's
    # hotels and city for display: wide GROUP BY rows (names, addresses, amenities) made every temporary table
    # of the search several times larger.
    sql = f"""{STAY_NIGHTS}
        SELECT h.id, h.name, h.stars, h.rating, h.review_count, h.area, h.distance_km, h.amenities, h.address, h.city_id,
               c.name AS city_name, x.currency, x.price_from_minor, x.stay_from_minor, x.rooms_left, x.total_count
          FROM (SELECT x.*, COUNT(*) OVER () AS total_count
                  FROM (SELECT a.hotel_id AS id, MIN(a.stars) AS stars, MIN(a.rating) AS rating,
                               MIN(a.distance_km) AS distance_km, MIN(a.currency) AS currency,
                               MIN(IF(a.rooms_left >= %(rooms)s, a.stay_minor DIV %(nights)s, NULL)) AS price_from_minor,
                               MIN(IF(a.rooms_left >= %(rooms)s, a.stay_minor, NULL)) AS stay_from_minor,
                               SUM(IF(a.rooms_left >= %(rooms)s, a.rooms_left, 0)) AS rooms_left
                          FROM ({inner}) a
                         GROUP BY a.hotel_id) x
                 WHERE {having_sql}
                 ORDER BY {ORDER_BY[sort]}
                 LIMIT %(limit)s OFFSET %(offset)s) x
          JOIN hotels h ON h.id = x.id
          JOIN cities c ON c.id = h.city_id
         ORDER BY {ORDER_BY[sort]}
        """
    return sql, params


async def select_hotels(
    cur,
    filters: dict,
    *,
    check_in: date,
    check_out: date,
    nights: int,
    rooms: int,
    guests: int,
    limit: int,
    offset: int,
) -> tuple[list[dict], int | None]:
    """One page of hotels with their cheapest available price for the stay, and the total (None when
    the page is past the end and the total is unknown from the page itself)."""
    sql, params = hotel_search_sql(**filters)
    params.update(
        check_in=check_in, check_out=check_out, nights=nights, rooms=rooms, guests=guests, limit=limit, offset=offset
    )
    await cur.execute(sql, params)
    rows = await cur.fetchall()
    if rows or offset == 0:
        return rows, rows[0]["total_count"] if rows else 0
    params.update(limit=1, offset=0)  # paged past the end: count from the first page
    await cur.execute(sql, params)
    first = await cur.fetchone()
    return [], first["total_count"] if first else 0


async def select_hotel(cur, hotel_id: int) -> dict | None:
    await cur.execute(
        """
        SELECT h.id, h.name, h.description, h.address, h.area, h.stars, h.rating, h.review_count, h.amenities, h.latitude,
               h.longitude, h.distance_km, h.city_id, c.name AS city_name, c.timezone
          FROM hotels h
          JOIN cities c ON c.id = h.city_id
         WHERE h.id = %(hotel_id)s
        """,
        {"hotel_id": hotel_id},
    )
    return await cur.fetchone()


async def select_room_types_for_stay(
    cur, hotel_id: int, check_in: date, check_out: date, nights: int, today: date | None = None
) -> list[dict]:
    """Every room type of a hotel with rooms left and price over the stay (one grouped query), and whether it has
    any room on sale from `today` (default check_in) on at all (`on_sale`: a room type without inventory is not
    offered to travellers)."""
    await cur.execute(
        STAY_NIGHTS
        + """
        SELECT rt.id, rt.name, rt.max_guests, rt.beds, rt.base_price_minor, rt.currency,
               EXISTS(SELECT 1
                        FROM room_inventory oi
                       WHERE oi.room_type_id = rt.id
                         AND oi.night >= %(today)s
                         AND oi.rooms_total > 0) AS on_sale,
               COUNT(ri.night) AS nights_on_sale,
               IF(COUNT(ri.night) = %(nights)s,
                  MIN(IF(ri.stop_sell, 0, ri.rooms_total - ri.rooms_booked)), 0) AS rooms_left,
               SUM(ri.price_minor) AS stay_minor
          FROM room_types rt
          JOIN stay_nights n
          LEFT JOIN room_inventory ri ON ri.room_type_id = rt.id AND ri.night = n.night
         WHERE rt.hotel_id = %(hotel_id)s
         GROUP BY rt.id, rt.name, rt.max_guests, rt.beds, rt.base_price_minor, rt.currency
         ORDER BY rt.base_price_minor, rt.id
        """,
        {
            "hotel_id": hotel_id,
            "check_in": check_in,
            "check_out": check_out,
            "nights": nights,
            "today": today or check_in,
        },
    )
    return await cur.fetchall()


async def select_hotel_calendar(cur, hotel_id: int, start: date, end: date) -> list[dict]:
    """Rooms left and price per room type per night in [start, end)."""
    await cur.execute(
        """
        SELECT ri.room_type_id, ri.night, ri.price_minor,
               IF(ri.stop_sell, 0, ri.rooms_total - ri.rooms_booked) AS rooms_left
          FROM room_types rt
          JOIN room_inventory ri ON ri.room_type_id = rt.id
         WHERE rt.hotel_id = %(hotel_id)s
           AND ri.night >= %(start)s AND ri.night < %(end)s
         ORDER BY ri.room_type_id, ri.night
        """,
        {"hotel_id": hotel_id, "start": start, "end": end},
    )
    return await cur.fetchall()
