"""The partner pages show one business's own rows and change them through the admin's services."""

from __future__ import annotations

from travelgo import db

from ..conftest import api_token, post_form, signed_in


async def test_owner_sees_own_bookings_hotels_trips_and_dashboard(app, partners):
    a, b = partners["a"], partners["b"]
    client = await signed_in(app, a["owner"]["email"])
    for path in ("/partner/", "/partner/bookings", "/partner/hotels", "/partner/trips", "/partner/vehicles",
                 f"/partner/hotels/{a['hotel']['id']}", f"/partner/trips/{a['trip']['id']}",
                 f"/partner/bookings/{a['bus_booking']['reference']}", "/partner/bookings.csv", "/partner/members",
                 "/partner/audit"):  # fmt: skip
        response = await client.get(path)
        body = await response.get_data(as_text=True)
        assert response.status_code == 200, (path, body[:500])
        for secret in b["secrets"]:
            assert secret not in body, (path, secret)
    listing = await (await client.get("/partner/bookings")).get_data(as_text=True)
    assert a["bus_booking"]["reference"] in listing and a["hotel_booking"]["reference"] in listing


async def test_other_business_rows_are_404(app, partners):
    a, b = partners["a"], partners["b"]
    client = await signed_in(app, a["owner"]["email"])
    for path in (f"/partner/hotels/{b['hotel']['id']}", f"/partner/trips/{b['trip']['id']}",
                 f"/partner/bookings/{b['bus_booking']['reference']}"):  # fmt: skip
        assert (await client.get(path)).status_code == 404, path
    refused = await post_form(
        client, f"/partner/bookings/{b['bus_booking']['reference']}/cancel", {"reason": "mine now"}
    )
    assert refused.status_code == 404
    async with db.reading() as cur:
        await cur.execute("SELECT status FROM bookings WHERE reference = %s", (b["bus_booking"]["reference"],))
        assert (await cur.fetchone())["status"] == "confirmed"


async def test_staff_stops_sales_but_cannot_change_prices(app, partners):
    a = partners["a"]
    client = await signed_in(app, a["staff"]["email"])
    hotel_id, room_type_id = a["hotel"]["id"], a["room_type"]["id"]
    from travelgo.dates import today_in

    day = today_in().isoformat()
    stopped = await post_form(
        client, f"/partner/hotels/{hotel_id}/stop-sell",
        {"room_type_id": room_type_id, "start": day, "end": day, "stop_sell": "1"},
    )  # fmt: skip
    assert stopped.status_code in (200, 303), await stopped.get_data(as_text=True)
    priced = await post_form(
        client, f"/partner/hotels/{hotel_id}/inventory",
        {"room_type_id": room_type_id, "start": day, "end": day, "rooms_total": "9", "price": "1.00"},
    )  # fmt: skip
    assert priced.status_code == 403
    async with db.reading() as cur:
        await cur.execute(
            "SELECT stop_sell, price_minor FROM room_inventory WHERE room_type_id = %s AND night = %s",
            (room_type_id, day),
        )
        row = await cur.fetchone()
        assert row["stop_sell"] == 1 and row["price_minor"] != 100
        await cur.execute("SELECT partner_id, user_id, action FROM audit_log WHERE action = 'inventory.stop_sell'")
        entry = await cur.fetchone()
    assert entry == {"partner_id": a["id"], "user_id": a["staff"]["id"], "action": "inventory.stop_sell"}


async def test_partner_cancels_own_booking_with_refund(app, partners):
    a = partners["a"]
    client = await signed_in(app, a["staff"]["email"])
    ref = a["hotel_booking"]["reference"]
    response = await post_form(client, f"/partner/bookings/{ref}/cancel", {"reason": "Overbooked by phone"})
    assert response.status_code in (200, 303), await response.get_data(as_text=True)
    async with db.reading() as cur:
        await cur.execute(
            "SELECT status, cancelled_by, refund_minor, total_minor FROM bookings WHERE reference = %s", (ref,)
        )
        row = await cur.fetchone()
    assert (
        row["status"] == "cancelled" and row["cancelled_by"] == "partner" and row["refund_minor"] == row["total_minor"]
    )


async def test_figures_export_counts_only_the_business(app, partners):
    a = partners["a"]
    client = await signed_in(app, a["owner"]["email"])
    response = await client.get("/partner/dashboard.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    lines = (await response.get_data(as_text=True)).strip().splitlines()
    assert lines[0] == "date,bookings,cancelled,net_revenue_EUR"
    total = sum(int(line.split(",")[1]) for line in lines[1:])
    assert total == 2  # Alpha's bus and hotel bookings, none of Bravo's
    revenue = sum(float(line.split(",")[3]) for line in lines[1:])
    assert round(revenue * 100) == a["bus_booking"]["total_minor"] + a["hotel_booking"]["total_minor"]


async def test_partner_booking_filters_survive_sql_metacharacters(app, partners):
    """The partner filters are the admin's, with the scope condition added: hostile text stays a value."""
    a, b = partners["a"], partners["b"]
    token = await api_token(app.test_client(), a["owner"]["email"])
    client = await signed_in(app, a["owner"]["email"])
    for payload in ("'", '"', "%", "_", "\\", "' OR 1=1 --", "Bravo%", "TGB%"):
        for name in ("reference", "email"):
            api = await client.get("/api/v1/partner/bookings", query_string={name: payload}, headers=token)
            page = await client.get("/partner/bookings", query_string={name: payload})
            assert api.status_code in (200, 422) and page.status_code in (200, 422), (name, payload)
            for body in (await api.get_data(as_text=True), await page.get_data(as_text=True)):
                assert b["bus_booking"]["reference"] not in body and b["hotel_booking"]["reference"] not in body
