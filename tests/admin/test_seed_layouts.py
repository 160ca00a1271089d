"""Every seat layout the seed defines is one the admin layout editor would make: the vehicle form, posted back
as it was filled in, changes nothing (no 409 on a vehicle with trips, no silent rewrite on one without)."""

from __future__ import annotations

import re

import pytest

from travelgo import db, seed

from .. import factories
from ..conftest import post_form
from .helpers import fetch_all, fetch_one

LAYOUT_FIELDS = ("berth", "decks", "rows", "columns", "aisle_after")


async def seeded_vehicle(cur, spec: dict, *, with_trip: bool) -> int:
    """A vehicle with the seed's layout `spec` (built by the seed's own seat code), used by one trip or by none."""
    trip = await factories.make_trip(cur, seats=4)
    vehicle_id = trip["vehicle"]["id"]
    seats = seed.seats_of(spec)
    await cur.execute(
        """UPDATE vehicles SET berth = %s, layout = %s, decks = %s, rows_count = %s, cols_count = %s, seat_count = %s
            WHERE id = %s""",
        (spec["berth"], spec["layout"], spec["decks"], spec["rows"], spec["cols"], len(seats), vehicle_id),
    )
    await cur.execute("DELETE FROM vehicle_seats WHERE vehicle_id = %s", (vehicle_id,))
    await cur.executemany(
        "INSERT INTO vehicle_seats (vehicle_id, label, deck, row_no, col_no, kind) VALUES (%s, %s, %s, %s, %s, %s)",
        [(vehicle_id, *seat) for seat in seats],
    )
    if with_trip:
        await cur.execute("UPDATE trips SET seats_total = %s WHERE id = %s", (len(seats), trip["id"]))
    else:
        await cur.execute("DELETE FROM trips WHERE id = %s", (trip["id"],))
    return vehicle_id


def prefilled(body: str) -> dict:
    """The layout values the edit page fills in: a select's selected option, an input's value."""
    values = {}
    for name in LAYOUT_FIELDS:
        select = re.search(rf'<select[^>]*name="{name}".*?</select>', body, re.S)
        if select:
            values[name] = re.search(r'<option value="([^"]*)" selected>', select.group(0)).group(1)
        else:
            values[name] = re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', body).group(1)
    return values


async def stored(vehicle_id: int) -> tuple[dict, list[dict]]:
    async with db.reading() as cur:
        vehicle = await fetch_one(
            cur,
            "SELECT berth, layout, decks, rows_count, cols_count, seat_count FROM vehicles WHERE id = %s",
            vehicle_id,
        )
        seats = await fetch_all(
            cur,
            "SELECT id, label, deck, row_no, col_no, kind FROM vehicle_seats WHERE vehicle_id = %s ORDER BY id",
            vehicle_id,
        )
    return vehicle, seats


@pytest.mark.parametrize("with_trip", [True, False], ids=["with-trips", "no-trips"])
@pytest.mark.parametrize("key", sorted(seed.LAYOUTS))
async def test_seeded_layout_survives_the_vehicle_form_round_trip(admin_client, key, with_trip):
    spec = seed.LAYOUTS[key]
    async with db.transaction() as cur:
        vehicle_id = await seeded_vehicle(cur, spec, with_trip=with_trip)
    before = await stored(vehicle_id)

    page = await (await admin_client.get(f"/admin/vehicles/{vehicle_id}")).get_data(as_text=True)
    values = prefilled(page)
    response = await post_form(
        admin_client, f"/admin/vehicles/{vehicle_id}", {**values, "name": "Renamed coach", "is_ac": "1"}
    )

    assert response.status_code == 303, await response.get_data(as_text=True)
    assert await stored(vehicle_id) == before  # the same rows, not deleted and inserted again
    assert before[0]["layout"] == spec["layout"]
    async with db.reading() as cur:
        assert (await fetch_one(cur, "SELECT name FROM vehicles WHERE id = %s", vehicle_id))["name"] == "Renamed coach"


@pytest.mark.parametrize("key", sorted(seed.LAYOUTS))
def test_seeded_seat_kinds_match_their_place_in_the_row(key):
    spec = seed.LAYOUTS[key]
    seat_cols = [col for col, _ in spec["columns"]]
    aisle = [c for c in range(1, spec["cols"] + 1) if c not in seat_cols]
    assert len(aisle) == 1 and spec["layout"] == f"{aisle[0] - 1}+{spec['cols'] - aisle[0]}"
    for col, kind in spec["columns"]:
        expected = "window" if col in (1, spec["cols"]) else "aisle" if abs(col - aisle[0]) == 1 else "middle"
        assert kind == expected, (key, col)
