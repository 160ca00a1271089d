"""Restaurants: search with bookable times, a day's slots, and the restaurant's answer to a booking request.

Availability here is computed with the same rules the booking check uses (seating.py); the booking itself is the
engine's (bookings.kinds.RestaurantTables), so a slot shown free can still be taken a moment later: the engine's
lock and the slot rows' primary key decide.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from quart import current_app

from .. import dates, db
from ..admin import audit
from ..bookings import engine, kinds
from ..bookings import queries as booking_queries
from ..bookings.errors import BookingError, NotFound
from ..checkout import service as checkout
from ..notify.queue import queue as notify
from ..partners import ownership
from ..partners.ownership import HasPartner
from ..places import service as places
from . import queries, seating
from .forms import RestaurantSearch
from .policy import policy_text

NEAR_MINUTES = 90  # a search result lists bookable times this close to the time asked
NEAR_COUNT = 6


class NotAnswerable(BookingError):
    """The request was already answered, withdrawn or expired (HTTP 409)."""

    status = 409


class SearchInvalid(BookingError):
    status = 422

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


# --- availability -------------------------------------------------------------------------------------------


class Floor:
    """What one restaurant offers on one day: its tables, pairs, opening hours and the slots already held."""

    def __init__(self, restaurant: dict[str, Any], tables, links, hours, taken_rows) -> None:
        self.restaurant = restaurant
        self.tables = [seating.Table(t["id"], t["label"], t["seats"]) for t in tables]
        self.links = [(row["table_id"], row["adjacent_id"]) for row in links] if restaurant["combine_tables"] else []
        self.hours = [(seating.as_time(h["opens"]), seating.as_time(h["closes"])) for h in hours]
        self.taken: dict[int, set[datetime]] = {}
        for row in taken_rows:
            self.taken.setdefault(row["table_id"], set()).add(row["slot_at"])

    def slots(self, day: date, party_size: int) -> list[dict[str, Any]]:
        """Every start time of the day with whether a table (or adjacent pair) seats the party then."""
        r = self.restaurant
        now = dates.wall_now(r["timezone"])
        out = []
        for at in seating.start_times(r["slot_minutes"], r["sitting_minutes"], self.hours):
            available = False
            if party_size <= r["max_party"] and datetime.combine(day, at) > now:
                sitting = seating.sitting_slots(day, at, r["slot_minutes"], r["sitting_minutes"])
                busy = seating.busy_tables(self.taken, sitting)
                available = (
                    seating.choose_tables(self.tables, party_size, busy, self.links, bool(r["combine_tables"]))
                    is not None
                )
            out.append({"time": at.strftime("%H:%M"), "available": available})
        return out


async def _floors(cur, restaurants: list[dict[str, Any]], day: date) -> dict[int, Floor]:
    ids = [r["id"] for r in restaurants]
    tables: dict[int, list] = {}
    for row in await queries.select_tables(cur, ids):
        tables.setdefault(row["restaurant_id"], []).append(row)
    links: dict[int, list] = {}
    for row in await queries.select_links(cur, ids):
        links.setdefault(row["restaurant_id"], []).append(row)
    hours: dict[int, list] = {}
    for row in await queries.select_hours(cur, ids, day.weekday()):
        hours.setdefault(row["restaurant_id"], []).append(row)
    taken: dict[int, list] = {}
    for row in await queries.select_taken_for_day(cur, ids, day):
        taken.setdefault(row["restaurant_id"], []).append(row)
    return {
        r["id"]: Floor(
            r, tables.get(r["id"], []), links.get(r["id"], []), hours.get(r["id"], []), taken.get(r["id"], [])
        )
        for r in restaurants
    }


def _near(slots: list[dict[str, Any]], wanted: time) -> list[str]:
    """The bookable times closest to the one wanted (within NEAR_MINUTES), in time order."""
    target = seating.minutes(wanted)
    close = [
        s
        for s in slots
        if s["available"] and abs(seating.minutes(time.fromisoformat(s["time"])) - target) <= NEAR_MINUTES
    ]
    close.sort(key=lambda s: (abs(seating.minutes(time.fromisoformat(s["time"])) - target), s["time"]))
    return sorted(s["time"] for s in close[:NEAR_COUNT])


def _summary(r: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": r["id"],
        "name": r["name"],
        "city": {"id": r["city_id"], "name": r["city"]},
        "area": r["area"],
        "cuisine": r["cuisine"],
        "price_level": r["price_level"],
        "rating": float(r["rating"]),
        "confirmation": r["confirmation"],
        "deposit_minor": r["deposit_minor"],
        "currency": r["currency"],
        "sitting_minutes": r["sitting_minutes"],
        "max_party": r["max_party"],
    }


async def search(s: RestaurantSearch) -> dict[str, Any]:
    """Restaurants of a city (every city without one) that can seat the party, each with its bookable times near
    the time asked: {items, total, limit, offset, date}."""
    zone = (await places.zones([s.city]) or [None])[0] if s.city else None
    if s.city and zone is None:
        raise SearchInvalid({"city": "We don't know that city. Pick one from the list."})
    day = s.date or dates.today_in(zone)
    async with db.reading(replica=True) as cur:
        rows = await queries.select_restaurants(cur, s.city, s.cuisine, s.party_size, s.sort, day.weekday())
        page = rows[s.offset : s.offset + s.limit]
        floors = await _floors(cur, page, day)
    items = []
    for r in page:
        slots = floors[r["id"]].slots(day, s.party_size)
        available_at = next((x["available"] for x in slots if x["time"] == s.time.strftime("%H:%M")), False)
        items.append({**_summary(r), "times": _near(slots, s.time), "available_at_time": available_at})
    return {"items": items, "total": len(rows), "limit": s.limit, "offset": s.offset, "date": day}


async def restaurant_day(restaurant_id: int, day: date | None, party_size: int) -> dict[str, Any] | None:
    """A restaurant with its opening hours, tables and the day's slots for a party (None: no such restaurant)."""
    async with db.reading() as cur:
        r = await queries.select_restaurant(cur, restaurant_id)
        if r is None:
            return None
        day = day or dates.today_in(r["timezone"])
        floor = (await _floors(cur, [r], day))[r["id"]]
        week = await queries.select_hours(cur, [restaurant_id])
    hours = [
        {
            "weekday": h["weekday"],
            "opens": seating.as_time(h["opens"]).strftime("%H:%M"),
            "closes": seating.as_time(h["closes"]).strftime("%H:%M"),
        }
        for h in week
    ]
    return {
        **_summary(r),
        "description": r["description"],
        "address": r["address"],
        "slot_minutes": r["slot_minutes"],
        "response_minutes": r["response_minutes"],
        "free_cancel_hours": r["free_cancel_hours"],
        "combine_tables": bool(r["combine_tables"]),
        "cancellation_policy": policy_text(r["free_cancel_hours"], r["deposit_minor"]),
        "largest_party": min(
            r["max_party"], seating.largest_party(floor.tables, floor.links, bool(r["combine_tables"]))
        ),
        "hours": hours,
        "date": day,
        "party_size": party_size,
        "slots": floor.slots(day, party_size),
    }


async def exists(restaurant_id: int) -> bool:
    async with db.reading() as cur:
        return await queries.select_restaurant(cur, restaurant_id) is not None


async def cuisines(city_id: int | None = None) -> list[str]:
    async with db.reading(replica=True) as cur:
        return await queries.select_cuisines(cur, city_id)


# --- the restaurant's answer to a request -------------------------------------------------------------------


async def _locked_request(cur, booking_id: int, scope: HasPartner | None = None):
    """The request's core, its tables locked and then the booking row (the engine's order). A partner reaches only
    its own restaurants' requests: another business's reads as missing."""
    core = await booking_queries.select_booking_core(cur, booking_id)
    if core is None or core["type"] != "restaurant":
        raise NotFound("There is no such table booking.")
    core["partner_id"] = await ownership.owner_of(cur, "restaurant", core["restaurant_id"])
    if scope is not None and core["partner_id"] != scope.partner_id:
        raise NotFound("There is no such table booking.")
    unit = await kinds.of_booking(cur, core)
    await unit.lock(cur)
    state = await booking_queries.lock_booking_state(cur, booking_id)
    if state["status"] != "requested":
        raise NotAnswerable(f"This request is no longer open (it is {state['status'].replace('_', ' ')}).")
    if state["hold_expired"]:
        raise NotAnswerable("The time to answer this request has passed; it has expired.")
    return core


async def accept_request(booking_id: int, actor: int | None = None, scope: HasPartner | None = None) -> str:
    """The restaurant accepts a request: confirmed at once, or, when it asks a deposit, a hold to pay (its payment
    order opened after the commit). Returns the new status. `actor`: who answered, for the audit trail; `scope`:
    the partner answering (None: an admin)."""

    async def work(cur):
        core = await _locked_request(cur, booking_id, scope)
        deposit = core["total_minor"] > 0
        status = "pending_payment" if deposit else "confirmed"
        hold = current_app.config["TRAVELGO"].hold_seconds if deposit else None
        await queries.update_request_answered(cur, booking_id, status=status, hold_seconds=hold)
        await audit.record(
            cur, actor, "accept_request", "booking", booking_id, {"status": "requested"}, {"status": status},
            partner_id=core["partner_id"],
        )  # fmt: skip
        # the tables stay held, but the booking changed: the business's live dashboard hears of it
        restaurant = await queries.select_restaurant(cur, core["restaurant_id"])
        await kinds.publish_restaurant(cur, restaurant, [core["starts_at"].date()])
        await notify(
            cur, "restaurant_request_accepted", user_id=core["user_id"], booking_id=booking_id,
            email=core["contact_email"],
        )  # fmt: skip
        return core, status

    core, status = await db.run_in_transaction(work)
    if status == "pending_payment":
        await checkout.open_order(
            engine.Created(booking_id, True, core["reference"], core["total_minor"], core["currency"], status)
        )
    return status


async def reject_request(
    booking_id: int, reason: str | None = None, actor: int | None = None, scope: HasPartner | None = None
) -> None:
    """The restaurant turns a request down: the tables go back and the traveller is told why (audited)."""
    reason = (reason or "").strip() or "The restaurant cannot take this booking."

    async def work(cur):
        core = await _locked_request(cur, booking_id, scope)
        await engine.release(cur, booking_id, to_status="rejected", reason=reason[:255], cancelled_by="operator")
        after = {"status": "rejected", "reason": reason[:255]}
        await audit.record(
            cur, actor, "reject_request", "booking", booking_id, {"status": "requested"}, after,
            partner_id=core["partner_id"],
        )  # fmt: skip
        await notify(
            cur, "restaurant_request_rejected", user_id=core["user_id"], booking_id=booking_id,
            email=core["contact_email"], context={"reason": reason[:255]},
        )  # fmt: skip

    await db.run_in_transaction(work)


async def open_requests(restaurant_id: int | None = None, scope: HasPartner | None = None) -> list[dict[str, Any]]:
    """Requests awaiting an answer, soonest deadline first (times in the restaurant's zone, deadlines in UTC); a
    partner's own restaurants' only."""
    async with db.reading() as cur:
        rows = await queries.select_requests(cur, restaurant_id, scope=scope)
    return [{**row, "expires_at": row["expires_at"].replace(tzinfo=UTC)} for row in rows]


async def request_id(reference: str) -> int:
    """The booking id of a table booking named by its reference (NotFound otherwise): the API names bookings so."""
    async with db.reading() as cur:
        await cur.execute(
            "SELECT id FROM bookings WHERE reference = %(r)s AND type = 'restaurant'", {"r": reference.upper()}
        )
        row = await cur.fetchone()
    if row is None:
        raise NotFound("There is no such table booking.")
    return row["id"]
