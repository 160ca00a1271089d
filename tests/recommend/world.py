"""A small booking history for the recommendation tests."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

from travelgo import db

from .. import factories

_refs = itertools.count(1)


async def book(cur, user: dict, *, trip: dict | None = None, room_type: dict | None = None, status="confirmed",
               days_ago: int = 0, starts_in_days: int = 3) -> None:  # fmt: skip
    """A booking row as the engine leaves it (only what recommendations read matters here)."""
    starts = datetime.now().replace(microsecond=0) + timedelta(days=starts_in_days)
    created = datetime.now() - timedelta(days=days_ago)
    if trip is not None:
        kind, columns = "bus", {"trip_id": trip["id"]}
    else:
        kind = "hotel"
        columns = {
            "room_type_id": room_type["id"],
            "check_in": starts.date(),
            "check_out": starts.date() + timedelta(days=1),
        }
    await cur.execute(
        f"""INSERT INTO bookings (reference, user_id, type, status, total_minor, currency, contact_email,
                                  starts_at, ends_at, created_at, {", ".join(columns)})
            VALUES (%s, %s, %s, %s, 1000, 'EUR', %s, %s, %s, %s, {", ".join(["%s"] * len(columns))})""",
        (
            f"TR-{next(_refs):06d}",
            user["id"],
            kind,
            status,
            user["email"],
            starts,
            starts + timedelta(hours=3),
            created,
            *columns.values(),
        ),
    )


async def make_world() -> dict:
    """Mumbai, Pune, Goa; a route Mumbai → Pune, a route Mumbai → Goa, a hotel in Pune and two in Goa.
    Two travellers booked Mumbai → Pune and the Pune hotel; one of them also a Goa hotel, cancelled."""
    async with db.transaction() as cur:
        mumbai = await factories.make_city(cur, "Mumbai")
        pune = await factories.make_city(cur, "Pune")
        goa = await factories.make_city(cur, "Goa")
        to_pune = await factories.make_trip(cur, origin=mumbai, destination=pune)
        to_goa = await factories.make_trip(cur, origin=mumbai, destination=goa)
        pune_hotel = await factories.make_hotel(cur, city=pune, name="Pune Palace")
        goa_hotel = await factories.make_hotel(cur, city=goa, name="Goa Beach House", rating=9.0)
        goa_other = await factories.make_hotel(cur, city=goa, name="Goa Inn", rating=7.0)
        rooms = {
            h["id"]: await factories.make_room_type(cur, h["id"], nights=2) for h in (pune_hotel, goa_hotel, goa_other)
        }
        users = [await factories.make_user(cur) for _ in range(4)]
        for user in users[:2]:
            await book(cur, user, trip=to_pune, days_ago=5)
            await book(cur, user, room_type=rooms[pune_hotel["id"]], days_ago=4)
        await book(cur, users[0], room_type=rooms[goa_hotel["id"]], status="cancelled", days_ago=3)
        await book(cur, users[2], trip=to_goa, days_ago=2)
        await book(cur, users[2], room_type=rooms[goa_other["id"]], status="expired", days_ago=1)
    return dict(
        mumbai=mumbai, pune=pune, goa=goa, to_pune=to_pune, to_goa=to_goa, pune_hotel=pune_hotel,
        goa_hotel=goa_hotel, goa_other=goa_other, users=users,
    )  # fmt: skip


def route(trip: dict) -> str:
    return f"route:{trip['origin']['id']}-{trip['destination']['id']}"
