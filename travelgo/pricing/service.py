"""Repricing: the rules (engine.price) written into trips.price_minor and room_inventory.price_minor.

Search, the pages and the booking engine all read those columns, so the price a traveller sees is the price the hold
fixes; a change between page and hold is caught by the engine's expected_total_minor check (PriceChanged).

Three writers, all under the rows' locks (taken in the engine's order, so they queue with bookings, never race them):
- the booking engine, after it takes or gives back inventory (occupancy changed): the next buyer's price;
- a rule or a bound saved (admin): the rule's scope;
- the background round (TRAVELGO_PRICING_REFRESH_SECONDS): every future row in batches, for what the clock changes
  (lead time, weekday and season follow "today" in the product's city).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from .. import dates, db, events
from ..admin.audit import record, snapshot
from ..forms import Invalid, NotFound
from ..places import service as places
from ..searchcache import CATALOG_TOPIC
from . import queries
from .engine import Context, Priced, Rule, price

REFRESH_BATCH = 1000


def _rules(rows: list[dict]) -> list[Rule]:
    return [Rule.of_row(r) for r in rows]


def trip_context(trip: dict[str, Any], today: date) -> Context:
    """A trip's context: seats sold, its departure date on the origin's clock, days from the origin's today."""
    day = trip["departs_at"].date()
    return Context(trip["seats_booked"], trip["seats_total"], day, (day - today).days)


def night_context(night: dict[str, Any], today: date) -> Context:
    return Context(night["rooms_booked"], night["rooms_total"], night["night"], (night["night"] - today).days)


def base_of(row: dict[str, Any]) -> int:
    """The admin's price: base_price_minor once repriced, price_minor before."""
    return row["base_price_minor"] if row.get("base_price_minor") is not None else row["price_minor"]


def price_trip(trip: dict[str, Any], rules: list[Rule], today: date) -> Priced:
    return price(base_of(trip), trip_context(trip, today), rules, trip.get("floor_minor"), trip.get("ceiling_minor"))


def price_night(night: dict[str, Any], room_type: dict[str, Any], rules: list[Rule], today: date) -> Priced:
    return price(
        base_of(night), night_context(night, today), rules, room_type.get("floor_minor"), room_type.get("ceiling_minor")
    )


def _trip_rules(rules: list[dict], trip: dict) -> list[Rule]:
    return _rules(
        [
            r
            for r in rules
            if r["trip_id"] == trip["id"]
            or (r["origin_id"] == trip["origin_id"] and r["destination_id"] == trip["destination_id"])
        ]
    )


def segment_rules(rules: list[dict], trip_id: int, origin_id: int, destination_id: int) -> list[Rule]:
    """The rules of a train or flight run sold from one city to another: its own (a trip rule) and that city pair's
    (a route rule is about the journey sold, so it prices every mode between its two cities)."""
    return _trip_rules(rules, {"id": trip_id, "origin_id": origin_id, "destination_id": destination_id})


def _room_type_rules(rules: list[dict], room_type: dict) -> list[Rule]:
    return _rules([r for r in rules if r["room_type_id"] == room_type["id"] or r["hotel_id"] == room_type["hotel_id"]])


# --- inside the booking engine's transaction ---------------------------------------------------------------


async def reprice_locked_trip(cur, trip: dict[str, Any]) -> int:
    """Reprice one trip the caller has locked (trip: a lock_trip row with seats_booked as it now stands and its
    origin's timezone; `rule_count` 0 when lock_trip saw no rule for it, which spares the read). Returns the price the
    next buyer pays."""
    rules = []
    if trip.get("rule_count") != 0:
        rules = _rules(await queries.select_trip_rules(cur, trip["id"], trip["origin_id"], trip["destination_id"]))
    priced = price_trip(trip, rules, dates.today_in(trip["timezone"]))
    if priced.price_minor != trip["price_minor"]:
        row = {"id": trip["id"], "price_minor": priced.price_minor, "base_price_minor": base_of(trip)}
        await queries.update_trip_prices(cur, [row])
    return priced.price_minor


async def reprice_locked_nights(cur, room_type: dict[str, Any], nights: list[dict[str, Any]]) -> dict[date, int]:
    """Reprice inventory rows the caller has locked (nights: rows with rooms_booked as they now stand; room_type:
    id, hotel_id, floor_minor, ceiling_minor, timezone; `rule_count` 0 when select_room_type saw no rule for it,
    which spares the read). Returns night -> the next buyer's price."""
    rules = []
    if room_type.get("rule_count") != 0:
        rules = _rules(await queries.select_room_type_rules(cur, room_type["id"], room_type["hotel_id"]))
    today = dates.today_in(room_type["timezone"])
    changed, prices = [], {}
    for night in nights:
        priced = price_night(night, room_type, rules, today)
        prices[night["night"]] = priced.price_minor
        if priced.price_minor != night["price_minor"]:
            changed.append(
                {
                    "room_type_id": room_type["id"],
                    "night": night["night"],
                    "price_minor": priced.price_minor,
                    "base_price_minor": base_of(night),
                }
            )
    if changed:
        await queries.update_night_prices(cur, changed)
    return prices


# --- set-based: a scope, or a batch of the background round -------------------------------------------------


async def _zones(city_ids) -> dict[int, str]:
    """City id -> its time zone, from the places catalog (unknown ids are missing)."""
    return {i: city["timezone"] for i, city in (await places.cities_by_ids(sorted(set(city_ids)))).items()}


def _since_day() -> date:
    return dates.today_in() - timedelta(days=1)  # a day of slack: every city's "today" is on or after it


async def reprice_trips(cur, **scope: Any) -> int:
    """Reprice the future scheduled trips of a scope (queries.lock_trips: ids=, route=, after_id=/limit=).
    Returns how many prices changed; announces a change to every search cache."""
    trips = await queries.lock_trips(cur, since=_since_day(), **scope)
    return await _reprice_trip_rows(cur, trips)


async def _reprice_trip_rows(cur, trips: list[dict]) -> int:
    if not trips:
        return 0
    rules = await queries.select_bus_rules(cur)
    zones = await _zones(t["origin_id"] for t in trips)
    todays = {zone: dates.today_in(zone) for zone in set(zones.values())}
    changed = []
    for trip in trips:
        priced = price_trip(trip, _trip_rules(rules, trip), todays.get(zones.get(trip["origin_id"]), dates.today_in()))
        if priced.price_minor != trip["price_minor"]:
            changed.append({"id": trip["id"], "price_minor": priced.price_minor, "base_price_minor": base_of(trip)})
    if changed:
        await queries.update_trip_prices(cur, changed)
        await events.publish(cur, CATALOG_TOPIC, "changed", {"entity": "trip", "action": "reprice"})
    return len(changed)


async def reprice_nights(cur, **scope: Any) -> int:
    """Reprice the future inventory of a scope (queries.lock_nights: room_type_ids=, after=/limit=)."""
    nights = await queries.lock_nights(cur, since=_since_day(), **scope)
    return await _reprice_night_rows(cur, nights)


async def _reprice_night_rows(cur, nights: list[dict]) -> int:
    if not nights:
        return 0
    rules = await queries.select_hotel_rules(cur)
    room_types = await queries.select_room_types(cur, {n["room_type_id"] for n in nights})
    todays = {zone: dates.today_in(zone) for zone in {rt["timezone"] for rt in room_types.values()}}
    rules_of = {rt_id: _room_type_rules(rules, rt) for rt_id, rt in room_types.items()}
    changed = []
    for night in nights:
        room_type = room_types[night["room_type_id"]]
        priced = price_night(night, room_type, rules_of[room_type["id"]], todays[room_type["timezone"]])
        if priced.price_minor != night["price_minor"]:
            changed.append(
                {
                    "room_type_id": night["room_type_id"],
                    "night": night["night"],
                    "price_minor": priced.price_minor,
                    "base_price_minor": base_of(night),
                }
            )
    if changed:
        await queries.update_night_prices(cur, changed)
        await events.publish(cur, CATALOG_TOPIC, "changed", {"entity": "room_type", "action": "reprice"})
    return len(changed)


async def reprice_rule_scope(cur, rule: dict[str, Any]) -> int:
    """Reprice what a rule (a pricing_rules row) covers."""
    if rule.get("trip_id"):
        return await reprice_trips(cur, ids=[rule["trip_id"]])
    if rule.get("origin_id"):
        return await reprice_trips(cur, route=(rule["origin_id"], rule["destination_id"]))
    if rule.get("room_type_id"):
        return await reprice_nights(cur, room_type_ids=[rule["room_type_id"]])
    if rule.get("hotel_id"):
        return await reprice_nights(cur, room_type_ids=await queries.select_hotel_room_type_ids(cur, rule["hotel_id"]))
    return 0


class Refresher:
    """The background round's place in the tables: one batch of trips and one of room-nights per round, each in its
    own short transaction (locks held for one batch only), from where the last round stopped; back to the start at
    the end. Several workers may run it at once: each batch is repriced under its rows' locks, so they only repeat
    work, never undo it."""

    def __init__(self, batch: int = REFRESH_BATCH) -> None:
        self.batch = batch
        self.after_trip = 0
        self.after_night: tuple[int, date] = (0, date.min)

    async def round(self) -> bool:
        """One batch of each; True when either table has more to go (the loop runs again at once)."""
        trips = await db.run_in_transaction(self._trips)
        nights = await db.run_in_transaction(self._nights)
        return trips or nights

    async def _trips(self, cur) -> bool:
        rows = await queries.lock_trips(cur, since=_since_day(), after_id=self.after_trip, limit=self.batch)
        await _reprice_trip_rows(cur, rows)
        full = len(rows) == self.batch
        self.after_trip = rows[-1]["id"] if full else 0
        return full

    async def _nights(self, cur) -> bool:
        rows = await queries.lock_nights(cur, since=_since_day(), after=self.after_night, limit=self.batch)
        await _reprice_night_rows(cur, rows)
        full = len(rows) == self.batch
        self.after_night = (rows[-1]["room_type_id"], rows[-1]["night"]) if full else (0, date.min)
        return full

    async def run_all(self) -> None:
        """Rounds until both tables are done (tests, and a deploy that wants every price current at once)."""
        while await self.round():
            pass


# --- the admin page: rules, previews, bounds (every change audited, its scope repriced in the same transaction) ---


def scope_label(rule: dict[str, Any]) -> str:
    if rule.get("trip_id"):
        return f"Trip {rule['trip_id']}"
    if rule.get("origin_id"):
        return f"Route {rule.get('origin_name') or rule['origin_id']} → {rule.get('destination_name') or rule['destination_id']}"
    if rule.get("room_type_id"):
        hotel = rule.get("room_type_hotel_name")
        return f"Room type {rule.get('room_type_name') or rule['room_type_id']}" + (f" ({hotel})" if hotel else "")
    return f"Hotel {rule.get('hotel_name') or rule.get('hotel_id')}"


def scope_of(rule: dict[str, Any]) -> str:
    for scope, column in (("trip", "trip_id"), ("route", "origin_id"), ("room_type", "room_type_id")):
        if rule.get(column):
            return scope
    return "hotel"


async def list_rules() -> list[dict]:
    """Every rule, with what it prices and what it does in words."""
    async with db.reading() as cur:
        rows = await queries.select_rules(cur)
    return [{**r, "scope_label": scope_label(r), "describe": Rule.of_row(r).describe()} for r in rows]


async def get_rule(rule_id: int) -> dict | None:
    async with db.reading() as cur:
        row = await queries.select_rule(cur, rule_id)
    if row is None:
        return None
    return {**row, "scope": scope_of(row), "weekdays": sorted(_weekdays(row["weekdays"]))}


def _weekdays(value: Any) -> set[str]:
    if not value:
        return set()
    return set(value.split(",") if isinstance(value, str) else value) - {""}


async def preview(form, rule_id: int | None = None) -> dict:
    """What the rule would do to one sample product of its scope, before it is saved: {product, currency, base_minor,
    current_minor, price_minor, applied: [words], clamped}; product None when the scope has nothing on sale ahead."""
    if problems := form.problems():
        raise Invalid(problems)
    draft = {**form.row(), "id": rule_id or 0}
    async with db.reading() as cur:
        if form.scope in ("trip", "route"):
            sample = await _sample_trip(cur, form)
            if sample is None:
                return {"product": None}
            rows = await queries.select_trip_rules(cur, sample["id"], sample["origin_id"], sample["destination_id"])
            rules = _rules([r for r in rows if r["id"] != rule_id] + [draft])
            zone = (await _zones([sample["origin_id"]])).get(sample["origin_id"])
            priced = price_trip(sample, rules, dates.today_in(zone))
            product = f"trip {sample['id']} departing {dates.local(sample['departs_at'], zone):%Y-%m-%d %H:%M %Z}"
            currency = sample["currency"]
        else:
            sample = await _sample_night(cur, form)
            if sample is None:
                return {"product": None}
            room_type = (await queries.select_room_types(cur, [sample["room_type_id"]]))[sample["room_type_id"]]
            rows = await queries.select_room_type_rules(cur, room_type["id"], room_type["hotel_id"])
            rules = _rules([r for r in rows if r["id"] != rule_id] + [draft])
            priced = price_night(sample, room_type, rules, dates.today_in(room_type["timezone"]))
            product = f"room type {room_type['id']}, night of {sample['night']:%Y-%m-%d}"
            currency = room_type["currency"]
    return {
        "product": product,
        "currency": currency,
        "base_minor": base_of(sample),
        "current_minor": sample["price_minor"],
        "price_minor": priced.price_minor,
        "applied": [r.describe() for r in priced.applied],
        "clamped": priced.clamped,
    }


async def _sample_trip(cur, form) -> dict | None:
    if form.scope == "trip":
        return await queries.select_trip_pricing(cur, form.trip_id)
    day = form.starts_on if form.kind == "season" else None
    return await queries.select_next_trip(cur, form.origin_id, form.destination_id, dates.wall_now(), day)


async def _sample_night(cur, form) -> dict | None:
    if form.scope == "room_type":
        ids = [form.room_type_id]
    else:
        ids = await queries.select_hotel_room_type_ids(cur, form.hotel_id)
    day = dates.today_in()
    if form.kind == "season" and form.starts_on and form.starts_on > day:
        day = form.starts_on
    return await queries.select_next_night(cur, ids, day)


async def save_rule(actor: int, form, rule_id: int | None = None) -> dict:
    """Create (rule_id None) or change a rule; its scope (and, if the scope moved, the old one) is repriced and the
    change audited, all in one transaction."""
    if problems := form.problems():
        raise Invalid(problems)
    data = form.row()

    async def work(cur):
        before = None
        if rule_id is not None:
            before = await queries.select_rule(cur, rule_id, lock=True)
            if before is None:
                raise NotFound("pricing rule")
        if not await _scope_exists(cur, form):
            raise Invalid({SCOPE_FIELD[form.scope]: "There is no such product; choose one from the list."})
        if rule_id is None:
            new_id = await queries.insert_rule(cur, data)
        else:
            new_id = rule_id
            await queries.update_rule(cur, rule_id, data)
        after = await queries.select_rule(cur, new_id)
        changed = await reprice_rule_scope(cur, after)
        if (
            before is not None
            and scope_of(before) != scope_of(after)
            or (before is not None and any(before[c] != after[c] for c in SCOPE_COLUMNS))
        ):
            changed += await reprice_rule_scope(cur, before)
        await record(
            cur,
            actor,
            "pricing_rule.create" if before is None else "pricing_rule.update",
            "pricing_rule",
            new_id,
            snapshot(before, *queries.EDITABLE),
            {**snapshot(after, *queries.EDITABLE), "prices_changed": changed},
        )
        return {**after, "prices_changed": changed}

    return await db.run_in_transaction(work)


async def set_rule_enabled(actor: int, rule_id: int, enabled: bool) -> dict:
    """Turn a rule off (its scope goes back to what the other rules say) or on again; audited."""

    async def work(cur):
        rule = await queries.select_rule(cur, rule_id, lock=True)
        if rule is None:
            raise NotFound("pricing rule")
        await cur.execute(
            "UPDATE pricing_rules SET enabled = %(on)s WHERE id = %(id)s", {"on": 1 if enabled else 0, "id": rule_id}
        )
        after = await queries.select_rule(cur, rule_id)
        changed = await reprice_rule_scope(cur, after)
        await record(
            cur,
            actor,
            "pricing_rule.enable" if enabled else "pricing_rule.disable",
            "pricing_rule",
            rule_id,
            {"enabled": bool(rule["enabled"])},
            {"enabled": enabled, "prices_changed": changed},
        )
        return {**after, "prices_changed": changed}

    return await db.run_in_transaction(work)


async def set_bounds(actor: int, form) -> dict:
    """A trip's or a room type's floor and ceiling; the product is repriced within them at once; audited."""
    table = "trips" if form.product == "trip" else "room_types"

    async def work(cur):
        await cur.execute(
            f"SELECT id, floor_minor, ceiling_minor FROM {table} WHERE id = %(id)s FOR UPDATE", {"id": form.product_id}
        )
        before = await cur.fetchone()
        if before is None:
            raise NotFound(form.product)
        await queries.update_product_bounds(cur, table, form.product_id, form.floor_minor, form.ceiling_minor)
        if form.product == "trip":
            changed = await reprice_trips(cur, ids=[form.product_id])
        else:
            changed = await reprice_nights(cur, room_type_ids=[form.product_id])
        after = {"floor_minor": form.floor_minor, "ceiling_minor": form.ceiling_minor}
        await record(
            cur,
            actor,
            "pricing.bounds",
            form.product,
            form.product_id,
            {"floor_minor": before["floor_minor"], "ceiling_minor": before["ceiling_minor"]},
            {**after, "prices_changed": changed},
        )
        return {**after, "prices_changed": changed}

    return await db.run_in_transaction(work)


SCOPE_FIELD = {"route": "origin_id", "trip": "trip_id", "hotel": "hotel_id", "room_type": "room_type_id"}
SCOPE_COLUMNS = ("origin_id", "destination_id", "trip_id", "hotel_id", "room_type_id")


async def _scope_exists(cur, form) -> bool:
    if form.scope == "route":
        zones = await _zones([form.origin_id, form.destination_id])
        return form.origin_id in zones and form.destination_id in zones
    table = {"trip": "trips", "hotel": "hotels", "room_type": "room_types"}[form.scope]
    await cur.execute(
        f"SELECT 1 AS found FROM {table} WHERE id = %(id)s", {"id": getattr(form, SCOPE_FIELD[form.scope])}
    )
    return await cur.fetchone() is not None
