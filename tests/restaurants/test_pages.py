"""Restaurant pages without JavaScript: search with times, the day's slots, booking a table, the admin's answers."""

from __future__ import annotations

import re

from travelgo import db

from .. import factories
from ..bookings.helpers import scalar
from ..conftest import deliver_notifications, post_form, signed_in
from .helpers import restaurant_and_user, tomorrow


async def test_search_lists_restaurants_with_bookable_times_near_the_time(client):
    restaurant, _ = await restaurant_and_user(tables=[2], name="Saffron House", cuisine="Mughlai")
    async with db.transaction() as cur:
        await factories.make_restaurant(cur, city=restaurant["city"], name="Too Small", max_party=2)
    day = tomorrow().isoformat()
    response = await client.get(f"/restaurants?city={restaurant['city']['id']}&date={day}&time=20:00&party_size=4")
    page = await response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Saffron House" not in page or "No table near" in page  # a table for two cannot seat four
    response = await client.get(f"/restaurants?city={restaurant['city']['id']}&date={day}&time=20:00&party_size=2")
    page = await response.get_data(as_text=True)
    assert "Saffron House" in page and "Too Small" in page
    assert f"/restaurants/{restaurant['id']}/book?date={day}&amp;party_size=2&amp;time=20:00" in page


async def test_search_api_has_times_and_paging(client):
    restaurant, _ = await restaurant_and_user(tables=[2], hours=("18:00", "23:00"))
    day = tomorrow().isoformat()
    body = await (
        await client.get(f"/api/v1/restaurants?city={restaurant['city']['id']}&date={day}&time=20:00&party_size=2")
    ).get_json()
    assert body["total"] == 1 and body["limit"] == 20 and body["offset"] == 0
    item = body["items"][0]
    assert item["available_at_time"] is True
    assert item["times"] == ["19:15", "19:30", "19:45", "20:00", "20:15", "20:30"]
    unknown = await client.get("/api/v1/restaurants?city=999999")
    assert unknown.status_code == 422


async def test_detail_api_lists_every_slot_of_the_day(client):
    restaurant, user = await restaurant_and_user(tables=[2], hours=("18:00", "22:00"))
    day = tomorrow().isoformat()
    url = f"/api/v1/restaurants/{restaurant['id']}?date={day}&party_size=2"
    slots = (await (await client.get(url)).get_json())["slots"]
    assert [s["time"] for s in slots][:3] == ["18:00", "18:15", "18:30"] and slots[-1]["time"] == "20:30"
    assert all(s["available"] for s in slots)
    web = await signed_in(client.app, user["email"])
    token_form = {"date": day, "time": "19:00", "party_size": "2", "guest_name": "Asha Rao",
                  "contact_email": user["email"], "idempotency_key": "key-for-a-table-1"}  # fmt: skip
    response = await post_form(web, f"/restaurants/{restaurant['id']}/book", token_form)
    assert response.status_code in (200, 302, 303), await response.get_data(as_text=True)
    slots = {s["time"]: s["available"] for s in (await (await client.get(url)).get_json())["slots"]}
    # 19:00-20:30 on the only table: every sitting starting 18:00-20:15 would overlap it
    assert [t for t, free in slots.items() if free] == ["20:30"]
    missing = await client.get("/api/v1/restaurants/999999")
    assert missing.status_code == 404


async def test_booking_a_table_from_the_page_shows_the_confirmation(client):
    restaurant, user = await restaurant_and_user(tables=[4, 2])
    web = await signed_in(client.app, user["email"])
    day = tomorrow().isoformat()
    form_page = await web.get(f"/restaurants/{restaurant['id']}/book?date={day}&time=20:00&party_size=2")
    assert form_page.status_code == 200 and "Book table" in await form_page.get_data(as_text=True)
    form = {"date": day, "time": "20:00", "party_size": "2", "guest_name": "Asha Rao", "notes": "Birthday",
            "contact_email": user["email"], "idempotency_key": "key-for-a-table-2"}  # fmt: skip
    response = await post_form(web, f"/restaurants/{restaurant['id']}/book", form)
    assert response.status_code in (302, 303), await response.get_data(as_text=True)
    reference = await scalar("SELECT reference FROM bookings")
    assert response.headers["Location"] == f"/bookings/{reference}"
    page = await (await web.get(f"/bookings/{reference}")).get_data(as_text=True)
    assert "Table booking" in page and "T2 (2 seats)" in page and "Birthday" in page
    listed = await (await web.get("/bookings")).get_data(as_text=True)
    assert reference in listed and "Table" in listed
    again = await post_form(web, f"/restaurants/{restaurant['id']}/book", form)  # a double click: the same booking
    assert again.status_code in (302, 303) and await scalar("SELECT COUNT(*) FROM bookings") == 1
    assert await deliver_notifications() >= 1


async def test_booking_form_errors_are_shown_not_raised(client):
    restaurant, user = await restaurant_and_user(tables=[2])
    web = await signed_in(client.app, user["email"])
    day = tomorrow().isoformat()
    form = {"date": day, "time": "20:00", "party_size": "2", "guest_name": "", "contact_email": "not-an-email",
            "idempotency_key": "key-for-a-table-3"}  # fmt: skip
    response = await post_form(web, f"/restaurants/{restaurant['id']}/book", form)
    assert response.status_code == 422
    page = await response.get_data(as_text=True)
    assert 'id="e-guest_name"' in page and 'id="e-contact_email"' in page
    full = {**form, "guest_name": "A", "contact_email": user["email"], "party_size": "5"}
    response = await post_form(web, f"/restaurants/{restaurant['id']}/book", full)
    assert response.status_code == 409 and "No table for 5" in await response.get_data(as_text=True)
    assert await scalar("SELECT COUNT(*) FROM bookings") == 0


async def test_admin_answers_requests_from_its_page(client):
    restaurant, user = await restaurant_and_user(tables=[2, 2], confirmation="request")
    async with db.transaction() as cur:
        admin = await factories.make_user(cur, role="admin")
    web = await signed_in(client.app, user["email"])
    day = tomorrow().isoformat()
    for i, at in enumerate(("19:00", "21:00")):
        form = {"date": day, "time": at, "party_size": "2", "guest_name": "Asha Rao",
                "contact_email": user["email"], "idempotency_key": f"key-for-a-request-{i}"}  # fmt: skip
        assert (await post_form(web, f"/restaurants/{restaurant['id']}/book", form)).status_code in (302, 303)
    assert (await web.get("/admin/restaurant-requests")).status_code in (302, 303, 403)  # travellers may not
    staff = await signed_in(client.app, admin["email"])
    page = await (await staff.get("/admin/restaurant-requests")).get_data(as_text=True)
    ids = [row["id"] for row in await rows("SELECT id FROM bookings ORDER BY starts_at")]
    assert all(f'id="request-{i}"' in page for i in ids)
    await post_form(staff, "/admin/restaurant-requests", {"booking_id": str(ids[0]), "answer": "accept"})
    await post_form(
        staff, "/admin/restaurant-requests", {"booking_id": str(ids[1]), "answer": "reject", "reason": "Closed"}
    )
    statuses = [row["status"] for row in await rows("SELECT status FROM bookings ORDER BY starts_at")]
    assert statuses == ["confirmed", "rejected"]
    again = await post_form(staff, "/admin/restaurant-requests", {"booking_id": str(ids[1]), "answer": "accept"})
    assert again.status_code in (302, 303)  # told, not a 500
    assert statuses == [row["status"] for row in await rows("SELECT status FROM bookings ORDER BY starts_at")]


async def test_restaurant_page_shows_slots_and_a_missing_one_is_404(client):
    restaurant, _ = await restaurant_and_user(tables=[2], hours=("18:00", "22:00"))
    day = tomorrow().isoformat()
    response = await client.get(f"/restaurants/{restaurant['id']}?date={day}&party_size=2")
    page = await response.get_data(as_text=True)
    assert response.status_code == 200 and 'data-slot="18:00"' in page and 'sse-connect="/restaurants/' in page
    fragment = await client.get(
        f"/restaurants/{restaurant['id']}?date={day}&party_size=2", headers={"HX-Request": "true"}
    )
    assert (await fragment.get_data(as_text=True)).lstrip().startswith('<div id="slots"')
    assert (await client.get("/restaurants/999999")).status_code == 404
    assert (await client.get(f"/restaurants/{restaurant['id']}?party_size=99")).status_code == 422


async def rows(sql: str) -> list[dict]:
    async with db.reading() as cur:
        await cur.execute(sql)
        return list(await cur.fetchall())


async def test_search_folds_into_a_summary_with_a_chip_to_drop_the_cuisine(client):
    restaurant, _ = await restaurant_and_user(tables=[2], name="Saffron House", cuisine="Mughlai")
    async with db.transaction() as cur:
        await factories.make_restaurant(cur, city=restaurant["city"], name="Dosa Corner", cuisine="South Indian")
    city, day = restaurant["city"], tomorrow()
    response = await client.get(f"/restaurants?city={city['id']}&date={day}&time=20:00&party_size=2&cuisine=Mughlai")
    page = await response.get_data(as_text=True)
    assert "Saffron House" in page and "Dosa Corner" not in page
    # the search is one closed line naming it (open on a page without results)
    assert '<details class="sheet search-sheet" id="restaurant-search-sheet">' in page
    assert f"<strong>{city['name']}</strong> · {day.strftime('%a %d %b')}, 20:00 · 2 guests" in page
    chip = re.search(r'<ul class="chips" aria-label="Active filters">\s*<li><a class="chip" href="([^"]+)"', page)
    assert chip, "no chip for the cuisine"
    without = chip.group(1).replace("&amp;", "&")
    assert "cuisine" not in without and f"city={city['id']}" in without and f"date={day}" in without
    both = await (await client.get(without)).get_data(as_text=True)
    assert "Saffron House" in both and "Dosa Corner" in both and 'aria-label="Active filters"' not in both
    empty = await (await client.get("/restaurants")).get_data(as_text=True)
    assert '<details class="sheet search-sheet" id="restaurant-search-sheet" open>' in empty
