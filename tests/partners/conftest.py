"""Two partner businesses (A and B), each running an operator with a bus trip and a train (a route with one run), a
hotel with a room type and an "on request" restaurant with two tables (4 and 2 seats), each with a bus and a hotel
booking; members of each, a traveller and an admin. B's names are distinctive so a test can
assert that none of them appears in an answer to A."""

from __future__ import annotations

from datetime import timedelta

import pytest

from travelgo import db
from travelgo.dates import today_in

from .. import factories
from ..admin.helpers import book_bus, book_hotel
from ..segments.helpers import make_train


async def make_business(cur, tag: str, traveller: dict) -> dict:
    """A business named after `tag` with an owner and a staff member, an operator with a bus trip and a train (route
    and run), a hotel + room type, and a bus and a hotel booking."""
    await cur.execute(
        "INSERT INTO partners (name, contact_email) VALUES (%s, %s)", (f"{tag} Group", f"{tag}@biz.example")
    )
    partner_id = cur.lastrowid
    owner = await factories.make_user(cur, f"owner-{tag}@biz.example", full_name=f"{tag} Owner")
    staff = await factories.make_user(cur, f"staff-{tag}@biz.example", full_name=f"{tag} Staff")
    await cur.executemany(
        "INSERT INTO partner_members (user_id, partner_id, role) VALUES (%s, %s, %s)",
        [(owner["id"], partner_id, "owner"), (staff["id"], partner_id, "staff")],
    )
    operator = await factories.make_operator(cur, f"{tag} Coaches")
    await cur.execute("UPDATE operators SET partner_id = %s WHERE id = %s", (partner_id, operator["id"]))
    origin = await factories.make_city(cur, f"{tag}ville")
    trip = await factories.make_trip(cur, seats=8, operator=operator, origin=origin)
    train = await make_train(
        cur, operator=operator, name=f"{tag} Express", cities=[origin, await factories.make_city(cur, f"{tag} Halt")]
    )
    hotel = await factories.make_hotel(cur, name=f"{tag} Hotel")
    await cur.execute("UPDATE hotels SET partner_id = %s WHERE id = %s", (partner_id, hotel["id"]))
    room_type = await factories.make_room_type(cur, hotel["id"], rooms=3, nights=20, name=f"{tag} Suite")
    restaurant = await factories.make_restaurant(cur, name=f"{tag} Bistro", tables=[4, 2], confirmation="request")
    await cur.execute("UPDATE restaurants SET partner_id = %s WHERE id = %s", (partner_id, restaurant["id"]))
    bus = await book_bus(cur, traveller, trip, ["1"], reference=f"TG{tag[:1].upper()}BUS01")
    stay = await book_hotel(
        cur, traveller, room_type, today_in() + timedelta(days=2), 2, reference=f"TG{tag[:1].upper()}HTL01"
    )
    return {
        "id": partner_id,
        "owner": owner,
        "staff": staff,
        "operator": operator,
        "trip": trip,
        "train": train,
        "hotel": hotel,
        "room_type": room_type,
        "bus_booking": bus,
        "hotel_booking": stay,
        "restaurant": restaurant,
        # what must never appear in an answer to another business (cities are the public catalogue)
        "secrets": [f"{tag} Coaches", f"{tag} Express", f"{tag} Hotel", f"{tag} Suite", f"{tag} Bistro",
                    bus["reference"], stay["reference"], traveller["email"]],
    }  # fmt: skip


@pytest.fixture
async def partners(app):
    async with db.transaction() as cur:
        admin = await factories.make_user(cur, "admin@example.com", role="admin", full_name="Ada Admin")
        traveller = await factories.make_user(cur, "trav@example.com", full_name="Tom Traveller")
        guest_a = await factories.make_user(cur, "guest-alpha@example.com", full_name="Alpha Guest")
        guest_b = await factories.make_user(cur, "guest-bravo@example.com", full_name="Bravo Guest")
        a = await make_business(cur, "Alpha", guest_a)
        b = await make_business(cur, "Bravo", guest_b)
    return {"admin": admin, "traveller": traveller, "a": a, "b": b}
