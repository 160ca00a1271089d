"""Hotel search, hotel details and availability calendars (used by the pages and the JSON API alike)."""

from __future__ import annotations

from datetime import date, timedelta

from .. import dates, db, searchcache
from ..buses.service import SearchInvalid
from ..places import queries as place_queries
from ..places import service as places
from . import queries
from .forms import HOTEL_AMENITIES as AMENITY_ORDER
from .forms import HotelSearch

FEW_ROOMS = 5  # "N rooms left" is shown at or below this


def _amenities(value) -> list[str]:
    items = value if isinstance(value, (set, list, tuple)) else (value or "").split(",")
    return [a for a in AMENITY_ORDER if a in items]


def hotel_out(row: dict) -> dict:
    """A hotels row (with availability) in the API list shape, plus area and the stay price for pages."""
    return {
        "id": row["id"],
        "name": row["name"],
        "city": {"id": row["city_id"], "name": row["city_name"]},
        "stars": row["stars"],
        "rating": float(row["rating"]),
        "review_count": int(row.get("review_count") or 0),
        "amenities": _amenities(row["amenities"]),
        "distance_km": float(row["distance_km"]),
        "price_from_minor": None if row.get("price_from_minor") is None else int(row["price_from_minor"]),
        "currency": row.get("currency") or "INR",
        "rooms_left": int(row.get("rooms_left") or 0),
        "area": row["area"],
        "stay_from_minor": None if row.get("stay_from_minor") is None else int(row["stay_from_minor"]),
    }


async def search_hotels(search: HotelSearch) -> searchcache.Answer:
    """Hotels with a room for the stay (or all, with show_sold_out): {items, total, limit, offset}.

    Answers come from this worker's search cache when they can."""
    return await searchcache.current().get_or_compute(
        ("hotels", search.stay, search.model_dump_json()),
        searchcache.city_tags(search.city),
        lambda: _search_hotels(search),
    )


async def _search_hotels(search: HotelSearch) -> searchcache.Answer:
    check_in, check_out = search.stay
    if search.check_in is None and search.city is not None:  # default tonight: the city's date, not the host's
        city_zones = await places.zones([search.city])
        if city_zones:
            check_in = dates.today_in(city_zones[0])
            check_out = (
                search.check_out if search.check_out and search.check_out > check_in else check_in + timedelta(days=1)
            )
    filters = dict(
        city=search.city,
        min_stars=search.min_stars,
        min_rating=search.min_rating,
        max_distance=search.max_distance,
        amenities=search.amenities,
        min_price=None if search.min_price is None else search.min_price * 100,
        max_price=None if search.max_price is None else search.max_price * 100,
        show_sold_out=search.show_sold_out,
        sort=search.sort,
    )
    async with db.reading(replica=True) as cur:
        rows, total = await queries.select_hotels(
            cur,
            filters,
            check_in=check_in,
            check_out=check_out,
            nights=(check_out - check_in).days,
            rooms=search.rooms,
            guests=search.guests,
            limit=search.limit,
            offset=search.offset,
        )
        # a returned hotel joined its city, so it exists: only an empty answer needs the look-up
        if not rows and search.city is not None and not await place_queries.select_cities_by_ids(cur, [search.city]):
            raise SearchInvalid({"city": "We don't know that city. Pick one from the list."})
    return searchcache.Answer(items=[hotel_out(r) for r in rows], total=total, limit=search.limit, offset=search.offset)


async def get_hotel(
    hotel_id: int, check_in: date | None = None, check_out: date | None = None, guests: int = 2
) -> dict | None:
    """The API detail shape of a hotel for a stay (default tonight), with every room type's rooms left
    (the minimum over the nights; stop-sell nights count as 0) and prices; None if unknown. "Tonight" is the
    hotel city's date."""
    async with db.reading() as cur:  # the primary: rooms left must not lag behind a booking
        row = await queries.select_hotel(cur, hotel_id)
        if row is None:
            return None
        today = dates.today_in(row["timezone"])
        check_in = check_in or today
        check_out = check_out if check_out and check_out > check_in else check_in + timedelta(days=1)
        nights = (check_out - check_in).days
        room_rows = await queries.select_room_types_for_stay(cur, hotel_id, check_in, check_out, nights, today)
    room_types = []
    for r in room_rows:
        if not r["on_sale"]:  # no room of this type is on sale on any night: not offered at all
            continue
        rooms_left = int(r["rooms_left"] or 0)
        stay = int(r["stay_minor"]) if r["stay_minor"] is not None and r["nights_on_sale"] == nights else None
        room_types.append(
            {
                "id": r["id"],
                "name": r["name"],
                "max_guests": r["max_guests"],
                "beds": r["beds"],
                "price_per_night_minor": stay // nights if stay is not None else r["base_price_minor"],
                "total_minor": stay if stay is not None else r["base_price_minor"] * nights,
                "rooms_left": rooms_left,
            }
        )
    fitting = [rt for rt in room_types if rt["rooms_left"] > 0 and rt["max_guests"] * rt["rooms_left"] >= guests]
    hotel = hotel_out(
        {
            **row,
            "currency": room_rows[0]["currency"] if room_rows else "INR",
            "price_from_minor": min((rt["price_per_night_minor"] for rt in fitting), default=None),
            "stay_from_minor": min((rt["total_minor"] for rt in fitting), default=None),
            "rooms_left": sum(rt["rooms_left"] for rt in fitting),
        }
    )
    hotel.update(
        description=row["description"],
        address=row["address"],
        latitude=float(row["latitude"]),
        longitude=float(row["longitude"]),
        check_in=check_in,
        check_out=check_out,
        nights=nights,
        today=today,
        guests=guests,
        room_types=room_types,
    )
    return hotel


async def hotel_calendar(hotel_id: int, start: date, days: int = 30) -> dict[int, list[dict]]:
    """room_type_id -> one entry per night for `days` nights from start: {night, rooms_left, price_minor}
    (rooms_left None where the night is not on sale)."""
    end = start + timedelta(days=days)
    async with db.reading(replica=True) as cur:
        rows = await queries.select_hotel_calendar(cur, hotel_id, start, end)
    by_type: dict[int, dict[date, dict]] = {}
    for r in rows:
        by_type.setdefault(r["room_type_id"], {})[r["night"]] = r
    calendar = {}
    for room_type_id, nights in by_type.items():
        calendar[room_type_id] = [
            {
                "night": night,
                "rooms_left": None if night not in nights else int(nights[night]["rooms_left"]),
                "price_minor": None if night not in nights else nights[night]["price_minor"],
            }
            for night in (start + timedelta(days=i) for i in range(days))
        ]
    return calendar
