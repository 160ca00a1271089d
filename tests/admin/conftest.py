"""Admin fixtures: an admin and a traveller (logged-in clients) and a small world of inventory with bookings."""

from __future__ import annotations

from datetime import timedelta

import pytest

from travelgo import db
from travelgo.dates import today_in

from .. import factories
from ..conftest import signed_in


@pytest.fixture
async def people(app):
    async with db.transaction() as cur:
        admin = await factories.make_user(cur, "admin@example.com", role="admin", full_name="Ada Admin")
        traveller = await factories.make_user(cur, "trav@example.com", full_name="Tom Traveller")
    return {"admin": admin, "traveller": traveller}


@pytest.fixture
async def admin_client(app, people):
    return await signed_in(app, people["admin"]["email"])


@pytest.fixture
async def traveller_client(app, people):
    return await signed_in(app, people["traveller"]["email"])


@pytest.fixture
async def world(people):
    """A trip with two seats booked and a hotel with one room booked for two nights."""
    from .helpers import book_bus, book_hotel

    async with db.transaction() as cur:
        trip = await factories.make_trip(cur, seats=8)
        hotel = await factories.make_hotel(cur, city=trip["origin"])
        room_type = await factories.make_room_type(cur, hotel["id"], rooms=3, nights=10)
        bus_booking = await book_bus(cur, people["traveller"], trip, ["1", "2"])
        hotel_booking = await book_hotel(cur, people["traveller"], room_type, today_in() + timedelta(days=2), 2)
        # money on the bus booking: a captured payment and a refund the provider failed (the admin may retry it)
        await cur.execute(
            """INSERT INTO payments (booking_id, provider, order_id, amount_minor, currency, status, provider_payment_id)
               SELECT id, 'testpay', 'order_world', total_minor, currency, 'captured', 'pay_world'
                 FROM bookings WHERE reference = %s""",
            (bus_booking["reference"],),
        )
        await cur.execute(
            """INSERT INTO refunds (booking_id, payment_id, provider_payment_id, amount_minor, currency, reason, status)
               SELECT booking_id, id, 'pay_world', 100, currency, 'cancellation', 'failed' FROM payments""",
        )
        refund_id = cur.lastrowid
        # a confirmation mail that could not be delivered (the admin may resend it)
        await cur.execute(
            """INSERT INTO notifications (kind, channel, user_id, booking_id, recipient, status, last_error)
               SELECT 'booking_confirmed', 'email', user_id, id, contact_email, 'failed', 'mailbox full'
                 FROM bookings WHERE reference = %s""",
            (bus_booking["reference"],),
        )
        notification_id = cur.lastrowid
        # a pricing rule on the trip (the admin may edit or turn it off)
        await cur.execute(
            """INSERT INTO pricing_rules (name, kind, trip_id, threshold_percent, adjust_percent)
               VALUES ('Busy trip', 'occupancy', %s, 90, 10)""",
            (trip["id"],),
        )
        rule_id = cur.lastrowid
        # a review of the hotel stay (written straight into the table: the admin may hide it or reply)
        await cur.execute(
            """INSERT INTO reviews (booking_id, user_id, hotel_id, rating, body)
               VALUES (%s, %s, %s, 2, 'The room was noisy and the breakfast cold.')""",
            (hotel_booking["id"], people["traveller"]["id"], hotel["id"]),
        )
        review_id = cur.lastrowid
        # a partner business and an application waiting for a decision (issue 17)
        await cur.execute("INSERT INTO partners (name, contact_email) VALUES ('World Group', 'desk@world.example')")
        partner_id = cur.lastrowid
        await cur.execute(
            "INSERT INTO partner_applications (user_id, business_name, kind) VALUES (%s, 'World Inns', 'hotel')",
            (people["traveller"]["id"],),
        )
        application_id = cur.lastrowid
        # a restaurant with two tables (issue 17's restaurant management)
        restaurant = await factories.make_restaurant(cur, city=trip["origin"], tables=[2, 4])
    return {
        "restaurant": restaurant,
        "partner_id": partner_id,
        "application_id": application_id,
        "rule_id": rule_id,
        "review_id": review_id,
        "refund_id": refund_id,
        "notification_id": notification_id,
        "trip": trip,
        "hotel": hotel,
        "room_type": room_type,
        "bus_booking": bus_booking,
        "hotel_booking": hotel_booking,
        **people,
    }
