"""The ranking function alone: tiers, reasons, fallbacks and exclusions."""

from __future__ import annotations

from travelgo.recommend.rank import home_city, rank

POPULAR = [("route:1-2", 900.0), ("hotel:7", 800.0), ("route:3-4", 700.0), ("hotel:8", 600.0)]


def test_co_booked_items_come_before_popular_ones_for_a_traveller_with_history():
    pairs = {"route:5-6": [("hotel:9", 0.8), ("route:6-5", 0.3)]}
    ranked = rank(["route:5-6"], pairs, [], POPULAR, limit=4)
    assert [s.item for s in ranked] == ["hotel:9", "route:6-5", "route:1-2", "hotel:7"]
    assert ranked[0].reason == "also_booked" and ranked[0].because == "route:5-6"
    assert ranked[2].reason == "popular"


def test_scores_add_up_over_the_history_and_the_strongest_source_is_the_reason():
    pairs = {"route:1-2": [("hotel:3", 0.2), ("hotel:4", 0.5)], "route:2-1": [("hotel:3", 0.4)]}
    ranked = rank(["route:2-1", "route:1-2"], pairs, [], [], limit=5)
    assert [(s.item, s.score, s.because) for s in ranked] == [
        ("hotel:3", 0.6, "route:2-1"),
        ("hotel:4", 0.5, "route:1-2"),
    ]


def test_a_new_traveller_gets_popularity():
    ranked = rank([], {}, [], POPULAR, limit=3)
    assert [s.item for s in ranked] == ["route:1-2", "hotel:7", "route:3-4"]
    assert {s.reason for s in ranked} == {"popular"}


def test_popular_in_the_travellers_city_comes_before_popular_overall():
    in_city = [("route:5-1", 10.0), ("hotel:11", 5.0)]
    ranked = rank(["route:5-6"], {}, in_city, POPULAR, city_id=5, limit=3)
    assert [(s.item, s.reason, s.because) for s in ranked] == [
        ("route:5-1", "popular_from_city", 5),
        ("hotel:11", "popular_from_city", 5),
        ("route:1-2", "popular", None),
    ]


def test_booked_items_are_left_out_unless_asked_for():
    pairs = {"route:1-2": [("route:3-4", 0.9)], "route:3-4": [("route:1-2", 0.9)]}
    history = ["route:1-2", "route:3-4"]
    assert {s.item for s in rank(history, pairs, [], POPULAR, limit=10)} == {"hotel:7", "hotel:8"}
    kept = rank(history, pairs, [], POPULAR, limit=10, exclude_booked=False)
    assert {s.item for s in kept[:2]} == {"route:3-4", "route:1-2"}


def test_hotels_near_an_upcoming_arrival_come_first_and_each_item_once():
    pairs = {"route:1-2": [("hotel:20", 0.9)]}
    ranked = rank(
        ["route:1-2"],
        pairs,
        [],
        [("hotel:20", 50.0)],
        arrival_city_id=2,
        hotels_at_arrival=[("hotel:20", 3.0), ("hotel:21", 2.0), ("hotel:22", 1.0)],
        limit=10,
    )
    assert [(s.item, s.reason) for s in ranked] == [("hotel:20", "near_arrival"), ("hotel:21", "near_arrival")]


def test_home_city_is_the_most_frequent_origin():
    assert home_city(["hotel:1", "route:4-5", "route:3-1", "route:3-2"]) == 3
    assert home_city(["route:4-5", "route:3-1"]) == 4  # a tie: the most recent
    assert home_city(["hotel:1"]) is None
