"""Seating arithmetic, without the database: the slot grid, opening hours and which table(s) a party gets.

One home for these rules, so the booking check (bookings.kinds.RestaurantTables) and the slots a page shows
(service.day_slots) can never disagree about what is bookable.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any


@dataclass(frozen=True)
class Table:
    id: int
    label: str
    seats: int


def as_time(value: Any) -> time:
    """A TIME column (aiomysql reads it as a timedelta from midnight) as a time of day."""
    if isinstance(value, time):
        return value
    seconds = int(value.total_seconds())
    return time(seconds // 3600, seconds % 3600 // 60)


def minutes(at: time) -> int:
    return at.hour * 60 + at.minute


def on_grid(at: time, slot_minutes: int) -> bool:
    """A sitting starts on the restaurant's slot grid (every slot_minutes from midnight, whole minutes)."""
    return at.second == 0 and at.microsecond == 0 and minutes(at) % slot_minutes == 0


def sitting_slots(day: date, at: time, slot_minutes: int, sitting_minutes: int) -> list[datetime]:
    """Every slot a sitting starting at `at` occupies (wall-clock datetimes, in order)."""
    start = datetime.combine(day, at)
    return [start + timedelta(minutes=k) for k in range(0, sitting_minutes, slot_minutes)]


def within_hours(at: time, sitting_minutes: int, hours: Iterable[tuple[time, time]]) -> bool:
    """Does a sitting starting at `at` begin and end inside one opening period of the day?"""
    start = minutes(at)
    return any(minutes(o) <= start and start + sitting_minutes <= minutes(c) for o, c in hours)


def start_times(slot_minutes: int, sitting_minutes: int, hours: Iterable[tuple[time, time]]) -> list[time]:
    """Every start time on the grid whose sitting fits an opening period, in order."""
    found = set()
    for opens, closes in hours:
        first = -(-minutes(opens) // slot_minutes) * slot_minutes
        for m in range(first, minutes(closes) - sitting_minutes + 1, slot_minutes):
            found.add(time(m // 60, m % 60))
    return sorted(found)


def choose_tables(
    tables: list[Table],
    party: int,
    busy: set[int],
    links: Iterable[tuple[int, int]] = (),
    combine: bool = False,
) -> list[Table] | None:
    """The smallest free table that seats the party (fewest spare seats, then the lowest id); failing that, when the
    restaurant combines tables, the two adjacent free tables with the fewest seats between them that do. None: no fit.
    `busy`: ids of tables taken for any slot of the sitting."""
    free = {t.id: t for t in tables if t.id not in busy}
    single = [t for t in free.values() if t.seats >= party]
    if single:
        return [min(single, key=lambda t: (t.seats, t.id))]
    if not combine:
        return None
    pairs = [(free[a], free[b]) for a, b in links if a in free and b in free and free[a].seats + free[b].seats >= party]
    if not pairs:
        return None
    a, b = min(pairs, key=lambda p: (p[0].seats + p[1].seats, p[0].id, p[1].id))
    return sorted([a, b], key=lambda t: t.id)


def busy_tables(taken: Mapping[int, set[datetime]], slots: Iterable[datetime]) -> set[int]:
    """Ids of the tables taken for any of these slots (taken: table id -> occupied slots)."""
    wanted = set(slots)
    return {table_id for table_id, occupied in taken.items() if occupied & wanted}


def largest_party(tables: list[Table], links: Iterable[tuple[int, int]], combine: bool) -> int:
    """The most guests the restaurant can seat at once under its own rules (one table, or two adjacent)."""
    best = max((t.seats for t in tables), default=0)
    if combine:
        seats = {t.id: t.seats for t in tables}
        best = max([best, *(seats[a] + seats[b] for a, b in links if a in seats and b in seats)])
    return best
