"""The one pure function that prices a product: base price + the rules that apply to it + floor and ceiling.

No database and no clock here: the caller gives the context (how full, how many days ahead, which travel day), so
the same function prices a trip under the booking engine's lock, in the background repricer and in the admin's
preview, and the unit tests pin every rule down.

How rules combine (documented on the admin page too):
- occupancy rules are bands: only the band with the highest threshold reached applies (+10 % above 70 % sold and
  +25 % above 90 % sold give +25 % at 95 %, not both);
- every matching lead-time, weekday and season rule applies;
- the adjustments compound in (priority, id) order, from the base, on exact decimals;
- the result is rounded half up to a whole minor unit once, then clamped to [floor, ceiling];
- a price is never below one minor unit.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

KINDS = ("occupancy", "lead_time", "weekday", "season")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # date.weekday() order


@dataclass(frozen=True)
class Rule:
    """One pricing rule (a pricing_rules row, without its scope)."""

    id: int
    kind: str
    adjust_percent: Decimal
    name: str = ""
    priority: int = 100
    enabled: bool = True
    threshold_percent: int | None = None  # occupancy
    days_min: int | None = None  # lead_time (inclusive; None: open)
    days_max: int | None = None
    weekdays: frozenset[str] = field(default_factory=frozenset)  # weekday: "mon".."sun"
    starts_on: date | None = None  # season (inclusive)
    ends_on: date | None = None

    @classmethod
    def of_row(cls, row: dict) -> Rule:
        days = row.get("weekdays") or ()
        return cls(
            id=row.get("id") or 0,
            kind=row["kind"],
            adjust_percent=Decimal(str(row["adjust_percent"])),
            name=row.get("name") or "",
            priority=row.get("priority") if row.get("priority") is not None else 100,
            enabled=bool(row.get("enabled", True)),
            threshold_percent=row.get("threshold_percent"),
            days_min=row.get("days_min"),
            days_max=row.get("days_max"),
            weekdays=frozenset(days.split(",") if isinstance(days, str) else days) - {""},
            starts_on=row.get("starts_on"),
            ends_on=row.get("ends_on"),
        )

    def describe(self) -> str:
        """'+10% occupancy at 70% sold or more' — what the preview and the admin list say."""
        sign = "+" if self.adjust_percent >= 0 else "−"
        amount = f"{sign}{abs(self.adjust_percent).normalize():f}%"
        if self.kind == "occupancy":
            what = f"occupancy at {self.threshold_percent or 0}% sold or more"
        elif self.kind == "lead_time":
            if self.days_max is None:
                what = f"booked {self.days_min or 0}+ days ahead"
            else:
                what = f"booked {self.days_min or 0}–{self.days_max} days ahead"
        elif self.kind == "weekday":
            what = "on " + ", ".join(d.title() for d in WEEKDAYS if d in self.weekdays)
        else:
            what = f"season {self.starts_on} to {self.ends_on}"
        return f"{amount} {what}"


@dataclass(frozen=True)
class Context:
    """What the rules look at: seats or rooms sold of the capacity, the travel day (departure date in the origin
    city, or the night) and how many days ahead of it "today" is in that city."""

    sold: int
    capacity: int
    travel_day: date
    days_ahead: int

    @property
    def occupancy_percent(self) -> Decimal:
        return Decimal(100) * self.sold / self.capacity if self.capacity > 0 else Decimal(100)


@dataclass(frozen=True)
class Priced:
    price_minor: int
    applied: tuple[Rule, ...]
    clamped: str | None = None  # "floor" or "ceiling" when a bound decided the price


def matches(rule: Rule, ctx: Context) -> bool:
    """Whether a rule's condition holds in this context (the occupancy band choice is price()'s)."""
    if not rule.enabled:
        return False
    if rule.kind == "occupancy":
        return ctx.occupancy_percent >= (rule.threshold_percent or 0)
    if rule.kind == "lead_time":
        return (rule.days_min is None or ctx.days_ahead >= rule.days_min) and (
            rule.days_max is None or ctx.days_ahead <= rule.days_max
        )
    if rule.kind == "weekday":
        return WEEKDAYS[ctx.travel_day.weekday()] in rule.weekdays
    if rule.kind == "season":
        return (rule.starts_on is None or ctx.travel_day >= rule.starts_on) and (
            rule.ends_on is None or ctx.travel_day <= rule.ends_on
        )
    return False


def applicable(ctx: Context, rules: Iterable[Rule]) -> list[Rule]:
    """The rules that apply, in the order they apply: one occupancy band (the highest threshold reached; on a tie the
    first by priority), every other match; sorted by (priority, id)."""
    matched = [r for r in rules if matches(r, ctx)]
    bands = [r for r in matched if r.kind == "occupancy"]
    chosen = [r for r in matched if r.kind != "occupancy"]
    if bands:
        chosen.append(max(bands, key=lambda r: (r.threshold_percent or 0, -r.priority, -r.id)))
    return sorted(chosen, key=lambda r: (r.priority, r.id))


def price(
    base_minor: int,
    ctx: Context,
    rules: Iterable[Rule],
    floor_minor: int | None = None,
    ceiling_minor: int | None = None,
) -> Priced:
    """The price of one unit (a seat, a room-night) in minor units, and the rules that made it."""
    applied = applicable(ctx, rules)
    amount = Decimal(base_minor)
    for rule in applied:
        amount = amount * (Decimal(100) + rule.adjust_percent) / Decimal(100)
    result = int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    clamped = None
    if floor_minor is not None and result < floor_minor:
        result, clamped = floor_minor, "floor"
    if ceiling_minor is not None and result > ceiling_minor:
        result, clamped = ceiling_minor, "ceiling"
    return Priced(max(result, 1), tuple(applied), clamped)
