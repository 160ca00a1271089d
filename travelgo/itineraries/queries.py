"""SQL for itineraries, their items and checkouts. Cursor first; never commits."""

from __future__ import annotations

from typing import Any

from .. import db
from ..bookings.queries import EFFECTIVE_STATUS

Row = dict[str, Any]

ITINERARY_COLUMNS = "i.id, i.user_id, i.name, i.notes, i.created_at, i.updated_at"


async def insert_itinerary(cur, user_id: int, name: str, notes: str | None) -> int:
    await cur.execute(
        "INSERT INTO itineraries (user_id, name, notes) VALUES (%(user_id)s, %(name)s, %(notes)s)",
        {"user_id": user_id, "name": name, "notes": notes},
    )
    return cur.lastrowid


async def select_itinerary(cur, user_id: int, itinerary_id: int) -> Row | None:
    """The user's itinerary (None for another user's: an owner sees only their own)."""
    await cur.execute(
        f"SELECT {ITINERARY_COLUMNS} FROM itineraries i WHERE i.id = %(id)s AND i.user_id = %(user_id)s",
        {"id": itinerary_id, "user_id": user_id},
    )
    return await cur.fetchone()


async def lock_itinerary(cur, user_id: int, itinerary_id: int) -> Row | None:
    """The user's itinerary, locked: adding items (positions) and deleting queue here."""
    await cur.execute(
        f"SELECT {ITINERARY_COLUMNS} FROM itineraries i WHERE i.id = %(id)s AND i.user_id = %(user_id)s FOR UPDATE",
        {"id": itinerary_id, "user_id": user_id},
    )
    return await cur.fetchone()


async def select_itineraries(cur, user_id: int, limit: int, offset: int) -> list[Row]:
    """The user's itineraries, newest first, with their item count, first start and total."""
    await cur.execute(
        f"""
        SELECT {ITINERARY_COLUMNS}, COUNT(it.id) AS item_count, MIN(it.starts_at) AS starts_at,
               MAX(it.ends_at) AS ends_at
          FROM itineraries i
          LEFT JOIN itinerary_items it ON it.itinerary_id = i.id
         WHERE i.user_id = %(user_id)s
         GROUP BY i.id
         ORDER BY i.created_at DESC, i.id DESC
         LIMIT %(limit)s OFFSET %(offset)s
        """,
        {"user_id": user_id, "limit": limit, "offset": offset},
    )
    return list(await cur.fetchall())


async def select_itinerary_count(cur, user_id: int) -> int:
    await cur.execute("SELECT COUNT(*) AS n FROM itineraries WHERE user_id = %(user_id)s", {"user_id": user_id})
    return (await cur.fetchone())["n"]


async def update_itinerary(cur, itinerary_id: int, name: str, notes: str | None) -> None:
    await cur.execute(
        """
        UPDATE itineraries
           SET name = %(name)s, notes = %(notes)s, updated_at = UTC_TIMESTAMP(6)
         WHERE id = %(id)s
        """,
        {"id": itinerary_id, "name": name, "notes": notes},
    )


async def delete_itinerary(cur, itinerary_id: int) -> None:
    await cur.execute("DELETE FROM itineraries WHERE id = %(id)s", {"id": itinerary_id})


ITEM_COLUMNS = f"""it.id, it.itinerary_id, it.position, it.type, it.body, it.title, it.starts_at, it.ends_at,
               it.start_zone, it.end_zone, it.from_city_id, it.to_city_id, fc.name AS from_city, tc.name AS to_city,
               it.location, it.total_minor, it.currency, it.booking_id, it.created_at,
               b.reference, {EFFECTIVE_STATUS} AS booking_status, b.total_minor AS booking_total_minor,
               b.refund_minor, b.expires_at, b.itinerary_checkout_id"""
ITEM_JOINS = """LEFT JOIN bookings b ON b.id = it.booking_id
          LEFT JOIN cities fc ON fc.id = it.from_city_id
          LEFT JOIN cities tc ON tc.id = it.to_city_id"""


async def select_items(cur, itinerary_id: int) -> list[Row]:
    """An itinerary's items in time order (then the order they were added), with their booking's state."""
    await cur.execute(
        f"""
        SELECT {ITEM_COLUMNS}
          FROM itinerary_items it
          {ITEM_JOINS}
         WHERE it.itinerary_id = %(id)s
         ORDER BY it.starts_at, it.position
        """,
        {"id": itinerary_id},
    )
    return list(await cur.fetchall())


async def select_item(cur, itinerary_id: int, item_id: int) -> Row | None:
    await cur.execute(
        f"""
        SELECT {ITEM_COLUMNS}
          FROM itinerary_items it
          {ITEM_JOINS}
         WHERE it.itinerary_id = %(itinerary_id)s
           AND it.id = %(id)s
        """,
        {"itinerary_id": itinerary_id, "id": item_id},
    )
    return await cur.fetchone()


async def select_next_position(cur, itinerary_id: int) -> int:
    await cur.execute(
        "SELECT COALESCE(MAX(position), 0) + 1 AS n FROM itinerary_items WHERE itinerary_id = %(id)s",
        {"id": itinerary_id},
    )
    return (await cur.fetchone())["n"]


async def insert_item(cur, values: Row) -> int:
    await cur.execute(
        """
        INSERT INTO itinerary_items (itinerary_id, position, type, body, title, starts_at, ends_at, start_zone,
                                     end_zone, from_city_id, to_city_id, location, total_minor, currency)
        VALUES (%(itinerary_id)s, %(position)s, %(type)s, %(body)s, %(title)s, %(starts_at)s, %(ends_at)s,
                %(start_zone)s, %(end_zone)s, %(from_city_id)s, %(to_city_id)s, %(location)s, %(total_minor)s,
                %(currency)s)
        """,
        values,
    )
    return cur.lastrowid


async def delete_item(cur, itinerary_id: int, item_id: int) -> bool:
    await cur.execute(
        "DELETE FROM itinerary_items WHERE itinerary_id = %(itinerary_id)s AND id = %(id)s",
        {"itinerary_id": itinerary_id, "id": item_id},
    )
    return cur.rowcount == 1


async def update_item_booking(cur, item_id: int, booking_id: int, previous: int | None) -> bool:
    """Point an item at the booking its checkout just made, if no other checkout did so first (False then)."""
    await cur.execute(
        """
        UPDATE itinerary_items
           SET booking_id = %(booking_id)s
         WHERE id = %(id)s
           AND booking_id <=> %(previous)s
        """,
        {"id": item_id, "booking_id": booking_id, "previous": previous},
    )
    return cur.rowcount == 1


async def insert_checkout(
    cur, itinerary_id: int, user_id: int, lead_booking_id: int, total_minor: int, currency: str
) -> int:
    await cur.execute(
        """
        INSERT INTO itinerary_checkouts (itinerary_id, user_id, lead_booking_id, total_minor, currency)
        VALUES (%(itinerary_id)s, %(user_id)s, %(lead)s, %(total)s, %(currency)s)
        """,
        {"itinerary_id": itinerary_id, "user_id": user_id, "lead": lead_booking_id, "total": total_minor,
         "currency": currency},
    )  # fmt: skip
    return cur.lastrowid


async def update_bookings_checkout(cur, booking_ids: list[int], checkout_id: int) -> None:
    placeholders, params = db.in_list("b", booking_ids)
    await cur.execute(
        f"UPDATE bookings SET itinerary_checkout_id = %(checkout)s WHERE id IN ({placeholders})",
        {**params, "checkout": checkout_id},
    )


async def select_checkout(cur, checkout_id: int) -> Row | None:
    await cur.execute(
        """
        SELECT c.id, c.itinerary_id, c.user_id, c.lead_booking_id, c.total_minor, c.currency, c.created_at,
               b.reference AS lead_reference
          FROM itinerary_checkouts c
          JOIN bookings b ON b.id = c.lead_booking_id
         WHERE c.id = %(id)s
        """,
        {"id": checkout_id},
    )
    return await cur.fetchone()


async def select_latest_checkout(cur, itinerary_id: int) -> Row | None:
    await cur.execute(
        """
        SELECT c.id, c.itinerary_id, c.user_id, c.lead_booking_id, c.total_minor, c.currency, c.created_at,
               b.reference AS lead_reference
          FROM itinerary_checkouts c
          JOIN bookings b ON b.id = c.lead_booking_id
         WHERE c.itinerary_id = %(id)s
         ORDER BY c.id DESC
         LIMIT 1
        """,
        {"id": itinerary_id},
    )
    return await cur.fetchone()


async def select_checkout_bookings(cur, checkout_id: int) -> list[int]:
    await cur.execute(
        "SELECT id FROM bookings WHERE itinerary_checkout_id = %(id)s ORDER BY id",
        {"id": checkout_id},
    )
    return [row["id"] for row in await cur.fetchall()]


async def select_item_cities(cur, booking_id: int) -> tuple[int | None, int | None]:
    """(from, to) city of a booking: the booked stops of a train or flight (not the route's ends), a bus trip's ends,
    or (city, city) of a hotel or restaurant."""
    await cur.execute(
        """
        SELECT COALESCE(so.city_id, t.origin_id, h.city_id, rs.city_id) AS a,
               COALESCE(sd.city_id, t.destination_id, h.city_id, rs.city_id) AS b
          FROM bookings b
          LEFT JOIN trips t ON t.id = b.trip_id
          LEFT JOIN (SELECT MIN(from_stop) AS from_stop, MAX(to_stop) AS to_stop
                       FROM booking_segment_seats WHERE booking_id = %(id)s) ss ON TRUE
          LEFT JOIN route_stops so ON so.route_id = t.route_id AND so.stop_no = ss.from_stop
          LEFT JOIN route_stops sd ON sd.route_id = t.route_id AND sd.stop_no = ss.to_stop
          LEFT JOIN room_types rt ON rt.id = b.room_type_id
          LEFT JOIN hotels h ON h.id = rt.hotel_id
          LEFT JOIN restaurants rs ON rs.id = b.restaurant_id
         WHERE b.id = %(id)s
        """,
        {"id": booking_id},
    )
    row = await cur.fetchone()
    return (row["a"], row["b"]) if row else (None, None)


async def select_trip_alternatives(cur, trip_id: int, seats: int, limit: int = 3) -> list[Row]:
    """Other scheduled trips on the same route, the same local day, with at least `seats` seats for sale."""
    await cur.execute(
        """
        SELECT t.id, t.departs_at, t.arrives_at, t.price_minor, t.currency, t.seats_total - t.seats_booked AS seats_left,
               o.name AS origin, d.name AS destination, o.timezone, d.timezone AS end_timezone
          FROM trips x
          JOIN trips t ON t.origin_id = x.origin_id AND t.destination_id = x.destination_id
                      AND t.departs_at >= DATE(x.departs_at) AND t.departs_at < DATE(x.departs_at) + INTERVAL 1 DAY
          JOIN cities o ON o.id = t.origin_id
          JOIN cities d ON d.id = t.destination_id
         WHERE x.id = %(id)s
           AND t.id <> x.id
           AND t.status = 'scheduled'
           AND t.seats_total - t.seats_booked >= %(seats)s
         ORDER BY t.departs_at
         LIMIT %(limit)s
        """,
        {"id": trip_id, "seats": seats, "limit": limit},
    )
    return list(await cur.fetchall())


async def select_hotel_alternatives(cur, city_id: int, check_in, check_out, rooms: int, limit: int = 3) -> list[Row]:
    """Room types in a city with `rooms` rooms for sale every night of a stay, cheapest first."""
    nights = (check_out - check_in).days
    await cur.execute(
        """
        SELECT rt.id AS room_type_id, rt.name AS room_type, rt.currency, h.id AS hotel_id, h.name AS hotel, h.stars,
               SUM(ri.price_minor) * %(rooms)s AS total_minor, MIN(ri.rooms_total - ri.rooms_booked) AS rooms_left
          FROM hotels h
          JOIN room_types rt ON rt.hotel_id = h.id
          JOIN room_inventory ri ON ri.room_type_id = rt.id
         WHERE h.city_id = %(city)s
           AND ri.night >= %(check_in)s
           AND ri.night < %(check_out)s
           AND NOT ri.stop_sell
           AND ri.rooms_total - ri.rooms_booked >= %(rooms)s
         GROUP BY rt.id
        HAVING COUNT(*) = %(nights)s
         ORDER BY total_minor, rt.id
         LIMIT %(limit)s
        """,
        {"city": city_id, "check_in": check_in, "check_out": check_out, "rooms": rooms, "nights": nights,
         "limit": limit},
    )  # fmt: skip
    return list(await cur.fetchall())


async def select_onward_trips(
    cur, origin_id: int, after, limit: int = 3, destination_id: int | None = None
) -> list[Row]:
    """Scheduled trips leaving a city from `after` (a wall-clock time of that city), soonest first; to one city
    when destination_id is given."""
    await cur.execute(
        """
        SELECT t.id, t.departs_at, t.arrives_at, t.price_minor, t.currency, t.seats_total - t.seats_booked AS seats_left,
               o.name AS origin, d.name AS destination, t.destination_id, o.timezone, d.timezone AS end_timezone
          FROM trips t
          JOIN cities o ON o.id = t.origin_id
          JOIN cities d ON d.id = t.destination_id
         WHERE t.origin_id = %(origin)s
           AND (%(destination)s IS NULL OR t.destination_id = %(destination)s)
           AND t.departs_at >= %(after)s
           AND t.departs_at < %(after)s + INTERVAL 3 DAY
           AND t.status = 'scheduled'
           AND t.seats_total > t.seats_booked
         ORDER BY t.departs_at
         LIMIT %(limit)s
        """,
        {"origin": origin_id, "destination": destination_id, "after": after, "limit": limit},
    )
    return list(await cur.fetchall())
