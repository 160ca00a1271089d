"""A database that refuses new connections (max_connections reached) gives a clean 503, never a 500."""

import pymysql

from travelgo import db


def test_too_many_connections_counts_as_the_database_being_unavailable():
    assert db.is_connection_error(pymysql.err.OperationalError(1040, "Too many connections"))
    assert db.is_connection_error(pymysql.err.OperationalError(1203, "User has exceeded max_user_connections"))
    assert not db.is_connection_error(pymysql.err.OperationalError(1213, "Deadlock found"))


async def test_api_and_pages_answer_503_when_the_server_refuses_connections(app, client, monkeypatch):
    pool = db._pool("primary")

    async def refuse():
        raise pymysql.err.OperationalError(1040, "Too many connections")

    monkeypatch.setattr(pool, "acquire", refuse)
    api = await client.get("/readyz")
    assert api.status_code == 503
    response = await client.post("/api/v1/auth/token", json={"email": "a@example.com", "password": "whatever-long"})
    assert response.status_code == 503
    assert response.headers["Content-Type"].startswith("application/problem+json")
    assert response.headers["Retry-After"]
    page = await client.get("/")
    assert page.status_code == 503 and "database" in (await page.get_data(as_text=True))
