"""`make bench`'s cluster rows: TravelGo on the project-local three-node Galera cluster (`make cluster`).

One Hypercorn server (one worker) per node, wrk posting bookings of distinct seats:
- spread: the three servers at once, every trip booked through every node (certification conflicts on the trips'
  seat counters are part of the figure);
- one node: the same load through one server only, for comparison;
- hot seat: 300 clients for 10 seats, spread over the three servers at once.
Skipped (with the reason) when the cluster cannot start (no galera-4, rsync or mariadb-server).
    python -m bench.cluster [--seconds 10]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import threading

import aiomysql
import uvloop

from travelgo import cluster
from travelgo.config import ROOT, DatabaseURL
from travelgo.migrations import migrate

from . import fixtures, hotseat
from .server import Server, free_port, ports_for_tests
from .wrkrun import wrk

DATABASE = "travelgo_bench_cluster"
CONNECTIONS = 30  # split over the servers in the spread round


def _node_url(index: int) -> DatabaseURL:
    return DatabaseURL.parse(cluster.NODES[index].url(DATABASE))


async def _fresh_database() -> None:
    conn = await aiomysql.connect(autocommit=True, **_node_url(0).connect_kwargs(with_database=False))
    async with conn.cursor() as cur:
        await cur.execute("SET SESSION sql_notes = 0")  # no warning when there is nothing to drop
        await cur.execute(f"DROP DATABASE IF EXISTS `{DATABASE}`")
    conn.close()
    await migrate(_node_url(0))


async def _scalar(sql: str, args=None) -> int:
    conn = await aiomysql.connect(autocommit=True, **_node_url(0).connect_kwargs())
    try:
        async with conn.cursor() as cur:
            await cur.execute(sql, args)
            return (await cur.fetchone())[0]
    finally:
        conn.close()


def _bodies(tokens: list[str], trips: list[int], seats: int) -> list[str]:
    """Line i books seat i // trips + 1 on trip i % trips: every (trip, seat) once."""
    lines = []
    for i in range(len(trips) * seats):
        body = {
            "type": "bus",
            "trip_id": trips[i % len(trips)],
            "seats": [str(i // len(trips) + 1)],
            "passengers": [{"name": "Bench Passenger", "age": 30}],
        }
        lines.append(f"{tokens[i % len(tokens)]}\t/api/v1/bookings\t{json.dumps(body)}")
    return lines


def _write(name: str, lines: list[str]) -> str:
    path = ROOT / "var" / f"bench-cluster-{name}.txt"
    path.write_text("\n".join(lines) + "\n")
    return str(path)


def _retries(servers: list[Server]) -> int:
    return sum(s.log_path.read_text(errors="replace").count("transaction retry") for s in servers)


def _combine(rounds: list[dict]) -> dict:
    statuses: dict[str, int] = {}
    for r in rounds:
        for status, n in r.get("statuses", {}).items():
            statuses[str(status)] = statuses.get(str(status), 0) + n
    seconds = max(r["seconds"] for r in rounds)
    created = statuses.get("201", 0)
    return {
        "bookings_per_s": round(created / seconds, 1),
        "requests": sum(r["requests"] for r in rounds),
        "statuses": statuses,
        "p50_ms": max(r["latency_ms"]["p50"] for r in rounds),
        "p99_ms": max(r["latency_ms"]["p99"] for r in rounds),
        "connections": sum(r["connections"] for r in rounds),
    }


def _parallel_wrk(jobs: list[tuple[str, str, int]], seconds: float) -> list[dict]:
    """Run wrk against several servers at the same time: (url, bodies file, connections) each."""
    results: list[dict | None] = [None] * len(jobs)

    def run(i: int, url: str, bodies: str, connections: int) -> None:
        results[i] = wrk(url, script="post.lua", connections=connections, seconds=seconds, env={"WRK_BODIES": bodies})

    threads = [threading.Thread(target=run, args=(i, *job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return [r for r in results if r is not None]


def phase(seconds: float = 10, log=print) -> dict:
    """The cluster figures, or {"skipped": why} when the cluster cannot start. A cluster this phase started is
    stopped again at the end (left running, it held the ports a later `make test-cluster` starts its own on)."""
    started_here = all(node.pid() is None for node in cluster.NODES)
    try:
        cluster.start()
    except SystemExit as exc:
        log(f"cluster: skipped ({exc})")
        return {"skipped": f"the Galera cluster could not start: {exc}"}
    asyncio.run(_fresh_database())
    trips_needed = int(20 * seconds)  # 40 seats each: room for ~800 bookings/s per round
    setup = asyncio.run(fixtures.reset(_node_url(0), distinct_trips=2 * trips_needed, hot_seats=10))
    spread_trips, one_node_trips = setup["trips"][:trips_needed], setup["trips"][trips_needed:]
    ports = ports_for_tests(range(8700, 8800))
    servers: list[Server] = []
    for i in range(cluster.SIZE):
        port = free_port(ports, exclude=tuple(s.port for s in servers))
        log_path = ROOT / "var" / f"cluster-bench-server-{i + 1}.log"
        servers.append(Server(port, workers=1, database_url=cluster.NODES[i].url(DATABASE), log_path=log_path))
    result: dict = {"servers": len(servers), "workers_per_server": 1}
    try:
        for server in servers:
            server.start(timeout=90)
        from .run import api_token

        tokens = [api_token(servers[0], email, fixtures.PASSWORD) for email in fixtures.USERS]
        # Spread: line i goes to server i % 3, so every trip is booked through all three nodes.
        lines = _bodies(tokens, spread_trips, setup["seats_per_trip"])
        jobs = [
            (s.base_url, _write(f"spread-{k}", lines[k :: len(servers)]), CONNECTIONS // len(servers))
            for k, s in enumerate(servers)
        ]
        before = _retries(servers)
        result["spread"] = _combine(_parallel_wrk(jobs, seconds))
        result["spread"]["retries"] = _retries(servers) - before
        log(f"cluster, spread over 3 nodes: {result['spread']}")
        lines = _bodies(tokens, one_node_trips, setup["seats_per_trip"])
        before = _retries(servers)
        result["one_node"] = _combine(
            _parallel_wrk([(servers[0].base_url, _write("one", lines), CONNECTIONS)], seconds)
        )
        result["one_node"]["retries"] = _retries(servers) - before
        log(f"cluster, all through node 1: {result['one_node']}")
        requests = [
            ("/api/v1/bookings", json.loads(line.split("\t")[2]), tokens[i % len(tokens)])
            for i, line in enumerate(_bodies(tokens, [setup["hot_trip"]], setup["hot_seats"]) * 30)
        ]
        race = uvloop.run(hotseat.race([("127.0.0.1", s.port) for s in servers], requests))
        race.pop("bodies", None)
        race["held"] = asyncio.run(
            _scalar("SELECT COUNT(*) FROM booking_seats WHERE trip_id = %s AND held = 1", (setup["hot_trip"],))
        )
        result["hotseat"] = race
        log(f"cluster, hot seat (300 clients, 10 seats, 3 nodes): {race}")
    finally:
        for server in servers:
            server.stop()
        if started_here:
            cluster.stop()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10)
    args = parser.parse_args()
    print(json.dumps(phase(args.seconds), indent=2))


if __name__ == "__main__":
    main()
