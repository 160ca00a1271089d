"""The migration runner: fresh, re-run, concurrent, and refusing edited files."""

import asyncio
import shutil

import aiomysql
import pytest

from travelgo.migrations import MIGRATIONS_DIR, MigrationError, discover, migrate

from .conftest import TEST_URL

SCRATCH = TEST_URL.with_database(TEST_URL.database + "_mig")


@pytest.fixture
async def scratch_db():
    async def drop():
        conn = await aiomysql.connect(autocommit=True, **SCRATCH.connect_kwargs(with_database=False))
        async with conn.cursor() as cur:
            await cur.execute(f"DROP DATABASE IF EXISTS `{SCRATCH.database}`")
        conn.close()

    await drop()
    yield SCRATCH
    await drop()


async def _tables(url):
    conn = await aiomysql.connect(autocommit=True, **url.connect_kwargs())
    async with conn.cursor() as cur:
        await cur.execute("SHOW TABLES")
        names = {row[0] for row in await cur.fetchall()}
    conn.close()
    return names


async def test_fresh_database_gets_every_migration_then_nothing_twice(scratch_db):
    applied = await migrate(scratch_db)
    assert applied == [m.name for m in discover()]
    assert {
        "users",
        "trips",
        "room_inventory",
        "bookings",
        "booking_seats",
        "events",
        "schema_migrations",
    } <= await _tables(scratch_db)
    assert await migrate(scratch_db) == []


async def test_two_processes_migrating_at_once_apply_each_file_once(scratch_db):
    results = await asyncio.gather(migrate(scratch_db), migrate(scratch_db))
    assert sorted(len(r) for r in results) == [0, len(discover())]


async def test_edited_applied_file_is_refused(scratch_db, tmp_path):
    directory = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS_DIR, directory)
    await migrate(scratch_db, directory)
    first = sorted(directory.glob("*.sql"))[0]
    first.write_text(first.read_text() + "\n-- an innocent-looking edit\n")
    with pytest.raises(MigrationError, match="edited"):
        await migrate(scratch_db, directory)


async def test_badly_named_file_is_refused(tmp_path):
    (tmp_path / "1_oops.sql").write_text("SELECT 1;")
    with pytest.raises(MigrationError, match="NNN_"):
        discover(tmp_path)
