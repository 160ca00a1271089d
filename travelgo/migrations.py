"""Applies sql/migrations/NNN_*.sql in order, recorded with checksums.

Safe to run twice and from several processes at once, also against different nodes of a Galera cluster
(GET_LOCK on one server; on Galera, where GET_LOCK is local to a node, a lease row that the cluster's
certification gives to exactly one of them); refuses to run when an applied file was edited. DDL commits implicitly, so every statement in a file is written
to be re-runnable (IF NOT EXISTS) and a half-applied file is completed by the next run.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import random
import re
import socket
import time
import uuid
import warnings
from dataclasses import dataclass
from pathlib import Path

import aiomysql
import pymysql

from .config import ROOT, DatabaseURL

MIGRATIONS_DIR = ROOT / "sql" / "migrations"
NAME_PATTERN = re.compile(r"^(\d{3})_[a-z0-9_]+\.sql$")
LOCK_WAIT_SECONDS = 60
LEASE_SECONDS = 120  # renewed before each file, so only a migrator that died holds it this long


class MigrationError(Exception):
    pass


@dataclass(frozen=True)
class Migration:
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()

    def statements(self) -> list[str]:
        """Split on semicolons that end a line; comments are dropped."""
        lines = [line for line in self.sql.splitlines() if not line.strip().startswith("--")]
        return [s.strip() for s in re.split(r";\s*$", "\n".join(lines), flags=re.M) if s.strip()]


def discover(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    files = sorted(p for p in directory.glob("*.sql"))
    for path in files:
        if not NAME_PATTERN.match(path.name):
            raise MigrationError(f"{path.name}: migration files are named NNN_lowercase_name.sql")
    return [Migration(p.name, p.read_text()) for p in files]


async def migrate(url: DatabaseURL, directory: Path = MIGRATIONS_DIR) -> list[str]:
    """Create the database if missing and apply pending migrations; return the names applied."""
    migrations = discover(directory)
    conn = await aiomysql.connect(autocommit=True, **url.connect_kwargs(with_database=False))
    # "IF NOT EXISTS" found it existing: the expected case for every re-run, not worth a warning on the terminal.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pymysql.err.Warning)
        return await _migrate(conn, url, migrations)


async def _migrate(conn, url: DatabaseURL, migrations: list[Migration]) -> list[str]:
    try:
        async with conn.cursor() as cur:
            await cur.execute(
                f"CREATE DATABASE IF NOT EXISTS `{_ident(url.database)}` "
                "CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
            )
            await cur.execute(f"USE `{_ident(url.database)}`")
            if await _is_galera(cur):
                return await _apply_under_cluster_lock(cur, migrations)
            await cur.execute("SELECT GET_LOCK(%s, %s)", (f"travelgo-migrate-{url.database}", LOCK_WAIT_SECONDS))
            (locked,) = await cur.fetchone()
            if locked != 1:
                raise MigrationError("another process is migrating; timed out waiting for it")
            try:
                return await _apply(cur, migrations)
            finally:
                await cur.execute("SELECT RELEASE_LOCK(%s)", (f"travelgo-migrate-{url.database}",))
    finally:
        conn.close()


async def _is_galera(cur) -> bool:
    try:
        await cur.execute("SELECT @@global.wsrep_on")
        return bool((await cur.fetchone())[0])
    except pymysql.err.MySQLError:  # MySQL has no wsrep variables
        return False


async def _apply_under_cluster_lock(cur, migrations: list[Migration]) -> list[str]:
    """Galera: hold the cluster-wide lease row while applying; reads wait for the cluster (wsrep_sync_wait), so
    a migrator that follows another sees every file the first one recorded, whichever node it is on."""
    await cur.execute("SET SESSION wsrep_sync_wait = 1")
    await cur.execute(
        """
        CREATE TABLE IF NOT EXISTS schema_migrations_lock (
          id         TINYINT NOT NULL PRIMARY KEY,
          holder     VARCHAR(100) NOT NULL,
          expires_at DATETIME(6) NOT NULL
        ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4
        """
    )
    holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    await _take_lease(cur, holder, wait=LOCK_WAIT_SECONDS)
    try:
        return await _apply(cur, migrations, renew=lambda: _take_lease(cur, holder, wait=0))
    finally:
        await cur.execute("DELETE FROM schema_migrations_lock WHERE id = 1 AND holder = %s", (holder,))


async def _take_lease(cur, holder: str, wait: float) -> None:
    """Take (or renew) the lease row. Two nodes writing the row at once conflict in certification and one gets
    1213; one whose write follows the other's sees an unexpired lease and leaves it. A causal read then tells
    who holds it. SET assigns left to right: `expires_at` moves only when `holder` is now ours."""
    deadline = time.monotonic() + wait
    while True:
        try:
            await cur.execute(
                """
                INSERT INTO schema_migrations_lock (id, holder, expires_at)
                VALUES (1, %(holder)s, UTC_TIMESTAMP(6) + INTERVAL %(lease)s SECOND)
                    ON DUPLICATE KEY UPDATE
                       holder = IF(expires_at < UTC_TIMESTAMP(6) OR holder = VALUES(holder), VALUES(holder), holder),
                       expires_at = IF(holder = VALUES(holder), VALUES(expires_at), expires_at)
                """,
                {"holder": holder, "lease": LEASE_SECONDS},
            )
        except pymysql.err.OperationalError as exc:
            if exc.args[0] != 1213:
                raise
        await cur.execute("SELECT holder FROM schema_migrations_lock WHERE id = 1")
        row = await cur.fetchone()
        if row and row[0] == holder:
            return
        if time.monotonic() > deadline:
            raise MigrationError("another process is migrating; timed out waiting for it")
        await asyncio.sleep(random.uniform(0.1, 0.4))


async def _apply(cur, migrations: list[Migration], renew=None) -> list[str]:
    await cur.execute(
        """
        CREATE TABLE IF NOT EXISTS schema_migrations (
          name       VARCHAR(200) NOT NULL PRIMARY KEY,
          checksum   CHAR(64) NOT NULL,
          applied_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)
        ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4
        """
    )
    await cur.execute("SELECT name, checksum FROM schema_migrations")
    applied = dict(await cur.fetchall())
    known = {m.name for m in migrations}
    for migration in migrations:
        if migration.name in applied and applied[migration.name] != migration.checksum:
            raise MigrationError(f"{migration.name} was edited after it was applied; add a new migration instead")
    missing = sorted(set(applied) - known)
    if missing:
        raise MigrationError(f"applied migrations missing from sql/migrations: {', '.join(missing)}")
    done = []
    for migration in migrations:
        if migration.name in applied:
            continue
        if renew is not None:
            await renew()
        for statement in migration.statements():
            await cur.execute(statement)
        try:
            await cur.execute(
                "INSERT INTO schema_migrations (name, checksum) VALUES (%s, %s)",
                (migration.name, migration.checksum),
            )
        except pymysql.err.IntegrityError as exc:
            # Someone else recorded it meanwhile (its statements are re-runnable): applied, not a failure.
            if exc.args[0] != 1062:
                raise
            continue
        done.append(migration.name)
    return done


def _ident(name: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9_]+", name):
        raise MigrationError(f"unsupported database name {name!r}")
    return name
