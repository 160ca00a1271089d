"""DATABASE_READ_URL: searches read from the replica pool; bookings, auth and anything current use the primary.

The "replica" here is the same server reached as a user that may only SELECT, so any write sent to the read pool
would fail loudly (error 1142) instead of passing unnoticed.
"""

import dataclasses

import aiomysql
import pytest

from tests import factories
from tests.conftest import TEST_URL, api_token
from travelgo import db
from travelgo.config import DatabaseURL, Settings

READER = "travelgo_reader"
READER_PASSWORD = "reader-only-select"


@pytest.fixture
async def read_pool(app):
    """A read pool connected as a SELECT-only user, installed where DATABASE_READ_URL would put it."""
    conn = await aiomysql.connect(autocommit=True, **TEST_URL.connect_kwargs(with_database=False))
    async with conn.cursor() as cur:
        for host in ("%", "localhost"):
            # No parameters: '%' (any host) must reach the server as it is.
            await cur.execute(f"CREATE USER IF NOT EXISTS '{READER}'@'{host}' IDENTIFIED BY '{READER_PASSWORD}'")
            await cur.execute(f"GRANT SELECT ON `{TEST_URL.database}`.* TO '{READER}'@'{host}'")
    conn.close()
    url = dataclasses.replace(TEST_URL, user=READER, password=READER_PASSWORD)
    pool = await db._create_pool(url, 4)
    db._pools["read"] = pool
    try:
        yield pool
    finally:
        del db._pools["read"]
        pool.close()
        await pool.wait_closed()


def test_database_read_url_is_read_from_the_environment():
    settings = Settings.from_env(
        {
            "DATABASE_URL": "mysql://root@10.0.0.1/travelgo",
            "DATABASE_READ_URL": "mysql://reader:pw@10.0.0.2:3307/travelgo",
        }
    )
    assert settings.database_read_url == DatabaseURL.parse("mysql://reader:pw@10.0.0.2:3307/travelgo")
    assert Settings.from_env({}).database_read_url is None


async def test_the_read_pool_really_cannot_write(read_pool):
    async with db.reading(replica=True) as cur:
        await cur.execute("SELECT CURRENT_USER() AS who")
        assert (await cur.fetchone())["who"].startswith(READER)
        with pytest.raises(Exception) as denied:
            await cur.execute("UPDATE trips SET seats_booked = seats_booked WHERE id = 0")
        assert db.error_code(denied.value) == 1142


async def test_replica_reads_and_primary_bookings_work_together(read_pool, client):
    async with db.transaction() as cur:
        user = await factories.make_user(cur)
        trip = await factories.make_trip(cur, seats=6)
        await factories.make_hotel(cur, city=trip["origin"], name="Replica Inn")
    home = await client.get("/")  # popular destinations and the city pickers come from the replica
    assert home.status_code == 200 and trip["origin"]["name"] in await home.get_data(as_text=True)
    assert read_pool.size >= 1, "the home page did not read from the read pool"
    headers = await api_token(client, user["email"])
    booked = await client.post(
        "/api/v1/bookings",
        headers=headers,
        json={
            "type": "bus",
            "trip_id": trip["id"],
            "seats": ["2"],
            "passengers": [{"name": "Primary Only", "age": 40}],
        },
    )
    assert booked.status_code == 201, await booked.get_data(as_text=True)
    mine = await client.get("/api/v1/bookings?scope=all", headers=headers)
    assert [b["reference"] for b in (await mine.get_json())["items"]] == [(await booked.get_json())["reference"]]
