"""Outside checks on the main public pages of the e2e server: the Nu HTML validator finds no error (apart from htmx's
hx-*/sse-* attributes) and Lighthouse's performance, accessibility, best-practices and SEO scores stay above a floor.

A few pages, not every page: the checks add about a minute to the suite. The scores are printed and kept in
var/page-checks/ (README, "Page checks", quotes a run)."""

from __future__ import annotations

import json
import os
from datetime import timedelta

import pytest

from travelgo.dates import today_in

from . import pagechecks
from .helpers import log_in

pytestmark = pytest.mark.e2e

# Lighthouse's mobile profile on a shared 2-core CI machine: performance moves with the machine's load, so its floor
# is lower than what an idle machine measures (see README); the others do not depend on speed.
FLOORS = {"performance": 60, "accessibility": 95, "best-practices": 95, "seo": 95}


@pytest.fixture(scope="module")
def tools():
    reason = pagechecks.missing_tools()
    if reason:
        if os.environ.get("TRAVELGO_REQUIRE_BROWSER", "") == "1":
            pytest.fail(f"TRAVELGO_REQUIRE_BROWSER=1 but {reason}", pytrace=False)
        pytest.skip(reason)


async def sample(arrange) -> dict:
    """A seeded route with buses tomorrow, one of its trips, a hotel with rooms, a train's two stops and a city with
    restaurants, for the page URLs (Lighthouse runs on three of them, the Nu validator on all)."""
    tomorrow = today_in() + timedelta(days=1)
    async with arrange() as cur:
        await cur.execute(
            """SELECT t.id, t.origin_id, t.destination_id FROM trips t
                WHERE t.departs_at >= %s AND t.departs_at < %s AND t.status = 'scheduled'
                  AND t.seats_booked < t.seats_total
                  AND EXISTS (SELECT 1 FROM trip_points tp WHERE tp.trip_id = t.id)
                ORDER BY t.id LIMIT 1""",
            (f"{tomorrow} 10:00", f"{tomorrow} 23:59"),
        )
        trip = await cur.fetchone()
        await cur.execute(
            """SELECT h.id, h.city_id FROM hotels h JOIN room_types rt ON rt.hotel_id = h.id
                 JOIN room_inventory ri ON ri.room_type_id = rt.id AND ri.night = %s
                WHERE ri.rooms_total > ri.rooms_booked ORDER BY h.id LIMIT 1""",
            (tomorrow,),
        )
        hotel = await cur.fetchone()
        await cur.execute(
            """SELECT a.city_id AS origin, b.city_id AS destination FROM routes r
                 JOIN route_stops a ON a.route_id = r.id
                 JOIN route_stops b ON b.route_id = r.id AND b.stop_no > a.stop_no
                WHERE r.mode = 'train' ORDER BY r.id, a.stop_no, b.stop_no LIMIT 1"""
        )
        train = await cur.fetchone()
        await cur.execute("SELECT city_id FROM restaurants ORDER BY id LIMIT 1")
        restaurant = await cur.fetchone()
    stay = f"check_in={tomorrow}&check_out={tomorrow + timedelta(days=2)}&guests=2"
    return {
        "home": "/",
        "bus search": "/buses",
        "bus results": f"/buses?origin={trip['origin_id']}&destination={trip['destination_id']}&date={tomorrow}",
        "trip and seat map": f"/buses/{trip['id']}",
        "hotel search": "/hotels",
        "hotel results": f"/hotels?city={hotel['city_id']}&{stay}",
        "hotel page": f"/hotels/{hotel['id']}?{stay}",
        "travel results": f"/travel?origin={train['origin']}&destination={train['destination']}&date={tomorrow}",
        "restaurant results": f"/restaurants?city={restaurant['city_id']}&date={tomorrow}&time=20:00",
        "log in": "/login",
        "register": "/register",
        "trip_id": trip["id"],
    }


async def test_main_pages_are_valid_html(tools, page, arrange, e2e_server):
    urls = await sample(arrange)
    trip_id = urls.pop("trip_id")
    pages = {}
    for name, path in urls.items():
        response = await page.context.request.get(path)
        assert response.status == 200, (name, path, response.status)
        pages[name] = await response.text()
    # signed in: the booking form (seat, passengers, boarding and dropping points) and My bookings
    await log_in(page, "asha@travelgo.example")
    seats = (await (await page.context.request.get(f"/api/v1/bus-trips/{trip_id}")).json())["seats"]
    free = next(s["label"] for s in seats if s["available"])
    for name, path in {"bus booking form": f"/buses/{trip_id}/book?seats={free}", "my bookings": "/bookings"}.items():
        response = await page.context.request.get(path)
        assert response.status == 200, (name, path, response.status)
        pages[name] = await response.text()
    assert 'name="boarding_point_id"' in pages["bus booking form"]  # the seeded trip has points to choose
    assert all('<li class="card result' in pages[name] for name in ("travel results", "restaurant results"))

    errors = pagechecks.nu_errors(pages)
    report = {name: errs for name, errs in errors.items() if errs}
    assert not report, "Nu HTML validator:\n" + "\n".join(
        f"{name}:\n  " + "\n  ".join(errs) for name, errs in report.items()
    )


async def test_lighthouse_scores_stay_above_the_floor(tools, arrange, e2e_server, capsys):
    urls = await sample(arrange)
    scores = {}
    for name in ("home", "bus results", "hotel page"):
        scores[name] = pagechecks.lighthouse(e2e_server.base_url + urls[name], name.replace(" ", "-"))
    (pagechecks.RESULTS / "lighthouse-scores.json").write_text(json.dumps(scores, indent=2))
    with capsys.disabled():
        print(
            "\nLighthouse (mobile):",
            "; ".join(f"{n}: " + ", ".join(f"{k} {v}" for k, v in s.items()) for n, s in scores.items()),
        )
    low = [
        f"{name} {key} {score} < {FLOORS[key]}"
        for name, s in scores.items()
        for key, score in s.items()
        if score < FLOORS[key]
    ]
    assert not low, f"Lighthouse scores under the floor: {low}; every score: {scores}"
