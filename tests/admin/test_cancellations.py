"""Cancelling a trip cascades to its bookings and releases every seat exactly once; admin booking cancellation."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from travelgo import db
from travelgo.dates import today_in

from .. import factories
from ..conftest import csrf_for, post_form
from .helpers import book_bus, events_for, fetch_all, fetch_one

HX = {"HX-Request": "true"}


async def trip_state(trip_id: int) -> dict:
    async with db.reading() as cur:
        trip = await fetch_one(cur, "SELECT status, cancel_reason, seats_booked FROM trips WHERE id = %s", trip_id)
        bookings = await fetch_all(
            cur,
            "SELECT reference, status, cancel_reason, cancelled_by, refund_minor, total_minor "
            "FROM bookings WHERE trip_id = %s ORDER BY id",
            trip_id,
        )
        held = await fetch_one(cur, "SELECT COUNT(*) AS n FROM booking_seats WHERE trip_id = %s AND held = 1", trip_id)
        events = await events_for(cur, f"trip:{trip_id}")
    return {"trip": trip, "bookings": bookings, "held": held["n"], "events": events}


async def test_trip_cancel_cascades_and_second_cancel_releases_nothing(admin_client, world):
    trip = world["trip"]  # booking A holds seats 1, 2
    async with db.transaction() as cur:
        other = await factories.make_user(cur, "other@example.com")
        await book_bus(cur, other, trip, ["5"])
        await book_bus(cur, other, trip, ["6", "7"], status="cancelled")  # cancelled earlier by its traveller
    response = await post_form(admin_client, f"/admin/trips/{trip['id']}/cancel", {"reason": "x"}, HX)
    assert response.status_code == 422  # a reason is required

    response = await post_form(
        admin_client, f"/admin/trips/{trip['id']}/cancel", {"reason": "Road closed by floods"}, HX
    )
    assert response.status_code == 200
    state = await trip_state(trip["id"])
    assert state["trip"] == {"status": "cancelled", "cancel_reason": "Road closed by floods", "seats_booked": 0}
    assert state["held"] == 0
    active, earlier = state["bookings"][:2], state["bookings"][2]
    for b in active:
        assert (b["status"], b["cancel_reason"], b["cancelled_by"]) == (
            "cancelled",
            "Road closed by floods",
            "operator",
        )
        assert b["refund_minor"] == b["total_minor"]
    assert (earlier["cancel_reason"], earlier["cancelled_by"]) == ("changed plans", "traveller")  # untouched
    last = state["events"][-1]["payload"]
    assert last["seats_left"] == 0 and len(last["unavailable_seats"]) == 8
    async with db.reading() as cur:
        audit = await fetch_all(cur, "SELECT after_data FROM audit_log WHERE action = 'trip.cancel'")
    assert len(audit) == 1 and "Road closed by floods" in audit[0]["after_data"]

    # again: refused, and nothing is released a second time
    response = await post_form(admin_client, f"/admin/trips/{trip['id']}/cancel", {"reason": "Road closed again"}, HX)
    assert response.status_code == 409
    assert "already cancelled" in await response.get_data(as_text=True)
    again = await trip_state(trip["id"])
    assert again["trip"]["seats_booked"] == 0 and again["events"] == state["events"]
    assert [b["cancel_reason"] for b in again["bookings"]] == [b["cancel_reason"] for b in state["bookings"]]


async def test_concurrent_trip_cancels_release_once(app, admin_client, world):
    trip = world["trip"]
    other = app.test_client()
    from ..conftest import login

    await login(other, world["admin"]["email"])
    t1, t2 = await csrf_for(admin_client), await csrf_for(other)
    responses = await asyncio.gather(
        admin_client.post(f"/admin/trips/{trip['id']}/cancel", form={"reason": "Strike", "csrf_token": t1}, headers=HX),
        other.post(f"/admin/trips/{trip['id']}/cancel", form={"reason": "Strike", "csrf_token": t2}, headers=HX),
    )
    assert sorted(r.status_code for r in responses) == [200, 409]
    state = await trip_state(trip["id"])
    assert state["trip"]["seats_booked"] == 0 and state["held"] == 0
    async with db.reading() as cur:
        assert (await fetch_one(cur, "SELECT COUNT(*) AS n FROM audit_log WHERE action = 'trip.cancel'"))["n"] == 1


async def test_admin_cancels_hotel_booking_once(admin_client, world):
    booking, room_type = world["hotel_booking"], world["room_type"]
    day = today_in() + timedelta(days=2)

    async def booked() -> list[int]:
        async with db.reading() as cur:
            rows = await fetch_all(
                cur,
                "SELECT rooms_booked FROM room_inventory WHERE room_type_id = %s AND night IN (%s, %s) ORDER BY night",
                room_type["id"],
                day,
                day + timedelta(days=1),
            )
        return [r["rooms_booked"] for r in rows]

    assert await booked() == [1, 1]
    path = f"/admin/bookings/{booking['reference']}/cancel"
    response = await post_form(admin_client, path, {"reason": "Guest called: hospitalised"}, HX)
    assert response.status_code == 200
    assert await booked() == [0, 0]
    async with db.reading() as cur:
        row = await fetch_one(
            cur, "SELECT status, cancelled_by, refund_minor, cancel_reason FROM bookings WHERE id = %s", booking["id"]
        )
        events = await events_for(cur, f"hotel:{world['hotel']['id']}")
    assert row == {
        "status": "cancelled",
        "cancelled_by": "admin",
        "refund_minor": booking["total_minor"],
        "cancel_reason": "Guest called: hospitalised",
    }
    assert events[-1]["payload"]["rooms_left"] == {day.isoformat(): 3, (day + timedelta(days=1)).isoformat(): 3}
    response = await post_form(admin_client, path, {"reason": "again"}, HX)
    assert response.status_code == 409
    assert await booked() == [0, 0]
    body = await (await admin_client.get(f"/admin/bookings/{booking['reference']}")).get_data(as_text=True)
    assert "Guest called: hospitalised" in body and "by admin" in body


async def test_admin_cancels_bus_booking(admin_client, world):
    booking, trip = world["bus_booking"], world["trip"]
    response = await post_form(admin_client, f"/admin/bookings/{booking['reference']}/cancel", {"reason": "Duplicate"})
    assert response.status_code == 303
    state = await trip_state(trip["id"])
    assert state["trip"]["seats_booked"] == 0 and state["held"] == 0 and state["trip"]["status"] == "scheduled"
    assert state["events"][-1]["payload"] == {
        "trip_id": trip["id"],
        "seats_left": 8,
        "unavailable_seats": [],
        "origin_id": trip["origin"]["id"],
        "destination_id": trip["destination"]["id"],
    }


async def refused_page(client, path: str, form: dict, message: str) -> None:
    """A refusal posted as a plain form (JavaScript off) is a full 409 page that says why, once; with htmx the
    form fragment says it, once."""
    response = await post_form(client, path, form)
    body = await response.get_data(as_text=True)
    assert response.status_code == 409
    assert "<html" in body and body.count(message) == 1
    response = await post_form(client, path, form, HX)
    body = await response.get_data(as_text=True)
    assert response.status_code == 409
    assert "<html" not in body and body.count(message) == 1


async def test_booking_cancel_refused_without_javascript_says_why(admin_client, world):
    cancel = f"/admin/bookings/{world['bus_booking']['reference']}/cancel"
    assert (await post_form(admin_client, cancel, {"reason": "Duplicate"})).status_code == 303
    await refused_page(admin_client, cancel, {"reason": "Duplicate again"}, "This booking is already cancelled.")


async def test_trip_cancel_refused_without_javascript_says_why(admin_client, world):
    cancel = f"/admin/trips/{world['trip']['id']}/cancel"
    assert (await post_form(admin_client, cancel, {"reason": "Road closed"})).status_code == 303
    await refused_page(admin_client, cancel, {"reason": "Road closed again"}, "This trip is already cancelled.")


async def test_trip_seats_refused_without_javascript_says_why(admin_client, world):
    path = f"/admin/trips/{world['trip']['id']}"
    assert (await post_form(admin_client, f"{path}/cancel", {"reason": "Road closed"})).status_code == 303
    await refused_page(
        admin_client, f"{path}/seats", {"seats_total": "6"}, "This trip is cancelled; its seats cannot change."
    )
