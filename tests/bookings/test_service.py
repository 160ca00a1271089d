"""The booking service against the real database: rules, counters, events, cancel and refunds."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest

from travelgo import db
from travelgo.bookings import admission
from travelgo.bookings.integrity import check_inventory
from travelgo.bookings.kinds import CHECK_IN_TIME, BusSeats
from travelgo.dates import today_in, wall_now
from travelgo.text import natural_key

from .. import factories
from ..inapp import engine, service
from ..payhelpers import paid
from .helpers import as_user, hotel_and_user, passengers, scalar, stay, trip_and_user


async def events_for(topic: str) -> list[dict]:
    async with db.reading() as cur:
        await cur.execute("SELECT kind, payload FROM events WHERE topic = %(t)s ORDER BY id", {"t": topic})
        return [{"kind": r["kind"], **json.loads(r["payload"])} for r in await cur.fetchall()]


async def test_book_trip_holds_seats_counts_them_and_announces_the_new_state():
    trip, user = await trip_and_user(seats=40, price_minor=2500)
    booking = await service.book_trip(as_user(user), trip["id"], ["12", "3"], passengers(2), None, "+44 20 7946 0958")

    assert re.fullmatch(r"TG-[ABCDEFGHJKLMNPQRSTUVWXYZ23456789]{6}", booking["reference"])
    # A hold while the traveller pays: the seats are taken exactly as by a confirmed booking.
    assert booking["status"] == "pending_payment" and booking["type"] == "bus" and not booking["replayed"]
    assert booking["expires_at"].utcoffset() == timedelta(0) and booking["expires_at"] > datetime.now(UTC)
    assert booking["payment"]["amount_minor"] == 5000 and booking["payment"]["status"] == "created"
    assert booking["total_minor"] == 5000 and booking["currency"] == "EUR"
    assert booking["contact_email"] == user["email"]  # defaults to the account's email
    assert [s["label"] for s in booking["seats"]] == ["3", "12"]
    assert booking["title"] == f"{trip['origin']['name']} → {trip['destination']['name']}"
    assert await scalar("SELECT seats_booked FROM trips WHERE id = %(id)s", {"id": trip["id"]}) == 2
    assert await events_for(f"trip:{trip['id']}") == [
        {
            "kind": "availability",
            "trip_id": trip["id"],
            "seats_left": 38,
            "unavailable_seats": ["3", "12"],
            "origin_id": trip["origin"]["id"],
            "destination_id": trip["destination"]["id"],
        }
    ]
    assert (await paid(booking))["status"] == "confirmed"
    assert await check_inventory() == []


async def test_a_taken_seat_is_named_and_nothing_is_written():
    trip, user = await trip_and_user()
    await service.book_trip(as_user(user), trip["id"], ["5"], passengers(1))
    with pytest.raises(service.SeatsUnavailable) as caught:
        await service.book_trip(as_user(user), trip["id"], ["4", "5"], passengers(2))
    assert caught.value.seats == ["5"] and "Seat 5 is no longer available" in caught.value.detail
    assert await scalar("SELECT COUNT(*) FROM bookings") == 1
    assert await scalar("SELECT COUNT(*) FROM booking_seats WHERE seat_label = '4'") == 0
    assert await scalar("SELECT seats_booked FROM trips WHERE id = %(id)s", {"id": trip["id"]}) == 1


async def test_unknown_seats_and_wrong_counts_are_invalid_input():
    trip, user = await trip_and_user(seats=10)
    with pytest.raises(service.InvalidBooking) as caught:
        await service.book_trip(as_user(user), trip["id"], ["11"], passengers(1))
    assert "seats" in caught.value.errors and "11" in caught.value.errors["seats"]
    with pytest.raises(service.InvalidBooking):
        await service.book_trip(as_user(user), trip["id"], ["1", "2"], passengers(1))
    with pytest.raises(service.InvalidBooking):
        await service.book_trip(as_user(user), trip["id"], [str(i) for i in range(1, 8)], passengers(7))
    with pytest.raises(service.NotFound):
        await service.book_trip(as_user(user), 999_999, ["1"], passengers(1))


async def test_departed_and_cancelled_trips_cannot_be_booked():
    trip, user = await trip_and_user(departs_at=wall_now() - timedelta(minutes=5))
    with pytest.raises(service.NotBookable, match="departed"):
        await service.book_trip(as_user(user), trip["id"], ["1"], passengers(1))
    trip2, _ = await trip_and_user()
    async with db.transaction() as cur:
        await cur.execute("UPDATE trips SET status = 'cancelled' WHERE id = %(id)s", {"id": trip2["id"]})
    with pytest.raises(service.NotBookable, match="cancelled"):
        await service.book_trip(as_user(user), trip2["id"], ["1"], passengers(1))


async def test_same_idempotency_key_returns_the_original_booking():
    trip, user = await trip_and_user()
    first = await service.book_trip(as_user(user), trip["id"], ["1"], passengers(1), idempotency_key="k-1")
    again = await service.book_trip(as_user(user), trip["id"], ["1"], passengers(1), idempotency_key="k-1")
    assert again["reference"] == first["reference"] and again["replayed"] and not first["replayed"]
    assert await scalar("SELECT COUNT(*) FROM bookings") == 1
    # The key is per user: someone else's identical key is a different booking.
    async with db.transaction() as cur:
        other = await factories.make_user(cur)
    theirs = await service.book_trip(as_user(other), trip["id"], ["2"], passengers(1), idempotency_key="k-1")
    assert theirs["reference"] != first["reference"]


async def test_book_room_counts_every_night_and_announces_rooms_left():
    hotel, room_type, user = await hotel_and_user(rooms=3, price_minor=9000, max_guests=2)
    check_in, check_out = stay(start_in_days=2, nights=3)
    booking = await service.book_room(as_user(user), room_type["id"], check_in, check_out, 2, 3, "Ada Lovelace")
    assert booking["total_minor"] == 9000 * 3 * 2 and booking["rooms"] == 2 and booking["guest_name"] == "Ada Lovelace"
    assert [n["night"] for n in booking["nights"]] == [check_in + timedelta(days=i) for i in range(3)]
    assert booking["starts_at"].replace(tzinfo=None) == datetime.combine(check_in, CHECK_IN_TIME)
    assert booking["starts_at"].utcoffset() is not None  # the hotel city's wall-clock time, with its offset
    booked = await scalar(
        "SELECT SUM(rooms_booked) FROM room_inventory WHERE room_type_id = %(id)s", {"id": room_type["id"]}
    )
    assert booked == 6
    [event] = await events_for(f"hotel:{hotel['id']}")
    nights = [(check_in + timedelta(days=i)).isoformat() for i in range(3)]
    assert event == {
        "kind": "availability",
        "hotel_id": hotel["id"],
        "room_type_id": room_type["id"],
        "city_id": hotel["city"]["id"],
        "dates": nights,
        "rooms_left": {n: 1 for n in nights},
    }
    assert await check_inventory() == []


async def test_sold_out_nights_are_named_and_capacity_is_checked():
    hotel, room_type, user = await hotel_and_user(rooms=1, max_guests=2)
    check_in, check_out = stay(start_in_days=2, nights=3)
    await service.book_room(as_user(user), room_type["id"], check_in + timedelta(days=1), check_out, 1, 1, "A Guest")
    with pytest.raises(service.RoomsUnavailable) as caught:
        await service.book_room(as_user(user), room_type["id"], check_in, check_out, 1, 2, "B Guest")
    assert caught.value.nights == [check_in + timedelta(days=1), check_in + timedelta(days=2)]
    assert (check_in + timedelta(days=1)).isoformat() in caught.value.detail
    with pytest.raises(service.InvalidBooking) as too_many:
        await service.book_room(as_user(user), room_type["id"], check_in, check_in + timedelta(days=1), 1, 3, "C")
    assert "guests" in too_many.value.errors
    async with db.transaction() as cur:
        await cur.execute("UPDATE room_inventory SET stop_sell = 1 WHERE night = %(n)s", {"n": check_in})
    with pytest.raises(service.RoomsUnavailable):
        await service.book_room(as_user(user), room_type["id"], check_in, check_in + timedelta(days=1), 1, 1, "D")
    # Nights without inventory (beyond the loaded 30 days) are not for sale either.
    far = today_in() + timedelta(days=40)
    with pytest.raises(service.RoomsUnavailable):
        await service.book_room(as_user(user), room_type["id"], far, far + timedelta(days=1), 1, 1, "E")


async def test_cancel_releases_seats_at_once_with_a_full_refund_far_ahead():
    trip, user = await trip_and_user(price_minor=2500)
    booking = await paid(await service.book_trip(as_user(user), trip["id"], ["1", "2"], passengers(2)))
    cancelled = await service.cancel_booking(user["id"], booking["reference"], "plans changed")
    assert cancelled["status"] == "cancelled" and cancelled["refund_minor"] == 5000
    assert [(r["amount_minor"], r["reason"]) for r in cancelled["refunds"]] == [(5000, "cancellation")]
    assert cancelled["refund"]["percent"] == 100 and cancelled["refund"]["amount_minor"] == 5000
    assert cancelled["cancel_reason"] == "plans changed" and cancelled["cancelled_by"] == "traveller"
    assert await scalar("SELECT seats_booked FROM trips WHERE id = %(id)s", {"id": trip["id"]}) == 0
    assert (await events_for(f"trip:{trip['id']}"))[-1]["unavailable_seats"] == []
    # The seats can be booked again straight away, and a second cancel is refused.
    await service.book_trip(as_user(user), trip["id"], ["1", "2"], passengers(2))
    with pytest.raises(service.NotCancellable, match="already cancelled"):
        await service.cancel_booking(user["id"], booking["reference"])
    assert await check_inventory() == []


async def test_cancel_within_a_day_refunds_half_and_started_bookings_cannot_be_cancelled():
    trip, user = await trip_and_user(price_minor=3000, departs_at=wall_now() + timedelta(hours=5))
    booking = await paid(await service.book_trip(as_user(user), trip["id"], ["1"], passengers(1)))
    cancelled = await service.cancel_booking(user["id"], booking["reference"])
    assert cancelled["refund"]["percent"] == 50 and cancelled["refund_minor"] == 1500
    booking = await paid(await service.book_trip(as_user(user), trip["id"], ["1"], passengers(1)))
    async with db.transaction() as cur:  # time passes: the bus leaves
        await cur.execute(
            "UPDATE bookings SET starts_at = NOW() - INTERVAL 1 MINUTE WHERE reference = %(r)s",
            {"r": booking["reference"]},
        )
    with pytest.raises(service.NotCancellable, match="started"):
        await service.cancel_booking(user["id"], booking["reference"])


async def test_cancel_hotel_releases_room_nights():
    hotel, room_type, user = await hotel_and_user(rooms=1)
    check_in, check_out = stay(nights=2)
    booking = await service.book_room(as_user(user), room_type["id"], check_in, check_out, 1, 1, "Grace Hopper")
    await service.cancel_booking(user["id"], booking["reference"])
    assert await scalar("SELECT SUM(rooms_booked) FROM room_inventory") == 0
    last = (await events_for(f"hotel:{hotel['id']}"))[-1]
    assert last["rooms_left"] == {check_in.isoformat(): 1, (check_in + timedelta(days=1)).isoformat(): 1}
    await service.book_room(as_user(user), room_type["id"], check_in, check_out, 1, 1, "Grace Hopper")
    assert await check_inventory() == []


async def test_cancelling_on_a_stop_sell_night_announces_no_rooms_for_sale_there():
    hotel, room_type, user = await hotel_and_user(rooms=3)
    check_in, check_out = stay(nights=2)
    booking = await service.book_room(as_user(user), room_type["id"], check_in, check_out, 1, 1, "Grace Hopper")
    async with db.transaction() as cur:  # the admin stops selling the first night after the booking
        await cur.execute(
            "UPDATE room_inventory SET stop_sell = 1 WHERE room_type_id = %s AND night = %s",
            (room_type["id"], check_in),
        )
    await service.cancel_booking(user["id"], booking["reference"])
    last = (await events_for(f"hotel:{hotel['id']}"))[-1]
    assert last["rooms_left"] == {check_in.isoformat(): 0, (check_in + timedelta(days=1)).isoformat(): 3}


async def test_travellers_only_see_and_cancel_their_own_bookings():
    trip, owner = await trip_and_user()
    async with db.transaction() as cur:
        stranger = await factories.make_user(cur)
    booking = await service.book_trip(as_user(owner), trip["id"], ["1"], passengers(1))
    assert await service.get_booking(stranger["id"], booking["reference"]) is None
    with pytest.raises(service.NotFound):
        await service.cancel_booking(stranger["id"], booking["reference"])
    assert (await service.get_booking(owner["id"], booking["reference"]))["status"] == "pending_payment"


async def test_release_is_usable_inside_another_transaction():
    """The admin's trip cancellation calls the engine's release per booking on its own transaction."""
    trip, user = await trip_and_user()
    booking = await service.book_trip(as_user(user), trip["id"], ["1", "2"], passengers(2))
    async with db.transaction() as cur:
        released = await engine.release(
            cur, booking["id"], reason="Bus broke down", cancelled_by="operator", refund_minor=booking["total_minor"]
        )
        again = await engine.release(cur, booking["id"], reason="x", cancelled_by="admin", refund_minor=0)
    assert released.released and released.seats == ["1", "2"] and released.type == "bus"
    assert not again.released
    detail = await service.get_booking(user["id"], booking["reference"])
    assert detail["status"] == "cancelled" and detail["cancelled_by"] == "operator"
    assert detail["refund_minor"] == booking["total_minor"]
    assert await check_inventory() == []


async def test_list_bookings_scopes_by_travel_date():
    trip, user = await trip_and_user()
    past_trip, _ = await trip_and_user(departs_at=wall_now() + timedelta(hours=2))
    hotel, room_type, _ = await hotel_and_user()
    u = as_user(user)
    first = await service.book_trip(u, trip["id"], ["1"], passengers(1))
    stay_booking = await service.book_room(u, room_type["id"], *stay(), 1, 1, "Test Traveller")
    gone = await service.book_trip(u, trip["id"], ["2"], passengers(1))
    await service.cancel_booking(user["id"], gone["reference"])
    old = await paid(await service.book_trip(u, past_trip["id"], ["1"], passengers(1)))
    async with db.transaction() as cur:
        await cur.execute(
            "UPDATE bookings SET starts_at = NOW() - INTERVAL 1 DAY, ends_at = NOW() - INTERVAL 20 HOUR"
            " WHERE reference = %(r)s",
            {"r": old["reference"]},
        )

    upcoming = await service.list_bookings(user["id"], "upcoming")
    assert {b["reference"] for b in upcoming["items"]} == {stay_booking["reference"], first["reference"]}
    starts = [b["starts_at"] for b in upcoming["items"]]
    assert starts == sorted(starts) and starts[0] != starts[1]  # soonest first
    assert upcoming["total"] == 2 and hotel["name"] in [b["title"] for b in upcoming["items"]]
    assert [b["reference"] for b in (await service.list_bookings(user["id"], "past"))["items"]] == [old["reference"]]
    assert [b["reference"] for b in (await service.list_bookings(user["id"], "cancelled"))["items"]] == [
        gone["reference"]
    ]
    everything = await service.list_bookings(user["id"], "all", limit=4)
    assert everything["total"] == 4 and len(everything["items"]) == 4
    assert [b["reference"] for b in everything["items"]][:2] == [b["reference"] for b in upcoming["items"]]
    assert everything["items"][-1]["reference"] in (old["reference"], gone["reference"])  # what is over comes last
    assert {"reference", "type", "status", "title", "starts_at", "ends_at", "total_minor", "currency"} <= set(
        everything["items"][0]
    )


async def test_a_trip_under_way_is_still_upcoming_but_no_longer_cancellable():
    trip, user = await trip_and_user()
    booking = await service.book_trip(as_user(user), trip["id"], ["1"], passengers(1))
    async with db.transaction() as cur:
        await cur.execute(
            "UPDATE bookings SET starts_at = %(now)s - INTERVAL 1 HOUR, ends_at = %(now)s + INTERVAL 1 HOUR"
            " WHERE reference = %(r)s",
            {"r": booking["reference"], "now": wall_now()},  # the city's clock, not the database's
        )
    assert [b["reference"] for b in (await service.list_bookings(user["id"], "upcoming"))["items"]] == [
        booking["reference"]
    ]
    assert (await service.list_bookings(user["id"], "past"))["total"] == 0
    assert not service.cancellation_quote(await service.get_booking(user["id"], booking["reference"])).cancellable


async def test_a_double_submit_whose_twin_commits_mid_precheck_is_replayed_not_refused(monkeypatch):
    """Admission's fail-fast seat read must not turn a double submit into a 409: the key is read after the seats."""
    trip, user = await trip_and_user()
    real = service.queries.select_held_seats
    twin = {}

    async def twin_commits_first(cur, trip_id, *, lock=False):
        if not twin:  # the first submit commits (on another worker) just as the second reads the seats
            monkeypatch.setattr(service.queries, "select_held_seats", real)
            unit = BusSeats(trip_id, ["3"], passengers(1))
            twin["id"] = (
                await engine.create(engine.NewBooking(user["id"], unit, user["email"], None, "dbl"))
            ).booking_id
        return await real(cur, trip_id, lock=lock)

    monkeypatch.setattr(service.queries, "select_held_seats", twin_commits_first)
    # the check a request makes in a crowd (alone, it goes straight to the locked check, which finds the key)
    await admission.Admission()._refuse_known_held(BusSeats(trip["id"], ["3"]), user["id"], "dbl", crowd=2)
    assert twin  # not refused: the key was read after the seats
    second = await service.book_trip(as_user(user), trip["id"], ["3"], passengers(1), idempotency_key="dbl")
    assert second["replayed"] and second["id"] == twin["id"]
    assert await scalar("SELECT COUNT(*) FROM bookings") == 1


async def test_a_new_bus_booking_is_answered_exactly_as_it_reads_back():
    """book_trip answers with the booking as stored, and a repeated key with the same booking."""
    trip, user = await trip_and_user(seats=40, price_minor=2500)
    booking = await service.book_trip(
        as_user(user), trip["id"], ["12", "3"], passengers(2), "ada@example.com", idempotency_key="k-1"
    )
    stored = await service.get_booking(user["id"], booking["reference"])
    assert {**stored, "replayed": False} == booking
    replayed = await service.book_trip(as_user(user), trip["id"], ["12", "3"], passengers(2), idempotency_key="k-1")
    assert replayed == {**stored, "replayed": True}


def test_seat_labels_sort_naturally_with_any_characters():
    """Booking and live updates share one sort key (travelgo.text), and "²" (isdigit() but not int()) is no crash."""
    labels = ["10", "2", "L10", "L2", "²", "1²", "٣"]
    assert sorted(labels, key=natural_key)[:4] == ["1²", "2", "10", "L2"]
    assert service.SeatsUnavailable(["²", "3"]).seats == ["3", "²"]
