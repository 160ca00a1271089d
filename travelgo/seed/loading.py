"""Bulk loading: emptying the tables, multi-row INSERTs of generated rows, statistics after the load."""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager
from datetime import date, datetime
from functools import lru_cache

from .. import db, events
from ..searchcache import CATALOG_TOPIC
from .data import ALL_TABLES, BATCH


async def is_empty() -> bool:
    async with db.reading() as cur:
        await cur.execute("SELECT EXISTS(SELECT 1 FROM cities) AS has_cities")
        return not (await cur.fetchone())["has_cities"]


async def clear_all(cur) -> None:
    await cur.execute("SET FOREIGN_KEY_CHECKS = 0")
    try:
        for table in ALL_TABLES:
            await cur.execute(f"DELETE FROM {table}")
    finally:
        await cur.execute("SET FOREIGN_KEY_CHECKS = 1")


async def truncate_all() -> None:
    """TRUNCATE is far faster than DELETE on the large data set (it recreates the table).

    Not for `events`: TRUNCATE would restart its ids below the cursor of every running server's events poller,
    which would then wait for ids it has already passed (no live updates, no cache invalidation)."""
    async with db.reading() as cur:
        await cur.execute("SET FOREIGN_KEY_CHECKS = 0")
        try:
            for table in ALL_TABLES:
                await cur.execute(f"DELETE FROM {table}" if table == "events" else f"TRUNCATE TABLE {table}")
        finally:
            await cur.execute("SET FOREIGN_KEY_CHECKS = 1")


async def refresh_statistics() -> None:
    """After a bulk load InnoDB's sampled statistics describe the old (often empty) tables, and the optimizer
    then picks plans for them: on the large seed the hotel search read room_inventory through its night index
    instead of its primary key until the next automatic recalculation. ANALYZE is a quick index dive per table."""
    async with db.reading() as cur:
        await cur.execute(f"ANALYZE TABLE {', '.join(ALL_TABLES)}")
        await cur.fetchall()


async def announce_reload() -> None:
    """A catalog event: running servers drop every cached search answer (the data under them was replaced)."""
    async with db.transaction() as cur:
        await events.publish(cur, CATALOG_TOPIC, "reseeded", {})


def _literal(value) -> str:
    """SQL literal for the seed's own generated values (pymysql's generic escaping was most of the run time)."""
    kind = type(value)
    if kind is int:
        return str(value)
    if kind is str:
        return _quoted(value) if len(value) < 64 else _quoted_long(value)
    if value is None:
        return "NULL"
    if kind is datetime:
        return "'" + value.isoformat(" ") + "'"
    if kind is date:
        return "'" + value.isoformat() + "'"
    if kind is bool:
        return "1" if value else "0"
    if kind is float:
        return repr(value)
    raise TypeError(f"seed cannot write {kind.__name__}")


def _quoted(value: str) -> str:
    """A quoted, escaped string literal. str.translate with a mapping (as before) costs microseconds a call;
    replace() is a fast scan when there is nothing to escape (nearly always). Backslash first, so no escape is
    escaped twice: the same text as the translation."""
    return (
        "'"
        + value.replace("\\", "\\\\")
        .replace("\0", "\\0")
        .replace("\n", "\\n")
        .replace("\r", "\\r")
        .replace("\032", "\\Z")
        .replace("'", "\\'")
        .replace('"', '\\"')
        + "'"
    )


# The long strings (a service's boarding/dropping points JSON on each of its 60 trips, hotel descriptions) repeat.
_quoted_long = lru_cache(maxsize=65536)(_quoted)


async def insert_rows(cur, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Multi-row INSERT … VALUES (…), (…) in batches of BATCH rows."""
    head = f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
    for start in range(0, len(rows), BATCH):
        values = ",".join("(" + ",".join(map(_literal, row)) + ")" for row in rows[start : start + BATCH])
        await cur.execute(head + values)


async def put(queue: asyncio.Queue, item, loaders: list[asyncio.Task]) -> None:
    """queue.put that fails fast when a loader died (instead of waiting forever for a free slot)."""
    put = asyncio.ensure_future(queue.put(item))
    while not put.done():
        await asyncio.wait([put, *[t for t in loaders if not t.done()]], return_when=asyncio.FIRST_COMPLETED)
        for task in loaders:
            if task.done() and not task.cancelled() and task.exception() is not None:
                put.cancel()
                raise task.exception()
    put.result()


@asynccontextmanager
async def loading():
    """A transaction for bulk loading generated rows: the generator builds consistent data, so
    foreign-key and unique checks are switched off for speed (and back on before the connection
    returns to the pool)."""
    async with db.transaction() as cur:
        await cur.execute("SET SESSION foreign_key_checks = 0, unique_checks = 0")
        try:
            yield cur
        finally:
            await cur.execute("SET SESSION foreign_key_checks = 1, unique_checks = 1")
