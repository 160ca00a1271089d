"""SQL for train and flight trips: routes with stops, coaches and seats, fares, and segment inventory.

Leg i runs from stop i to stop i + 1; a booking of stops a -> b holds legs a .. b-1 (one booking_seat_legs row per
seat and leg, UNIQUE while held). Times: a stop's arrival and departure are minutes after the trip's first
departure (trips.departs_at, the first stop's wall clock). Cursor first; never commits.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .. import db

Row = dict[str, Any]
SEGMENT_MODES = ("train", "flight")


TRIP_SQL = """
        SELECT t.id, t.mode, t.route_id, t.vehicle_id, t.status, t.departs_at, t.arrives_at, t.currency,
               t.origin_id, t.destination_id, t.seats_total, r.code AS route_code, r.name AS route_name,
               op.name AS operator, c.timezone
          FROM trips t
          JOIN routes r ON r.id = t.route_id
          JOIN operators op ON op.id = t.operator_id
          JOIN cities c ON c.id = t.origin_id
         WHERE t.id = %(trip_id)s
           AND t.mode IN ('train', 'flight')
        """


async def select_trip(cur, trip_id: int) -> Row | None:
    """A train or flight trip with its route, operator and first stop's zone (None for a bus trip or no trip)."""
    await cur.execute(TRIP_SQL, {"trip_id": trip_id})
    return await cur.fetchone()


# The route or the vehicle of a trip, for a read queued before the trip row is known (a hold's reads: one round trip).
TRIP_ROUTE = "(SELECT tr.route_id FROM trips tr WHERE tr.id = %(trip_id)s)"
TRIP_VEHICLE = "(SELECT tv.vehicle_id FROM trips tv WHERE tv.id = %(trip_id)s)"

STOPS_SQL = """
        SELECT s.stop_no, s.city_id, c.name AS city_name, s.station, a.iata, s.arrives_after, s.departs_after,
               s.distance_km
          FROM route_stops s
          JOIN cities c ON c.id = s.city_id
          LEFT JOIN airports a ON a.id = s.airport_id
         WHERE s.route_id = {route}
         ORDER BY s.stop_no
        """

FARES_SQL = """
        SELECT class_code, base_minor, per_km_minor, currency
          FROM route_fares
         WHERE route_id = {route}
        """


async def select_stops(cur, route_id: int) -> list[Row]:
    """The route's stops in order, with city, station and airport code."""
    await cur.execute(STOPS_SQL.format(route="%(route_id)s"), {"route_id": route_id})
    return list(await cur.fetchall())


async def select_fares(cur, route_id: int) -> dict[str, Row]:
    await cur.execute(FARES_SQL.format(route="%(route_id)s"), {"route_id": route_id})
    return fares_by_class(await cur.fetchall())


def fares_by_class(rows: list[Row]) -> dict[str, Row]:
    return {row["class_code"]: row for row in rows}


def _seats_sql(vehicle: str, labels: list[str] | None) -> tuple[str, dict[str, Any]]:
    only, params = "", {}
    if labels is not None:
        placeholders, params = db.in_list("s", labels)
        only = f"AND s.label IN ({placeholders})"
    sql = f"""
        SELECT s.label, s.number, s.berth, s.row_no, s.col_no, c.code AS coach, c.class_code, c.position
          FROM coach_seats s
          JOIN coaches c ON c.id = s.coach_id
         WHERE s.vehicle_id = {vehicle}
           {only}
         ORDER BY c.position, s.number, s.label
        """
    return sql, params


async def select_seats(cur, vehicle_id: int, labels: list[str] | None = None) -> list[Row]:
    """Seats or berths of a vehicle (all, or the given labels), in coach and seat order."""
    sql, params = _seats_sql("%(vehicle_id)s", labels)
    await cur.execute(sql, {"vehicle_id": vehicle_id, **params})
    return list(await cur.fetchall())


async def queue_run_reads(cur, trip_id: int) -> tuple[db.Queued, db.Queued]:
    """The trip (select_trip) and its stops, both by the trip's id: one round trip on a batching cursor."""
    by_trip = {"trip_id": trip_id}
    return (
        await db.queue_read(cur, TRIP_SQL, by_trip),
        await db.queue_read(cur, STOPS_SQL.format(route=TRIP_ROUTE), by_trip),
    )


async def queue_check_reads(cur, trip_id: int, first_leg: int, last_leg: int, labels: list[str]) -> dict:
    """A hold's plain reads of a run beyond the trip and its stops (queue_run_reads), each by the trip's id, queued to
    go in one round trip after the legs' lock (db.queue_read): the asked seats, the fares and which of the seats an
    active booking holds on these legs."""
    seats_sql, seat_params = _seats_sql(TRIP_VEHICLE, labels)
    held_sql, held_params = _held_sql(first_leg, last_leg, labels, lock=False)
    by_trip = {"trip_id": trip_id}
    return {
        "seats": await db.queue_read(cur, seats_sql, {**seat_params, **by_trip}),
        "fares": await db.queue_read(cur, FARES_SQL.format(route=TRIP_ROUTE), by_trip),
        "held": await db.queue_read(cur, held_sql, {**held_params, **by_trip}),
    }


async def lock_legs(cur, trip_id: int, first_leg: int, last_leg: int, *, lock: bool = True) -> list[Row]:
    """The trip's legs first_leg..last_leg, locked in leg order: overlapping segments queue on their first shared
    leg, disjoint ones do not meet at all."""
    return await (await queue_lock_legs(cur, trip_id, first_leg, last_leg, lock=lock)).rows(cur)


async def queue_lock_legs(cur, trip_id: int, first_leg: int, last_leg: int, *, lock: bool = True) -> db.Queued:
    """lock_legs, as a read that goes with the cursor's next round trip."""
    return await db.queue_read(
        cur,
        f"""
        SELECT leg_no, seats_total, seats_booked
          FROM trip_legs
         WHERE trip_id = %(trip_id)s
           AND leg_no BETWEEN %(first)s AND %(last)s
         ORDER BY leg_no
        {"FOR UPDATE" if lock else ""}
        """,
        {"trip_id": trip_id, "first": first_leg, "last": last_leg},
    )


async def select_legs(cur, trip_id: int) -> list[Row]:
    await cur.execute(
        """
        SELECT leg_no, seats_total, seats_booked, seats_total - seats_booked AS seats_left
          FROM trip_legs
         WHERE trip_id = %(trip_id)s
         ORDER BY leg_no
        """,
        {"trip_id": trip_id},
    )
    return list(await cur.fetchall())


async def select_held_labels(
    cur, trip_id: int, first_leg: int, last_leg: int, labels: list[str] | None = None, *, lock: bool = False
) -> set[str]:
    """Labels held by an active booking on any leg first_leg..last_leg (all seats, or only `labels`)."""
    sql, params = _held_sql(first_leg, last_leg, labels, lock=lock)
    await cur.execute(sql, {**params, "trip_id": trip_id})
    return {row["seat_label"] for row in await cur.fetchall()}


def _held_sql(first_leg: int, last_leg: int, labels: list[str] | None, *, lock: bool) -> tuple[str, dict[str, Any]]:
    params: dict[str, Any] = {"first": first_leg, "last": last_leg}
    only = ""
    if labels is not None:
        placeholders, more = db.in_list("s", labels)
        only = f"AND seat_label IN ({placeholders})"
        params.update(more)
    sql = f"""
        SELECT DISTINCT seat_label
          FROM booking_seat_legs
         WHERE trip_id = %(trip_id)s
           AND leg_no BETWEEN %(first)s AND %(last)s
           AND held = 1
           {only}
        {"LOCK IN SHARE MODE" if lock else ""}
        """
    return sql, params


async def update_legs_booked(
    cur, trip_id: int, first_leg: int, last_leg: int, delta: int, on_error: db.OnError | None = None
) -> None:
    """Move the legs' counters (deferred: it goes with the next statement; on_error maps a CHECK refusal)."""
    await db.defer(
        cur,
        """
        UPDATE trip_legs
           SET seats_booked = seats_booked + %(delta)s
         WHERE trip_id = %(trip_id)s
           AND leg_no BETWEEN %(first)s AND %(last)s
        """,
        {"trip_id": trip_id, "first": first_leg, "last": last_leg, "delta": delta},
        on_error,
    )


async def insert_segment_seats(cur, booking_id: int, trip_id: int, rows: list[Row]) -> None:
    """rows: [{label, class_code, from_stop, to_stop, name, age, gender, price_minor}]; one statement, deferred."""
    values, params = [], {"booking_id": booking_id, "trip_id": trip_id}
    for i, row in enumerate(rows):
        values.append(
            f"(%(booking_id)s, %(trip_id)s, %(l{i})s, %(c{i})s, %(f{i})s, %(t{i})s, %(n{i})s, %(a{i})s, %(g{i})s,"
            f" %(p{i})s)"
        )
        params.update(
            {
                f"l{i}": row["label"], f"c{i}": row["class_code"], f"f{i}": row["from_stop"], f"t{i}": row["to_stop"],
                f"n{i}": row["name"], f"a{i}": row["age"], f"g{i}": row["gender"], f"p{i}": row["price_minor"],
            }
        )  # fmt: skip
    await db.defer(
        cur,
        f"""
        INSERT INTO booking_segment_seats (booking_id, trip_id, seat_label, class_code, from_stop, to_stop,
                                           passenger_name, passenger_age, passenger_gender, price_minor)
        VALUES {", ".join(values)}
        """,
        params,
    )


async def insert_seat_legs(
    cur, booking_id: int, trip_id: int, labels: list[str], legs: range, on_error: db.OnError | None = None
) -> None:
    """One held row per seat and leg, in (label, leg) order: the UNIQUE key refuses a seat already held on a leg
    (on_error says so). One statement, deferred."""
    values, params = [], {"booking_id": booking_id, "trip_id": trip_id}
    for i, (label, leg) in enumerate((label, leg) for label in labels for leg in legs):
        values.append(f"(%(booking_id)s, %(trip_id)s, %(l{i})s, %(g{i})s)")
        params.update({f"l{i}": label, f"g{i}": leg})
    await db.defer(
        cur,
        f"INSERT INTO booking_seat_legs (booking_id, trip_id, seat_label, leg_no) VALUES {', '.join(values)}",
        params,
        on_error,
    )


async def queue_booking_seats(cur, booking_id: int, trip_id: int) -> db.Queued:
    """The seats (select_seats rows) a booking holds or held, by the booking and its trip: a queued read."""
    labels = "SELECT bs.seat_label FROM booking_segment_seats bs WHERE bs.booking_id = %(booking_id)s"
    sql = f"""
        SELECT s.label, s.number, s.berth, s.row_no, s.col_no, c.code AS coach, c.class_code, c.position
          FROM coach_seats s
          JOIN coaches c ON c.id = s.coach_id
         WHERE s.vehicle_id = {TRIP_VEHICLE}
           AND s.label IN ({labels})
         ORDER BY c.position, s.number, s.label
        """
    return await db.queue_read(cur, sql, {"booking_id": booking_id, "trip_id": trip_id})


async def select_booking_segment(cur, booking_id: int) -> list[Row]:
    return await (await queue_booking_segment(cur, booking_id)).rows(cur)


async def queue_booking_segment(cur, booking_id: int) -> db.Queued:
    """A booking's segment seats (select_booking_segment), as a queued read."""
    return await db.queue_read(
        cur,
        """
        SELECT seat_label, class_code, from_stop, to_stop, passenger_name, passenger_age, passenger_gender,
               price_minor
          FROM booking_segment_seats
         WHERE booking_id = %(booking_id)s
         ORDER BY id
        """,
        {"booking_id": booking_id},
    )


async def update_seat_legs_held(cur, booking_id: int) -> None:
    """Hold a released booking's seat-legs again (the UNIQUE key refuses one taken meanwhile)."""
    await cur.execute(
        "UPDATE booking_seat_legs SET held = 1 WHERE booking_id = %(id)s AND held IS NULL ORDER BY id",
        {"id": booking_id},
    )


async def update_seat_legs_released(cur, booking_ids: list[int]) -> int:
    """Free the seat-legs of these bookings; returns how many rows."""
    placeholders, params = db.in_list("b", booking_ids)
    await cur.execute(
        f"UPDATE booking_seat_legs SET held = NULL WHERE booking_id IN ({placeholders}) AND held = 1", params
    )
    return cur.rowcount


async def select_segments_of(cur, booking_ids: list[int]) -> list[Row]:
    """(booking_id, from_stop, to_stop, seats) of each booking (the segment never changes after booking)."""
    placeholders, params = db.in_list("b", booking_ids)
    await cur.execute(
        f"""
        SELECT booking_id, MIN(from_stop) AS from_stop, MAX(to_stop) AS to_stop, COUNT(*) AS seats
          FROM booking_segment_seats
         WHERE booking_id IN ({placeholders})
         GROUP BY booking_id
        """,
        params,
    )
    return list(await cur.fetchall())


# --- search --------------------------------------------------------------------------------------------------


def segment_runs_sql(modes: list[str]) -> tuple[str, dict]:
    """The cross-mode search's train and flight statement and its mode parameters (the caller adds origin,
    destination, start, end). From the stops (ix_route_stops_city), then each route's runs by date
    (ix_trips_route_run), then the seats held on each run's segment (ix_booking_seat_legs_leg) and its busiest leg's
    seats booked (trip_legs' primary key; the pricing rules' occupancy)."""
    placeholders, params = db.in_list("m", [m for m in modes if m in SEGMENT_MODES])
    sql = f"""
        SELECT t.id, t.mode, t.status, t.vehicle_id, t.currency, t.seats_total, t.route_id, r.code AS route_code,
               r.name AS route_name, op.name AS operator, tz.timezone, a.stop_no AS from_stop, b.stop_no AS to_stop,
               t.departs_at + INTERVAL a.departs_after MINUTE AS departs_at,
               t.departs_at + INTERVAL b.arrives_after MINUTE AS arrives_at,
               b.arrives_after - a.departs_after AS duration_minutes,
               b.distance_km - a.distance_km AS distance_km,
               (SELECT COUNT(DISTINCT h.seat_label)
                  FROM booking_seat_legs h
                 WHERE h.trip_id = t.id
                   AND h.leg_no >= a.stop_no
                   AND h.leg_no < b.stop_no
                   AND h.held = 1) AS seats_held,
               (SELECT MAX(l.seats_booked)
                  FROM trip_legs l
                 WHERE l.trip_id = t.id
                   AND l.leg_no >= a.stop_no
                   AND l.leg_no < b.stop_no) AS seats_sold
          FROM route_stops a
          JOIN route_stops b ON b.route_id = a.route_id AND b.city_id = %(destination)s
          JOIN routes r ON r.id = a.route_id
          JOIN trips t ON t.route_id = a.route_id
          JOIN operators op ON op.id = t.operator_id
          JOIN cities tz ON tz.id = t.origin_id
         WHERE a.city_id = %(origin)s
           AND b.stop_no > a.stop_no
           AND a.departs_after IS NOT NULL
           AND r.mode IN ({placeholders})
           AND t.departs_at >= %(start)s - INTERVAL a.departs_after MINUTE
           AND t.departs_at < %(end)s - INTERVAL a.departs_after MINUTE
           AND t.status = 'scheduled'
        """
    return sql, params


async def select_segment_runs(
    cur, origin: int, destination: int, start: datetime, end: datetime, modes: list[str]
) -> list[Row]:
    """Train and flight trips calling at `origin` then `destination`, leaving `origin` in [start, end), with the
    segment's times and the seats held on it."""
    sql, params = segment_runs_sql(modes)
    await cur.execute(sql, {"origin": origin, "destination": destination, "start": start, "end": end, **params})
    return list(await cur.fetchall())


async def select_class_seats(cur, vehicle_ids: list[int]) -> list[Row]:
    """Seats per (vehicle, class)."""
    placeholders, params = db.in_list("v", vehicle_ids)
    await cur.execute(
        f"""
        SELECT s.vehicle_id, c.class_code, COUNT(*) AS seats
          FROM coach_seats s
          JOIN coaches c ON c.id = s.coach_id
         WHERE s.vehicle_id IN ({placeholders})
         GROUP BY s.vehicle_id, c.class_code
        """,
        params,
    )
    return list(await cur.fetchall())


async def select_class_held(cur, segments: list[tuple[int, int, int]]) -> list[Row]:
    """Seats held per (trip, class) on each (trip_id, from_stop, to_stop) segment."""
    if not segments:
        return []
    parts, params = [], {}
    for i, (trip_id, first, last) in enumerate(segments):
        parts.append(f"(h.trip_id = %(t{i})s AND h.leg_no >= %(a{i})s AND h.leg_no < %(b{i})s)")
        params.update({f"t{i}": trip_id, f"a{i}": first, f"b{i}": last})
    await cur.execute(
        f"""
        SELECT h.trip_id, c.class_code, COUNT(DISTINCT h.seat_label) AS held
          FROM booking_seat_legs h
          JOIN trips t ON t.id = h.trip_id
          JOIN coach_seats s ON s.vehicle_id = t.vehicle_id AND s.label = h.seat_label
          JOIN coaches c ON c.id = s.coach_id
         WHERE h.held = 1
           AND ({" OR ".join(parts)})
         GROUP BY h.trip_id, c.class_code
        """,
        params,
    )
    return list(await cur.fetchall())


async def select_fares_of(cur, route_ids: list[int]) -> list[Row]:
    placeholders, params = db.in_list("r", route_ids)
    await cur.execute(
        f"""
        SELECT route_id, class_code, base_minor, per_km_minor, currency
          FROM route_fares
         WHERE route_id IN ({placeholders})
        """,
        params,
    )
    return list(await cur.fetchall())


BUS_RUNS_SQL = """
        SELECT t.id, t.mode, t.status, t.departs_at, t.arrives_at, t.duration_minutes, t.price_minor, t.currency,
               t.seats_total - t.seats_booked AS seats_left, op.name AS operator, v.name AS route_name
          FROM trips t
          JOIN operators op ON op.id = t.operator_id
          JOIN vehicles v ON v.id = t.vehicle_id
         WHERE t.origin_id = %(origin)s
           AND t.destination_id = %(destination)s
           AND t.departs_at >= %(start)s
           AND t.departs_at < %(end)s
           AND t.mode = 'bus'
           AND t.status = 'scheduled'
        """


async def select_bus_runs(cur, origin: int, destination: int, start: datetime, end: datetime) -> list[Row]:
    """Bus trips on the route leaving in [start, end) (ix_trips_route_departure), as the cross-mode search lists
    them: a bus trip is a two-stop route of its own."""
    await cur.execute(BUS_RUNS_SQL, {"origin": origin, "destination": destination, "start": start, "end": end})
    return list(await cur.fetchall())


async def select_city(cur, city_id: int) -> Row | None:
    await cur.execute("SELECT id, name, timezone FROM cities WHERE id = %(id)s", {"id": city_id})
    return await cur.fetchone()


# --- route management (travelgo/segments/manage.py) ----------------------------------------------------------


async def select_routes(cur, owned: str, params: Row) -> list[Row]:
    """Every route passing `owned` (a condition on r.id from partners.ownership.where), trains first."""
    await cur.execute(
        f"""
        SELECT r.id, r.mode, r.code, r.name, o.name AS operator,
               (SELECT COUNT(*) FROM route_stops s WHERE s.route_id = r.id) AS stops,
               (SELECT COUNT(*) FROM trips t WHERE t.route_id = r.id AND t.departs_at >= CURDATE()) AS runs
          FROM routes r
          JOIN operators o ON o.id = r.operator_id
         WHERE {owned}
         ORDER BY r.mode DESC, r.code
        """,
        params,
    )
    return list(await cur.fetchall())


async def select_route(cur, route_id: int, *, lock: bool = False) -> Row | None:
    await cur.execute(
        f"""
        SELECT r.id, r.mode, r.code, r.name, r.operator_id, o.name AS operator
          FROM routes r
          JOIN operators o ON o.id = r.operator_id
         WHERE r.id = %(id)s
        {"FOR UPDATE" if lock else ""}
        """,
        {"id": route_id},
    )
    return await cur.fetchone()


async def select_route_code_taken(cur, mode: str, code: str) -> bool:
    await cur.execute("SELECT 1 AS taken FROM routes WHERE mode = %(m)s AND code = %(c)s", {"m": mode, "c": code})
    return await cur.fetchone() is not None


async def select_city_id(cur, name: str) -> int | None:
    """The id of the city called `name` (compared as the catalogue's collation does), or None."""
    await cur.execute("SELECT id FROM cities WHERE name = %(n)s ORDER BY id LIMIT 1", {"n": name})
    row = await cur.fetchone()
    return row["id"] if row else None


async def select_route_vehicle(cur, route_id: int) -> int | None:
    """The route's rake or aircraft (routes.vehicle_id), else the one its runs use."""
    await cur.execute(
        """
        SELECT vehicle_id FROM routes WHERE id = %(id)s AND vehicle_id IS NOT NULL
         UNION ALL
        SELECT vehicle_id FROM trips WHERE route_id = %(id)s
         LIMIT 1
        """,
        {"id": route_id},
    )
    row = await cur.fetchone()
    return row["vehicle_id"] if row else None


async def update_route_vehicle(cur, route_id: int, vehicle_id: int) -> None:
    await cur.execute("UPDATE routes SET vehicle_id = %(v)s WHERE id = %(r)s", {"r": route_id, "v": vehicle_id})


async def select_upcoming_runs(cur, route_id: int, limit: int = 30) -> list[Row]:
    """The route's runs from today, each with its busiest leg's seats booked."""
    await cur.execute(
        """
        SELECT t.id, t.departs_at, t.status,
               (SELECT MAX(l.seats_booked) FROM trip_legs l WHERE l.trip_id = t.id) AS busiest_leg
          FROM trips t
         WHERE t.route_id = %(id)s
           AND t.departs_at >= CURDATE()
         ORDER BY t.departs_at
         LIMIT %(limit)s
        """,
        {"id": route_id, "limit": limit},
    )
    return list(await cur.fetchall())


async def select_run_at(cur, route_id: int, departs_at: datetime) -> bool:
    await cur.execute(
        "SELECT 1 AS found FROM trips WHERE route_id = %(r)s AND departs_at = %(d)s", {"r": route_id, "d": departs_at}
    )
    return await cur.fetchone() is not None


async def replace_fares(cur, route_id: int, fares: list[Row]) -> None:
    await cur.execute("DELETE FROM route_fares WHERE route_id = %(id)s", {"id": route_id})
    await cur.executemany(
        """
        INSERT INTO route_fares (route_id, class_code, base_minor, per_km_minor, currency)
        VALUES (%(route_id)s, %(class_code)s, %(base_minor)s, %(per_km_minor)s, %(currency)s)
        """,
        [{**f, "route_id": route_id} for f in fares],
    )
