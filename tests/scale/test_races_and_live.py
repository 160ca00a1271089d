"""Across two server processes (4 workers + 2 workers) on one database: one winner per seat, live updates everywhere."""

import asyncio
import json

import httpx

from bench import hotseat
from tests import factories
from tests.live.sse import TcpStream
from travelgo import db


async def _tokens(server, n: int) -> list[str]:
    async with db.transaction() as cur:
        users = [await factories.make_user(cur) for _ in range(n)]
    async with httpx.AsyncClient(timeout=20) as http:
        tokens = []
        for user in users:
            response = await http.post(
                server.base_url + "/api/v1/auth/token", json={"email": user["email"], "password": user["password"]}
            )
            assert response.status_code == 200, response.text
            tokens.append(response.json()["access_token"])
    return tokens


def _body(trip_id: int, seat: str) -> dict:
    return {"type": "bus", "trip_id": trip_id, "seats": [seat], "passengers": [{"name": "Racer", "age": 30}]}


async def _held(trip_id: int) -> dict:
    async with db.reading() as cur:
        await cur.execute(
            """SELECT t.seats_booked,
                      (SELECT COUNT(*) FROM booking_seats bs WHERE bs.trip_id = t.id AND bs.held = 1) AS held,
                      (SELECT COUNT(*) FROM bookings b WHERE b.trip_id = t.id) AS bookings
                 FROM trips t WHERE t.id = %(id)s""",
            {"id": trip_id},
        )
        return await cur.fetchone()


async def test_one_seat_raced_through_both_servers_has_exactly_one_winner(servers, app):
    a, b = servers
    async with db.transaction() as cur:
        trip = await factories.make_trip(cur, seats=4)
    tokens = await _tokens(a, 4)
    requests = [("/api/v1/bookings", _body(trip["id"], "3"), tokens[i % 4]) for i in range(120)]
    result = await hotseat.race([("127.0.0.1", a.port), ("127.0.0.1", b.port)], requests)
    assert result["statuses"] == {"201": 1, "409": 119}, result["statuses"]
    for status, body in result["bodies"]:
        if status == 409:
            problem = json.loads(body)
            assert problem["status"] == 409 and "3" in problem["detail"]
    assert await _held(trip["id"]) == {"seats_booked": 1, "held": 1, "bookings": 1}


async def test_ten_seats_raced_by_two_hundred_clients_across_processes_sell_exactly_ten(servers, app):
    a, b = servers
    async with db.transaction() as cur:
        trip = await factories.make_trip(cur, seats=10)
    tokens = await _tokens(b, 4)
    requests = [("/api/v1/bookings", _body(trip["id"], str(i % 10 + 1)), tokens[i % 4]) for i in range(200)]
    result = await hotseat.race([("127.0.0.1", a.port), ("127.0.0.1", b.port)], requests)
    assert result["statuses"] == {"201": 10, "409": 190}, result["statuses"]
    assert await _held(trip["id"]) == {"seats_booked": 10, "held": 10, "bookings": 10}


async def test_a_booking_through_one_process_reaches_streams_on_the_other(servers, app):
    a, b = servers
    async with db.transaction() as cur:
        trip = await factories.make_trip(cur, seats=8)
    tokens = await _tokens(a, 1)
    path = f"/api/v1/bus-trips/{trip['id']}/events"
    streams = {name: await TcpStream("127.0.0.1", server.port, path).open() for name, server in (("a", a), ("b", b))}
    try:
        for stream in streams.values():
            assert stream.status == 200
            assert (await stream.next_message()).json()["seats_left"] == 8
        async with httpx.AsyncClient(timeout=20) as http:
            booked = await http.post(
                a.base_url + "/api/v1/bookings",
                json=_body(trip["id"], "5"),
                headers={"Authorization": f"Bearer {tokens[0]}"},
            )
            assert booked.status_code == 201, booked.text
            # …and the other way round: a booking through B reaches the stream held by A.
            booked = await http.post(
                b.base_url + "/api/v1/bookings",
                json=_body(trip["id"], "6"),
                headers={"Authorization": f"Bearer {tokens[0]}"},
            )
            assert booked.status_code == 201, booked.text
        for name, stream in streams.items():
            state = None
            while state is None or state["seats_left"] > 6:
                message = await stream.next_message(timeout=5)
                if message.event == "availability":
                    state = message.json()
            assert state == {"trip_id": trip["id"], "seats_left": 6, "unavailable_seats": ["5", "6"]}, name
    finally:
        for stream in streams.values():
            stream.close()


async def test_streams_on_every_worker_of_the_four_worker_server_get_the_update(servers, app):
    a, b = servers
    async with db.transaction() as cur:
        trip = await factories.make_trip(cur, seats=8)
    tokens = await _tokens(b, 1)
    path = f"/api/v1/bus-trips/{trip['id']}/events"
    held: dict[str, TcpStream] = {}
    try:
        for _ in range(80):  # the kernel picks the worker that accepts: connect until each of the 4 holds one
            stream = await TcpStream("127.0.0.1", a.port, path).open()
            if stream.worker in held:
                stream.close()
            else:
                held[stream.worker] = stream
                if len(held) == 4:
                    break
        assert len(held) == 4, f"reached only {len(held)} of 4 workers"
        for stream in held.values():
            await stream.next_message()
        async with httpx.AsyncClient(timeout=20) as http:
            booked = await http.post(
                b.base_url + "/api/v1/bookings",
                json=_body(trip["id"], "2"),
                headers={"Authorization": f"Bearer {tokens[0]}"},
            )
            assert booked.status_code == 201, booked.text
        messages = await asyncio.gather(*(s.next_message(timeout=5) for s in held.values()))
        assert all(m.json()["unavailable_seats"] == ["2"] for m in messages)
    finally:
        for stream in held.values():
            stream.close()
