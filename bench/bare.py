"""The stack's ceiling for bookings: the floor's transaction behind the barest Quart route Hypercorn can serve.

No bearer-token lookup, no pydantic, no hooks, no response model: `json.loads` of the body, the booking service's
own transaction function through db.run_in_transaction (exactly what bench/floor.py runs), a one-field JSON answer.
bench/run.py serves it with the same hypercorn.toml and worker count as the real server and drives it with the
same wrk script and bodies, so (bare route ÷ floor) is the most any booking endpoint on Quart + Hypercorn + aiomysql
can reach on this machine, and (real endpoint ÷ bare route) is what our auth, validation and answer cost.
Not part of TravelGo: never deploy it (it books for whichever user a token's cache says, without checking it).
"""

from __future__ import annotations

import json
import os

from quart import Quart, request

from travelgo import db, payments
from travelgo.bookings import engine
from travelgo.bookings.errors import SeatsUnavailable
from travelgo.bookings.kinds import BusSeats
from travelgo.checkout.service import open_order
from travelgo.config import DatabaseURL, Settings

app = Quart(__name__)
USER_ID = int(os.environ.get("BENCH_BARE_USER_ID", "2"))
# token -> user id, so the bare route books for the same travellers as the real endpoint (a dict look-up, no query;
# a file: thousands of travellers are too many for an environment variable)
USERS_BY_TOKEN = (
    json.loads(open(os.environ["BENCH_BARE_USERS_FILE"]).read()) if "BENCH_BARE_USERS_FILE" in os.environ else {}
)
PROVIDER = payments.build(Settings.from_env())  # the hold's TestPay order, as the real endpoint opens it
PASSENGERS = [{"name": "Bench Passenger", "age": 30}]


@app.before_serving
async def open_pool() -> None:
    await db.open_pools(DatabaseURL.parse(os.environ["DATABASE_URL"]), size=20)


@app.after_serving
async def close_pool() -> None:
    await db.close_pools()


@app.post("/api/v1/bookings")
async def book():
    body = json.loads(await request.get_data())
    try:
        made = await engine.create(
            engine.NewBooking(
                USERS_BY_TOKEN.get(request.headers.get("Authorization", "").removeprefix("Bearer "), USER_ID),
                BusSeats(body["trip_id"], body["seats"], PASSENGERS),
                body["contact_email"],
                hold_seconds=600,
                max_open_holds=10**6,
            )
        )
        await open_order(made, PROVIDER, "http://127.0.0.1")
    except SeatsUnavailable:
        return {"detail": "taken"}, 409
    return {"booking_id": made.booking_id}, 201


@app.get("/readyz")
async def readyz():
    return {"status": "ok"}
