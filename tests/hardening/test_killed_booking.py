"""A connection killed in the middle of a booking transaction leaves no partial booking behind."""

from __future__ import annotations

import asyncio

import aiomysql

from travelgo import db
from travelgo.bookings import queries
from travelgo.bookings.integrity import check_inventory

from ..bookings.helpers import passengers, scalar, trip_and_user
from ..conftest import TEST_URL, api_token


def _body(trip_id: int, seat: str) -> dict:
    return {"type": "bus", "trip_id": trip_id, "seats": [seat], "passengers": passengers(1)}


async def test_kill_mid_transaction_rolls_everything_back_and_the_pool_recovers(client, monkeypatch, many_holds):
    trip, user = await trip_and_user(seats=10)
    headers = await api_token(client, user["email"])
    paused, resume = asyncio.Event(), asyncio.Event()
    victim: dict[str, int] = {}
    original = queries.insert_booking_seats

    async def pause_after_first_writes(cur, *args, **kwargs):
        # By now the trip row is locked, seats_booked is incremented and the bookings row is inserted.
        await cur.execute("SELECT CONNECTION_ID() AS id")
        victim["id"] = (await cur.fetchone())["id"]
        paused.set()
        await resume.wait()
        return await original(cur, *args, **kwargs)

    monkeypatch.setattr(queries, "insert_booking_seats", pause_after_first_writes)
    booking = asyncio.create_task(client.post("/api/v1/bookings", json=_body(trip["id"], "3"), headers=headers))
    await asyncio.wait_for(paused.wait(), timeout=10)

    killer = await aiomysql.connect(autocommit=True, **TEST_URL.connect_kwargs())
    try:
        async with killer.cursor(aiomysql.DictCursor) as cur:
            await cur.execute(
                "SELECT trx_rows_locked, trx_rows_modified FROM information_schema.INNODB_TRX"
                " WHERE trx_mysql_thread_id = %s",
                (victim["id"],),
            )
            trx = await cur.fetchone()
            assert trx and trx["trx_rows_modified"] >= 2  # a real, half-written transaction holding locks
            await cur.execute(f"KILL {int(victim['id'])}")
    finally:
        killer.close()
    resume.set()
    response = await asyncio.wait_for(booking, timeout=15)

    assert response.status_code == 503
    assert response.mimetype == "application/problem+json" and response.headers["Retry-After"]
    assert await scalar("SELECT COUNT(*) FROM bookings") == 0
    assert await scalar("SELECT COUNT(*) FROM booking_seats") == 0
    assert await scalar("SELECT seats_booked FROM trips WHERE id = %(id)s", {"id": trip["id"]}) == 0
    assert await scalar("SELECT COUNT(*) FROM events WHERE topic = %(t)s", {"t": f"trip:{trip['id']}"}) == 0
    assert await check_inventory() == []

    # The lock is gone and no broken connection is left in the pool: the same seat books at once, many times over.
    monkeypatch.setattr(queries, "insert_booking_seats", original)
    retry = await client.post("/api/v1/bookings", json=_body(trip["id"], "3"), headers=headers)
    assert retry.status_code == 201
    others = await asyncio.gather(
        *(client.post("/api/v1/bookings", json=_body(trip["id"], str(s)), headers=headers) for s in range(4, 11))
    )
    assert [r.status_code for r in others] == [201] * 7
    assert await check_inventory() == []
    async with db.reading() as cur:
        await cur.execute("SELECT 1 AS ok")
        assert (await cur.fetchone())["ok"] == 1
