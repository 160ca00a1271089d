"""Checkout benchmarks (issue 16): the full hold -> pay -> confirmed cycle, and how fast expired holds are released.

- cycle(): each of `clients` tasks books a seat (a hold), pays its TestPay order through TestPay's API, and waits
  until GET /api/v1/bookings/{ref} says confirmed (TestPay's webhook delivered over HTTP by the server's own loop).
  Completed cycles per second.
- sweep(): 10,000 holds on 250 trips, all expiring at the same instant, with the server (every worker runs the
  sweeper) left alone; the delay from each hold's expires_at to its release, p50/p99/max.
"""

from __future__ import annotations

import asyncio
import time

import aiomysql
import httpx

from travelgo.config import DatabaseURL

REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


async def cycle(base_url: str, tokens: list[str], seats: list[tuple[int, str]], seconds: float, clients: int) -> dict:
    queue = list(reversed(seats))
    done, failed, latencies = 0, 0, []
    # where a completed cycle's time went: the hold, the pay call, and from the pay call's answer until a GET said
    # confirmed (TestPay's webhook and our handling of it, plus up to one 50 ms poll interval); GETs per cycle
    phases: dict[str, list[float]] = {"hold": [], "pay": [], "until_confirmed": [], "polls": []}
    why: dict[
        str, int
    ] = {}  # failed cycles by what went wrong: "hold <status>", "pay <status>" or "not confirmed in 10 s"
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=clients * 2, max_keepalive_connections=clients * 2)

    async def one(http: httpx.AsyncClient, token: str) -> None:
        nonlocal done, failed
        while queue and time.perf_counter() < deadline:
            trip_id, seat = queue.pop()
            started = time.perf_counter()
            headers = {"Authorization": f"Bearer {token}"}
            body = {"type": "bus", "trip_id": trip_id, "seats": [seat], "passengers": [{"name": "Bench", "age": 30}]}
            hold = await http.post("/api/v1/bookings", json=body, headers=headers)
            held = time.perf_counter()
            if hold.status_code != 201:
                failed += 1
                why[f"hold {hold.status_code}"] = why.get(f"hold {hold.status_code}", 0) + 1
                continue
            booking = hold.json()
            paying = await http.post(
                f"/testpay/api/orders/{booking['payment']['order_id']}/pay", json={"outcome": "captured"}
            )
            paid = time.perf_counter()
            if paying.status_code != 200:
                failed += 1
                why[f"pay {paying.status_code}"] = why.get(f"pay {paying.status_code}", 0) + 1
                continue
            for polls in range(1, 201):
                shown = await http.get(f"/api/v1/bookings/{booking['reference']}", headers=headers)
                if shown.json()["status"] == "confirmed":
                    done += 1
                    seen = time.perf_counter()
                    latencies.append(seen - started)
                    for name, value in (
                        ("hold", held - started),
                        ("pay", paid - held),
                        ("until_confirmed", seen - paid),
                    ):
                        phases[name].append(value * 1000)
                    phases["polls"].append(polls)
                    break
                await asyncio.sleep(0.05)
            else:
                failed += 1
                why["not confirmed in 10 s"] = why.get("not confirmed in 10 s", 0) + 1

    started = time.perf_counter()
    async with httpx.AsyncClient(base_url=base_url, timeout=30, limits=limits) as http:
        await asyncio.gather(*(one(http, tokens[i % len(tokens)]) for i in range(clients)))
    elapsed = time.perf_counter() - started
    latencies.sort()
    pick = lambda q: round(latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000, 1) if latencies else None  # noqa: E731
    return {
        "cycles": done,
        "failed": failed,
        "failures": why,
        "seconds": round(elapsed, 2),
        "cycles_per_s": round(done / elapsed, 1),
        "latency_ms": {"p50": pick(0.5), "p99": pick(0.99)},
        "phases_p50": {name: _median(values) for name, values in phases.items()},  # ms, except polls (GETs)
    }


def _median(values: list[float]) -> float | None:
    return round(sorted(values)[len(values) // 2], 1) if values else None


def _reference(i: int) -> str:
    """TG-0…: a '0' never appears in a real reference (engine.REFERENCE_ALPHABET), so these never collide."""
    chars = []
    for _ in range(5):
        i, r = divmod(i, len(REFERENCE_ALPHABET))
        chars.append(REFERENCE_ALPHABET[r])
    return "TG-0" + "".join(chars)


async def sweep(url: DatabaseURL, trips: list[int], user_id: int, seats_per_trip: int, lead_seconds: float = 4) -> dict:
    """Write len(trips) × seats_per_trip holds expiring together, then time their release by the running sweepers."""
    conn = await aiomysql.connect(autocommit=True, **url.connect_kwargs())
    try:
        async with conn.cursor(aiomysql.DictCursor) as cur:
            await cur.execute("BEGIN")
            await cur.execute("SELECT UTC_TIMESTAMP(6) + INTERVAL %s MICROSECOND AS at", (int(lead_seconds * 1e6),))
            expires_at = (await cur.fetchone())["at"]
            await cur.execute("SELECT departs_at, arrives_at FROM trips WHERE id = %s", (trips[0],))
            times = await cur.fetchone()
            rows = [
                (_reference(n), user_id, expires_at, times["departs_at"], times["arrives_at"], trip_id)
                for n, trip_id in enumerate(t for t in trips for _ in range(seats_per_trip))
            ]
            await cur.executemany(
                """INSERT INTO bookings (reference, user_id, type, status, expires_at, total_minor, currency,
                                         contact_email, trip_id, starts_at, ends_at)
                   VALUES (%s, %s, 'bus', 'pending_payment', %s, 1500, 'EUR', 'bench@travelgo.example', %s, %s, %s)""",
                [(r[0], r[1], r[2], r[5], r[3], r[4]) for r in rows],
            )
            await cur.execute(
                "SELECT id, trip_id FROM bookings WHERE status = 'pending_payment' AND expires_at = %s ORDER BY id",
                (expires_at,),
            )
            made = await cur.fetchall()
            seat_rows, per_trip = [], {}
            for row in made:
                per_trip[row["trip_id"]] = per_trip.get(row["trip_id"], 0) + 1
                seat_rows.append((row["id"], row["trip_id"], str(per_trip[row["trip_id"]])))
            await cur.executemany(
                """INSERT INTO booking_seats (booking_id, trip_id, seat_label, passenger_name, passenger_age,
                                              price_minor, held)
                   VALUES (%s, %s, %s, 'Bench Holder', 30, 1500, 1)""",
                seat_rows,
            )
            await cur.executemany(
                "UPDATE trips SET seats_booked = seats_booked + %s WHERE id = %s", [(n, t) for t, n in per_trip.items()]
            )
            await cur.execute("COMMIT")
            ids = [row["id"] for row in made]
            placeholders = ",".join(["%s"] * len(ids))
            while True:
                await cur.execute(
                    f"SELECT COUNT(*) AS n FROM bookings WHERE id IN ({placeholders}) AND status = 'pending_payment'",
                    ids,
                )
                if (await cur.fetchone())["n"] == 0:
                    break
                await asyncio.sleep(0.05)
            # cancelled_at is the database's local time, expires_at UTC: compare them on one clock
            await cur.execute(
                f"""SELECT TIMESTAMPDIFF(MICROSECOND, expires_at, cancelled_at)
                           - TIMESTAMPDIFF(MICROSECOND, UTC_TIMESTAMP(6), NOW(6)) AS delay_us
                      FROM bookings WHERE id IN ({placeholders}) ORDER BY delay_us""",
                ids,
            )
            delays = [row["delay_us"] / 1000 for row in await cur.fetchall()]
    finally:
        conn.close()

    def pick(q: float) -> float:
        return round(delays[min(len(delays) - 1, int(q * len(delays)))], 1)

    return {"holds": len(delays), "delay_ms": {"p50": pick(0.5), "p99": pick(0.99), "max": round(delays[-1], 1)}}
