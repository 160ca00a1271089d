"""Boarding and dropping points for the seeded bus trips (issue 22).

Each city has a few pick-up points, from its main bus stand out to the edge of town (real places for the big
cities, the usual pattern elsewhere). A bus boards at the first two to four of its origin's points, 15 minutes
apart from the departure, and drops at the last two to four of its destination's in the reverse order, the last
one at the arrival. Written in SQL from the trips already loaded (a few hundred thousand rows in seconds). The operators' phone
numbers come from seed/contacts.py."""

from __future__ import annotations

from .loading import loading

# city -> points from the centre outwards: (name, landmark)
CITY_POINTS: dict[str, list[tuple[str, str]]] = {
    "Mumbai": [
        ("Dadar East", "Near Dadar TT circle, opp. Swaminarayan temple"),
        ("Sion", "Sion circle bus stop, Eastern Express Highway"),
        ("Chembur", "Chembur naka, near Diamond Garden"),
        ("Vashi", "Vashi plaza, Sion-Panvel highway"),
    ],
    "Pune": [
        ("Shivajinagar", "Shivajinagar bus stand, near the railway station"),
        ("Swargate", "Swargate bus terminal, Jedhe chowk"),
        ("Wakad", "Wakad bridge, Mumbai-Bengaluru highway"),
        ("Hinjewadi", "Hinjewadi phase 1 chowk, near Wipro circle"),
    ],
    "Bengaluru": [
        ("Majestic", "Kempegowda bus station, platform 8"),
        ("Anand Rao Circle", "Opp. Shanthala silks, Race Course road"),
        ("Madiwala", "Madiwala police station, Hosur road"),
        ("Silk Board", "Central Silk Board junction, under the flyover"),
        ("Electronic City", "Electronic City toll gate, Hosur road"),
    ],
    "Chennai": [
        ("Koyambedu", "CMBT, Koyambedu, omni bus stand"),
        ("Guindy", "Guindy Kathipara junction, near the metro"),
        ("Tambaram", "Tambaram west bus stop, GST road"),
        ("Perungalathur", "Perungalathur bus stop, GST road"),
    ],
    "Hyderabad": [
        ("Ameerpet", "Ameerpet metro station, below pillar A1072"),
        ("Lakdikapul", "Lakdikapul bridge, opp. Ravindra Bharathi"),
        ("Dilsukhnagar", "Dilsukhnagar bus stop, near Chaitanya Puri"),
        ("LB Nagar", "LB Nagar ring road, near the metro"),
    ],
    "Delhi": [
        ("Kashmere Gate ISBT", "Maharana Pratap ISBT, platform 40"),
        ("Anand Vihar ISBT", "Anand Vihar ISBT, private bus bay"),
        ("Dhaula Kuan", "Dhaula Kuan bus stop, near the metro"),
        ("Mahipalpur", "Mahipalpur flyover, NH 48"),
    ],
    "Kolkata": [
        ("Esplanade", "Esplanade bus terminus, opp. Metro cinema"),
        ("Ultadanga", "Ultadanga crossing, VIP road"),
        ("Karunamoyee", "Karunamoyee bus stand, Salt Lake"),
        ("Airport Gate 1", "Jessore road, near Airport gate 1"),
    ],
    "Ahmedabad": [
        ("Paldi", "Paldi char rasta, near NID"),
        ("Gita Mandir", "Gita Mandir central bus station"),
        ("Iskcon Circle", "Iskcon temple cross roads, SG highway"),
        ("Naroda Patiya", "Naroda Patiya bus stop, NH 48"),
    ],
    "Jaipur": [
        ("Sindhi Camp", "Sindhi Camp central bus stand"),
        ("Narayan Singh Circle", "Narayan Singh circle, Tonk road"),
        ("Durgapura", "Durgapura bus stop, Tonk road"),
        ("200 Feet Bypass", "200 feet bypass, Ajmer road"),
    ],
    "Kochi": [
        ("Vyttila Hub", "Vyttila mobility hub, bay 3"),
        ("Edappally", "Edappally junction, near Lulu mall"),
        ("Kaloor", "Kaloor bus stand, opp. the stadium"),
        ("Aluva", "Aluva private bus stand, near the metro"),
    ],
    "Mysuru": [
        ("Mysuru Central", "Mysuru central bus stand, Bengaluru-Nilgiri road"),
        ("Hunsur Road", "Hunsur road, near Metropole circle"),
        ("Colombia Asia", "Near Columbia Asia hospital, ring road"),
    ],
    "Coimbatore": [
        ("Gandhipuram", "Gandhipuram omni bus stand"),
        ("Singanallur", "Singanallur bus stand, Trichy road"),
        ("Chinniampalayam", "Chinniampalayam, Avinashi road"),
    ],
}
GENERIC_POINTS = [
    ("{city} Central Bus Stand", "Main bus stand, near the clock tower"),
    ("{city} Railway Station", "Opp. the railway station main gate"),
    ("{city} New Bus Stand", "Ring road, near the fuel station"),
    ("{city} Bypass", "Highway service road, near the toll plaza"),
]
INTERVAL_MINUTES = 15
CHUNK = 20_000  # trips per INSERT … SELECT (one transaction in all: see seed_points)


async def seed_points() -> int:
    """Give every seeded trip its boarding and dropping points; returns the number of points written.

    One transaction with the bulk-load session (foreign-key and unique checks off: the points are made from the
    trips just loaded, one per trip, kind and position): InnoDB then loads the still empty trip_points table in
    bulk, sorting each index once at COMMIT instead of inserting millions of rows into its B-trees one by one."""
    async with loading() as cur:
        await cur.execute("SELECT id, name FROM cities")
        cities = await cur.fetchall()
        rows = []
        for city in cities:
            points = CITY_POINTS.get(city["name"]) or [
                (name.format(city=city["name"]), landmark) for name, landmark in GENERIC_POINTS
            ]
            rows.extend((city["id"], i, name, landmark, len(points)) for i, (name, landmark) in enumerate(points))
        await cur.execute(
            "CREATE TEMPORARY TABLE seed_city_points (city_id INT UNSIGNED NOT NULL, position TINYINT UNSIGNED NOT"
            " NULL, name VARCHAR(100) NOT NULL, landmark VARCHAR(200) NOT NULL, city_points TINYINT UNSIGNED NOT NULL,"
            " PRIMARY KEY (city_id, position))"
        )
        try:
            await cur.executemany("INSERT INTO seed_city_points VALUES (%s, %s, %s, %s, %s)", rows)
            written = await _trip_points(cur)
        finally:
            await cur.execute("DROP TEMPORARY TABLE seed_city_points")
    return written


async def _trip_points(cur) -> int:
    """Insert the points of every trip from seed_city_points, a chunk of trips at a time.

    STRAIGHT_JOIN reads each chunk's trips by primary key. Right after the bulk load the index statistics of trips
    can still describe a near-empty table, and the optimizer then started from the points and read every trip of the
    city through ix_trips_origin_departure for each chunk (filtering on the id range): quadratic on the large seed.
    Each ORDER BY is the order the old plan produced (by city and point, then the trips by ix_trips_origin_departure
    and ix_trips_destination), so the points keep the ids they always had, now whatever plan the optimizer picks
    (a chunk's sort is small)."""
    await cur.execute("SELECT COALESCE(MIN(id), 0) AS lo, COALESCE(MAX(id), -1) AS hi FROM trips")
    bounds = await cur.fetchone()
    written = 0
    for start in range(int(bounds["lo"]), int(bounds["hi"]) + 1, CHUNK):
        params = {"lo": start, "hi": start + CHUNK - 1, "step": INTERVAL_MINUTES}
        # boarding: centre first, 2-4 points (by trip id), each `step` minutes after the one before
        await cur.execute(
            """
            INSERT INTO trip_points (trip_id, kind, position, name, landmark, at)
            SELECT t.id, 'boarding', p.position, p.name, p.landmark,
                   t.departs_at + INTERVAL (%(step)s * p.position) MINUTE
              FROM trips t
              STRAIGHT_JOIN seed_city_points p ON p.city_id = t.origin_id AND p.position < 2 + t.id %% 3
             WHERE t.id BETWEEN %(lo)s AND %(hi)s
             ORDER BY t.origin_id, p.position, t.departs_at, t.id
            """,
            params,
        )
        written += cur.rowcount
        # dropping: the edge of town first, the centre last at the arrival time
        await cur.execute(
            """
            INSERT INTO trip_points (trip_id, kind, position, name, landmark, at)
            SELECT t.id, 'dropping', LEAST(p.city_points, 2 + (t.id * 7) %% 3) - 1 - p.position, p.name,
                   p.landmark, t.arrives_at - INTERVAL (%(step)s * p.position) MINUTE
              FROM trips t
              STRAIGHT_JOIN seed_city_points p
                ON p.city_id = t.destination_id AND p.position < LEAST(p.city_points, 2 + (t.id * 7) %% 3)
             WHERE t.id BETWEEN %(lo)s AND %(hi)s
             ORDER BY t.destination_id, p.position, t.id
            """,
            params,
        )
        written += cur.rowcount
    return written
