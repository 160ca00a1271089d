"""Sample partner businesses (issue 17) with known logins, on top of the generated catalogue:

- Lotus Hotels Group owns one hotel in each of the first four cities (an owner and a front-desk staff login);
- Konkan Coaches runs the first operator (its buses, vehicles and trips);
- Spice Route Restaurants owns the restaurants of two cities;
- Ben has applied to list "Ben's Backpackers", waiting for an admin at /admin/partners.
"""

from __future__ import annotations

from ..passwords import hash_password

PARTNER_PASSWORD = "partner-pass"
# (business, contact e-mail, [(login e-mail, full name, role)])
BUSINESSES = [
    ("Lotus Hotels Group", "reservations@lotushotels.example", [
        ("hotels@travelgo.example", "Leela Hotelier", "owner"),
        ("frontdesk@travelgo.example", "Farhan Frontdesk", "staff"),
    ]),
    ("Konkan Coaches", "bookings@konkancoaches.example", [("buses@travelgo.example", "Kiran Coachman", "owner")]),
    ("Spice Route Restaurants", "tables@spiceroute.example", [
        ("restaurants@travelgo.example", "Rhea Restaurateur", "owner"),
    ]),
]  # fmt: skip
HOTEL_GROUP_CITIES = 4
RESTAURANT_CITIES = 2


async def seed_partners(cur) -> dict[str, int]:
    """Insert the sample businesses, their members and what they run; returns business name → id."""
    password = await hash_password(PARTNER_PASSWORD)
    ids = {}
    for name, contact, people in BUSINESSES:
        await cur.execute("INSERT INTO partners (name, contact_email) VALUES (%s, %s)", (name, contact))
        ids[name] = cur.lastrowid
        for email, full_name, role in people:
            await cur.execute(
                "INSERT INTO users (email, password_hash, full_name, role) VALUES (%s, %s, %s, 'traveller')",
                (email, password, full_name),
            )
            await cur.execute(
                "INSERT INTO partner_members (user_id, partner_id, role) VALUES (%s, %s, %s)",
                (cur.lastrowid, ids[name], role),
            )
    # The hotel group: the first hotel (by id) of each of the first few cities that have hotels.
    await cur.execute(
        """
        UPDATE hotels h
          JOIN (SELECT MIN(id) AS id FROM hotels GROUP BY city_id ORDER BY city_id LIMIT %s) firsts ON firsts.id = h.id
           SET h.partner_id = %s
        """,
        (HOTEL_GROUP_CITIES, ids["Lotus Hotels Group"]),
    )
    await cur.execute("UPDATE operators SET partner_id = %s ORDER BY id LIMIT 1", (ids["Konkan Coaches"],))
    # The restaurant owner: every restaurant of the first two cities that have restaurants.
    await cur.execute(
        """
        UPDATE restaurants r
          JOIN (SELECT DISTINCT city_id FROM restaurants ORDER BY city_id LIMIT %s) two ON two.city_id = r.city_id
           SET r.partner_id = %s
        """,
        (RESTAURANT_CITIES, ids["Spice Route Restaurants"]),
    )
    await cur.execute(
        """
        INSERT INTO partner_applications (user_id, business_name, kind, message)
        SELECT id, 'Ben''s Backpackers', 'hotel', 'A hostel of 12 rooms near the station.'
          FROM users WHERE email = 'ben@travelgo.example'
        """
    )
    return ids
