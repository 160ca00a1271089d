"""/admin/pricing as an admin uses it, without JavaScript: preview (nothing saved), save (audited, repriced), the
form again with messages, turn a rule off, floor and ceiling."""

from __future__ import annotations

import pytest

from travelgo import db
from travelgo.templating import money

from .. import factories
from ..bookings.helpers import scalar, trip_and_user
from ..conftest import login, post_form

pytestmark = pytest.mark.usefixtures("_uses_database")


async def admin_and_trip(client) -> dict:
    trip, _ = await trip_and_user(price_minor=2000)
    async with db.transaction() as cur:
        admin = await factories.make_user(cur, role="admin")
    await login(client, admin["email"])
    return trip


def rule_form(trip: dict, action: str, **kw) -> dict:
    return {
        "name": "Last minute",
        "scope": "route",
        "origin_id": str(trip["origin"]["id"]),
        "destination_id": str(trip["destination"]["id"]),
        "kind": "lead_time",
        "days_min": "0",
        "days_max": "30",
        "adjust_percent": "25",
        "priority": "100",
        "enabled": "1",
        "action": action,
        **kw,
    }


async def test_preview_then_save_a_rule_from_the_admin_page(client):
    trip = await admin_and_trip(client)
    page = await client.get("/admin/pricing")
    assert page.status_code == 200 and "No pricing rules yet" in await page.get_data(as_text=True)

    preview = await post_form(client, "/admin/pricing", rule_form(trip, "preview"))
    body = await preview.get_data(as_text=True)
    assert preview.status_code == 200, body
    assert "would sell at" in body and money(2500, "EUR") in body and money(2000, "EUR") in body
    assert "+25% booked 0–30 days ahead" in body
    assert await scalar("SELECT COUNT(*) FROM pricing_rules") == 0
    assert await scalar("SELECT price_minor FROM trips") == 2000

    saved = await post_form(client, "/admin/pricing", rule_form(trip, "save"))
    assert saved.status_code in (200, 303), await saved.get_data(as_text=True)
    assert await scalar("SELECT price_minor FROM trips") == 2500
    assert await scalar("SELECT action FROM audit_log WHERE entity = 'pricing_rule'") == "pricing_rule.create"
    listing = await (await client.get("/admin/pricing")).get_data(as_text=True)
    assert "Last minute" in listing and "+25% booked 0–30 days ahead" in listing

    rule_id = await scalar("SELECT id FROM pricing_rules")
    edit = await client.get(f"/admin/pricing/{rule_id}")
    assert edit.status_code == 200 and 'value="25.00"' in await edit.get_data(as_text=True)
    off = await post_form(client, f"/admin/pricing/{rule_id}/enabled", {"enabled": "0"})
    assert off.status_code in (200, 303)
    assert await scalar("SELECT price_minor FROM trips") == 2000


async def test_a_rule_that_does_not_add_up_comes_back_with_messages_and_saves_nothing(client):
    trip = await admin_and_trip(client)
    response = await post_form(client, "/admin/pricing", rule_form(trip, "save", days_min="", days_max=""))
    body = await response.get_data(as_text=True)
    assert response.status_code == 422 and "window of days" in body
    bad = await post_form(client, "/admin/pricing", rule_form(trip, "save", adjust_percent="-100"))
    assert bad.status_code == 422
    assert await scalar("SELECT COUNT(*) FROM pricing_rules") == 0


async def test_floor_and_ceiling_from_the_admin_page(client):
    trip = await admin_and_trip(client)
    await post_form(client, "/admin/pricing", rule_form(trip, "save", adjust_percent="100"))
    assert await scalar("SELECT price_minor FROM trips") == 4000
    response = await post_form(
        client, "/admin/pricing/bounds", {"product": "trip", "product_id": str(trip["id"]), "ceiling": "30.00"}
    )
    assert response.status_code in (200, 303), await response.get_data(as_text=True)
    assert await scalar("SELECT price_minor FROM trips") == 3000
    wrong = await post_form(
        client,
        "/admin/pricing/bounds",
        {"product": "trip", "product_id": str(trip["id"]), "floor": "50.00", "ceiling": "30.00"},
    )
    assert wrong.status_code == 422
