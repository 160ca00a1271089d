"""Partners manage their own trains and flights (travelgo/segments/manage.py with a PartnerScope): routes only for
their operators, runs and fares only on their routes; another business's route reads as missing; their train
bookings are on their bookings page and their route changes on their audit trail."""

from __future__ import annotations

from datetime import time, timedelta

import pytest

from travelgo import db
from travelgo.dates import today_in
from travelgo.forms import Invalid, NotFound
from travelgo.partners.scope import PartnerScope
from travelgo.segments import manage
from travelgo.segments.forms import FareForm, RouteForm, RunsForm

from ..bookings.helpers import as_user, passengers, scalar
from ..conftest import post_form, signed_in
from ..inapp import service as bookings


def scope_of(business: dict) -> PartnerScope:
    return PartnerScope(business["id"], "Business", "owner", business["owner"]["id"])


def route_form(business: dict, operator_id: int, code: str = "P1") -> RouteForm:
    first, last = (c["name"] for c in business["train"]["cities"])
    return RouteForm(
        mode="train", operator_id=operator_id, code=code, name="Partner Mail", stops=f"{first} | | 0 | 0\n{last} | 90 | | 70",
        coaches="S1 SL", fares="SL 40 0.5",
    )  # fmt: skip


async def test_a_partner_creates_routes_only_for_its_own_operators(partners):
    a, b = partners["a"], partners["b"]
    routes_before = await scalar("SELECT COUNT(*) FROM routes")
    with pytest.raises(Invalid) as refused:
        await manage.create_route(a["owner"]["id"], route_form(a, b["operator"]["id"]), scope_of(a))
    assert refused.value.errors == {"operator_id": "Choose an operator from the list."}
    with pytest.raises(Invalid):  # an id that is nobody's reads the same
        await manage.create_route(a["owner"]["id"], route_form(a, 10**9), scope_of(a))
    assert await scalar("SELECT COUNT(*) FROM routes") == routes_before
    assert await scalar("SELECT COUNT(*) FROM vehicles WHERE layout = 'rake'") == 2  # the fixture's two trains

    route_id = await manage.create_route(a["owner"]["id"], route_form(a, a["operator"]["id"]), scope_of(a))
    listed = await manage.list_routes(scope_of(a))
    assert {r["id"] for r in listed["routes"]} == {a["train"]["route_id"], route_id}
    assert [o["id"] for o in listed["operators"]] == [a["operator"]["id"]]
    everything = await manage.list_routes(None)  # the admin
    assert {r["id"] for r in everything["routes"]} == {a["train"]["route_id"], b["train"]["route_id"], route_id}
    # the change is on A's audit trail (the route's operator's business), not B's
    assert await scalar(
        "SELECT partner_id FROM audit_log WHERE action = 'route.create' AND entity_id = %s", (str(route_id),)
    ) == a["id"]  # fmt: skip


async def test_a_partner_cannot_touch_another_business_route_by_id(partners):
    a, b = partners["a"], partners["b"]
    theirs = b["train"]["route_id"]
    start = today_in() + timedelta(days=7)
    runs = RunsForm(start=start, end=start + timedelta(days=1), departs=time(6, 0))
    fares_before = await scalar("SELECT SUM(base_minor) FROM route_fares WHERE route_id = %s", (theirs,))
    trips_before = await scalar("SELECT COUNT(*) FROM trips WHERE route_id = %s", (theirs,))
    for attempt in (
        manage.get_route(theirs, scope_of(a)),
        manage.add_runs(a["owner"]["id"], theirs, runs, scope_of(a)),
        manage.set_fares(a["owner"]["id"], theirs, FareForm(fares="1A 1 0"), scope_of(a)),
    ):
        with pytest.raises(NotFound):
            await attempt
    assert await scalar("SELECT SUM(base_minor) FROM route_fares WHERE route_id = %s", (theirs,)) == fares_before
    assert await scalar("SELECT COUNT(*) FROM trips WHERE route_id = %s", (theirs,)) == trips_before

    # their own route: runs (with their legs) and fares change
    mine = a["train"]["route_id"]
    assert await manage.add_runs(a["owner"]["id"], mine, runs, scope_of(a)) == 2
    await manage.set_fares(a["owner"]["id"], mine, FareForm(fares="1A 450 2.5"), scope_of(a))
    shown = await manage.get_route(mine, scope_of(a))
    assert shown["fares"]["1A"]["base_minor"] == 45_000 and len(shown["runs"]) == 3
    assert await scalar("SELECT COUNT(*) FROM audit_log WHERE entity = 'route' AND partner_id = %s", (a["id"],)) == 2


async def test_a_forged_operator_on_the_page_is_a_field_error(app, partners):
    a, b = partners["a"], partners["b"]
    client = await signed_in(app, a["owner"]["email"])
    form = route_form(a, b["operator"]["id"]).model_dump()
    response = await post_form(client, "/partner/routes", {k: str(v) for k, v in form.items()})
    body = await response.get_data(as_text=True)
    assert response.status_code == 422 and "Choose an operator from the list." in body
    assert b["operator"]["name"] not in body  # B's operator is not offered
    page = await (await client.get("/partner/routes")).get_data(as_text=True)
    assert "Alpha Express" in page and "Bravo Express" not in page
    assert (await client.get(f"/partner/routes/{b['train']['route_id']}")).status_code == 404


async def test_train_bookings_are_on_the_business_bookings_page(app, partners):
    a, b = partners["a"], partners["b"]
    ends = [c["id"] for c in a["train"]["cities"]]
    booked = await bookings.book_segment(
        as_user(partners["traveller"]), a["train"]["id"], *ends, ["A1-1"], passengers(1)
    )
    mine = await (await (await signed_in(app, a["staff"]["email"])).get("/partner/bookings")).get_data(as_text=True)
    theirs = await (await (await signed_in(app, b["owner"]["email"])).get("/partner/bookings")).get_data(as_text=True)
    assert booked["reference"] in mine and booked["reference"] not in theirs
    async with db.reading() as cur:
        await cur.execute("SELECT trip_id FROM bookings WHERE reference = %s", (booked["reference"],))
        assert (await cur.fetchone())["trip_id"] == a["train"]["id"]


async def test_staff_see_routes_but_only_owners_change_them(app, partners):
    a = partners["a"]
    staff = await signed_in(app, a["staff"]["email"])
    page = await (await staff.get(f"/partner/routes/{a['train']['route_id']}")).get_data(as_text=True)
    assert "Alpha Express" in page and "Save fares" not in page and "Add a run" not in page
    refused = await post_form(staff, f"/partner/routes/{a['train']['route_id']}/fares", {"fares": "1A 1 0"})
    assert refused.status_code == 403
    owner = await signed_in(app, a["owner"]["email"])
    page = await (await owner.get(f"/partner/routes/{a['train']['route_id']}")).get_data(as_text=True)
    assert "Save fares" in page and 'action="/partner/routes/' in page


async def test_a_train_run_keeps_its_fares_and_seats_on_its_route(app, partners):
    a = partners["a"]
    owner = await signed_in(app, a["owner"]["email"])
    run = a["train"]["id"]
    page = await (await owner.get(f"/partner/trips/{run}")).get_data(as_text=True)
    assert f'href="/partner/routes/{a["train"]["route_id"]}"' in page and "Change price" not in page
    before = await scalar("SELECT CONCAT(price_minor, '/', seats_total) FROM trips WHERE id = %(id)s", {"id": run})
    for path, form in (("price", {"price": "9.00"}), ("seats", {"seats_total": "1"})):
        refused = await post_form(owner, f"/partner/trips/{run}/{path}", form)
        assert refused.status_code == 409 and "set on its route" in await refused.get_data(as_text=True)
    after = await scalar("SELECT CONCAT(price_minor, '/', seats_total) FROM trips WHERE id = %(id)s", {"id": run})
    assert after == before
