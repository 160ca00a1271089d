"""The API as a generated client sees it: `openapi-python-client` builds a client from the live /openapi.json,
and a traveller's whole journey runs through it (register, token, search, book, list, cancel, hotel book).

The client's httpx transport calls the running app in-process (ASGI), so no port is needed."""

from __future__ import annotations

import asyncio
import importlib
import json
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import httpx

from travelgo import db
from travelgo.dates import today_in

from .. import factories
from ..conftest import confirm_address

PACKAGE = "travelgo_generated_client"


def generate(document: str, where: Path):
    """Generate a client package from `document` under `where` with openapi-python-client's CLI; import it."""
    spec, config, out = where / "openapi.json", where / "config.json", where / "client"
    spec.write_text(document)
    config.write_text(json.dumps({"package_name_override": PACKAGE, "post_hooks": []}))  # no ruff on PATH needed
    cli = Path(sys.executable).with_name("openapi-python-client")
    result = subprocess.run(
        [str(cli), "generate", "--path", str(spec), "--output-path", str(out), "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # Everything in the document must become client code: a response the generator cannot read is dropped
    # with a warning (the 201 of POST /bookings was, and every inline Problem).
    assert "WARNING" not in result.stdout + result.stderr, result.stdout + result.stderr
    sys.path.insert(0, str(out))
    try:
        return importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(out))


def forget_generated() -> None:
    for name in [name for name in sys.modules if name == PACKAGE or name.startswith(PACKAGE + ".")]:
        del sys.modules[name]


async def test_a_generated_client_runs_the_whole_journey(app, tmp_path):
    async with db.transaction() as cur:
        trip = await factories.make_trip(cur, seats=4, price_minor=2500)
        hotel = await factories.make_hotel(cur)
        room_type = await factories.make_room_type(cur, hotel["id"], rooms=3)
    try:
        document = await (await app.test_client().get("/openapi.json")).get_data(as_text=True)
        client_pkg = await asyncio.to_thread(generate, document, tmp_path)
        await journey(app, client_pkg, trip, hotel, room_type)
    finally:
        forget_generated()


class Operations:
    """The generated modules of one tag, one per operation, imported on first use: `Operations("search").x`."""

    def __init__(self, tag: str) -> None:
        self.tag = tag

    def __getattr__(self, operation: str):
        return importlib.import_module(f"{PACKAGE}.api.{self.tag}.{operation}")


async def journey(app, pkg, trip, hotel, room_type):
    models = importlib.import_module(f"{PACKAGE}.models")
    accounts, search, bookings = (Operations(tag) for tag in ("accounts", "search", "bookings"))

    base = {"base_url": "http://travelgo.test", "httpx_args": {"transport": httpx.ASGITransport(app=app)}}
    anonymous = pkg.Client(**base, raise_on_unexpected_status=True)

    registration = models.Registration(email="gen@example.com", password="long-enough-pw", full_name="Gen Client")
    created = await accounts.post_api_register.asyncio_detailed(client=anonymous, body=registration)
    assert created.status_code == 202 and created.parsed.email == "gen@example.com"
    confirm_address("gen@example.com")  # the mailed link's work (the link itself is tested in tests/accounts)

    login = models.Login(email="gen@example.com", password="long-enough-pw")
    token = await accounts.post_api_token_create.asyncio(client=anonymous, body=login)
    assert isinstance(token, models.TokenOut) and token.token_type == "bearer"

    client = pkg.AuthenticatedClient(**base, token=token.access_token, raise_on_unexpected_status=True)
    me = await accounts.get_api_me.asyncio(client=client)
    assert me.email == "gen@example.com" and me.role == "traveller"

    # Search the day of the trip between its two cities; the trip is there with its seats.
    day = trip["departs_at"].date()
    found = await search.get_api_trip_list.asyncio(
        client=anonymous, origin=trip["origin"]["id"], destination=trip["destination"]["id"], date=day
    )
    assert [t.id for t in found.items] == [trip["id"]] and found.items[0].seats_left == 4
    detail = await search.get_api_trip_detail.asyncio(client=anonymous, trip_id=trip["id"])
    seat = next(s.label for s in detail.seats if s.available)

    # Book a seat: a 201 hold, parsed as the booking model.
    body = models.BusBookingIn(
        type_="bus", trip_id=trip["id"], seats=[seat], passengers=[models.Passenger(name="Gen Client", age=33)]
    )
    booked = await bookings.post_api_booking_create.asyncio_detailed(client=client, body=body, idempotency_key="gen-1")
    assert booked.status_code == 201 and isinstance(booked.parsed, models.BookingOut)
    reference = booked.parsed.reference
    assert booked.parsed.status == "pending_payment" and [s.label for s in booked.parsed.seats] == [seat]
    # The same Idempotency-Key again: 200 with the same booking, also parsed (the 201's twin).
    replayed = await bookings.post_api_booking_create.asyncio_detailed(
        client=client, body=body, idempotency_key="gen-1"
    )
    assert replayed.status_code == 200 and replayed.parsed.reference == reference

    # The seat is now taken: a 409 Problem that names it.
    taken = await bookings.post_api_booking_create.asyncio_detailed(client=client, body=body)
    assert taken.status_code == 409 and isinstance(taken.parsed, models.Problem)
    assert taken.parsed.unavailable_seats == [seat] and taken.parsed.trip_id == trip["id"]

    listed = await bookings.get_api_booking_list.asyncio(client=client)
    assert [b.reference for b in listed.items] == [reference]

    cancelled = await bookings.post_api_booking_cancel.asyncio(
        client=client, reference=reference, body=models.CancelIn(reason="plans changed")
    )
    assert isinstance(cancelled, models.CancelledBookingOut) and cancelled.status == "cancelled"
    shown = await bookings.get_api_booking_show.asyncio(client=client, reference=reference)
    assert shown.status == "cancelled"
    again = await search.get_api_trip_detail.asyncio(client=anonymous, trip_id=trip["id"])
    assert again.seats_left == 4

    # A hotel: two nights from tomorrow.
    check_in = today_in() + timedelta(days=1)
    stay = models.HotelBookingIn(
        type_="hotel",
        room_type_id=room_type["id"],
        check_in=check_in,
        check_out=check_in + timedelta(days=2),
        rooms=1,
        guests=2,
        guest_name="Gen Client",
    )
    room = await bookings.post_api_booking_create.asyncio_detailed(client=client, body=stay)
    assert room.status_code == 201 and room.parsed.type_ == "hotel" and room.parsed.hotel.id == hotel["id"]
    assert [n.night for n in room.parsed.nights] == [check_in, check_in + timedelta(days=1)]

    # An invalid query: a 422 Problem the client reads, with the field named.
    invalid = await search.get_api_hotel_list.asyncio_detailed(client=anonymous, city=hotel["city"]["id"], guests=0)
    assert invalid.status_code == 422 and [e.field for e in invalid.parsed.errors] == ["guests"]

    revoked = await accounts.delete_api_token_revoke.asyncio_detailed(client=client)
    assert revoked.status_code == 204
    gone = await accounts.get_api_me.asyncio_detailed(client=client)
    assert gone.status_code == 401 and gone.parsed.status == 401
