"""db.PipelineCursor: statements nobody waits on go with the next round trip, in order, all or nothing."""

from __future__ import annotations

import pymysql
import pytest

from travelgo import db
from travelgo.bookings import queries

from . import factories


class Refused(Exception):
    pass


def refuse_duplicates(exc: pymysql.err.MySQLError) -> None:
    if db.error_code(exc) == db.DUPLICATE_KEY:
        raise Refused("duplicate") from exc


async def make_user() -> dict:
    async with db.transaction() as cur:
        return await factories.make_user(cur)


async def names_like(prefix: str) -> list[str]:
    async with db.reading() as cur:
        await cur.execute("SELECT full_name FROM users WHERE full_name LIKE %s ORDER BY id", (prefix + "%",))
        return [row["full_name"] for row in await cur.fetchall()]


async def test_deferred_writes_go_with_the_next_read_in_order(app):
    user = await make_user()
    async with db.transaction() as cur:
        await db.defer(cur, "UPDATE users SET full_name = 'Pipe one' WHERE id = %s", (user["id"],))
        count = await db.queue_read(cur, "SELECT COUNT(*) AS n FROM users WHERE full_name = 'Pipe one'")
        await db.defer(cur, "UPDATE users SET full_name = 'Pipe two' WHERE id = %s", (user["id"],))
        assert cur._queued, "nothing is sent before a statement is read"
        await cur.execute("SELECT full_name FROM users WHERE id = %s", (user["id"],))
        # The queued read saw the first write; the final statement saw both.
        assert (await count.rows(cur))[0]["n"] == 1
        assert (await cur.fetchone())["full_name"] == "Pipe two"
        assert not cur._queued
    assert await names_like("Pipe") == ["Pipe two"]


async def test_writes_still_waiting_at_the_end_are_committed_with_it(app):
    user = await make_user()
    async with db.transaction() as cur:
        await db.defer(cur, "UPDATE users SET full_name = 'Pipe late' WHERE id = %s", (user["id"],))
    assert await names_like("Pipe") == ["Pipe late"]


async def test_a_failed_deferred_statement_raises_its_own_error_and_nothing_is_kept(app):
    first, second = await make_user(), await make_user()
    with pytest.raises(Refused):
        async with db.transaction() as cur:
            await db.defer(cur, "UPDATE users SET full_name = 'Pipe kept?' WHERE id = %s", (first["id"],))
            # A duplicate e-mail: the unique key refuses it, and on_error says what that means.
            await db.defer(
                cur,
                "UPDATE users SET email = %s WHERE id = %s",
                (first["email"], second["id"]),
                on_error=refuse_duplicates,
            )
            await db.defer(cur, "UPDATE users SET full_name = 'Pipe after' WHERE id = %s", (second["id"],))
            await cur.execute("SELECT 1")
    # The write before the failure is rolled back with the transaction; the ones after it never ran.
    assert await names_like("Pipe") == []


async def test_a_statement_after_a_failed_batch_starts_clean(app):
    """An error in the middle of a batch leaves no unread result on the connection: the next request works."""
    first, second = await make_user(), await make_user()
    with pytest.raises(pymysql.err.IntegrityError):
        async with db.transaction() as cur:
            await db.defer(cur, "UPDATE users SET email = %s WHERE id = %s", (first["email"], second["id"]))
            await cur.execute("SELECT 1")
    for _ in range(3):  # the pool hands the same connection back
        async with db.transaction() as cur:
            await cur.execute("SELECT COUNT(*) AS n FROM users")
            assert (await cur.fetchone())["n"] == 2


async def test_outside_a_transaction_a_deferred_write_runs_at_once(app):
    user = await make_user()
    async with db.writing() as cur:
        await db.defer(cur, "UPDATE users SET full_name = 'Pipe now' WHERE id = %s", (user["id"],))
    assert await names_like("Pipe") == ["Pipe now"]


async def test_a_batch_sends_its_waiting_writes_at_the_end_even_when_the_block_fails(app):
    """db.batch() is autocommit: each statement stands as if it had run when called, so a later failure in the
    block (here Python's) does not lose a write queued before it."""
    user = await make_user()
    with pytest.raises(RuntimeError):
        async with db.batch() as cur:
            await db.defer(cur, "UPDATE users SET full_name = 'Pipe batch' WHERE id = %s", (user["id"],))
            raise RuntimeError("after the write")
    assert await names_like("Pipe") == ["Pipe batch"]


async def test_queued_reads_go_together_on_a_batch(app):
    user = await make_user()
    async with db.batch() as cur:
        await db.defer(cur, "UPDATE users SET full_name = 'Pipe many' WHERE id = %s", (user["id"],))
        names = await db.queue_read(cur, "SELECT full_name FROM users WHERE id = %s", (user["id"],))
        count = await db.queue_read(cur, "SELECT COUNT(*) AS n FROM users")
        assert len(cur._queued) == 3 and not names.sent
        assert await count.rows(cur) == [{"n": 1}]  # asking for one sends all three
        assert names.sent and not cur._queued
        assert await names.rows(cur) == [{"full_name": "Pipe many"}]


async def test_on_galera_nothing_waits(app):
    """On a Galera node another node's write set can abort a transaction between two statements of a batch, and the
    server would run the rest of the batch outside it: there every statement goes on its own."""
    user = await make_user()
    async with db.batch() as cur:
        cur.connection.travelgo_galera = True
        try:
            await db.defer(cur, "UPDATE users SET full_name = 'Pipe galera' WHERE id = %s", (user["id"],))
            assert not cur._queued
            assert await names_like("Pipe") == ["Pipe galera"]  # already written, seen from another connection
        finally:
            cur.connection.travelgo_galera = False


@pytest.mark.parametrize("galera", [False, True], ids=["batched", "one by one"])
async def test_a_queued_read_gives_its_rows_in_the_callers_shape(app, galera):
    """queue_read(shape=): each row is what the caller asked for, whether it went with a batch or ran at once (the
    trip lock's JSON column is unpacked this way)."""
    user = await make_user()
    async with db.batch() as cur:
        cur.connection.travelgo_galera = galera
        try:
            read = await db.queue_read(
                cur,
                "SELECT id, JSON_OBJECT('name', full_name) AS packed FROM users WHERE id = %s",
                (user["id"],),
                shape=queries.unpacked,
            )
            assert read.sent is galera  # on Galera it ran at once
            assert await read.rows(cur) == [{"id": user["id"], "name": "Test Traveller"}]
        finally:
            cur.connection.travelgo_galera = False
