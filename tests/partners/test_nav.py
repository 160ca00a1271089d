"""The partner nav links only to the kinds of inventory the business owns; the other URLs still answer as before."""

from __future__ import annotations

import re

import pytest

from travelgo import db

from .. import factories
from ..conftest import signed_in


async def _business(cur, name: str, members: list[tuple[str, str]]) -> int:
    await cur.execute("INSERT INTO partners (name, contact_email) VALUES (%s, %s)", (name, "desk@biz.example"))
    partner_id = cur.lastrowid
    for email, role in members:
        user = await factories.make_user(cur, email)
        await cur.execute(
            "INSERT INTO partner_members (user_id, partner_id, role) VALUES (%s, %s, %s)",
            (user["id"], partner_id, role),
        )
    return partner_id


@pytest.fixture
async def single_kind_businesses(app):
    """A bus company (an operator with one trip; an owner and a staff member) and a restaurant (an owner)."""
    async with db.transaction() as cur:
        coaches = await _business(
            cur, "Only Coaches", [("bus-owner@biz.example", "owner"), ("bus-staff@biz.example", "staff")]
        )
        operator = await factories.make_operator(cur, "Only Coaches Travels")
        await cur.execute("UPDATE operators SET partner_id = %s WHERE id = %s", (coaches, operator["id"]))
        await factories.make_trip(cur, operator=operator)
        tables = await _business(cur, "Only Tables", [("table-owner@biz.example", "owner")])
        restaurant = await factories.make_restaurant(cur, name="Only Tables Bistro")
        await cur.execute("UPDATE restaurants SET partner_id = %s WHERE id = %s", (tables, restaurant["id"]))


async def _nav_links(client) -> set[str]:
    response = await client.get("/partner/")
    body = await response.get_data(as_text=True)
    assert response.status_code == 200, body[:500]
    nav = re.search(r'<nav[^>]*aria-label="Partner".*?</nav>', body, re.S)
    assert nav, body[:500]
    return set(re.findall(r'href="([^"]+)"', nav.group(0)))


async def test_bus_company_nav_has_no_restaurants_or_hotels(app, single_kind_businesses):
    owner = await _nav_links(await signed_in(app, "bus-owner@biz.example"))
    assert {"/partner/", "/partner/bookings", "/partner/trips", "/partner/vehicles"} <= owner
    assert "/partner/routes" in owner  # an owner adds a first train or flight route there
    assert {"/partner/members", "/partner/audit"} <= owner
    assert not {"/partner/restaurants", "/partner/restaurant-requests", "/partner/hotels"} & owner
    staff = await _nav_links(await signed_in(app, "bus-staff@biz.example"))
    assert {"/partner/trips", "/partner/vehicles"} <= staff
    assert not {"/partner/routes", "/partner/restaurants", "/partner/hotels", "/partner/members"} & staff


async def test_restaurant_nav_links_to_restaurants(app, single_kind_businesses):
    links = await _nav_links(await signed_in(app, "table-owner@biz.example"))
    assert {"/partner/restaurants", "/partner/restaurant-requests", "/partner/bookings"} <= links
    assert not {"/partner/trips", "/partner/vehicles", "/partner/routes", "/partner/hotels"} & links


async def test_hidden_sections_still_answer_a_typed_url(app, single_kind_businesses):
    client = await signed_in(app, "bus-owner@biz.example")
    for path in ("/partner/restaurants", "/partner/restaurant-requests", "/partner/hotels"):
        response = await client.get(path)
        assert response.status_code == 200, path
        assert "Only Tables Bistro" not in await response.get_data(as_text=True)
