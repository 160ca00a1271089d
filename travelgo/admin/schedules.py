"""What a recurring schedule would create, shown before it is saved ("this creates 26 trips: …")."""

from __future__ import annotations

from collections import Counter
from typing import Any

from .forms import WEEKDAYS, ScheduleForm

SHOWN = 8  # departures listed in full at each end of a long schedule


def schedule_preview(form: ScheduleForm) -> dict[str, Any]:
    """The departures a schedule makes (first and last few when there are many), how many per weekday, and the
    boarding and dropping points of the first one (the others keep the same offsets)."""
    departures = form.departures
    first = departures[0]
    shown = departures if len(departures) <= 2 * SHOWN else departures[:SHOWN] + [None] + departures[-SHOWN:]
    per_day = Counter(WEEKDAYS[d.weekday()] for d in departures)
    return {
        "count": len(departures),
        "first": first,
        "last": departures[-1],
        "departures": shown,
        "hidden": max(0, len(departures) - 2 * SHOWN),
        "per_weekday": [(day, per_day[day]) for day in WEEKDAYS if per_day[day]],
        "points": form.points(first),
    }
