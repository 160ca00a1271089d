"""Admin management of trains and flights: a route with stops, coaches and fares from one form, runs on a range of
dates (each with its legs), fares changed; audited; travellers are refused."""

from __future__ import annotations

from datetime import timedelta

from travelgo import db
from travelgo.bookings.integrity import check_inventory
from travelgo.dates import today_in

from .. import factories
from ..bookings.helpers import as_user, passengers, scalar
from ..conftest import login, post_form
from ..inapp import service


async def test_admin_builds_a_train_runs_it_and_it_is_bookable(client):
    async with db.transaction() as cur:
        admin = await factories.make_user(cur, role="admin")
        operator = await factories.make_operator(cur, "Konkan Railway")
        cities = [await factories.make_city(cur, name) for name in ("Madgaon", "Karwar", "Udupi")]
        traveller = await factories.make_user(cur)
    await login(client, admin["email"])
    form = {
        "mode": "train",
        "operator_id": str(operator["id"]),
        "code": "10103",
        "name": "Mandovi Express",
        "stops": "Madgaon | | 0 | 0\nKarwar | 95 | 100 | 80\nUdupi | 300 | | 260",
        "coaches": "S1 SL, B1 3A",
        "fares": "SL 40 0.45\n3A 100 1.20",
    }
    bad = await post_form(client, "/admin/routes", {**form, "stops": "Madgaon | | 0 | 0\nNowhere | 10 | | 5"})
    assert bad.status_code == 422 and "There is no city Nowhere" in await bad.get_data(as_text=True)
    unpriced = await post_form(client, "/admin/routes", {**form, "fares": "SL 40 0.45"})
    assert unpriced.status_code == 422 and "No fare for class 3A" in await unpriced.get_data(as_text=True)

    made = await post_form(client, "/admin/routes", form)
    assert made.status_code == 303, await made.get_data(as_text=True)
    route_path = made.headers["Location"]
    page = await (await client.get(route_path)).get_data(as_text=True)
    assert "Mandovi Express" in page and "S1 SL · 72" in page and "B1 3A · 64" in page

    start = today_in() + timedelta(days=5)
    runs = {"start": start.isoformat(), "end": (start + timedelta(days=2)).isoformat(), "departs": "07:00"}
    assert (await post_form(client, f"{route_path}/runs", runs)).status_code == 303
    assert (await post_form(client, f"{route_path}/runs", runs)).status_code == 303  # the same days: skipped
    assert await scalar("SELECT COUNT(*) FROM trips WHERE mode = 'train'") == 3
    assert await scalar("SELECT COUNT(*) FROM trip_legs") == 3 * 2
    too_long = {**runs, "end": (start + timedelta(days=200)).isoformat()}
    assert (await post_form(client, f"{route_path}/runs", too_long)).status_code == 422

    assert (await post_form(client, f"{route_path}/fares", {"fares": "SL 50 0.5\n3A 100 1.20"})).status_code == 303
    trip_id = await scalar("SELECT MIN(id) FROM trips WHERE mode = 'train'")
    booked = await service.book_segment(
        as_user(traveller), trip_id, cities[1]["id"], cities[2]["id"], ["S1-11"], passengers(1)
    )
    assert booked["total_minor"] == 14_000  # ₹50 + ₹0.50 × 180 km
    assert await scalar("SELECT COUNT(*) FROM audit_log WHERE entity IN ('route', 'route_runs', 'route_fares')") == 4
    assert await check_inventory() == []


async def test_travellers_cannot_manage_routes(client):
    async with db.transaction() as cur:
        user = await factories.make_user(cur)
    await login(client, user["email"])
    assert (await client.get("/admin/routes")).status_code == 403
