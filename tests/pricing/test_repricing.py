"""Dynamic prices materialised into the price columns: a rule saved reprices its scope (audited); occupancy bands
move the next buyer's price inside the booking transaction while the booking is charged what its buyer saw; a price
changed between page and hold is shown, never charged silently; floor and ceiling; the background repricer."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from travelgo import db
from travelgo.bookings.errors import PriceChanged
from travelgo.dates import today_in
from travelgo.pricing import service as pricing
from travelgo.pricing.forms import BoundsForm, RuleForm
from travelgo.templating import money

from .. import factories
from ..bookings.browser import press
from ..bookings.helpers import as_user, passengers, scalar, stay, trip_and_user
from ..conftest import login
from ..inapp import service as booking_service

pytestmark = pytest.mark.usefixtures("_uses_database")


async def make_admin() -> dict:
    async with db.transaction() as cur:
        return await factories.make_user(cur, role="admin")


async def trip_price(trip_id: int) -> tuple[int, int | None]:
    async with db.reading() as cur:
        await cur.execute("SELECT price_minor, base_price_minor FROM trips WHERE id = %(id)s", {"id": trip_id})
        row = await cur.fetchone()
    return row["price_minor"], row["base_price_minor"]


async def night_prices(room_type_id: int) -> dict:
    async with db.reading() as cur:
        await cur.execute(
            "SELECT night, price_minor FROM room_inventory WHERE room_type_id = %(id)s ORDER BY night",
            {"id": room_type_id},
        )
        return {row["night"]: row["price_minor"] for row in await cur.fetchall()}


def route_rule(trip: dict, kind: str, adjust: str, **kw) -> RuleForm:
    return RuleForm(
        name=f"{kind} {adjust}",
        kind=kind,
        scope="route",
        origin_id=trip["origin"]["id"],
        destination_id=trip["destination"]["id"],
        adjust_percent=Decimal(adjust),
        **kw,
    )


async def audit_actions(entity: str) -> list[str]:
    async with db.reading() as cur:
        await cur.execute("SELECT action FROM audit_log WHERE entity = %(e)s ORDER BY id", {"e": entity})
        return [row["action"] for row in await cur.fetchall()]


async def book(user: dict, trip: dict, seats: list[str], expected: int | None):
    return await booking_service.book_trip(
        as_user(user), trip["id"], seats, passengers(len(seats)), expected_total_minor=expected
    )


# --- a rule saved reprices its scope, audited -------------------------------------------------------------


async def test_a_saved_rule_reprices_its_route_and_is_audited_and_turning_it_off_restores_the_base():
    admin = await make_admin()
    trip, _ = await trip_and_user(price_minor=2500)
    day = trip["departs_at"].date()
    rule = await pricing.save_rule(admin["id"], route_rule(trip, "season", "20", starts_on=day, ends_on=day))
    assert rule["prices_changed"] == 1
    assert await trip_price(trip["id"]) == (3000, 2500)
    assert await audit_actions("pricing_rule") == ["pricing_rule.create"]

    edited = route_rule(trip, "season", "10", starts_on=day, ends_on=day)
    await pricing.save_rule(admin["id"], edited, rule["id"])
    assert await trip_price(trip["id"]) == (2750, 2500)

    await pricing.set_rule_enabled(admin["id"], rule["id"], False)
    assert (await trip_price(trip["id"]))[0] == 2500
    assert await audit_actions("pricing_rule") == ["pricing_rule.create", "pricing_rule.update", "pricing_rule.disable"]


async def test_an_admin_price_change_is_the_new_base_and_the_rules_apply_on_top():
    from travelgo.admin import service as admin_service

    admin = await make_admin()
    trip, _ = await trip_and_user(price_minor=2500)
    await pricing.save_rule(admin["id"], route_rule(trip, "lead_time", "20", days_min=0, days_max=30))
    assert await trip_price(trip["id"]) == (3000, 2500)
    await admin_service.change_trip_price(admin["id"], trip["id"], 4000)
    assert await trip_price(trip["id"]) == (4800, 4000)


async def test_the_preview_prices_a_sample_without_saving():
    trip, _ = await trip_and_user(price_minor=2500)
    preview = await pricing.preview(
        route_rule(
            trip,
            "weekday",
            "10",
            weekdays=[["mon", "tue", "wed", "thu", "fri", "sat", "sun"][trip["departs_at"].weekday()]],
        )
    )
    assert preview["price_minor"] == 2750 and preview["base_minor"] == 2500 and preview["current_minor"] == 2500
    assert preview["applied"] and "+10%" in preview["applied"][0]
    assert await scalar("SELECT COUNT(*) FROM pricing_rules") == 0
    assert await trip_price(trip["id"]) == (2500, None)


# --- occupancy bands move the NEXT buyer's price, in the booking's own transaction ------------------------------


async def test_occupancy_band_raises_the_next_buyers_price_and_each_booking_is_charged_what_it_saw():
    admin = await make_admin()
    trip, user = await trip_and_user(seats=10, price_minor=1000)
    await pricing.save_rule(admin["id"], route_rule(trip, "occupancy", "10", threshold_percent=70))
    assert (await trip_price(trip["id"]))[0] == 1000

    first = await book(user, trip, ["1", "2", "3", "4", "5", "6"], 6000)  # 60 % sold after it
    assert first["total_minor"] == 6000 and (await trip_price(trip["id"]))[0] == 1000
    crossing = await book(user, trip, ["7"], 1000)  # takes it to 70 %: charged what its buyer saw
    assert crossing["total_minor"] == 1000
    assert (await trip_price(trip["id"]))[0] == 1100  # the next buyer's price, committed with that booking
    assert await scalar("SELECT price_minor FROM booking_seats WHERE seat_label = '7' AND held = 1") == 1000

    with pytest.raises(PriceChanged):  # the next buyer quoted the old price: refused, nothing charged
        await book(user, trip, ["8"], 1000)
    assert await scalar("SELECT COUNT(*) FROM bookings") == 2
    assert (await book(user, trip, ["8"], 1100))["total_minor"] == 1100

    # a cancellation brings occupancy (and the price) back down, in the same transaction
    await booking_service.cancel_booking(user["id"], first["reference"])
    assert (await trip_price(trip["id"]))[0] == 1000


async def test_hotel_occupancy_band_reprices_the_nights_booked_only():
    admin = await make_admin()
    async with db.transaction() as cur:
        hotel = await factories.make_hotel(cur)
        room_type = await factories.make_room_type(cur, hotel["id"], rooms=2, price_minor=9000, nights=10)
        user = await factories.make_user(cur)
    form = RuleForm(
        name="busy", kind="occupancy", scope="hotel", hotel_id=hotel["id"], threshold_percent=50, adjust_percent=20
    )
    await pricing.save_rule(admin["id"], form)
    check_in, check_out = stay(start_in_days=2, nights=2)
    booking = await booking_service.book_room(
        as_user(user), room_type["id"], check_in, check_out, 1, 2, "Ada", expected_total_minor=18000
    )
    assert booking["total_minor"] == 18000
    prices = await night_prices(room_type["id"])
    assert prices[check_in] == prices[check_in + timedelta(days=1)] == 10800
    assert prices[check_out] == 9000 and prices[today_in()] == 9000


# --- page -> price change -> hold: shown before payment, never charged silently ----------------------------------


async def test_a_price_raised_by_other_buyers_after_the_page_is_shown_before_anything_is_charged(client):
    admin = await make_admin()
    trip, user = await trip_and_user(seats=10, price_minor=27550)
    async with db.transaction() as cur:
        other = await factories.make_user(cur)
    await pricing.save_rule(admin["id"], route_rule(trip, "occupancy", "10", threshold_percent=50))
    await login(client, user["email"])
    html = await (await client.get(f"/buses/{trip['id']}/book?seats=9")).get_data(as_text=True)
    assert money(27550, "EUR") in html

    await book(other, trip, ["1", "2", "3", "4", "5"], 5 * 27550)  # 50 % sold: the price moves to 303.05
    new_price = (await trip_price(trip["id"]))[0]
    assert new_price == 30305

    refused = await press(client, html, "Confirm and book", {"p-0-name": "Asha Rao", "p-0-age": "30"})
    body = await refused.get_data(as_text=True)
    assert refused.status_code == 409, body
    assert money(30305, "EUR") in body and money(27550, "EUR") in body
    assert await scalar("SELECT COUNT(*) FROM bookings WHERE user_id = %(u)s", {"u": user["id"]}) == 0

    done = await press(client, body, "Confirm and book")
    assert done.status_code == 303 and done.headers["Location"].startswith("/checkout/")
    assert await scalar("SELECT total_minor FROM bookings WHERE user_id = %(u)s", {"u": user["id"]}) == 30305


# --- floor and ceiling -----------------------------------------------------------------------------------------


async def test_floor_and_ceiling_bound_the_dynamic_price():
    admin = await make_admin()
    trip, _ = await trip_and_user(price_minor=2000)
    rule = await pricing.save_rule(admin["id"], route_rule(trip, "lead_time", "50", days_min=0))
    assert (await trip_price(trip["id"]))[0] == 3000
    await pricing.set_bounds(admin["id"], BoundsForm(product="trip", product_id=trip["id"], ceiling="25.00"))
    assert (await trip_price(trip["id"]))[0] == 2500
    assert await audit_actions("trip") == ["pricing.bounds"]

    await pricing.save_rule(admin["id"], route_rule(trip, "lead_time", "-80", days_min=0), rule["id"])
    assert (await trip_price(trip["id"]))[0] == 400
    await pricing.set_bounds(admin["id"], BoundsForm(product="trip", product_id=trip["id"], floor="15.00"))
    assert (await trip_price(trip["id"]))[0] == 1500


# --- the background repricer: what the clock changes -----------------------------------------------------------


async def test_the_background_round_applies_last_minute_prices_as_departure_nears():
    trip, _ = await trip_and_user(
        price_minor=2000, departs_at=datetime.combine(today_in() + timedelta(days=10), datetime.min.time())
    )
    async with db.transaction() as cur:
        hotel = await factories.make_hotel(cur)
        room_type = await factories.make_room_type(cur, hotel["id"], price_minor=9000, nights=5)
        # rules written straight to the table (as if saved long ago): only the round prices them
        await cur.execute(
            """INSERT INTO pricing_rules (name, kind, origin_id, destination_id, days_min, days_max, adjust_percent)
               VALUES ('Last minute', 'lead_time', %s, %s, 0, 2, 15)""",
            (trip["origin"]["id"], trip["destination"]["id"]),
        )
        await cur.execute(
            """INSERT INTO pricing_rules (name, kind, room_type_id, days_min, days_max, adjust_percent)
               VALUES ('Last minute rooms', 'lead_time', %s, 0, 1, -10)""",
            (room_type["id"],),
        )
    refresher = pricing.Refresher(batch=2)  # small batches: the round walks on across several
    await refresher.run_all()
    assert (await trip_price(trip["id"]))[0] == 2000  # ten days ahead: not last-minute
    today = today_in()
    assert await night_prices(room_type["id"]) == {
        today + timedelta(days=i): (8100 if i <= 1 else 9000) for i in range(5)
    }

    async with db.transaction() as cur:  # time passes: the trip now leaves in two days
        await cur.execute(
            "UPDATE trips SET departs_at = %(d)s, arrives_at = %(a)s WHERE id = %(id)s",
            {
                "d": datetime.combine(today + timedelta(days=2), datetime.min.time()).replace(hour=9),
                "a": datetime.combine(today + timedelta(days=2), datetime.min.time()).replace(hour=12),
                "id": trip["id"],
            },
        )
    await refresher.run_all()
    assert await trip_price(trip["id"]) == (2300, 2000)
