"""The pure pricing function: bands, lead time, weekdays, seasons, stacking order, floor/ceiling, rounding."""

from datetime import date
from decimal import Decimal

from travelgo.pricing.engine import Context, Rule, price

MONDAY = date(2027, 3, 1)
SATURDAY = date(2027, 3, 6)


def ctx(sold=0, capacity=40, day=MONDAY, ahead=30):
    return Context(sold=sold, capacity=capacity, travel_day=day, days_ahead=ahead)


def rule(id, kind, pct, **kw):
    return Rule(id=id, kind=kind, adjust_percent=Decimal(pct), **kw)


def test_no_rules_is_the_base():
    assert price(50000, ctx(), []).price_minor == 50000
    assert price(50000, ctx(), []).applied == ()


def test_occupancy_band_applies_at_and_above_its_threshold():
    band = rule(1, "occupancy", "10", threshold_percent=70)
    assert price(1000, ctx(sold=27), [band]).price_minor == 1000  # 67.5 %
    assert price(1000, ctx(sold=28), [band]).price_minor == 1100  # 70 % exactly
    assert price(1000, ctx(sold=40), [band]).applied == (band,)


def test_only_the_highest_occupancy_band_reached_applies():
    low = rule(1, "occupancy", "10", threshold_percent=70)
    high = rule(2, "occupancy", "25", threshold_percent=90)
    assert price(1000, ctx(sold=30), [low, high]).price_minor == 1100
    assert price(1000, ctx(sold=38), [low, high]).price_minor == 1250
    assert price(1000, ctx(sold=38), [high, low]).applied == (high,)


def test_occupancy_of_no_capacity_counts_as_full():
    assert price(1000, ctx(sold=0, capacity=0), [rule(1, "occupancy", "10", threshold_percent=50)]).price_minor == 1100


def test_lead_time_last_minute_and_early_bird():
    last_minute = rule(1, "lead_time", "15", days_min=0, days_max=2)
    early_bird = rule(2, "lead_time", "-10", days_min=60)
    rules = [last_minute, early_bird]
    assert price(1000, ctx(ahead=0), rules).price_minor == 1150
    assert price(1000, ctx(ahead=2), rules).price_minor == 1150
    assert price(1000, ctx(ahead=3), rules).price_minor == 1000
    assert price(1000, ctx(ahead=59), rules).price_minor == 1000
    assert price(1000, ctx(ahead=60), rules).price_minor == 900
    assert price(1000, ctx(ahead=300), rules).price_minor == 900


def test_weekday_rule_looks_at_the_travel_day():
    weekend = rule(1, "weekday", "20", weekdays=frozenset({"sat", "sun"}))
    assert price(1000, ctx(day=MONDAY), [weekend]).price_minor == 1000
    assert price(1000, ctx(day=SATURDAY), [weekend]).price_minor == 1200


def test_season_range_is_inclusive():
    season = rule(1, "season", "30", starts_on=date(2027, 12, 20), ends_on=date(2027, 12, 31))
    assert price(1000, ctx(day=date(2027, 12, 19)), [season]).price_minor == 1000
    assert price(1000, ctx(day=date(2027, 12, 20)), [season]).price_minor == 1300
    assert price(1000, ctx(day=date(2027, 12, 31)), [season]).price_minor == 1300
    assert price(1000, ctx(day=date(2028, 1, 1)), [season]).price_minor == 1000


def test_adjustments_compound_in_priority_order():
    weekend = rule(5, "weekday", "10", weekdays=frozenset({"sat"}), priority=20)
    season = rule(3, "season", "-50", starts_on=SATURDAY, ends_on=SATURDAY, priority=10)
    priced = price(1000, ctx(day=SATURDAY), [weekend, season])
    assert priced.applied == (season, weekend)
    assert priced.price_minor == 550  # 1000 × 0.5 × 1.1
    same_priority = [rule(2, "weekday", "10", weekdays=frozenset({"sat"})), rule(1, "season", "10")]
    assert [r.id for r in price(1000, ctx(day=SATURDAY), same_priority).applied] == [1, 2]


def test_disabled_rules_do_not_apply():
    off = rule(1, "season", "50", enabled=False)
    assert price(1000, ctx(), [off]).price_minor == 1000


def test_floor_and_ceiling_clamp():
    up = rule(1, "season", "50")
    down = rule(2, "season", "-50")
    assert price(1000, ctx(), [up], ceiling_minor=1200) == price(1000, ctx(), [up], ceiling_minor=1200)
    capped = price(1000, ctx(), [up], ceiling_minor=1200)
    assert (capped.price_minor, capped.clamped) == (1200, "ceiling")
    floored = price(1000, ctx(), [down], floor_minor=800)
    assert (floored.price_minor, floored.clamped) == (800, "floor")
    assert price(1000, ctx(), [], floor_minor=800, ceiling_minor=1200).clamped is None
    # a base outside its own bounds is brought inside them too
    assert price(2000, ctx(), [], ceiling_minor=1200).price_minor == 1200


def test_rounds_half_up_to_a_whole_minor_unit_once():
    assert price(1005, ctx(), [rule(1, "season", "10")]).price_minor == 1106  # 1105.5 → 1106
    assert price(1004, ctx(), [rule(1, "season", "10")]).price_minor == 1104  # 1104.4 → 1104
    # compounding on exact decimals, rounded once: 999 × 1.05 × 1.05 = 1101.3975
    twice = [rule(1, "season", "5"), rule(2, "weekday", "5", weekdays=frozenset({"mon"}))]
    assert price(999, ctx(), twice).price_minor == 1101
    assert price(1000, ctx(), [rule(1, "season", "12.5")]).price_minor == 1125


def test_never_below_one_minor_unit():
    assert price(1, ctx(), [rule(1, "season", "-99")]).price_minor == 1


def test_rule_of_row_and_describe():
    r = Rule.of_row(
        {"id": 7, "kind": "weekday", "adjust_percent": Decimal("10.00"), "weekdays": "sat,sun", "priority": 100}
    )
    assert r.weekdays == {"sat", "sun"}
    assert r.describe() == "+10% on Sat, Sun"
    assert rule(1, "occupancy", "10", threshold_percent=70).describe() == "+10% occupancy at 70% sold or more"
    assert rule(1, "lead_time", "-5", days_min=60).describe() == "−5% booked 60+ days ahead"
