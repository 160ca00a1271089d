"""Searches are answered from indexes: EXPLAIN each search statement on seeded data (bench/explain.py)."""

from __future__ import annotations

from bench.explain import explain_all
from travelgo import db, seed


async def test_every_search_uses_its_index(app):
    # No ANALYZE here: the seed refreshes the statistics after its bulk load, so a freshly seeded database plans
    # like a settled one (without that, the hotel search read room_inventory by night on the large seed).
    await seed.seed("small", admin_password="admin-pass-123")
    async with db.reading() as cur:
        plans, problems = await explain_all(cur)
    assert len(plans) == 10  # 5 bus, 2 cross-mode (buses; trains and flights), 2 hotel, the open-holds count
    assert problems == []
    open_holds = dict(plans)["a traveller's open holds (every hold)"]
    assert [row["key"] for row in open_holds if row["table"] == "bookings"] == ["ix_bookings_user_open"]


def test_the_check_catches_a_full_scan():
    from bench.explain import check_plan

    plan = [{"table": "t", "type": "ALL", "key": None, "rows": 700000}]
    assert check_plan("bus route", plan, {"t": {"ix_trips_route_departure"}})
    plan = [{"table": "t", "type": "range", "key": "ix_trips_departure", "rows": 10}]
    assert check_plan("bus route", plan, {"t": {"ix_trips_route_departure"}})
    plan = [{"table": "t", "type": "range", "key": "ix_trips_route_departure", "rows": 10}]
    assert not check_plan("bus route", plan, {"t": {"ix_trips_route_departure"}})


def test_the_check_catches_room_inventory_read_by_room_type_alone():
    from bench.explain import check_plan

    keys = {"ri": {"PRIMARY"}}
    by_room_type = [{"table": "ri", "type": "ref", "key": "PRIMARY", "key_len": "4", "rows": 60}]
    assert check_plan("hotels", by_room_type, keys)  # reads every night the room type has on sale
    by_full_key = [{"table": "ri", "type": "eq_ref", "key": "PRIMARY", "key_len": "7", "rows": 1}]
    assert not check_plan("hotels", by_full_key, keys)
