"""`make migrate` started against all three nodes at once: every run succeeds quietly and the schema is built once.

GET_LOCK is local to a node, so the runner takes a lease row instead, which certification gives to one node."""

from __future__ import annotations

import asyncio
import os
import sys

import aiomysql

from travelgo import cluster
from travelgo.migrations import discover

from .conftest import ROOT, node_url

DATABASE = "travelgo_cluster_migrate"


async def test_migrate_on_three_nodes_at_once_is_safe_and_quiet(galera):
    async def drop() -> None:
        conn = await aiomysql.connect(autocommit=True, **node_url(0).connect_kwargs(with_database=False))
        async with conn.cursor() as cur:
            await cur.execute(f"DROP DATABASE IF EXISTS `{DATABASE}`")
        conn.close()

    async def run(node: cluster.Node) -> tuple[int, str, str]:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "travelgo.cli", "migrate",
            cwd=ROOT, env={**os.environ, "DATABASE_URL": node.url(DATABASE)},
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        out, err = await process.communicate()
        return process.returncode, out.decode(), err.decode()

    await drop()
    try:
        results = await asyncio.gather(*(run(node) for node in cluster.NODES))
        assert [code for code, _, _ in results] == [0, 0, 0], results
        assert [err for _, _, err in results] == ["", "", ""], results  # quiet: no 1062, no warnings
        names = sorted(m.name for m in discover())
        applied = [out for _, out, _ in results if "none (up to date)" not in out]
        assert len(applied) >= 1, results
        for i in range(3):
            conn = await aiomysql.connect(autocommit=True, **node_url(i, DATABASE).connect_kwargs())
            async with conn.cursor() as cur:
                await cur.execute("SET SESSION wsrep_sync_wait = 1")
                await cur.execute("SELECT name FROM schema_migrations ORDER BY name")
                assert [row[0] for row in await cur.fetchall()] == names
            conn.close()
    finally:
        await drop()
