"""The audit trail is viewable and filterable; entries name who did what, with before and after."""

from __future__ import annotations

import re

from ..conftest import post_form


async def test_audit_page_lists_and_filters(admin_client, world):
    trip = world["trip"]
    await post_form(admin_client, f"/admin/trips/{trip['id']}/price", {"price": "40"})
    await post_form(admin_client, "/admin/operators", {"name": "Night Owl Coaches", "rating": ""})
    body = await (await admin_client.get("/admin/audit")).get_data(as_text=True)
    assert "trip.price" in body and "operator.create" in body and "admin@example.com" in body
    body = await (await admin_client.get("/admin/audit?entity=trip", headers={"HX-Request": "true"})).get_data(
        as_text=True
    )
    assert "trip.price" in body and "operator.create" not in body and "<html" not in body
    # readable: who by name, what in words naming the trip, when in the home zone, the price as money in a diff
    assert "Ada Admin" in body and "Changed the seat price" in body
    assert f"{trip['origin']['name']} → {trip['destination']['name']}" in body
    assert re.search(
        r'<time datetime="[^"]+\+05:30">[A-Z][a-z]{2} \d\d [A-Z][a-z]{2} \d{4}, \d\d:\d\d IST</time>', body
    )
    assert re.search(
        r"<th scope=\"row\">price</th><td><del>€25(\.00)?</del></td><td><ins>€40(\.00)?</ins></td>", body
    ), body
    assert "price_minor" not in body.split("<tbody>", 1)[1].replace("trip.price", "")
    response = await admin_client.get("/admin/audit?date_from=yesterday")
    assert response.status_code == 422
