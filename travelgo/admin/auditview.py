"""The audit log as people read it: who (names, not ids), what (a sentence naming the thing changed), when (in the
home zone, with the offset), and a before/after diff of the fields that changed, with money as money and ids as
the names they stand for. The stored rows stay as they are (JSON before/after); this is only how they are shown.

Names are looked up in one query per kind of thing on the page (not one per row)."""

from __future__ import annotations

import json
from typing import Any

from .. import dates, db
from ..templating import money

# action -> what the admin did, in words (others: "<verb> a <entity>")
ACTIONS = {
    "trip.create": "Created a trip",
    "trip.schedule": "Scheduled trips",
    "trip.price": "Changed the seat price",
    "trip.seats": "Changed the seats on sale",
    "trip.cancel": "Cancelled a trip",
    "inventory.set": "Set rooms and prices",
    "inventory.stop_sell": "Stopped selling rooms",
    "inventory.resume_sell": "Resumed selling rooms",
    "booking.cancel": "Cancelled a booking",
    "review.hide": "Hid a review",
    "review.unhide": "Showed a review again",
    "review.reply": "Replied to a review",
    "refund.retry": "Retried a refund",
    "notification.resend": "Resent a message",
    "pricing_rule.enable": "Switched a pricing rule on",
    "pricing_rule.disable": "Switched a pricing rule off",
    "pricing.bounds": "Set the price floor and ceiling",
    "restaurant.hours": "Set the opening hours",
    "restaurant.link_tables": "Put two tables side by side",
    "restaurant.unlink_tables": "Separated two tables",
    "accept_request": "Accepted a table request",
    "reject_request": "Rejected a table request",
}
VERBS = {"create": "Added", "update": "Changed", "delete": "Removed"}
ENTITY_WORDS = {"room_type": "room type", "pricing_rule": "pricing rule", "restaurant_table": "table"}

# field -> the kind of thing its id names
REFERENCES = {
    "origin_id": "city",
    "destination_id": "city",
    "city_id": "city",
    "operator_id": "operator",
    "vehicle_id": "vehicle",
    "hotel_id": "hotel",
    "room_type_id": "room_type",
    "trip_id": "trip",
    "restaurant_id": "restaurant",
    "table_id": "restaurant_table",
    "adjacent_id": "restaurant_table",
}
FIELD_WORDS = {
    "price_minor": "price",
    "base_price_minor": "base price",
    "refund_minor": "refund",
    "floor_minor": "price floor",
    "ceiling_minor": "price ceiling",
    "seats_total": "seats on sale",
    "rooms_total": "rooms",
    "duration_minutes": "duration (minutes)",
    "stop_sell": "stop sell",
    "trip_ids": "trips",
}
NAME_SQL = {
    "city": "SELECT id, name, NULL AS currency FROM cities WHERE id IN ({ids})",
    "operator": "SELECT id, name, NULL AS currency FROM operators WHERE id IN ({ids})",
    "vehicle": "SELECT id, name, NULL AS currency FROM vehicles WHERE id IN ({ids})",
    "hotel": "SELECT id, name, NULL AS currency FROM hotels WHERE id IN ({ids})",
    "restaurant": "SELECT id, name, currency FROM restaurants WHERE id IN ({ids})",
    "restaurant_table": """SELECT t.id, CONCAT('table ', t.label, ', ', r.name) AS name, r.currency
                             FROM restaurant_tables t JOIN restaurants r ON r.id = t.restaurant_id
                            WHERE t.id IN ({ids})""",
    "room_type": """SELECT rt.id, CONCAT(rt.name, ', ', h.name) AS name, rt.currency
                      FROM room_types rt JOIN hotels h ON h.id = rt.hotel_id WHERE rt.id IN ({ids})""",
    "trip": """SELECT t.id, CONCAT(co.name, ' → ', cd.name, ', ', DATE_FORMAT(t.departs_at, '%%a %%d %%b %%Y %%H:%%i'))
                      AS name, t.currency
                 FROM trips t JOIN cities co ON co.id = t.origin_id JOIN cities cd ON cd.id = t.destination_id
                WHERE t.id IN ({ids})""",
}
LIST_SHOWN = 6


def _as_int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _wanted(items: list[dict]) -> dict[str, set[int]]:
    """Per kind, the ids the page names: each entry's own entity and the ids in its before/after fields."""
    wanted: dict[str, set[int]] = {kind: set() for kind in NAME_SQL}
    for item in items:
        if item["entity"] in NAME_SQL and (own := _as_int(item["entity_id"])) is not None:
            wanted[item["entity"]].add(own)
        for data in (item["before_data"], item["after_data"]):
            for key, value in (data or {}).items() if isinstance(data, dict) else ():
                if key in REFERENCES and (ref := _as_int(value)) is not None:
                    wanted[REFERENCES[key]].add(ref)
    return wanted


async def _names(cur, wanted: dict[str, set[int]]) -> dict[str, dict[int, dict]]:
    names: dict[str, dict[int, dict]] = {}
    for kind, ids in wanted.items():
        if not ids:
            continue
        placeholders, params = db.in_list("i", sorted(ids))
        await cur.execute(NAME_SQL[kind].format(ids=placeholders), params)
        names[kind] = {row["id"]: row for row in await cur.fetchall()}
    return names


def _field_label(key: str) -> str:
    if key in FIELD_WORDS:
        return FIELD_WORDS[key]
    return key.removesuffix("_id").removesuffix("_minor").replace("_", " ")


def _value(key: str, value: Any, currency: str, names: dict[str, dict[int, dict]]) -> str:
    """One field's value as words: money, a name for an id, yes/no, a short list."""
    if value is None or value == "":
        return "—"
    if key.endswith("_minor") and isinstance(value, (int, float)):
        return money(int(value), currency)
    if key in REFERENCES and (ref := _as_int(value)) is not None:
        row = names.get(REFERENCES[key], {}).get(ref)
        return f"{row['name']} (#{ref})" if row else f"#{ref} (deleted)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        shown = ", ".join(str(v) for v in value[:LIST_SHOWN])
        return shown + (f", … ({len(value)} in all)" if len(value) > LIST_SHOWN else "")
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def diff(before: Any, after: Any, currency: str, names: dict[str, dict[int, dict]]) -> list[dict[str, str | None]]:
    """The fields that differ: {field, before, after}; a created thing lists what it was created with (before
    None) and a removed one what it had (after None)."""
    before = before if isinstance(before, dict) else ({} if before is None else {"value": before})
    after = after if isinstance(after, dict) else ({} if after is None else {"value": after})
    rows = []
    for key in list(after) + [k for k in before if k not in after]:
        old, new = before.get(key), after.get(key)
        if key in before and key in after and old == new:
            continue
        rows.append(
            {
                "field": _field_label(key),
                "before": _value(key, old, currency, names) if key in before else None,
                "after": _value(key, new, currency, names) if key in after else None,
            }
        )
    return rows


def _what(item: dict, names: dict[str, dict[int, dict]]) -> tuple[str, str]:
    """(what was done, the thing it was done to) in words."""
    entity, action = item["entity"], item["action"]
    word = ENTITY_WORDS.get(entity, entity)
    done = (
        ACTIONS.get(action)
        or f"{VERBS.get(action.rsplit('.', 1)[-1], action.rsplit('.', 1)[-1].capitalize())} a {word}"
    )
    entity_id = str(item["entity_id"])
    if ".." in entity_id:  # a schedule's range of trip ids
        first, last = entity_id.split("..", 1)
        return done, f"{word}s #{first} to #{last}"
    row = names.get(entity, {}).get(_as_int(entity_id)) if entity in NAME_SQL else None
    if row:
        return done, f"{row['name']} (#{entity_id})"
    if entity == "booking":
        return done, f"booking {entity_id}"
    return done, f"{word} #{entity_id}"


def _currency(item: dict, names: dict[str, dict[int, dict]], default: str) -> str:
    for data in (item["after_data"], item["before_data"]):
        if isinstance(data, dict) and isinstance(data.get("currency"), str):
            return data["currency"]
    row = names.get(item["entity"], {}).get(_as_int(item["entity_id"])) if item["entity"] in NAME_SQL else None
    return (row or {}).get("currency") or default


async def readable(items: list[dict], default_currency: str) -> list[dict]:
    """The audit rows of one page with who/what/when/changes added for the page to show."""
    async with db.reading() as cur:
        names = await _names(cur, _wanted(items))
    out = []
    for item in items:
        done, thing = _what(item, names)
        currency = _currency(item, names, default_currency)
        when = dates.utc(item["created_at"]).astimezone(dates.zone(dates.HOME_ZONE))
        out.append(
            {
                **item,
                "who": item.get("user_name") or item.get("user_email") or "a deleted user",
                "done": done,
                "thing": thing,
                "when": when,
                "changes": diff(item["before_data"], item["after_data"], currency, names),
            }
        )
    return out
