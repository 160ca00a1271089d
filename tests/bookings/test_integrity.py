"""check-inventory: passes on honest data, names each kind of corruption, and the CLI exits non-zero on a breach."""

from __future__ import annotations

import asyncio
import os
import sys

from travelgo import db
from travelgo.bookings.integrity import check_inventory

from ..inapp import service
from .helpers import as_user, hotel_and_user, passengers, stay, trip_and_user


async def run_cli() -> tuple[int, str]:
    """`python -m travelgo.cli check-inventory` against the test database (DATABASE_URL set by conftest)."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "travelgo.cli",
        "check-inventory",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        env=dict(os.environ),
    )
    out, _ = await asyncio.wait_for(process.communicate(), timeout=60)
    return process.returncode, out.decode()


async def arrange() -> tuple[dict, dict]:
    trip, user = await trip_and_user(seats=10)
    await service.book_trip(as_user(user), trip["id"], ["1", "2"], passengers(2))
    hotel, room_type, _ = await hotel_and_user(rooms=2)
    await service.book_room(as_user(user), room_type["id"], *stay(nights=2), 1, 1, "Guest")
    return trip, room_type


async def test_cli_passes_on_honest_data_and_fails_on_a_corrupted_counter():
    trip, _ = await arrange()
    code, out = await run_cli()
    assert code == 0 and "inventory OK" in out, out
    async with db.transaction() as cur:
        await cur.execute("UPDATE trips SET seats_booked = seats_booked + 1 WHERE id = %(id)s", {"id": trip["id"]})
    code, out = await run_cli()
    assert code == 1, out
    assert f"trip {trip['id']}: seats_booked = 3 but 2 seats are held" in out


async def test_each_invariant_is_checked():
    trip, room_type = await arrange()
    assert await check_inventory() == []
    async with db.transaction() as cur:
        # A room-night counter that disagrees with the confirmed bookings.
        await cur.execute(
            "UPDATE room_inventory SET rooms_booked = 2 WHERE room_type_id = %(id)s AND rooms_booked = 1"
            " ORDER BY night LIMIT 1",
            {"id": room_type["id"]},
        )
        # A cancelled booking that still holds its seats.
        await cur.execute("UPDATE bookings SET status = 'cancelled' WHERE trip_id = %(id)s", {"id": trip["id"]})
    problems = await check_inventory()
    assert any(p.startswith("room counter differs from bookings") for p in problems), problems
    assert any(p.startswith("seat hold and booking status disagree") for p in problems), problems
