"""Issue 22's admin: schedules previewed before they are made (with several boarding and dropping points), form
errors in plain words, a dashboard of the busiest routes with tables and readable axes, a readable audit diff."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from itertools import pairwise

from travelgo import db
from travelgo.admin.charts import bar_chart, compact_money

from .. import factories
from ..conftest import csrf_for, post_form
from .helpers import fetch_all

HX = {"HX-Request": "true"}


async def post_pairs(client, path: str, form: dict, headers: dict | None = None):
    pairs = [("csrf_token", await csrf_for(client, "/admin/trips/new"))]
    for key, value in form.items():
        pairs.extend((key, v) for v in value) if isinstance(value, list) else pairs.append((key, value))
    return await client.post(path, form=pairs, headers=headers or {})


async def schedule_world() -> dict:
    async with db.transaction() as cur:
        operator = await factories.make_operator(cur, "Kaveri Travels")
        vehicle = await factories.make_vehicle(cur, operator["id"], seats=12)
        a, b = await factories.make_city(cur, "Aville"), await factories.make_city(cur, "Beeton")
    return {
        "vehicle_id": str(vehicle["id"]),
        "origin_id": str(a["id"]),
        "destination_id": str(b["id"]),
        "duration_minutes": "240",
        "price": "450",
        "currency": "INR",
        "amenities": ["wifi"],
        "boarding_point": "Aville Central",
        "dropping_point": "Beeton Terminal",
        "boarding_stops": "30, Ring Road, near the fuel station\n15, Market Gate",
        "dropping_stops": "20, Beeton Bypass, toll plaza",
        # Mondays and Wednesdays of two weeks (2031-03-03 is a Monday), twice a day: 8 trips
        "start": "2031-03-03",
        "end": "2031-03-16",
        "times": "07:00, 18:30",
        "weekdays": ["mon", "wed"],
    }


async def test_schedule_preview_shows_every_trip_and_point_and_saves_nothing(admin_client):
    form = await schedule_world()
    response = await post_pairs(admin_client, "/admin/trips/schedule", {**form, "preview": "1"}, HX)
    body = await response.get_data(as_text=True)
    assert response.status_code == 200, body
    assert "This creates 8 trips: Mon 03 Mar 2031 to Wed 12 Mar 2031" in body
    assert "Mon 4 · Wed 4" in body and "Mon 03 Mar 2031, 07:00" in body and "Wed 12 Mar 2031, 18:30" in body
    # the first trip's points in order with their times: 07:00 / 07:15 / 07:30 out, 10:40 / 11:00 in
    boarding = re.findall(r"<strong>(\d\d:\d\d)</strong> ([^<(]+)", body.split("Boarding points")[1].split("</ol>")[0])
    assert [(t, n.strip()) for t, n in boarding] == [
        ("07:00", "Aville Central"),
        ("07:15", "Market Gate"),
        ("07:30", "Ring Road"),
    ]
    assert "10:40</strong> Beeton Bypass" in body and "11:00</strong> Beeton Terminal" in body
    assert "Create these 8 trips" in body
    async with db.reading() as cur:
        assert await fetch_all(cur, "SELECT id FROM trips") == []

    response = await post_pairs(admin_client, "/admin/trips/schedule", form)
    assert response.status_code == 303, await response.get_data(as_text=True)
    async with db.reading() as cur:
        points = await fetch_all(
            cur,
            """SELECT tp.kind, tp.position, tp.name, tp.landmark, tp.at, t.departs_at FROM trip_points tp
                 JOIN trips t ON t.id = tp.trip_id ORDER BY t.id, tp.kind, tp.position""",
        )
    assert len(points) == 8 * 5
    first = points[:5]
    start = first[0]["departs_at"]
    assert [(p["kind"], p["name"], p["at"] - start) for p in first] == [
        ("boarding", "Aville Central", timedelta(0)),
        ("boarding", "Market Gate", timedelta(minutes=15)),
        ("boarding", "Ring Road", timedelta(minutes=30)),
        ("dropping", "Beeton Bypass", timedelta(minutes=220)),
        ("dropping", "Beeton Terminal", timedelta(minutes=240)),
    ]
    assert first[2]["landmark"] == "near the fuel station"

    # the audit entry names the vehicle and cities, not their ids, and the price as money
    audit = await (await admin_client.get("/admin/audit?action=trip.schedule")).get_data(as_text=True)
    assert "Scheduled trips" in audit
    assert re.search(r"<th scope=\"row\">vehicle</th><td></td><td><ins>Coach \d+ \(#\d+\)</ins></td>", audit), audit
    assert re.search(r"<th scope=\"row\">origin</th><td></td><td><ins>Aville \(#\d+\)</ins></td>", audit), audit
    assert re.search(r"<ins>₹450(\.00)?</ins>", audit)  # money as money (paise shown or not, by the money filter)


async def test_schedule_and_vehicle_errors_are_in_plain_words(admin_client):
    form = await schedule_world()
    response = await post_pairs(
        admin_client, "/admin/trips/schedule", {**form, "vehicle_id": "", "origin_id": "", "weekdays": []}, HX
    )
    body = await response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Choose a vehicle." in body and "Choose the city the bus leaves from." in body
    assert "Choose at least one day of the week." in body and "whole number" not in body
    response = await post_pairs(
        admin_client, "/admin/trips/schedule", {**form, "boarding_stops": "soon, Somewhere"}, HX
    )
    assert response.status_code == 422
    assert "Write each point as: minutes after departure, name, landmark" in await response.get_data(as_text=True)
    response = await post_pairs(admin_client, "/admin/trips/schedule", {**form, "dropping_stops": "300, Too Early"}, HX)
    assert "less than the trip&#39;s duration" in await response.get_data(as_text=True)
    vehicle = {"operator_id": "", "name": "Bus", "layout": "2+2", "rows": "2", "decks": "1", "berth": "seater"}
    response = await post_form(admin_client, "/admin/vehicles", vehicle, HX)
    assert response.status_code == 422 and "Choose an operator." in await response.get_data(as_text=True)


async def test_dashboard_shows_the_ten_busiest_routes_with_a_table_and_a_link_to_all(admin_client):
    departs = datetime(2030, 1, 2, 9, 0)
    async with db.transaction() as cur:
        for i in range(12):
            trip = await factories.make_trip(cur, seats=10, departs_at=departs)
            await cur.execute("UPDATE trips SET seats_booked = %s WHERE id = %s", (i % 10, trip["id"]))
    body = await (await admin_client.get("/admin/?from=2030-01-01&to=2030-01-03")).get_data(as_text=True)
    routes = body.split('id="table-routes"')[1].split("</table>")[0]
    assert routes.count("<tr>") == 1 + 10  # the heading row and the top ten
    assert "Busiest routes" in body and "(top 10 of 12 by seats sold)" in body
    occupancy = re.findall(r'<td class="num">(\d+) / 10</td>', routes)
    assert occupancy == sorted(occupancy, key=int, reverse=True) and occupancy[0] == "9"
    assert 'href="/admin/dashboard/routes?from=2030-01-01&amp;to=2030-01-03"' in body
    every = await (await admin_client.get("/admin/dashboard/routes?from=2030-01-01&to=2030-01-03")).get_data(
        as_text=True
    )
    assert every.split('id="table-all-routes"')[1].split("</table>")[0].count("<tr>") == 1 + 12
    # charts sit beside their tables, the per-day numbers are in a table on the page (not folded away)
    assert body.count('class="chart-pair"') == 3 and 'id="table-days"' in body and "<details>" not in body


def test_chart_axes_have_room_for_compact_money_and_labels_never_overlap():
    assert compact_money(250_000_00, "INR") == "₹2.5L" and compact_money(1_20_00_000_00, "INR") == "₹1.2Cr"
    assert compact_money(40_000_00, "EUR") == "€40K"
    svg = str(
        bar_chart(
            "c",
            "Revenue",
            [(f"{d:02d} Dec", 12_34_567_00 * (d % 3)) for d in range(1, 31)],
            fmt=lambda m: compact_money(m, "INR"),
        )
    )
    ticks = re.findall(r'<text class="axis" x="([\d.]+)" y="[\d.]+" text-anchor="end">([^<]+)</text>', svg)
    assert [t for _, t in ticks] == ["₹0", "₹12.5L", "₹25L", "₹37.5L", "₹50L"]  # top ₹24.7L: a round ₹50L
    assert all(float(x) - 8.2 * len(label) >= 0 for x, label in ticks)  # no tick label runs off the left edge
    days = re.findall(r'text-anchor="middle">(\d\d Dec)</text>', svg)
    assert 5 <= len(days) < 30  # thinned, not one per bar on top of each other
    xs = [float(x) for x in re.findall(r'<text class="axis" x="([\d.]+)" y="[\d.]+" text-anchor="middle">', svg)]
    assert min(b - a for a, b in pairwise(xs)) >= 8.2 * len("01 Dec")
