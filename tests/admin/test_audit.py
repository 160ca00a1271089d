"""The audit trail is viewable and filterable; entries name who did what, with before and after."""

from __future__ import annotations

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
    assert '"price_minor": 2500' in body and '"price_minor": 4000' in body
    response = await admin_client.get("/admin/audit?date_from=yesterday")
    assert response.status_code == 422
