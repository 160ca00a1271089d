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
# A Galera node that is up but not synced, or cut off from the cluster's primary component, answers every query
# that touches a table with 1047 ("WSREP has not yet prepared node for application use"): unavailable, not a bug.
NODE_NOT_READY = (1047,)
UNAVAILABLE = CONNECTION_LOST + CONNECTIONS_EXHAUSTED + NODE_NOT_READY
# Galera reports a certification conflict with another node's commit as 1213 on any statement. Two transactions on
# different nodes that touch one hot row (a trip's seat counter) conflict until one commits first, so the cluster
# gets more, longer, jittered retries than a single server, whose sorted row locks make deadlocks rare.
GALERA_ATTEMPTS = 16


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
# Set once any connection found a Galera node (wsrep_on): run_in_transaction then retries like a cluster needs.
_galera_seen = False


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
    """The database is gone, refusing connections or (a Galera node) not ready: 503, never a 500."""
    if isinstance(exc, (ConnectionError, asyncio.TimeoutError)):
        return True
    return isinstance(exc, pymysql.err.MySQLError) and bool(exc.args) and exc.args[0] in UNAVAILABLE


async def _prepare(conn: aiomysql.Connection, causal: bool) -> None:
    """Once per connection, find out whether the server is a Galera node; on Galera, make reads causal or not.

    A causal read (wsrep_sync_wait=1) first waits until this node has applied every write set the cluster had
    committed when the read began, so it sees the traveller's own latest write whichever node took it. It costs a
    cluster round trip, so it is only set on Galera connections, and only switched when the wanted mode changes;
    a plain MariaDB or MySQL connection pays one `SELECT @@global.wsrep_on` in its whole life and nothing per read.
    """
    global _galera_seen
    galera = getattr(conn, "travelgo_galera", None)
    if galera is None:
        async with conn.cursor() as cur:
            try:
                await cur.execute("SELECT @@global.wsrep_on")
                galera = bool((await cur.fetchone())[0])
            except pymysql.err.MySQLError as exc:
                if error_code(exc) != 1193:  # MySQL: unknown system variable, so not Galera
                    raise
                galera = False
        conn.travelgo_galera, conn.travelgo_sync_wait = galera, 0
        _galera_seen = _galera_seen or galera
    if galera and conn.travelgo_sync_wait != int(causal):
        async with conn.cursor() as cur:
            await cur.execute("SET SESSION wsrep_sync_wait = %s", (int(causal),))
        conn.travelgo_sync_wait = int(causal)


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
async def _acquire(name: str, causal: bool = True) -> AsyncIterator[aiomysql.Connection]:
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
            await _prepare(conn, causal)
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
    """A dict cursor in autocommit mode for reads; replica=True may use DATABASE_READ_URL.

    On a Galera cluster the primary's reads are causal (they see every write committed anywhere before them:
    sessions, tokens, the traveller's latest booking); replica reads (searches) may lag, like a replica's."""
    async with _acquire("read" if replica else "primary", causal=not replica) as conn:
        async with conn.cursor(aiomysql.DictCursor) as cur:
            yield cur


@asynccontextmanager
async def writing() -> AsyncIterator[aiomysql.DictCursor]:
    """A dict cursor in autocommit mode for ONE write statement that stands alone (a single-row INSERT): the
    statement is its own transaction, which saves BEGIN and COMMIT, two of its three round trips."""
    async with _acquire("primary") as conn:
        async with conn.cursor(aiomysql.DictCursor) as cur:
            yield cur


OnError = Callable[[pymysql.err.MySQLError], None]
Shape = Callable[[dict], dict]  # what a queued read's caller wants each row to be (e.g. a JSON column spread out)


class Queued:
    """A statement waiting on a PipelineCursor. A read's rows arrive with its batch, each made `shape(row)`."""

    __slots__ = ("sql", "on_error", "read", "sent", "shape", "_rows")

    def __init__(self, sql: str, on_error: OnError | None, read: bool, shape: Shape | None = None) -> None:
        self.sql, self.on_error, self.read, self.sent, self.shape = sql, on_error, read, False, shape
        self._rows: list[dict] = []

    def arrived(self, rows: Iterable[dict]) -> None:
        self._rows = [self.shape(row) for row in rows] if self.shape is not None else list(rows)

    async def rows(self, cur: PipelineCursor) -> list[dict]:
        """The read's rows, sending it now if no statement has carried it yet."""
        if not self.sent:
            await cur.flush()
        return self._rows


class PipelineCursor(aiomysql.DictCursor):
    """A cursor that batches: statements nobody waits on (db.defer, db.queue_read) wait here and go to the server with
    the next statement that is read, or with COMMIT (transaction()) or at the end of the block (batch()), as one
    multi-statement round trip (the protocol flag aiomysql always sets). Each round trip costs both processes a
    wake-up on a shared machine, which is most of what a short statement costs (issue 24).

    The server runs a batch in order and stops at the first error, so the statements after a failed one never run;
    that error is raised as if its statement had run alone (through its on_error). Only a statement whose failure ends
    the work may wait here: the caller learns of the failure later than the call that queued it.

    Not on Galera (`batching` is False there): another node's write set can abort our transaction between two
    statements of a batch, and the server then runs the rest of the batch outside any transaction (make test-cluster
    saw a message inserted for a booking the abort had just rolled back). There every statement goes on its own."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._queued: list[Queued] = []
        self.read_committed = False  # transaction(read_committed=True): what claim_due requires

    @property
    def batching(self) -> bool:
        return not getattr(self.connection, "travelgo_galera", False)

    def queue(
        self,
        query: str,
        args: Any = None,
        on_error: OnError | None = None,
        read: bool = False,
        shape: Shape | None = None,
    ) -> Queued:
        statement = Queued(self.mogrify(query, args) if args is not None else query, on_error, read, shape)
        self._queued.append(statement)
        return statement

    def discard(self) -> None:
        """Forget what is waiting (the transaction is rolling back)."""
        self._queued = []

    async def flush(self) -> None:
        """Send what is waiting now."""
        if self._queued:
            await self._send()

    async def execute(self, query: str, args: Any = None) -> int:
        if not self._queued:
            return await super().execute(query, args)
        self.queue(query, args)
        return await self._send()

    async def _send(self) -> int:
        """Everything waiting, in one round trip; the cursor is left on the last statement's result."""
        batch, self._queued = self._queued, []
        for statement in batch:
            statement.sent = True
        current = batch[0]
        try:
            await super().execute(";\n".join(s.sql for s in batch))
            for following in batch[1:]:
                if current.read:
                    current.arrived(await self.fetchall())
                current = following
                await self.nextset()
            if current.read:
                current.arrived(await self.fetchall())
        except pymysql.err.MySQLError as exc:
            if current.on_error is not None:
                current.on_error(exc)
            raise
        return self._rowcount


async def defer(cur, query: str, args: Any = None, on_error: OnError | None = None) -> None:
    """A write whose answer nobody reads: on a transaction's cursor it waits for the next round trip; elsewhere it
    runs now. on_error(exc) may raise what the failure means (e.g. a seat taken) instead of the MySQL error."""
    if isinstance(cur, PipelineCursor) and cur.batching:
        cur.queue(query, args, on_error)
        return
    try:
        await cur.execute(query, args)
    except pymysql.err.MySQLError as exc:
        if on_error is not None:
            on_error(exc)
        raise


async def queue_read(cur, query: str, args: Any = None, shape: Shape | None = None) -> Queued:
    """A read whose rows are wanted later (`await queued.rows(cur)`), each made `shape(row)` when given: on a
    transaction's cursor it goes to the server with the next statement; elsewhere it runs now."""
    if isinstance(cur, PipelineCursor) and cur.batching:
        return cur.queue(query, args, read=True, shape=shape)
    await cur.execute(query, args)
    rows = list(await cur.fetchall())
    return answered([shape(row) for row in rows] if shape is not None else rows, query)


def answered(rows: list[dict], sql: str = "") -> Queued:
    """A read whose rows are here already (run, or split from one read of several items), for code taking a Queued."""
    queued = Queued(sql, None, read=True)
    queued.sent, queued._rows = True, rows
    return queued


@asynccontextmanager
async def batch() -> AsyncIterator[PipelineCursor]:
    """An autocommit cursor that batches like a transaction's (db.defer, db.queue_read): what waits goes with the
    next read, or at the end of the block, also when the block fails, as if each statement had run when called."""
    async with _acquire("primary") as conn:
        async with conn.cursor(PipelineCursor) as cur:
            try:
                yield cur
            except Exception:
                try:
                    await cur.flush()
                except Exception:
                    log.exception("a batched statement failed while the block failed too")
                raise
            await cur.flush()


@asynccontextmanager
async def transaction(read_committed: bool = False) -> AsyncIterator[aiomysql.DictCursor]:
    """BEGIN … COMMIT on one pooled connection; rolls back and re-raises on any error. BEGIN goes with the first
    statement and COMMIT with the last deferred ones (PipelineCursor).

    read_committed=True for a claim of an outbox-like table (claim_due): at the server's REPEATABLE READ its
    locking scan of the due index also locks the gaps where new rows go, so every INSERT of a new row (a hold's
    message, a payment's webhook) waits behind the claim, and may deadlock with it. SET TRANSACTION applies to
    this transaction only; the connection goes back to the pool at its own level."""
    async with _acquire("primary") as conn:
        async with conn.cursor(PipelineCursor) as cur:
            if read_committed:
                await defer(cur, "SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
                cur.read_committed = True
            await defer(cur, "BEGIN")
            try:
                yield cur
                await cur.execute("COMMIT")
            except BaseException:
                # A lock wait timeout rolls back only the statement: roll back the whole transaction.
                cur.discard()
                try:
                    await conn.rollback()
                except Exception:
                    conn.close()
                raise


async def run_in_transaction(work: Callable[..., Awaitable[T]], *args: Any, attempts: int = 4, **kwargs: Any) -> T:
    """Run work(cur, ...) in a transaction, retrying the whole of it on deadlock or lock wait timeout.

    Bookings lock in primary-key order so they do not deadlock each other, but a Galera cluster
    reports certification conflicts as 1213 on any statement, so the retry stays, longer there.
    """
    if _galera_seen:
        attempts = max(attempts, GALERA_ATTEMPTS)
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
            await asyncio.sleep(retry_pause(attempt))
    raise AssertionError("unreachable")


async def execute_write(cur, sql: str, params: Any = None) -> None:
    """One write statement in autocommit mode (its own transaction), retried on a conflict. On Galera a counter row
    written from several nodes at once (a rate-limit window) loses certification with 1213; the server retries an
    autocommit statement only once (wsrep_retry_autocommit), so it gets the cluster's retries here."""
    attempts = GALERA_ATTEMPTS if _galera_seen else 1
    for attempt in range(1, attempts + 1):
        try:
            await cur.execute(sql, params)
            return
        except pymysql.err.OperationalError as exc:
            if error_code(exc) != DEADLOCK or attempt == attempts:
                raise
            await asyncio.sleep(retry_pause(attempt))


def retry_pause(attempt: int) -> float:
    """Seconds before retry `attempt`: linear on one server; on Galera exponential with full jitter (capped at
    0.15 s), so transactions from three nodes that keep colliding on one row spread out instead of re-colliding.
    The cap stays short because this worker's other bookings of the same trip wait behind the retrying one
    (bookings/admission.py)."""
    if _galera_seen:
        return random.uniform(0.002, min(0.15, 0.005 * 2**attempt))
    return random.uniform(0.005, 0.03) * attempt


async def ping() -> bool:
    try:
        async with reading() as cur:
            await asyncio.wait_for(cur.execute("SELECT 1"), timeout=2)
        return True
    except Exception:
        return False


SYNCED = "4"  # wsrep_local_state: the node has every write set applied and serves reads and writes


async def readiness() -> dict[str, str] | None:
    """None when the database cannot serve requests; else what /readyz reports ({} on a plain server).

    A Galera node answers `SELECT 1` even while it is joining, donating or cut off from the cluster (then every
    query on a table fails with 1047), so on Galera ready also means wsrep_ready=ON and wsrep_local_state=4."""
    try:
        async with _acquire("primary", causal=False) as conn:
            async with conn.cursor() as cur:
                await asyncio.wait_for(cur.execute("SELECT 1"), timeout=2)
                if not conn.travelgo_galera:
                    return {}
                await asyncio.wait_for(
                    cur.execute(
                        "SHOW GLOBAL STATUS WHERE Variable_name IN"
                        " ('wsrep_ready', 'wsrep_local_state', 'wsrep_local_state_comment', 'wsrep_cluster_status',"
                        "  'wsrep_cluster_size')"
                    ),
                    timeout=2,
                )
                state = {name.removeprefix("wsrep_"): value for name, value in await cur.fetchall()}
    except Exception:
        return None
    state["synced"] = "yes" if state.get("ready") == "ON" and state.get("local_state") == SYNCED else "no"
    return state


async def claim_due(
    cur, table: str, columns: str, condition: str, limit: int, lease_seconds: float, first: str = ""
) -> list[dict]:
    """Inside a transaction (db.transaction(read_committed=True), so the claim leaves the gaps where new rows go
    alone): up to `limit` rows of an outbox-like table whose next_attempt_at has come and that match
    `condition`, claimed with FOR UPDATE SKIP LOCKED (two workers never take the same row) and leased: an attempt
    is counted and other workers leave them alone for `lease_seconds`, so one that dies mid-send only delays them.
    Oldest due first, after the column `first` when given (a rank: lower goes first). `table`, `columns`,
    `condition` and `first` are SQL from the caller's code, never from input."""
    if not getattr(cur, "read_committed", False):  # a claim at REPEATABLE READ holds back every new row's INSERT
        raise RuntimeError("claim_due runs in db.transaction(read_committed=True)")
    order = f"{first}, next_attempt_at" if first else "next_attempt_at"
    await cur.execute(
        f"""
        SELECT {columns}
          FROM {table}
         WHERE {condition}
           AND next_attempt_at <= UTC_TIMESTAMP(6)
         ORDER BY {order}
         LIMIT %s
           FOR UPDATE SKIP LOCKED
        """,
        (limit,),
    )
    rows = list(await cur.fetchall())
    if rows:
        marks = ", ".join(["%s"] * len(rows))
        await defer(  # with the COMMIT
            cur,
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
