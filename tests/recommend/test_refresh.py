"""The refresh rebuilds popularity and pairs from confirmed bookings only; the lists read them."""

from __future__ import annotations

from travelgo import db
from travelgo.recommend import service

from .world import book, make_world, route


async def tables() -> tuple[dict, dict]:
    async with db.reading() as cur:
        await cur.execute("SELECT item, city_id, travellers, score FROM item_popularity")
        popularity = {row["item"]: row for row in await cur.fetchall()}
        await cur.execute("SELECT item_a, item_b, travellers, score FROM item_pairs")
        pairs = {(row["item_a"], row["item_b"]): row for row in await cur.fetchall()}
    return popularity, pairs


async def test_refresh_learns_from_confirmed_bookings_only(app):
    w = await make_world()
    outcome = await service.refresh()
    assert outcome["items"] == 3 and outcome["pairs"] == 2
    popularity, pairs = await tables()
    pune_hotel = f"hotel:{w['pune_hotel']['id']}"
    assert set(popularity) == {route(w["to_pune"]), route(w["to_goa"]), pune_hotel}  # no cancelled, no expired
    assert popularity[route(w["to_pune"])]["travellers"] == 2
    assert popularity[route(w["to_pune"])]["city_id"] == w["mumbai"]["id"]
    assert popularity[pune_hotel]["city_id"] == w["pune"]["id"]
    assert set(pairs) == {(route(w["to_pune"]), pune_hotel), (pune_hotel, route(w["to_pune"]))}
    assert pairs[(route(w["to_pune"]), pune_hotel)]["travellers"] == 2
    assert pairs[(route(w["to_pune"]), pune_hotel)]["score"] == 1.0


async def test_refresh_replaces_what_was_there(app):
    w = await make_world()
    await service.refresh()
    async with db.transaction() as cur:
        await cur.execute("UPDATE bookings SET status = 'cancelled' WHERE user_id = %s", (w["users"][1]["id"],))
        await cur.execute("UPDATE bookings SET status = 'cancelled' WHERE user_id = %s", (w["users"][0]["id"],))
    await service.refresh()
    popularity, pairs = await tables()
    assert set(popularity) == {route(w["to_goa"])} and pairs == {}


async def test_a_recent_refresh_is_not_repeated(app):
    await make_world()
    assert await service.refresh() is not None
    assert await service.refresh(min_age=600) is None
    assert await service.refresh(min_age=0) is not None


async def test_a_traveller_gets_co_booked_items_and_hotels_near_an_upcoming_arrival(app):
    w = await make_world()
    async with db.transaction() as cur:
        await book(cur, w["users"][3], trip=w["to_pune"], days_ago=0)
    await service.refresh()
    items = await service.for_traveller(w["users"][3]["id"], limit=5)
    first = items[0]
    assert first["kind"] == "hotel" and first["id"] == w["pune_hotel"]["id"]
    assert first["reason_code"] == "near_arrival" and first["reason"] == "Near your arrival in Pune"
    assert first["url"] == f"/hotels/{w['pune_hotel']['id']}"
    assert all(not (i["kind"] == "route" and i["destination_id"] == w["pune"]["id"]) for i in items)  # booked
    goa = next(i for i in items if i["kind"] == "route")
    assert (goa["origin_id"], goa["destination_id"]) == (w["mumbai"]["id"], w["goa"]["id"])
    assert goa["title"] == "Mumbai → Goa" and goa["reason"] == "Popular from Mumbai"


async def test_the_co_booked_reason_names_the_booked_item(app):
    w = await make_world()
    async with db.transaction() as cur:
        await book(cur, w["users"][3], trip=w["to_pune"], days_ago=0, starts_in_days=-2)  # travelled already
    await service.refresh()
    items = await service.for_traveller(w["users"][3]["id"], limit=5)
    assert items[0]["id"] == w["pune_hotel"]["id"]
    assert items[0]["reason"] == "Travellers who booked Mumbai → Pune also booked this"
    also = await service.also_booked(route(w["to_pune"]))
    assert [(i["kind"], i["id"]) for i in also] == [("hotel", w["pune_hotel"]["id"])]
