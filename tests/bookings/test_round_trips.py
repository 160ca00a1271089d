"""How many round trips one booking costs the database, counted (issue 24; BENCHMARKS.md has the history).

A count, not a timing: each round trip wakes the server and the worker, which on a shared machine is most of what a
short statement costs, so a change that adds one shows here. A transaction's cursor batches the statements nobody
waits on (db.PipelineCursor), so one round trip may carry several statements; both are counted. The limits are
today's counts; lower them when a change saves one, and say in BENCHMARKS.md what it bought."""

from __future__ import annotations

from travelgo import db

from .. import factories
from ..conftest import api_token
from ..restaurants.helpers import restaurant_and_user, table_body
from ..roundtrips import booked
from ..segments.helpers import segment_body, train
from .helpers import hotel_and_user, passengers, stay_body, trip_and_user


async def test_a_bus_booking_over_the_api_costs_at_most_this_many_round_trips(client, statements):
    trip, user = await trip_and_user(price_minor=2500)
    headers = await api_token(client, user["email"])
    body = {"type": "bus", "trip_id": trip["id"], "seats": ["3"], "passengers": passengers(1)}
    _, log, hold = await booked(client, headers, {**body, "seats": ["4"]}, body)
    # BEGIN, the traveller's and the trip's locks, the open-holds count and the seat check; the counter with the
    # booking row (its id is read); the seats, the availability event and the traveller's message with COMMIT
    assert len(hold) <= 3, hold
    assert sum(len(trip) for trip in hold) <= 12, hold  # statements: BEGIN, 10, COMMIT
    # + the token, both rate-limit windows (one statement), the provider order (TestPay's own insert, a remote call
    # with a real provider), and our payment row with the booking read back: its row (with the payment and refund
    # count), its seats and its boarding and dropping points
    assert len(log) <= 7, log


async def test_a_train_segment_hold_costs_at_most_this_many_round_trips(client, statements):
    trip = await train(stops=5)
    async with db.transaction() as cur:
        user = await factories.make_user(cur)
    headers = await api_token(client, user["email"])
    body = segment_body(trip, 1, 3, ["A1-1", "A1-2"])
    _, log, hold = await booked(client, headers, segment_body(trip, 0, 1, ["A1-9"]), body)
    # BEGIN, the traveller's and the legs' locks, the open-holds count, the run, its stops, seats, fares and held
    # seats; the pricing rules of the segment's cities; the legs' counters with the booking row; the segment's seats
    # and seat-legs, the availability event and the message with COMMIT
    assert len(hold) <= 4, hold
    # + the token, the rate limits, the run with its stops to place the asked cities (before the hold), the provider
    # order, and our payment row with the booking read back: its row, the segment's run, stops, seats and coaches
    assert len(log) <= 9, log


async def test_a_hotel_stay_over_the_api_costs_at_most_this_many_round_trips(client, statements):
    _, room_type, user = await hotel_and_user(rooms=4)
    headers = await api_token(client, user["email"])
    warm_up = stay_body(room_type["id"], start_in_days=3, nights=1, guest_name="Round Trip")
    body = stay_body(room_type["id"], start_in_days=8, nights=3, guest_name="Round Trip")
    _, log, hold = await booked(client, headers, warm_up, body)
    # BEGIN, the traveller's and the nights' locks, the open-holds count and the room type; the nights' counters with
    # the booking row; the nights, the availability event and the message with COMMIT
    assert len(hold) <= 3, hold
    assert sum(len(trip) for trip in hold) <= 11, hold  # statements: BEGIN, 9, COMMIT
    # + the token, the rate limits, the provider order, and our payment row with the booking and its nights read back
    assert len(log) <= 7, log


async def test_a_table_booking_over_the_api_costs_at_most_this_many_round_trips(client, statements):
    place, user = await restaurant_and_user(tables=[2, 4, 4], links=[(1, 2)], combine=True, deposit_minor=20000)
    headers = await api_token(client, user["email"])
    body = table_body(place["id"], party_size=6, at="19:30")  # two adjacent tables, one already taken
    response, log, hold = await booked(client, headers, table_body(place["id"], at="19:00"), body)
    assert len(response_tables := (await response.get_json())["tables"]) == 2, response_tables
    # BEGIN, the traveller's and the tables' locks, the open-holds count, the restaurant, its hours, its adjacent
    # tables and the slots taken; the booking row; its tables, slots, the availability event and the message with COMMIT
    assert len(hold) <= 3, hold
    # a new booking has no tables to replace (only a late payment's retake does)
    assert not [s for trip in hold for s in trip if s.startswith("DELETE")], hold
    # + the token, the rate limits, the provider order (a deposit), and our payment row with the booking read back
    assert len(log) <= 7, log
