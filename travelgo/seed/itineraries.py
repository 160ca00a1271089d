"""A sample trip for Asha (a documented sample login): a bus four days out and two nights at a hotel in its
destination, planned and not yet held, so "My trips" has something to show and check out."""

from __future__ import annotations

import json
from datetime import UTC, datetime, time, timedelta

from ..dates import today_in, zone
from .data import SAMPLE_TRAVELLERS


async def sample_trip(cur) -> None:
    await cur.execute("SELECT id FROM users WHERE email = %(email)s", {"email": SAMPLE_TRAVELLERS[0][0]})
    asha = await cur.fetchone()
    day = today_in() + timedelta(days=4)  # the small seed sells about ten days ahead
    # The first trip of the day (by departure, then id) with seats left and a room type in its destination, then
    # that city's first room type and the trip's first free seat: each asked of one row. As one join with the seat
    # as a subquery it ran the subquery for every trip x room type of the day before sorting them (a million rows,
    # most of a minute on the large seed); the answer is the same.
    await cur.execute(
        """
        SELECT t.id, t.vehicle_id, t.departs_at, t.arrives_at, t.price_minor, t.currency, t.origin_id,
               t.destination_id, o.name AS origin, d.name AS destination, o.timezone, d.timezone AS end_timezone
          FROM trips t
          JOIN cities o ON o.id = t.origin_id
          JOIN cities d ON d.id = t.destination_id
         WHERE t.departs_at >= %(day)s AND t.departs_at < %(day)s + INTERVAL 1 DAY
           AND t.status = 'scheduled' AND t.seats_booked < t.seats_total
           AND EXISTS (SELECT 1 FROM hotels h JOIN room_types rt ON rt.hotel_id = h.id
                        WHERE h.city_id = t.destination_id)
         ORDER BY t.departs_at, t.id
         LIMIT 1
        """,
        {"day": day},
    )
    row = await cur.fetchone()
    if asha is None or row is None:
        return
    await cur.execute(
        """
        SELECT rt.id AS room_type_id, rt.name AS room_type, h.name AS hotel, h.address, rt.currency AS hotel_currency
          FROM room_types rt
          JOIN hotels h ON h.id = rt.hotel_id
         WHERE h.city_id = %(city)s
         ORDER BY rt.id
         LIMIT 1
        """,
        {"city": row["destination_id"]},
    )
    row.update(await cur.fetchone())
    await cur.execute(
        """
        SELECT MIN(vs.label) AS seat
          FROM vehicle_seats vs
         WHERE vs.vehicle_id = %(vehicle)s
           AND NOT EXISTS (SELECT 1 FROM booking_seats bs WHERE bs.trip_id = %(trip)s
                              AND bs.seat_label = vs.label AND bs.held = 1)
        """,
        {"vehicle": row["vehicle_id"], "trip": row["id"]},
    )
    row["seat"] = (await cur.fetchone())["seat"]
    if row["seat"] is None:
        return
    check_in = row["arrives_at"].date()
    check_out = check_in + timedelta(days=2)
    await cur.execute(
        "SELECT SUM(price_minor) AS total, COUNT(*) AS n FROM room_inventory WHERE room_type_id = %(id)s"
        " AND night >= %(a)s AND night < %(b)s AND NOT stop_sell AND rooms_booked < rooms_total",
        {"id": row["room_type_id"], "a": check_in, "b": check_out},
    )
    nights = await cur.fetchone()
    if nights["n"] != 2:
        return
    await cur.execute(
        "INSERT INTO itineraries (user_id, name, notes) VALUES (%(u)s, %(n)s, %(notes)s)",
        {"u": asha["id"], "n": f"{row['destination']} getaway", "notes": "A sample plan: check it out to hold it."},
    )
    itinerary_id = cur.lastrowid

    def utc(moment: datetime, name: str) -> datetime:
        return moment.replace(tzinfo=zone(name)).astimezone(UTC).replace(tzinfo=None)

    bus = {"type": "bus", "trip_id": row["id"], "seats": [row["seat"]],
           "passengers": [{"name": "Asha Traveller", "age": 32}]}  # fmt: skip
    hotel = {"type": "hotel", "room_type_id": row["room_type_id"], "check_in": check_in.isoformat(),
             "check_out": check_out.isoformat(), "rooms": 1, "guests": 1, "guest_name": "Asha Traveller"}  # fmt: skip
    items = [
        (1, "bus", bus, f"{row['origin']} → {row['destination']}", utc(row["departs_at"], row["timezone"]),
         utc(row["arrives_at"], row["timezone"]), row["timezone"], row["end_timezone"], row["origin_id"],
         row["destination_id"], row["origin"], row["price_minor"], row["currency"]),
        (2, "hotel", hotel, row["hotel"], utc(datetime.combine(check_in, time(14)), row["end_timezone"]),
         utc(datetime.combine(check_out, time(11)), row["end_timezone"]), row["end_timezone"], row["end_timezone"],
         row["destination_id"], row["destination_id"], f"{row['hotel']}, {row['address']}, {row['destination']}",
         int(nights["total"]), row["hotel_currency"]),
    ]  # fmt: skip
    for position, kind, body, title, starts, ends, start_zone, end_zone, frm, to, where, total, currency in items:
        await cur.execute(
            """
            INSERT INTO itinerary_items (itinerary_id, position, type, body, title, starts_at, ends_at, start_zone,
                                         end_zone, from_city_id, to_city_id, location, total_minor, currency)
            VALUES (%(i)s, %(p)s, %(t)s, %(body)s, %(title)s, %(s)s, %(e)s, %(sz)s, %(ez)s, %(f)s, %(to)s, %(l)s,
                    %(total)s, %(c)s)
            """,
            {"i": itinerary_id, "p": position, "t": kind, "body": json.dumps(body), "title": title, "s": starts,
             "e": ends, "sz": start_zone, "ez": end_zone, "f": frm, "to": to, "l": where, "total": total,
             "c": currency},
        )  # fmt: skip
