"""City names people type: one resolver (travelgo/places/resolver.py) behind the search pages, the type-ahead and
the cities API, with the aliases of migration 100 (Bombay, Bangalore, Goa …)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from travelgo import db
from travelgo.dates import today_in
from travelgo.places.resolver import CityIndex, fold

from .. import factories

CITIES = [
    {"id": 1, "name": "Mumbai", "region": "Maharashtra"},
    {"id": 2, "name": "Bengaluru", "region": "Karnataka"},
    {"id": 3, "name": "Mangaluru", "region": "Karnataka"},
    {"id": 4, "name": "Panaji", "region": "Goa"},
    {"id": 5, "name": "Chennai", "region": "Tamil Nadu"},
]
ALIASES = [
    {"alias": "Bombay", "city_name": "Mumbai"},
    {"alias": "Bangalore", "city_name": "Bengaluru"},
    {"alias": "Madras", "city_name": "Chennai"},
    {"alias": "Calcutta", "city_name": "Kolkata"},  # no such city here: ignored
]
INDEX = CityIndex.build(CITIES, ALIASES)


def test_fold_ignores_case_accents_and_punctuation():
    assert fold("  Bengalūru ") == "bengaluru" and fold("PUNÉ") == "pune" and fold("Dehra-Dun") == "dehra dun"


@pytest.mark.parametrize(
    ("typed", "city"),
    [
        ("Mumbai", "Mumbai"),
        ("bombay", "Mumbai"),
        ("BANGALORE", "Bengaluru"),
        ("Bengalūru", "Bengaluru"),
        ("Madras", "Chennai"),
        ("Goa", "Panaji"),  # a region with one city is that city
        ("Mumbai, Maharashtra", "Mumbai"),  # the datalist's label
    ],
)
def test_names_old_names_and_regions_resolve(typed, city):
    assert INDEX.resolve(typed).city["name"] == city


def test_unknown_names_get_the_closest_cities_in_words():
    typo = INDEX.resolve("Bangalor")
    assert typo.city is None and [c["name"] for c in typo.suggestions][:1] == ["Bengaluru"]
    assert typo.error.startswith("We don't know a city called “Bangalor”. Did you mean Bengaluru")
    region = INDEX.resolve("karnataka")
    assert region.city is None and region.error == "karnataka has several cities: Bengaluru and Mangaluru. Which one?"
    nothing = INDEX.resolve("Atlantis")
    assert (
        nothing.error == "We don't know a city called “Atlantis”. Pick one from the list." and not nothing.suggestions
    )
    assert INDEX.resolve("Calcutta").city is None  # an alias of a city that is not in the catalog


def test_type_ahead_order_exact_then_prefixes_then_regions():
    assert [c["name"] for c in INDEX.matching("bom")] == ["Mumbai"]
    assert [c["name"] for c in INDEX.matching("ka")] == ["Bengaluru", "Mangaluru"]  # region Karnataka
    assert [c["name"] for c in INDEX.matching("man")][0] == "Mangaluru"
    assert INDEX.aliases_matching(2, "bang") == ["Bangalore"] and INDEX.matching("") == []


async def seeded_cities():
    async with db.transaction() as cur:
        mumbai = await factories.make_city(cur, "Mumbai")
        pune = await factories.make_city(cur, "Pune")
        chennai = await factories.make_city(cur, "Chennai")
        day = today_in() + timedelta(days=3)
        trip = await factories.make_trip(cur, origin=mumbai, destination=pune)
    return mumbai, pune, chennai, day, trip


async def test_pages_and_the_api_use_the_same_resolver(client):
    mumbai, pune, chennai, day, trip = await seeded_cities()
    body = await (
        await client.get(f"/buses?origin=Bombay&destination=poona&date={trip['departs_at'].date()}")
    ).get_data(as_text=True)
    assert f'id="trip-{trip["id"]}"' in body and 'value="Mumbai"' in body and 'value="Pune"' in body

    unknown = await client.get(f"/buses?origin=Mumbaai&destination=Pune&date={day}")
    text = await unknown.get_data(as_text=True)
    assert unknown.status_code == 422
    error = re.search(r'<p id="e-origin" class="field-error">([^<]*)</p>', text)
    assert error and "Did you mean Mumbai?" in error.group(1).replace("&#39;", "'")

    api = await (await client.get("/api/v1/cities?q=madras")).get_json()
    assert [c["name"] for c in api["items"]] == ["Chennai"]

    suggest = await (await client.get("/cities/suggest?field=origin&origin=Bomb")).get_data(as_text=True)
    assert "<strong>Mumbai</strong>" in suggest and "Bombay" in suggest
    closest = await (await client.get("/cities/suggest?field=origin&origin=Chenai")).get_data(as_text=True)
    assert "Did you mean" in closest and f"/cities/pick?field=origin&amp;id={chennai['id']}" in closest


async def test_the_datalist_offers_old_names_for_javascript_off(client):
    await seeded_cities()
    body = await (await client.get("/buses")).get_data(as_text=True)
    assert '<option value="Bombay">Mumbai, Region</option>' in body
    assert '<option value="Madras">Chennai, Region</option>' in body
