"""The reviews API, the reviews shown on the hotel and trip pages, and admin moderation (audited)."""

from __future__ import annotations

from travelgo import db
from travelgo.reviews import service

from ..conftest import api_token, post_form
from .conftest import business, review_count

GOOD = "Clean room, kind staff and a quiet street."


async def test_api_review_and_collections(app, client, trip_world):
    token = await api_token(app.test_client(), trip_world["traveller"]["email"])
    path = f"/api/v1/bookings/{trip_world['stay']['reference'].lower()}/review"
    response = await client.post(path, json={"rating": 4, "body": GOOD}, headers=token)
    assert response.status_code == 201, await response.get_data(as_text=True)
    body = await response.get_json()
    assert body["rating"] == 4 and body["body"] == GOOD and body["kind"] == "hotel"
    assert body["business_name"] == "Hotel Lakeview" and body["author"] == "Rita R."

    again = await client.post(path, json={"rating": 1, "body": GOOD}, headers=token)
    assert again.status_code == 409
    assert again.headers["Content-Type"].startswith("application/problem+json")
    assert await review_count() == 1

    hotel_id = trip_world["hotel"]["id"]
    listing = await (await client.get(f"/api/v1/hotels/{hotel_id}/reviews")).get_json()
    assert listing["total"] == 1 and listing["limit"] == 20 and listing["offset"] == 0
    assert listing["rating"] == 8.0 and listing["review_count"] == 1
    assert [r["body"] for r in listing["items"]] == [GOOD]
    detail = await (await client.get(f"/api/v1/hotels/{hotel_id}")).get_json()
    assert detail["rating"] == 8.0 and detail["review_count"] == 1

    operator = await (await client.get(f"/api/v1/operators/{trip_world['operator']['id']}/reviews")).get_json()
    assert operator["items"] == [] and operator["total"] == 0
    assert (await client.get("/api/v1/operators/999999/reviews")).status_code == 404
    assert (await client.get(f"/api/v1/hotels/{hotel_id}/reviews?limit=0")).status_code == 422


async def test_api_refuses_bad_input_and_early_reviews(app, client, trip_world):
    token = await api_token(app.test_client(), trip_world["traveller"]["email"])
    bus = f"/api/v1/bookings/{trip_world['bus']['reference']}/review"
    for payload in ({"rating": 0, "body": GOOD}, {"rating": 5, "body": "short"}, {"rating": 5}, {}):
        response = await client.post(bus, json=payload, headers=token)
        assert response.status_code == 422, payload
    early = f"/api/v1/bookings/{trip_world['upcoming']['reference']}/review"
    assert (await client.post(early, json={"rating": 5, "body": GOOD}, headers=token)).status_code == 409
    assert (await client.post(bus, json={"rating": 5, "body": GOOD})).status_code == 401
    assert await review_count() == 0


async def test_pages_show_rating_count_and_recent_reviews(client, trip_world):
    user = trip_world["traveller"]["id"]
    await service.create_review(user, trip_world["bus"]["reference"], 3, "Average bus, the air conditioning failed.")
    await service.create_review(user, trip_world["stay"]["reference"], 5, GOOD)
    trip_page = await (await client.get(f"/buses/{trip_world['trip']['id']}")).get_data(as_text=True)
    assert "the air conditioning failed" in trip_page and "from 1 review" in trip_page
    hotel_page = await (await client.get(f"/hotels/{trip_world['hotel']['id']}")).get_data(as_text=True)
    assert GOOD in hotel_page and "10.0/10" in hotel_page and "1 review" in hotel_page


async def _audit(action: str) -> list[dict]:
    async with db.reading() as cur:
        await cur.execute("SELECT user_id, entity, entity_id FROM audit_log WHERE action = %s", (action,))
        return list(await cur.fetchall())


async def test_admin_hides_and_replies_audited(admin_client, client, trip_world):
    review = await service.create_review(
        trip_world["traveller"]["id"], trip_world["stay"]["reference"], 1, "Rude words that break the rules here."
    )
    hotel_id, admin_id = trip_world["hotel"]["id"], trip_world["admin"]["id"]
    page = await (await admin_client.get("/admin/reviews?kind=hotel&state=visible")).get_data(as_text=True)
    assert "Rude words" in page and 'href="/admin/reviews" aria-current="page"' in page
    empty = await (await admin_client.get("/admin/reviews?kind=operator")).get_data(as_text=True)
    assert "Rude words" not in empty and "No reviews." in empty
    assert (await admin_client.get("/admin/reviews?rating=9")).status_code == 422

    response = await post_form(
        admin_client, f"/admin/reviews/{review['id']}/reply", {"reply": "We are sorry to hear it."}
    )
    assert response.status_code == 303
    again = await post_form(admin_client, f"/admin/reviews/{review['id']}/reply", {"reply": "A second reply."})
    assert again.status_code == 409
    assert (await post_form(admin_client, f"/admin/reviews/{review['id']}/reply", {"reply": " "})).status_code == 422
    assert await _audit("review.reply") == [{"user_id": admin_id, "entity": "review", "entity_id": str(review["id"])}]
    hotel_page = await (await client.get(f"/hotels/{hotel_id}")).get_data(as_text=True)
    assert "Reply from Hotel Lakeview" in hotel_page and "We are sorry to hear it." in hotel_page

    response = await post_form(admin_client, f"/admin/reviews/{review['id']}/hide", {})
    assert response.status_code == 303
    assert await _audit("review.hide") == [{"user_id": admin_id, "entity": "review", "entity_id": str(review["id"])}]
    assert await business("hotel", hotel_id) == {"rating": 0.0, "review_count": 0}
    listing = await (await client.get(f"/api/v1/hotels/{hotel_id}/reviews")).get_json()
    assert listing["items"] == [] and listing["total"] == 0
    assert "Rude words" not in await (await client.get(f"/hotels/{hotel_id}")).get_data(as_text=True)
    hidden = await (await admin_client.get("/admin/reviews?state=hidden")).get_data(as_text=True)
    assert "Rude words" in hidden and "Show again" in hidden

    assert (await post_form(admin_client, f"/admin/reviews/{review['id']}/hide", {})).status_code == 409
    assert (await post_form(admin_client, f"/admin/reviews/{review['id']}/unhide", {})).status_code == 303
    assert len(await _audit("review.unhide")) == 1
    assert await business("hotel", hotel_id) == {"rating": 2.0, "review_count": 1}
    assert (await post_form(admin_client, "/admin/reviews/999999/hide", {})).status_code == 404


async def test_traveller_gets_403_on_admin_review_routes(traveller_client, trip_world):
    review = await service.create_review(trip_world["traveller"]["id"], trip_world["stay"]["reference"], 5, GOOD)
    assert (await traveller_client.get("/admin/reviews")).status_code == 403
    for action in ("hide", "unhide", "reply"):
        response = await post_form(traveller_client, f"/admin/reviews/{review['id']}/{action}", {"reply": "Thanks!"})
        assert response.status_code == 403
    assert await business("hotel", trip_world["hotel"]["id"]) == {"rating": 10.0, "review_count": 1}
