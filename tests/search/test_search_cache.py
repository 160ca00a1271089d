"""The per-worker search cache: answers are reused, and every change that can alter one drops it.

The unit tests drive SearchCache directly; the others go through the app against the real database and show
both that answers really are cached (a change written behind the app's back is not seen) and that every change
made the way TravelGo makes them (a booking here, a booking on another worker, an admin edit) is seen at once.
"""

from __future__ import annotations

import asyncio
import gzip
import re
import time
from datetime import UTC, datetime, timedelta

from travelgo import db, searchcache
from travelgo.dates import wall_now
from travelgo.searchcache import Answer, SearchCache, tags_for_event

from .. import factories
from ..bookings.helpers import as_user, passengers
from ..conftest import api_token, login, post_form
from ..inapp import service as bookings
from .helpers import DAY, bus_world, hotel_world

# --- the cache itself ---------------------------------------------------------------------------------


def counting(value="answer"):
    calls = []

    async def compute():
        calls.append(1)
        return value

    return compute, calls


async def test_an_answer_is_computed_once_then_reused_until_it_expires():
    cache = SearchCache(ttl=0.2)
    compute, calls = counting()
    assert await cache.get_or_compute("k", [("route", 1, 2)], compute) == "answer"
    assert await cache.get_or_compute("k", [("route", 1, 2)], compute) == "answer"
    assert len(calls) == 1 and (cache.hits, cache.misses) == (1, 1)
    await asyncio.sleep(0.25)
    await cache.get_or_compute("k", [("route", 1, 2)], compute)
    assert len(calls) == 2


async def test_an_answer_that_goes_stale_by_itself_is_kept_no_longer_than_that():
    cache = SearchCache(ttl=60)
    answer = Answer(items=[])
    answer.valid_until = datetime.now(UTC) + timedelta(seconds=0.2)  # say, today's first listed bus leaves then
    compute, calls = counting(answer)
    await cache.get_or_compute("k", [], compute)
    assert await cache.get_or_compute("k", [], compute) is answer and len(calls) == 1
    await asyncio.sleep(0.25)
    await cache.get_or_compute("k", [], compute)
    assert len(calls) == 2
    answer.valid_until = datetime.now(UTC) - timedelta(seconds=1)  # already stale when read: not stored at all
    await cache.get_or_compute("gone", [], counting(answer)[0])
    assert cache.peek("gone") is None


async def test_invalidating_a_tag_drops_only_the_answers_carrying_it():
    cache = SearchCache(ttl=60)
    for key, tag in (("a", ("route", 1, 2)), ("b", ("route", 2, 1)), ("c", ("city", 7))):
        await cache.get_or_compute(key, [tag], counting(key)[0])
    cache.invalidate(tags_for_event("trip:9", {"origin_id": 1, "destination_id": 2}))
    compute, calls = counting()
    for key in ("a", "b", "c"):
        await cache.get_or_compute(key, [], compute)
    assert len(calls) == 1 and len(cache) == 3  # only "a" was computed again


async def test_an_answer_read_before_an_invalidation_is_not_stored():
    """A search that started before a change and finished after it must not put its stale answer back."""
    cache = SearchCache(ttl=60)
    started, release = asyncio.Event(), asyncio.Event()

    async def slow():
        started.set()
        await release.wait()
        return "stale"

    task = asyncio.create_task(cache.get_or_compute("k", [("city", 3)], slow))
    await started.wait()
    cache.invalidate([("city", 3)])  # the change commits while the query is in flight
    release.set()
    assert await task == "stale"  # the caller still gets what it read...
    compute, calls = counting("fresh")
    assert await cache.get_or_compute("k", [("city", 3)], compute) == "fresh"  # ...but nobody else does
    assert calls == [1]


async def test_events_map_to_the_answers_they_can_change():
    assert tags_for_event("trip:5", {"trip_id": 5, "origin_id": 1, "destination_id": 2}) == [
        ("buses",),
        ("route", 1, 2),
        ("trip", 5),
    ]
    assert tags_for_event("hotel:5", {"city_id": 4}) == [("hotels",), ("city", 4)]
    assert tags_for_event("trip:5", {"trip_id": 5}) is None  # no route: everything goes
    assert tags_for_event("catalog", {"entity": "trip"}) is None
    assert tags_for_event("something-else", {}) == []


async def test_the_oldest_answers_go_first_past_the_size_limit_and_ttl_zero_turns_it_off():
    cache = SearchCache(ttl=60, max_entries=2)
    for key in ("a", "b", "c"):
        await cache.get_or_compute(key, [], counting(key)[0])
    compute, calls = counting()
    await cache.get_or_compute("a", [], compute)
    assert len(cache) == 2 and calls == [1]
    off = SearchCache(ttl=0)
    compute, calls = counting()
    await off.get_or_compute("k", [], compute)
    await off.get_or_compute("k", [], compute)
    assert len(calls) == 2 and len(off) == 0


async def test_an_answer_makes_each_rendering_once():
    answer, made = Answer(items=[]), []

    async def render():
        made.append(1)
        return b"{}"

    assert await answer.made("json", render) == b"{}" and await answer.made("json", render) == b"{}"
    assert made == [1] and answer == {"items": []}


# --- through the app --------------------------------------------------------------------------------


async def bus_search(client, w, path="/api/v1/bus-trips"):
    params = {"origin": w["pune"]["id"], "destination": w["mumbai"]["id"], "date": DAY.isoformat()}
    response = await client.get(path, query_string=params)
    assert response.status_code == 200, await response.get_data(as_text=True)
    return response


async def seats_left(client, w, trip_id):
    items = (await (await bus_search(client, w)).get_json())["items"]
    return next(t["seats_left"] for t in items if t["id"] == trip_id)


async def test_a_booking_in_this_worker_shows_in_the_next_search_at_once(client):
    async with db.transaction() as cur:
        w = await bus_world(cur)
    trip = w["trips"][0]
    before = await seats_left(client, w, trip["id"])
    async with db.transaction() as cur:  # behind the app's back (no event): the cached answer stands
        await cur.execute("UPDATE trips SET seats_total = seats_total - 1 WHERE id = %s", (trip["id"],))
    assert await seats_left(client, w, trip["id"]) == before

    headers = await api_token(client, w["user"]["email"])
    body = {"type": "bus", "trip_id": trip["id"], "seats": ["9", "10"], "passengers": passengers(2)}
    assert (await client.post("/api/v1/bookings", json=body, headers=headers)).status_code == 201
    assert await seats_left(client, w, trip["id"]) == before - 1 - 2  # fresh: both changes show


async def test_a_booking_on_another_worker_reaches_this_one_through_the_events_poller(app, client):
    async with db.transaction() as cur:
        w = await bus_world(cur)
    trip = w["trips"][3]
    before = await seats_left(client, w, trip["id"])
    cache = app.extensions[searchcache.EXTENSION]
    # Outside this app (no app context): exactly what another worker or host does; only the outbox event tells us.
    await bookings.book_trip(as_user(w["user"]), trip["id"], ["4"], passengers(1))
    started = time.monotonic()
    left = await seats_left(client, w, trip["id"])
    while left == before and time.monotonic() - started < 5:
        await asyncio.sleep(0.02)
        left = await seats_left(client, w, trip["id"])
    assert left == before - 1
    assert time.monotonic() - started < 2  # one poll interval (0.1 s) in practice
    assert cache.hits >= 1


async def test_the_results_html_follows_bookings_too(client):
    async with db.transaction() as cur:
        w = await bus_world(cur)
    trip = w["trips"][0]  # 40 seats, none sold

    async def badge():
        page = await (await bus_search(client, w, "/buses")).get_data(as_text=True)
        return re.search(rf'id="seats-left-{trip["id"]}"[^>]*>([^<]*)<', page).group(1)

    assert await badge() == "40 seats left"
    headers = await api_token(client, w["user"]["email"])
    body = {"type": "bus", "trip_id": trip["id"], "seats": ["1"], "passengers": passengers(1)}
    assert (await client.post("/api/v1/bookings", json=body, headers=headers)).status_code == 201
    assert await badge() == "39 seats left"


async def test_an_admin_price_change_drops_every_cached_answer(app, client):
    async with db.transaction() as cur:
        w = await bus_world(cur)
        admin = await factories.make_user(cur, "boss@example.com", role="admin")
    trip = w["trips"][0]
    prices = {t["id"]: t["price_minor"] for t in (await (await bus_search(client, w)).get_json())["items"]}
    assert prices[trip["id"]] == 60000
    admin_client = app.test_client()
    await login(admin_client, admin["email"])
    response = await post_form(admin_client, f"/admin/trips/{trip['id']}/price", {"price": "555"})
    assert response.status_code in (200, 303)
    prices = {t["id"]: t["price_minor"] for t in (await (await bus_search(client, w)).get_json())["items"]}
    assert prices[trip["id"]] == 55500


async def test_a_hotel_booking_changes_the_cached_city_answer(client):
    async with db.transaction() as cur:
        w = await hotel_world(cur)
        user = await factories.make_user(cur)
    params = {"city": w["jaipur"]["id"], **w["stay"]}

    async def grand():
        response = await client.get("/api/v1/hotels", query_string=params)
        return next((h for h in (await response.get_json())["items"] if h["id"] == w["grand"]["id"]), None)

    assert (await grand())["rooms_left"] == 1 + 2  # one Grand room and two suites for both nights
    headers = await api_token(client, user["email"])
    body = {
        "type": "hotel",
        "room_type_id": w["rt"]["grand_suite"]["id"],
        "check_in": DAY.isoformat(),
        "check_out": (DAY + timedelta(days=2)).isoformat(),
        "rooms": 2,
        "guests": 4,
        "guest_name": "Ada Lovelace",
    }
    assert (await client.post("/api/v1/bookings", json=body, headers=headers)).status_code == 201
    assert (await grand())["rooms_left"] == 1


async def test_a_signed_in_page_is_never_shared_with_anonymous_visitors(app, client):
    async with db.transaction() as cur:
        w = await bus_world(cur)
        member = await factories.make_user(cur, "member@example.com", full_name="Meera Member")
    signed_in = app.test_client()
    await login(signed_in, member["email"])
    mine = await (await bus_search(signed_in, w, "/buses")).get_data(as_text=True)
    anonymous = await (await bus_search(client, w, "/buses")).get_data(as_text=True)
    again = await (await bus_search(signed_in, w, "/buses")).get_data(as_text=True)
    assert "Meera Member" in mine and "X-CSRF-Token" in mine and "Meera Member" in again
    assert "Meera Member" not in anonymous and "X-CSRF-Token" not in anonymous


async def test_a_cached_answer_is_gzipped_once_and_unzips_to_the_same_page(client):
    async with db.transaction() as cur:
        w = await bus_world(cur)
    params = {"origin": w["pune"]["id"], "destination": w["mumbai"]["id"], "date": DAY.isoformat()}
    for path in ("/buses", "/api/v1/bus-trips"):
        plain = await client.get(path, query_string=params)
        zipped = await client.get(path, query_string=params, headers={"Accept-Encoding": "gzip"})
        again = await client.get(path, query_string=params, headers={"Accept-Encoding": "gzip"})
        assert zipped.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in zipped.headers["Vary"]
        assert "Content-Encoding" not in plain.headers
        body = await zipped.get_data()
        assert gzip.decompress(body) == await plain.get_data() and body == await again.get_data()


async def test_a_seat_freed_on_another_worker_can_be_booked_here_within_a_poll(client):
    """Held seats are remembered per worker to refuse crowds early; a cancellation anywhere frees them here."""
    async with db.transaction() as cur:
        w = await bus_world(cur)
        other = await factories.make_user(cur, "other@example.com")
    trip = w["trips"][0]
    first = await bookings.book_trip(as_user(w["user"]), trip["id"], ["7"], passengers(1))
    headers = await api_token(client, other["email"])
    body = {"type": "bus", "trip_id": trip["id"], "seats": ["7"], "passengers": passengers(1)}
    assert (await client.post("/api/v1/bookings", json=body, headers=headers)).status_code == 409  # remembered
    await bookings.cancel_booking(w["user"]["id"], first["reference"])  # outside this app: another worker
    started = time.monotonic()
    status = (await client.post("/api/v1/bookings", json=body, headers=headers)).status_code
    while status == 409 and time.monotonic() - started < 5:
        await asyncio.sleep(0.02)
        status = (await client.post("/api/v1/bookings", json=body, headers=headers)).status_code
    assert status == 201 and time.monotonic() - started < 2


async def test_a_bus_leaves_todays_cached_results_when_it_departs(app, client):
    """No write happens when a bus departs, so no event drops the answer: its own first departure does."""
    async with db.transaction() as cur:
        w = await bus_world(cur)
        departs = wall_now().replace(microsecond=0) + timedelta(seconds=3)
        leaving = await factories.make_trip(cur, origin=w["pune"], destination=w["mumbai"], departs_at=departs)
        later = await factories.make_trip(
            cur, origin=w["pune"], destination=w["mumbai"], departs_at=departs + timedelta(minutes=30)
        )
    query = {"origin": w["pune"]["id"], "destination": w["mumbai"]["id"], "date": departs.date().isoformat()}

    async def listed() -> set[int]:
        response = await client.get("/api/v1/bus-trips", query_string=query)
        assert response.status_code == 200
        return {t["id"] for t in (await response.get_json())["items"]}

    cache = app.extensions[searchcache.EXTENSION]
    first = await listed()
    assert leaving["id"] in first
    hits = cache.hits
    assert await listed() == first and cache.hits == hits + 1  # served from the cache meanwhile (TTL 10 s)...
    await asyncio.sleep(max(0.0, (departs - wall_now()).total_seconds()) + 0.2)
    now_listed = await listed()
    assert leaving["id"] not in now_listed  # ...but not past the departure of the bus it lists first
    if later["departs_at"].date() == departs.date():
        assert later["id"] in now_listed
