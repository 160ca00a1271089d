from tests import factories
from travelgo import db

from .conftest import login


async def test_home_page_renders_without_a_cookie_for_a_visitor_who_only_browses(client):
    response = await client.get("/")
    assert response.status_code == 200
    body = await response.get_data(as_text=True)
    assert "TravelGo" in body and "X-CSRF-Token" not in body
    assert "Set-Cookie" not in response.headers  # no session until a form needs one


async def test_signed_in_pages_carry_the_csrf_header_for_htmx(client):
    async with db.transaction() as cur:
        user = await factories.make_user(cur)
    await login(client, user["email"])
    body = await (await client.get("/")).get_data(as_text=True)
    assert "X-CSRF-Token" in body


async def test_the_default_icon_address_answers_with_the_site_icon(client):
    """/docs and TestPay's pages link no icon, so browsers ask /favicon.ico (it was a 404 in their consoles)."""
    response = await client.get("/favicon.ico")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
