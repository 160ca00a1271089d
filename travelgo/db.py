"""Connection pools, the transaction helper and the retry policy for lock conflicts.

Pools run with autocommit=True so a plain read never leaves a stale REPEATABLE READ
snapshot on a pooled connection; writes send BEGIN explicitly through transaction().
"""

from __future__ import annotations

import asyncio
import logging
import random
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import aiomysql
import pymysql

from .config import DatabaseURL

log = logging.getLogger(__name__)
T = TypeVar("T")

DEADLOCK = 1213
LOCK_WAIT_TIMEOUT = 1205
DUPLICATE_KEY = 1062
CHECK_VIOLATION = (4025, 3819)  # MariaDB, MySQL
RETRYABLE = (DEADLOCK, LOCK_WAIT_TIMEOUT)
# Errors that mean the server or the connection is gone: the request fails fast with 503.
CONNECTION_LOST = (2003, 2006, 2013, 2014, 2055, 1927, 1053)
# The server refuses new connections (max_connections / max_user_connections reached): also 503, never a 500.
CONNECTIONS_EXHAUSTED = (1040, 1203)


class DatabaseUnavailable(Exception):
    """The database cannot be reached right now (HTTP 503)."""


class Busy(Exception):
    """Lock conflicts outlasted the retries (HTTP 503, 'busy, please try again')."""


class PoolExhausted(DatabaseUnavailable):
    """Every pooled connection stayed in use for the whole acquire timeout (HTTP 503, 'busy')."""


_pools: dict[str, aiomysql.Pool] = {}
# One permit per connection a pool may open, so a request waits for a connection here, with a timeout,
# and never inside aiomysql's acquire (see _acquire for why that one must not be cancelled).
_gates: weakref.WeakKeyDictionary[aiomysql.Pool, asyncio.Semaphore] = weakref.WeakKeyDictionary()
_acquire_timeout = 5.0


async def open_pools(
    url: DatabaseURL, read_url: DatabaseURL | None = None, size: int = 20, acquire_timeout: float = 5.0
) -> None:
    """Create the primary pool (and the read pool when a replica is configured).

    acquire_timeout: how long a request waits for a free pooled connection before PoolExhausted (503).
    """
    global _acquire_timeout
    _acquire_timeout = acquire_timeout
    _pools["primary"] = await _create_pool(url, size)
    if read_url is not None:
        _pools["read"] = await _create_pool(read_url, size)


async def _create_pool(url: DatabaseURL, size: int) -> aiomysql.Pool:
    return await aiomysql.create_pool(
        minsize=0,
        maxsize=size,
        autocommit=True,
        pool_recycle=300,
        connect_timeout=3,
        # UTC session: CURRENT_TIMESTAMP defaults (created_at, cancelled_at) are UTC whatever the server's zone
        init_command="SET SESSION innodb_lock_wait_timeout = 5, time_zone = '+00:00'",
        **url.connect_kwargs(),
    )


async def close_pools(grace: float = 5.0) -> None:
    """Close every pool; connections still in use after `grace` seconds are cut."""
    for pool in _pools.values():
        pool.close()
        try:
            await asyncio.wait_for(pool.wait_closed(), grace)
        except TimeoutError:
            log.warning("connections still in use at shutdown; terminating them")
            pool.terminate()
            await pool.wait_closed()
    _pools.clear()


def _pool(name: str) -> aiomysql.Pool:
    pool = _pools.get(name) or _pools.get("primary")
    if pool is None:
        raise RuntimeError("database pool is not open")
    return pool


def is_connection_error(exc: BaseException) -> bool:
    if isinstance(exc, (ConnectionError, asyncio.TimeoutError)):
        return True
    return (
        isinstance(exc, pymysql.err.OperationalError)
        and exc.args
        and exc.args[0] in CONNECTION_LOST + CONNECTIONS_EXHAUSTED
    )


def error_code(exc: BaseException) -> int | None:
    return exc.args[0] if isinstance(exc, pymysql.err.MySQLError) and exc.args else None


def acquire_timeout() -> float:
    """Seconds a request may wait for a pooled connection (TRAVELGO_DB_ACQUIRE_TIMEOUT)."""
    return _acquire_timeout


def _gate(pool: aiomysql.Pool) -> asyncio.Semaphore:
    gate = _gates.get(pool)
    if gate is None:
        gate = _gates[pool] = asyncio.Semaphore(pool.maxsize)
    return gate


@asynccontextmanager
async def _acquire(name: str) -> AsyncIterator[aiomysql.Connection]:
    pool = _pool(name)
    gate = _gate(pool)
    # Wait for a permit, not inside pool.acquire(): cancelling aiomysql's acquire (a wait_for timeout, a client
    # going away) can lose a connection it just handed out or a wake-up meant for the next waiter, while a
    # Semaphore gives a permit back when its waiter is cancelled. With a permit, pool.acquire() finds a free
    # connection or opens one (bounded by connect_timeout), because no more than maxsize callers hold permits.
    try:
        async with asyncio.timeout(_acquire_timeout):
            await gate.acquire()
    except TimeoutError:
        raise PoolExhausted(f"no database connection came free within {_acquire_timeout:g} s") from None
    try:
        try:
            conn = await pool.acquire()
        except Exception as exc:
            if is_connection_error(exc):
                raise DatabaseUnavailable(str(exc)) from exc
            raise
        try:
            yield conn
        except asyncio.CancelledError:
            # Cancelled mid-statement (client went away, a timeout): the protocol state is unknown and an
            # unread result may be on the wire, so the connection must not serve the next request.
            conn.close()
            raise
        except Exception as exc:
            if is_connection_error(exc):
                conn.close()  # never hand a broken connection back to the pool
                raise DatabaseUnavailable(str(exc)) from exc
            raise
        finally:
            pool.release(conn)
    finally:
        gate.release()


@asynccontextmanager
async def reading(replica: bool = False) -> AsyncIterator[aiomysql.DictCursor]:
    """A dict cursor in autocommit mode for reads; replica=True may use DATABASE_READ_URL."""
    async with _acquire("read" if replica else "primary") as conn:
        async with conn.cursor(aiomysql.DictCursor) as cur:
            yield cur


@asynccontextmanager
async def writing() -> AsyncIterator[aiomysql.DictCursor]:
    """A dict cursor in autocommit mode for ONE write statement that stands alone (a single-row INSERT): the
    statement is its own transaction, which saves BEGIN and COMMIT, two of its three round trips."""
    async with _acquire("primary") as conn:
        async with conn.cursor(aiomysql.DictCursor) as cur:
            yield cur


@asynccontextmanager
async def transaction() -> AsyncIterator[aiomysql.DictCursor]:
    """BEGIN … COMMIT on one pooled connection; rolls back and re-raises on any error."""
    async with _acquire("primary") as conn:
        async with conn.cursor(aiomysql.DictCursor) as cur:
            await cur.execute("BEGIN")
            try:
                yield cur
            except BaseException:
                # A lock wait timeout rolls back only the statement: roll back the whole transaction.
                try:
                    await conn.rollback()
                except Exception:
                    conn.close()
                raise
            else:
                await conn.commit()


async def run_in_transaction(work: Callable[..., Awaitable[T]], *args: Any, attempts: int = 4, **kwargs: Any) -> T:
    """Run work(cur, ...) in a transaction, retrying the whole of it on deadlock or lock wait timeout.

    Bookings lock in primary-key order so they do not deadlock each other, but a Galera cluster
    reports certification conflicts as 1213 on any statement, so the retry stays.
    """
    for attempt in range(1, attempts + 1):
        try:
            async with transaction() as cur:
                return await work(cur, *args, **kwargs)
        except pymysql.err.OperationalError as exc:
            if error_code(exc) not in RETRYABLE:
                raise
            log.warning("transaction retry %d after MySQL error %s", attempt, error_code(exc))
            if attempt == attempts:
                raise Busy("the system is busy, please try again") from exc
            await asyncio.sleep(random.uniform(0.005, 0.03) * attempt)
    raise AssertionError("unreachable")


async def ping() -> bool:
    try:
        async with reading() as cur:
            await asyncio.wait_for(cur.execute("SELECT 1"), timeout=2)
        return True
    except Exception:
        return False


async def claim_due(cur, table: str, columns: str, condition: str, limit: int, lease_seconds: float) -> list[dict]:
    """Inside a transaction: up to `limit` rows of an outbox-like table whose next_attempt_at has come and that match
    `condition`, claimed with FOR UPDATE SKIP LOCKED (two workers never take the same row) and leased: an attempt
    is counted and other workers leave them alone for `lease_seconds`, so one that dies mid-send only delays them.
    `table`, `columns` and `condition` are SQL from the caller's code, never from input."""
    await cur.execute(
        f"""
        SELECT {columns}
          FROM {table}
         WHERE {condition}
           AND next_attempt_at <= UTC_TIMESTAMP(6)
         ORDER BY next_attempt_at
         LIMIT %s
           FOR UPDATE SKIP LOCKED
        """,
        (limit,),
    )
    rows = list(await cur.fetchall())
    if rows:
        marks = ", ".join(["%s"] * len(rows))
        await cur.execute(
            f"UPDATE {table} SET attempts = attempts + 1, next_attempt_at = UTC_TIMESTAMP(6) + INTERVAL %s SECOND"
            f" WHERE id IN ({marks})",
            (lease_seconds, *(row["id"] for row in rows)),
        )
    return rows


def page_count(total: int, page_size: int) -> int:
    """How many pages `total` rows fill (at least one, the empty one). Lists show the last page for a ?page= past
    it (an old link after rows went away), never an empty "Page 5 of 2"."""
    return max(-(-total // page_size), 1)


def in_list(prefix: str, values: Iterable[Any]) -> tuple[str, dict[str, Any]]:
    """Named placeholders for an IN (...) list (PyMySQL does not expand a sequence given by name):
    ('%(s0)s, %(s1)s', {'s0': .., 's1': ..}); no values give 'NULL', which matches nothing."""
    params = {f"{prefix}{i}": value for i, value in enumerate(values)}
    return ", ".join(f"%({name})s" for name in params) or "NULL", params
