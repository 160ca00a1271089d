"""Pricing rules price train and flight seats (segments.kind.seat_price): a route rule of the two cities sold between,
a trip rule of the run, occupancy of the segment's busiest leg; the search, the seat map and the booking agree, a
stale quote is refused, and the background repricer leaves trains' trips.price_minor alone."""

from __future__ import annotations

from decimal import Decimal

import pytest

from travelgo import db
from travelgo.bookings.errors import PriceChanged
from travelgo.pricing import service as pricing
from travelgo.pricing.forms import RuleForm
from travelgo.segments import service as segments

from .. import factories
from ..bookings.helpers import as_user, passengers, scalar
from ..inapp import service
from .helpers import train

pytestmark = pytest.mark.usefixtures("app")  # the pools open, the tables emptied

# make_train's 1A fare: ₹500 + ₹3/km, 100 km between stops
WHOLE = 50_000 + 300 * 200  # stop 0 -> 2
ONE_LEG = 50_000 + 300 * 100


async def people() -> tuple[dict, dict]:
    async with db.transaction() as cur:
        return await factories.make_user(cur, role="admin"), await factories.make_user(cur)


def seat_prices(detail: dict) -> set[int]:
    return {s["price_minor"] for s in detail["seats"]}


async def test_a_route_rule_prices_the_segment_between_its_cities_and_quote_is_charge():
    admin, traveller = await people()
    trip = await train(stops=3, size=4)
    a, b, c = (city["id"] for city in trip["cities"])
    await pricing.save_rule(
        admin["id"],
        RuleForm(name="Busy pair", kind="occupancy", scope="route", origin_id=a, destination_id=c, threshold_percent=0,
                 adjust_percent=Decimal("10")),
    )  # fmt: skip
    quoted = await segments.trip_detail(trip["id"], a, c)
    assert seat_prices(quoted) == {WHOLE * 110 // 100}
    assert seat_prices(await segments.trip_detail(trip["id"], a, b)) == {ONE_LEG}  # another pair: no rule
    found = await segments.search(a, c, trip["departs_at"].date(), modes=["train"])
    assert [i["price_minor"] for i in found["items"]] == [WHOLE * 110 // 100]
    assert found["items"][0]["classes"][0]["price_minor"] == WHOLE * 110 // 100

    booked = await service.book_segment(
        as_user(traveller), trip["id"], a, c, ["A1-1"], passengers(1), expected_total_minor=WHOLE * 110 // 100
    )
    assert booked["total_minor"] == WHOLE * 110 // 100
    assert await scalar("SELECT price_minor FROM booking_segment_seats") == WHOLE * 110 // 100


async def test_occupancy_is_the_segment_busiest_leg_and_a_stale_quote_is_refused():
    admin, traveller = await people()
    trip = await train(stops=3, size=4)
    a, b, c = (city["id"] for city in trip["cities"])
    await pricing.save_rule(
        admin["id"],
        RuleForm(name="Half full", kind="occupancy", scope="trip", trip_id=trip["id"], threshold_percent=50,
                 adjust_percent=Decimal("20")),
    )  # fmt: skip
    assert seat_prices(await segments.trip_detail(trip["id"], a, c)) == {WHOLE}  # nothing sold yet
    await service.book_segment(as_user(traveller), trip["id"], a, b, ["A1-1", "A1-2"], passengers(2))

    assert seat_prices(await segments.trip_detail(trip["id"], b, c)) == {ONE_LEG}  # its leg is empty
    over_busy_leg = await segments.trip_detail(trip["id"], a, c)
    assert {s["price_minor"] for s in over_busy_leg["seats"] if s["available"]} == {WHOLE * 120 // 100}
    with pytest.raises(PriceChanged):  # the page said ₹1,100 before the first booking
        await service.book_segment(
            as_user(traveller), trip["id"], a, c, ["A1-3"], passengers(1), expected_total_minor=WHOLE
        )
    assert await scalar("SELECT COUNT(*) FROM bookings") == 1
    booked = await service.book_segment(
        as_user(traveller), trip["id"], a, c, ["A1-3"], passengers(1), expected_total_minor=WHOLE * 120 // 100
    )
    assert booked["total_minor"] == WHOLE * 120 // 100


async def test_the_background_repricer_leaves_train_runs_alone():
    admin, _ = await people()
    trip = await train(stops=2)
    a, b = (city["id"] for city in trip["cities"])
    before = await scalar("SELECT price_minor FROM trips WHERE id = %(id)s", {"id": trip["id"]})
    saved = await pricing.save_rule(
        admin["id"],
        RuleForm(name="Pair", kind="occupancy", scope="route", origin_id=a, destination_id=b, threshold_percent=0,
                 adjust_percent=Decimal("50")),
    )  # fmt: skip
    await pricing.Refresher().run_all()
    assert saved["prices_changed"] == 0
    assert await scalar("SELECT price_minor FROM trips WHERE id = %(id)s", {"id": trip["id"]}) == before
    assert seat_prices(await segments.trip_detail(trip["id"], a, b)) == {(50_000 + 300 * 100) * 150 // 100}
