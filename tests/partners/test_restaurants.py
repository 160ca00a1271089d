"""Managing restaurants (issue 17): the admin's pages and the same views under /partner, scoped to one business;
details, opening hours, tables and their adjacency, and table requests answered by the business itself."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest

from travelgo import db
from travelgo.admin import service
from travelgo.admin.forms import TableForm
from travelgo.bookings.integrity import check_inventory
from travelgo.dates import today_in
from travelgo.forms import Invalid, NotFound, Refused
from travelgo.partners.scope import PartnerScope
from travelgo.restaurants import queries as restaurant_queries
from travelgo.restaurants import service as restaurants

from .. import factories
from ..admin.helpers import book_table, fetch_all, fetch_one
from ..conftest import api_token, post_form, signed_in

HX = {"HX-Request": "true"}


def details(city_id: int, **changes) -> dict:
    return {
        "name": "Coastal Curry House", "city_id": str(city_id), "description": "Fish thalis.", "address": "5 Beach Road",
        "area": "Fort", "cuisine": "Konkani", "price_level": "3", "slot_minutes": "15", "sitting_minutes": "90",
        "confirmation": "instant", "response_minutes": "120", "deposit": "250.00", "currency": "INR",
        "free_cancel_hours": "4", "max_party": "12", "combine_tables": "1", "contact_email": "desk@curry.example",
        "contact_phone": "+91 22 5555 0101", **changes,
    }  # fmt: skip


def scope_of(business: dict, role: str = "owner") -> PartnerScope:
    return PartnerScope(business["id"], "", role, business[role]["id"])


async def row(sql: str, *args) -> dict | None:
    async with db.reading() as cur:
        return await fetch_one(cur, sql, *args)


async def rows(sql: str, *args) -> list[dict]:
    async with db.reading() as cur:
        return await fetch_all(cur, sql, *args)


@pytest.fixture
async def admin(app, partners):
    return await signed_in(app, partners["admin"]["email"])


async def test_admin_adds_a_restaurant_for_a_business_and_its_owner_edits_it(app, admin, partners):
    a, b = partners["a"], partners["b"]
    city_id = a["restaurant"]["city"]["id"]
    assert (await admin.get("/admin/restaurants/new")).status_code == 200
    created = await post_form(admin, "/admin/restaurants", {**details(city_id), "partner_id": str(a["id"])})
    assert created.status_code == 303, await created.get_data(as_text=True)
    r = await row("SELECT * FROM restaurants WHERE name = 'Coastal Curry House'")
    assert (r["partner_id"], r["deposit_minor"], r["combine_tables"], r["max_party"]) == (a["id"], 25000, 1, 12)
    assert (r["contact_email"], r["contact_phone"]) == ("desk@curry.example", "+91 22 5555 0101")
    audit = await rows("SELECT partner_id FROM audit_log WHERE action = 'restaurant.create'")
    assert [x["partner_id"] for x in audit] == [a["id"]]  # on the business's trail too
    # the admin's list filters by city and search; the partner's lists its own only
    listing = await (await admin.get(f"/admin/restaurants?city_id={city_id}&q=curry")).get_data(as_text=True)
    assert "Coastal Curry House" in listing and "Alpha Bistro" not in listing
    owner = await signed_in(app, a["owner"]["email"])
    own = await (await owner.get("/partner/restaurants")).get_data(as_text=True)
    assert "Coastal Curry House" in own and "Alpha Bistro" in own and "Bravo Bistro" not in own
    # the owner changes the policy; a business it names in the form is ignored (only admins move restaurants)
    saved = await post_form(
        owner, f"/partner/restaurants/{r['id']}",
        details(city_id, deposit="0", confirmation="request", response_minutes="30", partner_id=str(b["id"])),
    )  # fmt: skip
    assert saved.status_code == 303, await saved.get_data(as_text=True)
    after = await row("SELECT * FROM restaurants WHERE id = %s", r["id"])
    assert (after["partner_id"], after["deposit_minor"], after["confirmation"], after["response_minutes"]) == (
        a["id"], 0, "request", 30,
    )  # fmt: skip
    # staff see the page but not the forms, and may not post them
    staff = await signed_in(app, a["staff"]["email"])
    page = await (await staff.get(f"/partner/restaurants/{r['id']}")).get_data(as_text=True)
    assert "Coastal Curry House" in page and 'id="restaurant-details"' not in page and 'id="table-new"' not in page
    assert (await post_form(staff, f"/partner/restaurants/{r['id']}", details(city_id))).status_code == 403
    # another business's restaurant is missing
    assert (await owner.get(f"/partner/restaurants/{b['restaurant']['id']}")).status_code == 404
    refused = await post_form(owner, f"/partner/restaurants/{b['restaurant']['id']}", details(city_id, name="Mine"))
    assert refused.status_code == 404
    assert (await row("SELECT name FROM restaurants WHERE id = %s", b["restaurant"]["id"]))["name"] == "Bravo Bistro"


async def test_details_errors_come_back_as_field_messages(admin, partners):
    r = partners["a"]["restaurant"]
    path = f"/admin/restaurants/{r['id']}"
    bad = await post_form(admin, path, details(r["city"]["id"], sitting_minutes="100", price_level="7"), HX)
    assert bad.status_code == 422
    body = await bad.get_data(as_text=True)
    assert "whole number of 15-minute slots" in body and "price level" in body and 'id="restaurant-details"' in body
    phone = await post_form(admin, path, details(r["city"]["id"], contact_phone="call me"), HX)
    assert phone.status_code == 422 and "phone number" in await phone.get_data(as_text=True)
    # a booking holds tables on today's grid: the sitting length cannot change under it
    async with db.transaction() as cur:
        await book_table(cur, partners["traveller"], r, [r["table_ids"][0]], datetime.combine(
            today_in() + timedelta(days=2), time(20, 0)))  # fmt: skip
    grid = await post_form(admin, path, details(r["city"]["id"], sitting_minutes="120"), HX)
    assert grid.status_code == 422 and "cannot change while those bookings stand" in await grid.get_data(as_text=True)
    assert (await row("SELECT sitting_minutes FROM restaurants WHERE id = %s", r["id"]))["sitting_minutes"] == 90


async def test_opening_hours_closed_days_and_two_services(admin, partners):
    r = partners["a"]["restaurant"]
    path = f"/admin/restaurants/{r['id']}/hours"
    week = {"mon_opens1": "12:00", "mon_closes1": "15:00", "mon_opens2": "19:00", "mon_closes2": "23:30",
            "sat_opens1": "18:00", "sat_closes1": "23:00"}  # fmt: skip
    saved = await post_form(admin, path, week)
    assert saved.status_code == 303, await saved.get_data(as_text=True)
    hours = await rows(
        "SELECT weekday, opens, closes FROM restaurant_hours WHERE restaurant_id = %s ORDER BY 1, 2", r["id"]
    )
    assert [(h["weekday"], str(h["opens"]), str(h["closes"])) for h in hours] == [
        (0, "12:00:00", "15:00:00"), (0, "19:00:00", "23:30:00"), (5, "18:00:00", "23:00:00"),
    ]  # fmt: skip
    # the public page offers nothing on a closed day
    sunday = today_in() + timedelta(days=(6 - today_in().weekday()) % 7 or 7)
    day = await restaurants.restaurant_day(r["id"], sunday, 2)
    assert day["slots"] == []
    monday = sunday + timedelta(days=1)
    times = [s["time"] for s in (await restaurants.restaurant_day(r["id"], monday, 2))["slots"]]
    assert times[0] == "12:00" and "13:30" in times and "13:45" not in times and "19:00" in times
    trail = await (await admin.get("/admin/audit")).get_data(as_text=True)
    assert "Set the opening hours" in trail and f"Alpha Bistro (#{r['id']})" in trail
    # overlapping services, a half-given service, and one shorter than a sitting are refused, nothing changed
    for wrong, message in (
        ({"mon_opens1": "12:00", "mon_closes1": "15:00", "mon_opens2": "14:00", "mon_closes2": "22:00"},
         "must start after service 1 closes"),
        ({"tue_opens1": "12:00"}, "give both the opening and the closing time"),
        ({"wed_opens1": "12:00", "wed_closes1": "13:00"}, "shorter than one 90-minute sitting"),
        ({"thu_opens1": "22:00", "thu_closes1": "01:00"}, "must close after it opens"),
    ):  # fmt: skip
        response = await post_form(admin, path, wrong, HX)
        assert response.status_code == 422 and message in await response.get_data(as_text=True), wrong
    assert len(await rows("SELECT * FROM restaurant_hours WHERE restaurant_id = %s", r["id"])) == 3


async def test_tables_add_edit_and_remove_only_when_nothing_to_come_holds_them(app, admin, partners):
    r, traveller = partners["a"]["restaurant"], partners["traveller"]
    big, small = r["table_ids"]  # 4 and 2 seats
    base = f"/admin/restaurants/{r['id']}/tables"
    added = await post_form(admin, base, {"label": "T3", "seats": "6"})
    assert added.status_code == 303
    same = await post_form(admin, base, {"label": "T3", "seats": "2"}, HX)
    assert same.status_code == 422 and "Another table of this restaurant has this label" in await same.get_data(
        as_text=True
    )
    too_big = await post_form(admin, base, {"label": "T4", "seats": "25"}, HX)
    assert too_big.status_code == 422 and "A table seats 1 to 20." in await too_big.get_data(as_text=True)
    # the schema's CHECK is the backstop: a value past the form comes back as the same field message, not a 500
    with pytest.raises(Invalid) as caught:
        await service.save_table(partners["admin"]["id"], r["id"], TableForm.model_construct(label="T5", seats=30))
    assert caught.value.errors == {"seats": "A table seats 1 to 20."}
    async with db.transaction() as cur:
        evening = datetime.combine(today_in() + timedelta(days=2), time(20, 0))
        future = await book_table(cur, traveller, r, [big], evening, guests=4)
        past = await book_table(cur, traveller, r, [small], evening - timedelta(days=5))
    # fewer seats than a booking at the table needs
    shrink = await post_form(admin, f"{base}/{big}", {"label": "T1", "seats": "3"}, HX)
    assert shrink.status_code == 409 and future["reference"] in await shrink.get_data(as_text=True)
    grow = await post_form(admin, f"{base}/{big}", {"label": "T1", "seats": "5"})
    assert grow.status_code == 303
    # a table a booking still to come holds stays; one with only past bookings goes, and stays their record
    kept = await post_form(admin, f"{base}/{big}/remove", {}, HX)
    assert kept.status_code == 409
    text = await kept.get_data(as_text=True)
    assert "Table T1 cannot be removed" in text and future["reference"] in text
    gone = await post_form(admin, f"{base}/{small}/remove", {})
    assert gone.status_code == 303
    async with db.reading() as cur:
        offered = [t["label"] for t in await restaurant_queries.lock_tables(cur, r["id"], lock=False)]
        record = await restaurant_queries.select_booking_tables(cur, past["id"])
    assert offered == ["T1", "T3"] and [t["label"] for t in record] == ["T2"]
    again = await post_form(admin, base, {"label": "T2", "seats": "2"})  # the label is free again
    assert again.status_code == 303
    assert [a["action"] for a in await rows("SELECT action FROM audit_log WHERE entity = 'restaurant_table'")] == [
        "restaurant_table.create", "restaurant_table.update", "restaurant_table.delete", "restaurant_table.create",
    ]  # fmt: skip
    with pytest.raises(NotFound):  # a removed table is no longer there to edit
        await service.save_table(partners["admin"]["id"], r["id"], TableForm(label="T2", seats=4), small)
    assert await check_inventory() == []  # every booking still holds tables that seat it


async def test_adjacent_tables_are_linked_within_one_restaurant(admin, partners):
    r, other = partners["a"]["restaurant"], partners["b"]["restaurant"]
    path = f"/admin/restaurants/{r['id']}/links"
    first, second = r["table_ids"]
    linked = await post_form(admin, path, {"table_id": second, "adjacent_id": first, "linked": "1"})
    assert linked.status_code == 303
    assert await rows("SELECT table_id, adjacent_id FROM restaurant_table_links") == [
        {"table_id": first, "adjacent_id": second}
    ]
    foreign = await post_form(admin, path, {"table_id": first, "adjacent_id": other["table_ids"][0]}, HX)
    assert foreign.status_code == 422 and "Choose a table of this restaurant" in await foreign.get_data(as_text=True)
    unlinked = await post_form(admin, path, {"table_id": first, "adjacent_id": second, "linked": "0"})
    assert unlinked.status_code == 303 and await rows("SELECT * FROM restaurant_table_links") == []


async def test_table_requests_are_answered_by_their_own_business_only(app, partners):
    a, b, traveller = partners["a"], partners["b"], partners["traveller"]
    evening = datetime.combine(today_in() + timedelta(days=3), time(19, 0))
    async with db.transaction() as cur:
        mine = await book_table(cur, traveller, a["restaurant"], [a["restaurant"]["table_ids"][1]], evening,
                                status="requested")  # fmt: skip
        theirs = await book_table(cur, traveller, b["restaurant"], [b["restaurant"]["table_ids"][1]], evening,
                                  status="requested")  # fmt: skip
    staff = await signed_in(app, a["staff"]["email"])
    page = await (await staff.get("/partner/restaurant-requests")).get_data(as_text=True)
    assert mine["reference"] in page and theirs["reference"] not in page and "Bravo Bistro" not in page
    assert [x["reference"] for x in await restaurants.open_requests(scope=scope_of(a))] == [mine["reference"]]
    refused = await post_form(staff, "/partner/restaurant-requests", {"booking_id": theirs["id"], "answer": "accept"})
    assert refused.status_code == 404
    with pytest.raises(restaurants.NotFound):
        await restaurants.reject_request(theirs["id"], "no", scope=scope_of(a))
    accepted = await post_form(staff, "/partner/restaurant-requests", {"booking_id": mine["id"], "answer": "accept"})
    assert accepted.status_code == 303
    statuses = {x["reference"]: x["status"] for x in await rows("SELECT reference, status FROM bookings")}
    assert statuses[mine["reference"]] == "confirmed" and statuses[theirs["reference"]] == "requested"
    audit = await row("SELECT user_id, partner_id FROM audit_log WHERE action = 'accept_request'")
    assert audit == {"user_id": a["staff"]["id"], "partner_id": a["id"]}
    # the answer reaches the business's live dashboard: it is published on a topic the dashboard listens to
    from travelgo.partners import service as partners_service

    topics = await partners_service.live_topics(scope_of(a))
    assert f"restaurant:{a['restaurant']['id']}" in topics and f"restaurant:{b['restaurant']['id']}" not in topics
    published = await rows("SELECT topic FROM events WHERE topic LIKE 'restaurant:%%'")
    assert {"topic": f"restaurant:{a['restaurant']['id']}"} in published


async def test_partner_api_lists_restaurants_and_answers_requests(app, partners):
    a, b, traveller = partners["a"], partners["b"], partners["traveller"]
    evening = datetime.combine(today_in() + timedelta(days=3), time(19, 0))
    async with db.transaction() as cur:
        mine = await book_table(cur, traveller, a["restaurant"], [a["restaurant"]["table_ids"][1]], evening,
                                status="requested")  # fmt: skip
        theirs = await book_table(cur, traveller, b["restaurant"], [b["restaurant"]["table_ids"][1]], evening,
                                  status="requested")  # fmt: skip
    client = app.test_client()
    headers = await api_token(client, a["staff"]["email"])
    listed = await (await client.get("/api/v1/partner/restaurants", headers=headers)).get_json()
    assert [r["name"] for r in listed["items"]] == ["Alpha Bistro"] and listed["items"][0]["tables"] == 2
    requests = await (await client.get("/api/v1/partner/restaurant-requests", headers=headers)).get_json()
    assert [x["reference"] for x in requests["items"]] == [mine["reference"]]
    path = "/api/v1/partner/restaurant-requests/"
    other = await client.post(path + theirs["reference"], json={"answer": "accept"}, headers=headers)
    assert other.status_code == 404
    rejected = await client.post(
        path + mine["reference"], json={"answer": "reject", "reason": "Closed"}, headers=headers
    )
    assert rejected.status_code == 200 and (await rejected.get_json())["status"] == "rejected"
    again = await client.post(path + mine["reference"], json={"answer": "accept"}, headers=headers)
    assert again.status_code == 409
    wrong = await client.post(path + mine["reference"], json={"answer": "maybe"}, headers=headers)
    assert wrong.status_code == 422
    assert (await row("SELECT status FROM bookings WHERE id = %s", theirs["id"]))["status"] == "requested"


async def test_service_scope_refuses_another_business_s_rows(partners):
    a, b = partners["a"], partners["b"]
    with pytest.raises(NotFound):
        await service.get_restaurant(b["restaurant"]["id"], scope=scope_of(a))
    with pytest.raises(NotFound):
        await service.save_table(a["owner"]["id"], b["restaurant"]["id"], TableForm(label="X", seats=2), None,
                                 scope_of(a))  # fmt: skip
    with pytest.raises(NotFound):  # A's restaurant, B's table id
        await service.remove_table(a["owner"]["id"], a["restaurant"]["id"], b["restaurant"]["table_ids"][0],
                                   scope_of(a))  # fmt: skip
    assert len(await rows("SELECT id FROM restaurant_tables WHERE active = 1")) == 4
    with pytest.raises(Refused):  # sanity: the owner's own removal of a held table is refused, not missing
        async with db.transaction() as cur:
            await book_table(cur, await factories.make_user(cur), a["restaurant"], [a["restaurant"]["table_ids"][0]],
                             datetime.combine(today_in() + timedelta(days=1), time(20, 0)))  # fmt: skip
        await service.remove_table(a["owner"]["id"], a["restaurant"]["id"], a["restaurant"]["table_ids"][0],
                                   scope_of(a))  # fmt: skip


async def test_a_restaurant_s_bookings_address_hears_of_a_new_booking(app, partners):
    r = partners["a"]["restaurant"]
    async with db.transaction() as cur:
        await cur.execute(
            "UPDATE restaurants SET confirmation = 'instant', contact_email = 'tables@alpha.example' WHERE id = %s",
            (r["id"],),
        )
    client = app.test_client()
    headers = await api_token(client, partners["traveller"]["email"])
    body = {"type": "restaurant", "restaurant_id": r["id"], "date": (today_in() + timedelta(days=2)).isoformat(),
            "time": "20:00", "party_size": 2, "guest_name": "Tom Traveller"}  # fmt: skip
    made = await client.post("/api/v1/bookings", json=body, headers=headers)
    assert made.status_code == 201 and (await made.get_json())["status"] == "confirmed"
    sent = await rows("SELECT recipient FROM notifications WHERE kind = 'partner_new_booking' ORDER BY recipient")
    recipients = [x["recipient"] for x in sent]
    assert "tables@alpha.example" in recipients and partners["a"]["owner"]["email"] in recipients


async def test_the_guest_sees_the_restaurant_s_phone_on_the_booking(app, partners):
    r, traveller = partners["a"]["restaurant"], partners["traveller"]
    async with db.transaction() as cur:
        await cur.execute("UPDATE restaurants SET contact_phone = '+91 44 2555 0199' WHERE id = %s", (r["id"],))
        booked = await book_table(cur, traveller, r, [r["table_ids"][0]], datetime.combine(
            today_in() + timedelta(days=2), time(20, 0)))  # fmt: skip
    client = await signed_in(app, traveller["email"])
    page = await (await client.get(f"/bookings/{booked['reference']}")).get_data(as_text=True)
    assert 'href="tel:+914425550199"' in page
