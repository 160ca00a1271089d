"""Applies sql/migrations/NNN_*.sql in order, recorded with checksums.

Safe to run twice and from two processes at once (GET_LOCK); refuses to run when an
applied file was edited. DDL commits implicitly, so every statement in a file is written
to be re-runnable (IF NOT EXISTS) and a half-applied file is completed by the next run.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import aiomysql

from .config import ROOT, DatabaseURL

MIGRATIONS_DIR = ROOT / "sql" / "migrations"
NAME_PATTERN = re.compile(r"^(\d{3})_[a-z0-9_]+\.sql$")


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
    try:
        async with conn.cursor() as cur:
            await cur.execute(
                f"CREATE DATABASE IF NOT EXISTS `{_ident(url.database)}` "
                "CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
            )
            await cur.execute(f"USE `{_ident(url.database)}`")
            await cur.execute("SELECT GET_LOCK(%s, 60)", (f"travelgo-migrate-{url.database}",))
            (locked,) = await cur.fetchone()
            if locked != 1:
                raise MigrationError("another process is migrating; timed out waiting for it")
            try:
                return await _apply(cur, migrations)
            finally:
                await cur.execute("SELECT RELEASE_LOCK(%s)", (f"travelgo-migrate-{url.database}",))
    finally:
        conn.close()


async def _apply(cur, migrations: list[Migration]) -> list[str]:
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
        for statement in migration.statements():
            await cur.execute(statement)
        await cur.execute(
            "INSERT INTO schema_migrations (name, checksum) VALUES (%s, %s)",
            (migration.name, migration.checksum),
        )
        done.append(migration.name)
    return done


def _ident(name: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9_]+", name):
        raise MigrationError(f"unsupported database name {name!r}")
    return name
