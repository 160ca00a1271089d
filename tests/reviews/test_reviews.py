"""Reviews of completed trips and stays: once per booking, only after the end by the city's clock, only by the
booking's owner; the business's rating and count follow the visible reviews."""

from __future__ import annotations

import pytest

from travelgo import db
from travelgo.dates import wall_now
from travelgo.reviews import service
from travelgo.reviews.forms import ReviewIn

from ..admin.helpers import book_bus
from ..conftest import api_token, login, post_form
from .conftest import business, past_trip, review_count

GOOD = "Comfortable seats, on time, friendly crew."


async def test_review_once_per_completed_trip(traveller_client, trip_world):
    ref = trip_world["bus"]["reference"]
    page = await (await traveller_client.get(f"/bookings/{ref}")).get_data(as_text=True)
    assert "How was it?" in page and f'action="/bookings/{ref}/review"' in page

    response = await post_form(traveller_client, f"/bookings/{ref}/review", {"rating": "4", "body": GOOD})
    assert response.status_code == 303
    page = await (await traveller_client.get(f"/bookings/{ref}")).get_data(as_text=True)
    assert "Your review" in page and GOOD in page and "How was it?" not in page
    assert await business("operator", trip_world["operator"]["id"]) == {"rating": 4.0, "review_count": 1}

    # a second review of the same booking is refused, and nothing changes
    again = await post_form(traveller_client, f"/bookings/{ref}/review", {"rating": "1", "body": "Changed my mind!!"})
    assert again.status_code == 409
    assert "already reviewed" in await again.get_data(as_text=True)
    assert await review_count() == 1
    assert await business("operator", trip_world["operator"]["id"]) == {"rating": 4.0, "review_count": 1}
    with pytest.raises(service.AlreadyReviewed):
        await service.create_review(trip_world["traveller"]["id"], ref, 2, "Trying once more here.")


async def test_htmx_review_form_comes_back_with_messages(traveller_client, trip_world):
    ref = trip_world["bus"]["reference"]
    response = await post_form(
        traveller_client, f"/bookings/{ref}/review", {"rating": "6", "body": "short"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 422
    fragment = await response.get_data(as_text=True)
    assert fragment.lstrip().startswith('<section id="review"') and "field-error" in fragment
    assert await review_count() == 0


@pytest.mark.parametrize(
    "form",
    [
        {"rating": "0", "body": GOOD},
        {"rating": "6", "body": GOOD},
        {"rating": "four", "body": GOOD},
        {"rating": "4", "body": "Too short"},
        {"rating": "4", "body": "\u200b" * 30},  # invisible characters only
        {"rating": "4", "body": "x" * 2001},
        {"body": GOOD},
    ],
)
async def test_bad_input_is_422(traveller_client, trip_world, form):
    response = await post_form(traveller_client, f"/bookings/{trip_world['bus']['reference']}/review", form)
    assert response.status_code == 422
    assert await review_count() == 0


async def test_body_is_normalised(trip_world):
    form = ReviewIn(rating=5, body="  Lovely\u200b   staff,  great  view.  ")
    review = await service.create_review(trip_world["traveller"]["id"], trip_world["stay"]["reference"], 5, form.body)
    assert review["body"] == "Lovely staff, great view."
    assert review["author"] == "Rita R."


async def test_not_before_the_end(traveller_client, trip_world):
    upcoming = trip_world["upcoming"]["reference"]
    page = await (await traveller_client.get(f"/bookings/{upcoming}")).get_data(as_text=True)
    assert "How was it?" not in page
    response = await post_form(traveller_client, f"/bookings/{upcoming}/review", {"rating": "5", "body": GOOD})
    assert response.status_code == 409
    assert await review_count() == 0


async def test_the_end_is_read_on_the_city_clock(trip_world):
    """ends_at is the origin city's wall time: Pago Pago (UTC-11) has not reached a time UTC passed an hour ago,
    while Kiritimati (UTC+14) passed one UTC reaches in an hour long ago."""
    async with db.transaction() as cur:
        behind = await past_trip(cur, ended_hours_ago=-1, timezone="Pacific/Pago_Pago")
        ahead = await past_trip(cur, ended_hours_ago=1, timezone="Pacific/Kiritimati")
        late = await book_bus(cur, trip_world["traveller"], behind, ["1"])
        early = await book_bus(cur, trip_world["traveller"], ahead, ["1"])
    # by the host's (UTC) clock it is the other way round
    assert behind["departs_at"] + __import__("datetime").timedelta(hours=3) < wall_now("UTC")
    user = trip_world["traveller"]["id"]
    with pytest.raises(service.NotReviewable):
        await service.create_review(user, late["reference"], 4, GOOD)
    review = await service.create_review(user, early["reference"], 4, GOOD)
    assert review["rating"] == 4


async def test_cancelled_booking_cannot_be_reviewed(trip_world):
    async with db.transaction() as cur:
        trip = await past_trip(cur, trip_world["operator"])
        cancelled = await book_bus(cur, trip_world["traveller"], trip, ["2"], status="cancelled")
    with pytest.raises(service.NotReviewable):
        await service.create_review(trip_world["traveller"]["id"], cancelled["reference"], 4, GOOD)


async def test_not_someone_elses_booking(app, trip_world):
    stranger = app.test_client()
    await login(stranger, trip_world["stranger"]["email"])
    response = await post_form(
        stranger, f"/bookings/{trip_world['bus']['reference']}/review", {"rating": "1", "body": "I was never there!"}
    )
    assert response.status_code == 404
    token = await api_token(app.test_client(), trip_world["stranger"]["email"])
    response = await app.test_client().post(
        f"/api/v1/bookings/{trip_world['bus']['reference']}/review",
        json={"rating": 1, "body": "I was never there!"},
        headers=token,
    )
    assert response.status_code == 404
    assert await review_count() == 0


async def test_hotel_rating_follows_reviews_and_hiding(trip_world):
    from datetime import timedelta

    from travelgo.dates import today_in

    hotel_id = trip_world["hotel"]["id"]
    assert await business("hotel", hotel_id) == {"rating": 8.1, "review_count": 0}  # the starting value
    first = await service.create_review(trip_world["traveller"]["id"], trip_world["stay"]["reference"], 5, GOOD)
    assert await business("hotel", hotel_id) == {"rating": 10.0, "review_count": 1}  # 0-10: twice the stars
    async with db.transaction() as cur:
        from ..admin.helpers import book_hotel

        other = await book_hotel(
            cur, trip_world["stranger"], trip_world["room_type"], today_in() - timedelta(days=5), 1
        )
    second = await service.create_review(
        trip_world["stranger"]["id"], other["reference"], 2, "Noisy at night, thin walls."
    )
    assert await business("hotel", hotel_id) == {"rating": 7.0, "review_count": 2}
    admin = trip_world["admin"]["id"]
    await service.set_hidden(admin, second["id"], True)
    assert await business("hotel", hotel_id) == {"rating": 10.0, "review_count": 1}
    await service.set_hidden(admin, first["id"], True)
    assert await business("hotel", hotel_id) == {"rating": 0.0, "review_count": 0}
    await service.set_hidden(admin, second["id"], False)
    assert await business("hotel", hotel_id) == {"rating": 4.0, "review_count": 1}
    with pytest.raises(service.ReviewError):
        await service.set_hidden(admin, second["id"], False)  # not hidden


async def test_rating_sort_in_search_reflects_reviews(app, client, trip_world):
    """Two operators on one route: the one the sample data rated lower is reviewed better, and sorts first."""
    from datetime import datetime, timedelta

    from travelgo.dates import today_in

    from .. import factories

    async with db.transaction() as cur:
        low = await factories.make_operator(cur, "Once Low", rating=1.5)
        high = await factories.make_operator(cur, "Once High", rating=4.9)
        origin, destination = await factories.make_city(cur), await factories.make_city(cur)
        day = today_in() + timedelta(days=3)
        for operator, hour in ((high, 8), (low, 9)):
            await factories.make_trip(
                cur, origin=origin, destination=destination, operator=operator,
                departs_at=datetime.combine(day, datetime.min.time()).replace(hour=hour),
            )  # fmt: skip
        bookings = {}
        for operator in (low, high):
            bookings[operator["id"]] = await book_bus(
                cur, trip_world["traveller"], await past_trip(cur, operator), ["1"]
            )
    user = trip_world["traveller"]["id"]
    await service.create_review(user, bookings[low["id"]]["reference"], 5, "Superb service all the way.")
    await service.create_review(user, bookings[high["id"]]["reference"], 1, "Late by three hours, rude staff.")
    response = await client.get(
        f"/api/v1/bus-trips?origin={origin['id']}&destination={destination['id']}&date={day}&sort=rating"
    )
    assert response.status_code == 200
    items = (await response.get_json())["items"]
    assert [(t["operator"]["name"], t["operator"]["rating"], t["operator"]["review_count"]) for t in items] == [
        ("Once Low", 5.0, 1),
        ("Once High", 1.0, 1),
    ]


async def test_hotel_min_rating_filter_uses_reviews(client, trip_world):
    from datetime import timedelta

    from travelgo.dates import today_in

    from .. import factories

    async with db.transaction() as cur:
        hotel = await factories.make_hotel(cur, city=trip_world["hotel"]["city"], name="Hotel Hopeful", rating=9.5)
        start = today_in() - timedelta(days=3)
        room_type = await factories.make_room_type(cur, hotel["id"], nights=20, start=start)
        from ..admin.helpers import book_hotel

        stay = await book_hotel(cur, trip_world["traveller"], room_type, start, 1)
    await service.create_review(
        trip_world["traveller"]["id"], stay["reference"], 3, "Fine, but not what the photos showed."
    )
    city = trip_world["hotel"]["city"]["id"]
    response = await client.get(f"/api/v1/hotels?city={city}&min_rating=8")
    names = [h["name"] for h in (await response.get_json())["items"]]
    assert "Hotel Hopeful" not in names and "Hotel Lakeview" in names
