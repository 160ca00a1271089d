"""The planner's help: a day-by-day reading of the trip, warnings when items do not fit, suggestions for the next
step, and alternatives for an item that can no longer be held.

It reads items generically (times in their cities' zones, from/to cities): a journey is an item between two
different cities, a stay one that spends at least a night in one city; any other item (a table) is an event.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from typing import Any

from ..dates import zoned
from . import queries

SUGGESTIONS = 3


def location(detail: dict[str, Any]) -> str | None:
    """Where an item takes place, for the calendar and the plan (the first boarding point of a journey)."""
    if detail.get("hotel_address") or detail.get("hotel_city"):
        return ", ".join(
            filter(None, (detail.get("hotel_name"), detail.get("hotel_address"), detail.get("hotel_city")))
        )
    points = detail.get("boarding_points") or []
    origin = detail.get("origin")
    if points and isinstance(points[0], dict) and points[0].get("name"):
        return ", ".join(filter(None, (points[0]["name"], origin)))
    return origin


def is_journey(item: dict[str, Any]) -> bool:
    return bool(item["from_city_id"] and item["to_city_id"] and item["from_city_id"] != item["to_city_id"])


def is_stay(item: dict[str, Any]) -> bool:
    return not is_journey(item) and item["ends_at"].date() > item["starts_at"].date()


def _active(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [i for i in items if i["status"] not in ("cancelled", "expired")]


def days(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The trip day by day (each moment on its own city's date): what happens, and where you sleep that night."""
    by_day: dict[date, dict[str, Any]] = {}

    def day(d: date) -> dict[str, Any]:
        return by_day.setdefault(d, {"date": d, "events": [], "sleep": None})

    for item in _active(items):
        start, end = item["starts_at"], item["ends_at"]
        if is_journey(item):
            day(start.date())["events"].append(
                {"at": start, "text": f"Leave {item['from_city']}: {item['title']}", "item_id": item["id"]}
            )
            day(end.date())["events"].append({"at": end, "text": f"Arrive in {item['to_city']}", "item_id": item["id"]})
        elif is_stay(item):
            day(start.date())["events"].append(
                {"at": start, "text": f"Check in: {item['title']}", "item_id": item["id"]}
            )
            night = start.date()
            while night < end.date():
                day(night)["sleep"] = item["title"]
                night += timedelta(days=1)
            day(end.date())["events"].append({"at": end, "text": f"Check out: {item['title']}", "item_id": item["id"]})
        else:
            day(start.date())["events"].append({"at": start, "text": item["title"], "item_id": item["id"]})
    for entry in by_day.values():
        entry["events"].sort(key=lambda e: e["at"])
    return [by_day[d] for d in sorted(by_day)]


def warnings(items: list[dict[str, Any]], buffer_minutes: int) -> list[dict[str, Any]]:
    """Where the plan does not fit: an arrival after the hotel's check-in day, a connection shorter than the buffer
    (or a departure before the arrival), overlapping stays, a city gap between an arrival and the next departure."""
    found: list[dict[str, Any]] = []
    active = sorted(_active(items), key=lambda i: i["starts_at"])
    journeys = [i for i in active if is_journey(i)]
    stays = [i for i in active if is_stay(i)]
    for before, after in zip(journeys, journeys[1:], strict=False):
        gap = after["starts_at"] - before["ends_at"]
        if after["from_city_id"] != before["to_city_id"]:
            found.append(_warning("city_gap", [before, after],
                                  f"You arrive in {before['to_city']} but your next journey leaves from "
                                  f"{after['from_city']}."))  # fmt: skip
        elif gap < timedelta(0):
            found.append(_warning("connection_missed", [before, after],
                                  f"{after['title']} leaves before {before['title']} arrives."))  # fmt: skip
        elif gap < timedelta(minutes=buffer_minutes):
            found.append(_warning("short_connection", [before, after],
                                  f"Only {int(gap.total_seconds() // 60)} minutes to connect in {before['to_city']} "
                                  f"(at least {buffer_minutes} advised)."))  # fmt: skip
    for stay in stays:
        check_in = stay["starts_at"].date()
        arrivals = [j for j in journeys if j["to_city_id"] == stay["from_city_id"] and j["ends_at"] <= stay["ends_at"]]
        if arrivals:
            arrival = max(arrivals, key=lambda j: j["ends_at"])
            if arrival["ends_at"].date() > check_in:
                found.append(_warning("arrival_after_check_in", [arrival, stay],
                                      f"You arrive in {arrival['to_city']} on {arrival['ends_at']:%d %b}, after the "
                                      f"check-in day of {stay['title']} ({check_in:%d %b}): that night is paid for "
                                      "but unused."))  # fmt: skip
    for i, first in enumerate(stays):
        for second in stays[i + 1 :]:
            if (
                second["starts_at"].date() < first["ends_at"].date()
                and first["starts_at"].date() < second["ends_at"].date()
            ):
                found.append(_warning("overlapping_stays", [first, second],
                                      f"{first['title']} and {second['title']} overlap: two beds for one night."))  # fmt: skip
    return found


def _warning(code: str, items: list[dict[str, Any]], message: str) -> dict[str, Any]:
    return {"code": code, "item_ids": [i["id"] for i in items], "message": message}


async def suggestions(cur, items: list[dict[str, Any]], buffer_minutes: int) -> list[dict[str, Any]]:
    """After a journey: hotels in the arrival city for the arrival night when no stay covers it, and (after the
    last journey) the next trips back to where the trip began, or onward."""
    active = sorted(_active(items), key=lambda i: i["starts_at"])
    journeys = [i for i in active if is_journey(i)]
    stays = [i for i in active if is_stay(i)]
    found: list[dict[str, Any]] = []
    for index, journey in enumerate(journeys):
        arrival_night = journey["ends_at"].date()
        next_journey = journeys[index + 1] if index + 1 < len(journeys) else None
        leaves_same_day = next_journey and next_journey["starts_at"].date() <= arrival_night
        covered = any(s["starts_at"].date() <= arrival_night < s["ends_at"].date() for s in stays)
        if not covered and not leaves_same_day:
            check_out = next_journey["starts_at"].date() if next_journey else arrival_night + timedelta(days=1)
            check_out = max(check_out, arrival_night + timedelta(days=1))
            hotels = await queries.select_hotel_alternatives(cur, journey["to_city_id"], arrival_night, check_out, 1)
            if hotels:
                found.append({
                    "kind": "hotel",
                    "after_item_id": journey["id"],
                    "text": f"Somewhere to sleep in {journey['to_city']} from {arrival_night:%d %b}",
                    "check_in": arrival_night,
                    "check_out": check_out,
                    "options": [_hotel_option(h, arrival_night, check_out) for h in hotels],
                })  # fmt: skip
    if journeys:
        last, first = journeys[-1], journeys[0]
        after = last["ends_at"].replace(tzinfo=None) + timedelta(minutes=buffer_minutes)
        home = first["from_city_id"] if first["from_city_id"] != last["to_city_id"] else None
        trips = await queries.select_onward_trips(cur, last["to_city_id"], after, SUGGESTIONS, home)
        if trips:
            where = f"back to {first['from_city']}" if home else "onward"
            found.append({
                "kind": "journey",
                "after_item_id": last["id"],
                "text": f"Journeys {where} from {last['to_city']}",
                "options": [_trip_option(t) for t in trips],
            })  # fmt: skip
    return found


def _trip_option(row: dict[str, Any]) -> dict[str, Any]:
    trip = zoned(row)
    return {
        "type": "bus",
        "trip_id": trip["id"],
        "title": f"{trip['origin']} → {trip['destination']}",
        "departs_at": trip["departs_at"],
        "arrives_at": trip["arrives_at"],
        "price_minor": trip["price_minor"],
        "currency": trip["currency"],
        "seats_left": trip["seats_left"],
        "url": f"/buses/{trip['id']}",
    }


def _hotel_option(row: dict[str, Any], check_in: date, check_out: date) -> dict[str, Any]:
    return {
        "type": "hotel",
        "room_type_id": row["room_type_id"],
        "hotel_id": row["hotel_id"],
        "title": f"{row['hotel']}, {row['room_type']}",
        "total_minor": int(row["total_minor"]),
        "currency": row["currency"],
        "rooms_left": int(row["rooms_left"]),
        "url": f"/hotels/{row['hotel_id']}?check_in={check_in.isoformat()}&check_out={check_out.isoformat()}",
    }


async def alternatives(cur, row: dict[str, Any]) -> list[dict[str, Any]]:
    """Instead of an item that cannot be held: other trips on the route that day, or other rooms in the city for
    the same nights (none for a kind the planner does not know yet)."""
    body = json.loads(row["body"])
    if body.get("type") == "bus":
        trips = await queries.select_trip_alternatives(cur, body["trip_id"], len(body.get("seats") or [1]))
        return [_trip_option(t) for t in trips]
    if body.get("type") == "hotel" and row.get("from_city_id"):
        check_in, check_out = date.fromisoformat(body["check_in"]), date.fromisoformat(body["check_out"])
        hotels = await queries.select_hotel_alternatives(
            cur, row["from_city_id"], check_in, check_out, body.get("rooms", 1), SUGGESTIONS + 1
        )
        others = [h for h in hotels if h["room_type_id"] != body["room_type_id"]][:SUGGESTIONS]
        return [_hotel_option(h, check_in, check_out) for h in others]
    return []


def timeline_bounds(items: list[dict[str, Any]]) -> tuple[datetime | None, datetime | None]:
    active = _active(items)
    if not active:
        return None, None
    return min(i["starts_at"] for i in active), max(i["ends_at"] for i in active)
