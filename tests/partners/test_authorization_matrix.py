"""Every partner route, HTML and API, called as anonymous, a traveller, an admin, a member of business B, staff
of business A and an owner of A, on A's rows: the expected status for each, and never a name or reference of the
other business in an answer. The route list comes from the app's url_map, so a new partner route fails the
guard test until it has a row here."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any

import pytest

from travelgo import db
from travelgo.dates import today_in

from .. import factories
from ..admin.helpers import book_table
from ..conftest import CSRF_PATTERN, api_token, csrf_for, login

PARTNER_PREFIXES = ("/partner", "/api/v1/partner")
ROLES = ("anonymous", "traveller", "admin", "member_b", "staff_a", "owner_a")


@dataclass(frozen=True)
class Case:
    """How one route is called and who gets through: `owner` routes refuse staff (403); `open` routes are for any
    signed-in user; `ok` is the status a permitted caller gets; `body` is the form or JSON it sends."""

    ok: int = 200
    role: str = "staff"  # staff | owner | open
    body: dict[str, Any] = field(default_factory=dict)
    scoped: bool = True  # names a row of A in its path: a member of B gets 404
    again: int | None = None  # a one-time write: A's owner, coming after A's staff did it, gets this instead
    reference: str = "reference"  # which of A's bookings the path names (`bus_reference` for the bus booking)
    member_b: int | None = None  # what a member of B gets, when not the 404 (scoped) or `ok` (not scoped) rule


DAY = today_in().isoformat()
RUNS = {"start": (today_in() + timedelta(days=5)).isoformat(), "end": (today_in() + timedelta(days=6)).isoformat()}
NEW_ROUTE = {  # a train for A's operator (a member of B naming it gets the form back: not one of B's operators)
    "mode": "train", "operator_id": "{operator_id}", "code": "M100", "name": "Matrix Mail",
    "stops": "{city_name} | | 0 | 0\n{halt_name} | 60 | | 50", "coaches": "A1 1A", "fares": "1A 500 3",
}  # fmt: skip
ROOM_RANGE = {"start": DAY, "end": DAY}
CASES: dict[tuple[str, str], Case] = {
    ("GET", "/partner/"): Case(scoped=False),
    ("GET", "/partner/live"): Case(scoped=False),
    ("GET", "/partner/dashboard.csv"): Case(scoped=False),
    ("GET", "/partner/bookings"): Case(scoped=False),
    ("GET", "/partner/bookings.csv"): Case(scoped=False),
    ("GET", "/partner/bookings/<reference>"): Case(),
    ("POST", "/partner/bookings/<reference>/cancel"): Case(303, body={"reason": "Matrix says so"}, again=409),
    ("GET", "/partner/trips"): Case(scoped=False),
    ("GET", "/partner/trips/<int:trip_id>"): Case(),
    ("POST", "/partner/trips/<int:trip_id>/seats"): Case(303, body={"seats_total": "8"}),
    ("POST", "/partner/trips/<int:trip_id>/price"): Case(303, "owner", {"price": "31.00"}),
    ("POST", "/partner/trips/<int:trip_id>/cancel"): Case(303, "owner", {"reason": "Matrix says so"}),
    ("GET", "/partner/routes"): Case(scoped=False),
    ("POST", "/partner/routes"): Case(303, "owner", NEW_ROUTE, member_b=422),
    ("GET", "/partner/routes/<int:route_id>"): Case(),
    ("POST", "/partner/routes/<int:route_id>/runs"): Case(303, "owner", {**RUNS, "departs": "07:00"}),
    ("POST", "/partner/routes/<int:route_id>/fares"): Case(303, "owner", {"fares": "1A 450 2.5"}),
    ("GET", "/partner/vehicles"): Case(scoped=False),
    ("GET", "/partner/hotels"): Case(scoped=False),
    ("GET", "/partner/hotels/<int:hotel_id>"): Case(),
    ("POST", "/partner/hotels/<int:hotel_id>"): Case(
        303,
        "owner",
        {
            "name": "Alpha Hotel",
            "city_id": "{city_id}",
            "description": "Rooms.",
            "address": "1 Road",
            "area": "Centre",
            "stars": "3",
            "latitude": "51.5",
            "longitude": "-0.12",
        },
    ),  # fmt: skip
    ("POST", "/partner/hotels/<int:hotel_id>/stop-sell"): Case(
        303, body={"room_type_id": "{room_type_id}", **ROOM_RANGE, "stop_sell": "1"}
    ),
    ("POST", "/partner/hotels/<int:hotel_id>/inventory"): Case(
        303, "owner", {"room_type_id": "{room_type_id}", **ROOM_RANGE, "rooms_total": "4", "price": "95.00"}
    ),
    ("POST", "/partner/hotels/<int:hotel_id>/room-types"): Case(
        303, "owner", {"name": "Alpha Loft", "max_guests": "2", "beds": "1 bed", "base_price": "80", "currency": "EUR"}
    ),
    ("POST", "/partner/hotels/<int:hotel_id>/room-types/<int:room_type_id>"): Case(
        303, "owner", {"name": "Alpha Suite", "max_guests": "2", "beds": "1 bed", "base_price": "90", "currency": "EUR"}
    ),
    ("GET", "/partner/restaurants"): Case(scoped=False),
    ("GET", "/partner/restaurants/<int:restaurant_id>"): Case(),
    ("POST", "/partner/restaurants/<int:restaurant_id>"): Case(
        303,
        "owner",
        {
            "name": "Alpha Bistro",
            "city_id": "{restaurant_city_id}",
            "description": "Dosas.",
            "address": "2 Market Road",
            "area": "Centre",
            "cuisine": "South Indian",
            "price_level": "2",
            "slot_minutes": "15",
            "sitting_minutes": "90",
            "confirmation": "request",
            "response_minutes": "60",
            "deposit": "150",
            "currency": "INR",
            "free_cancel_hours": "3",
            "max_party": "8",
        },
    ),  # fmt: skip
    ("POST", "/partner/restaurants/<int:restaurant_id>/hours"): Case(
        303, "owner", {"mon_opens1": "12:00", "mon_closes1": "15:00", "tue_opens1": "18:00", "tue_closes1": "23:00"}
    ),
    ("POST", "/partner/restaurants/<int:restaurant_id>/links"): Case(
        303, "owner", {"table_id": "{table_id}", "adjacent_id": "{table2_id}", "linked": "1"}
    ),
    ("POST", "/partner/restaurants/<int:restaurant_id>/tables"): Case(303, "owner", {"label": "T9", "seats": "6"}),
    ("POST", "/partner/restaurants/<int:restaurant_id>/tables/<int:table_id>"): Case(
        303, "owner", {"label": "T1", "seats": "5"}
    ),
    ("POST", "/partner/restaurants/<int:restaurant_id>/tables/<int:table_id>/remove"): Case(303, "owner"),
    ("GET", "/partner/restaurant-requests"): Case(scoped=False),
    # the booking is named in the form: another business's answers 404 like a missing one
    ("POST", "/partner/restaurant-requests"): Case(303, body={"booking_id": "{request_id}", "answer": "accept"}),
    ("GET", "/partner/audit"): Case(role="owner", scoped=False),
    ("GET", "/partner/members"): Case(role="owner", scoped=False),
    ("POST", "/partner/members/invite"): Case(303, "owner", {"email": "new@biz.example", "role": "staff"}, False),
    ("POST", "/partner/members/<int:user_id>/remove"): Case(303, "owner"),
    ("GET", "/partner/apply"): Case(role="open", scoped=False),
    ("POST", "/partner/apply"): Case(303, "open", {"business_name": "Side Venture", "kind": "hotel"}, False),
    ("GET", "/partner/invitations/<token>"): Case(404, "open", scoped=False),  # an unknown token, for everyone
    ("POST", "/partner/invitations/<token>"): Case(404, "open", scoped=False),
    ("GET", "/api/v1/partner/me"): Case(scoped=False),
    ("GET", "/api/v1/partner/bookings"): Case(scoped=False),
    ("GET", "/api/v1/partner/bookings/<reference>"): Case(),
    ("POST", "/api/v1/partner/bookings/<reference>/cancel"): Case(
        body={"reason": "Matrix says so"}, again=409, reference="bus_reference"
    ),
    ("GET", "/api/v1/partner/stats"): Case(scoped=False),
    ("GET", "/api/v1/partner/hotels"): Case(scoped=False),
    ("POST", "/api/v1/partner/hotels/<int:hotel_id>/stop-sell"): Case(
        body={"room_type_id": "{room_type_id}", **ROOM_RANGE, "stop_sell": False}
    ),
    ("GET", "/api/v1/partner/restaurants"): Case(scoped=False),
    ("GET", "/api/v1/partner/restaurant-requests"): Case(scoped=False),
    ("POST", "/api/v1/partner/restaurant-requests/<reference>"): Case(
        body={"answer": "reject", "reason": "Matrix says so"}, again=409, reference="api_request_reference"
    ),
    ("PUT", "/api/v1/partner/hotels/<int:hotel_id>/inventory"): Case(
        role="owner", body={"room_type_id": "{room_type_id}", **ROOM_RANGE, "rooms_total": 4, "price_minor": 9900}
    ),
}


def partner_routes(app) -> set[tuple[str, str]]:
    return {
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith(PARTNER_PREFIXES)
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }


def test_every_partner_route_is_in_the_matrix(app):
    routes = partner_routes(app)
    assert routes - CASES.keys() == set(), "add these partner routes to CASES"
    assert CASES.keys() - routes == set(), "these CASES name routes that no longer exist"


def expected(case: Case, role: str, api: bool) -> int:
    if role == "anonymous":
        return 401 if api else 302
    if case.role == "open":
        return case.ok
    if role in ("traveller", "admin"):
        return 403
    if role == "member_b":
        return case.member_b or (404 if case.scoped else case.ok)
    if role == "staff_a" and case.role == "owner":
        return 403
    if role == "owner_a" and case.again and case.role == "staff":
        return case.again
    return case.ok


def fill(text: str, ids: dict[str, Any]) -> str:
    for name, value in ids.items():
        text = text.replace(f"<int:{name}>", str(value)).replace(f"<{name}>", str(value))
        text = text.replace(f"{{{name}}}", str(value))
    return text


async def _snapshot() -> dict:
    async with db.reading() as cur:
        state = {}
        for name, sql in {
            "bookings": "SELECT reference, status FROM bookings ORDER BY reference",
            "trips": "SELECT id, price_minor, seats_total, status FROM trips ORDER BY id",
            "routes": "SELECT id, operator_id, code FROM routes ORDER BY id",
            "fares": "SELECT route_id, class_code, base_minor, per_km_minor FROM route_fares ORDER BY route_id, class_code",
            "inventory": "SELECT room_type_id, night, rooms_total, price_minor, stop_sell FROM room_inventory"
            " ORDER BY room_type_id, night",
            "hotels": "SELECT id, name, description FROM hotels ORDER BY id",
            "room_types": "SELECT id, name, base_price_minor FROM room_types ORDER BY id",
            "members": "SELECT user_id, partner_id, role FROM partner_members ORDER BY user_id",
            "applications": "SELECT id FROM partner_applications",
            "invitations": "SELECT id FROM partner_invitations",
            "restaurants": "SELECT * FROM restaurants ORDER BY id",
            "tables": "SELECT id, label, seats, active FROM restaurant_tables ORDER BY id",
            "hours": "SELECT * FROM restaurant_hours ORDER BY restaurant_id, weekday, opens",
            "links": "SELECT * FROM restaurant_table_links ORDER BY table_id, adjacent_id",
        }.items():
            await cur.execute(sql)
            state[name] = await cur.fetchall()
        return state


async def _call(client, method: str, path: str, body: dict, headers: dict) -> tuple[int, str]:
    if path.endswith("/live"):  # a stream: its status and first bytes (the opening retry line), then disconnect
        async with client.request(path, headers=headers) as conn:
            await conn.send_complete()
            first = await asyncio.wait_for(conn.receive(), 5)
            status = conn.status_code
            await conn.disconnect()
        return status, first.decode(errors="replace")
    if path.startswith("/api/"):
        response = await client.open(path, method=method, headers=headers, json=body if method != "GET" else None)
    elif method == "GET":
        response = await client.get(path)
    else:
        page = await client.get("/login")
        match = CSRF_PATTERN.search(await page.get_data(as_text=True))
        token = match.group(1) if match else await csrf_for(client, "/register")
        response = await client.post(path, form={**body, "csrf_token": token})
    return response.status_code, await response.get_data(as_text=True)


@pytest.fixture
async def callers(app, partners):
    a, b = partners["a"], partners["b"]
    restaurant = a["restaurant"]
    async with db.transaction() as cur:
        extra = await factories.make_user(cur, "extra-alpha@biz.example", full_name="Alpha Extra")
        # two requests to A's restaurant at its 2-seat table (T2): one answered on the page, one through the API
        evening = datetime.combine(today_in() + timedelta(days=3), time(19, 0))
        diner = partners["traveller"]
        page_request, api_request = [
            await book_table(cur, diner, restaurant, [restaurant["table_ids"][1]], evening + timedelta(hours=h),
                             status="requested")
            for h in (0, 2)
        ]  # fmt: skip
        await cur.execute(
            "INSERT INTO partner_members (user_id, partner_id, role) VALUES (%s, %s, 'staff')", (extra["id"], a["id"])
        )
    emails = {
        "traveller": partners["traveller"]["email"],
        "admin": partners["admin"]["email"],
        "member_b": b["owner"]["email"],
        "staff_a": a["staff"]["email"],
        "owner_a": a["owner"]["email"],
    }
    clients, tokens = {"anonymous": app.test_client()}, {"anonymous": {}}
    for role, email in emails.items():
        clients[role] = app.test_client()
        tokens[role] = await api_token(clients[role], email)
        await login(clients[role], email)
    ids = {
        "reference": a["hotel_booking"]["reference"],
        "bus_reference": a["bus_booking"]["reference"],
        "trip_id": a["trip"]["id"],
        "route_id": a["train"]["route_id"],
        "operator_id": a["operator"]["id"],
        "halt_name": a["train"]["cities"][1]["name"],
        "hotel_id": a["hotel"]["id"],
        "room_type_id": a["room_type"]["id"],
        "city_id": a["hotel"]["city"]["id"],
        "city_name": a["train"]["cities"][0]["name"],
        "user_id": extra["id"],
        "token": "not-a-real-invitation-token",
        "restaurant_id": restaurant["id"],
        "restaurant_city_id": restaurant["city"]["id"],
        "table_id": restaurant["table_ids"][0],
        "table2_id": restaurant["table_ids"][1],
        "request_id": page_request["id"],
        "api_request_reference": api_request["reference"],
    }
    return clients, tokens, ids


async def test_every_partner_route_for_every_role(app, partners, callers):
    clients, tokens, ids = callers
    a_secrets, b_secrets = partners["a"]["secrets"], partners["b"]["secrets"]
    # Refused callers first (nothing may change), then A's staff, then A's owner (whose writes succeed).
    for method, rule in sorted(CASES, key=lambda key: (key[1].endswith("/cancel"), key)):
        case = CASES[(method, rule)]
        api = rule.startswith("/api/")
        path = fill(rule, {**ids, "reference": ids[case.reference]})
        body = {k: fill(v, ids) if isinstance(v, str) else v for k, v in case.body.items()}
        if api:  # JSON ids are integers (the API's models are strict)
            body = {k: int(v) if k.endswith("_id") else v for k, v in body.items()}
        for role in ROLES:
            before = await _snapshot()
            status, text = await _call(clients[role], method, path, body, tokens[role] if api else {})
            want = expected(case, role, api)
            assert status == want, (role, method, rule, status, text[:300])
            if status in (302, 401, 403, 404, 422):
                changes_state = case.role == "open" and method != "GET" and status < 400
                assert changes_state or await _snapshot() == before, (role, method, rule)
            others = a_secrets if role == "member_b" else b_secrets
            leaked = [s for s in others if s in text]
            assert not leaked, (role, method, rule, leaked)
