"""Live availability benchmark: commit-to-client latency across two workers, and streams held by one worker.

    .venv/bin/python bench/live.py [--streams 40] [--events 200] [--rate 25] [--hold 2000]

Builds (or reuses) the database BENCH_DATABASE_NAME (default travelgo_bench_live) with the migration runner,
starts Hypercorn itself on a port in 8300-8399, and prints the figures. Targets: p99 < 500 ms across two
workers; 2,000 streams on one worker in < 150 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import statistics
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests import factories  # noqa: E402
from tests.live.server import Server  # noqa: E402
from tests.live.sse import TcpStream  # noqa: E402
from travelgo import db, events  # noqa: E402
from travelgo.config import DatabaseURL  # noqa: E402
from travelgo.migrations import migrate  # noqa: E402
from travelgo.seed import clear_all  # noqa: E402

BASE = DatabaseURL.parse(os.environ.get("DATABASE_URL", "mysql://root@127.0.0.1:3306/travelgo"))
DB_NAME = os.environ.get("BENCH_DATABASE_NAME", "travelgo_bench_live")
URL = BASE.with_database(DB_NAME)


def url_string() -> str:
    auth = URL.user + (f":{URL.password}" if URL.password else "")
    return f"mysql://{auth}@{URL.host}:{URL.port}/{DB_NAME}"


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def cpu_ms(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 // os.sysconf("SC_CLK_TCK")


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


async def publish(trip_id: int, n: int) -> tuple[int, float]:
    async with db.transaction() as cur:
        await events.publish(
            cur, f"trip:{trip_id}", "availability", {"trip_id": trip_id, "seats_left": n, "unavailable_seats": []}
        )
        await cur.execute("SELECT LAST_INSERT_ID() AS id")
        event_id = int((await cur.fetchone())["id"])
    return event_id, time.perf_counter()  # COMMIT has returned


async def collect(stream: TcpStream, received: dict[int, float]) -> None:
    """Record when each event id arrives (runs until cancelled; no read is ever cut short mid-chunk)."""
    while True:
        try:
            message = await stream.next_message(timeout=3600)
        except (EOFError, ConnectionError, asyncio.IncompleteReadError):
            return
        if message.id and message.id.isdigit():
            received.setdefault(int(message.id), message.received_at)


async def latency(trip_id: int, n_streams: int, n_events: int, rate: float) -> None:
    with Server(url_string(), workers=2) as server:
        path = f"/api/v1/bus-trips/{trip_id}/events"
        streams = [await TcpStream("127.0.0.1", server.port, path).open() for _ in range(n_streams)]
        for stream in streams:
            await stream.next_message()  # the opening state
        per_worker: dict[str, int] = {}
        for stream in streams:
            per_worker[stream.worker] = per_worker.get(stream.worker, 0) + 1
        received: list[dict[int, float]] = [{} for _ in streams]
        readers = [asyncio.create_task(collect(s, r)) for s, r in zip(streams, received, strict=True)]
        committed: dict[int, float] = {}
        started = time.perf_counter()
        for n in range(n_events):
            event_id, at = await publish(trip_id, n)
            committed[event_id] = at
            await asyncio.sleep(max(0.0, started + (n + 1) / rate - time.perf_counter()))
        newest = max(committed)
        deadline = time.monotonic() + 5
        # The reader tasks fill `received`; wait (bounded) until every stream holds the newest state.
        while time.monotonic() < deadline and any(max(r, default=0) < newest for r in received):  # noqa: ASYNC110
            await asyncio.sleep(0.05)
        for reader in readers:
            reader.cancel()
        await asyncio.gather(*readers, return_exceptions=True)
        for stream in streams:
            stream.close()
    # Availability is a state: events committed within one poll reach a client as one (the newest) message.
    # So an event counts as delivered when the client first holds a message with an id at or after it.
    by_worker: dict[str, list[float]] = {}
    missing = sent = 0
    for stream, got in zip(streams, received, strict=True):
        sent += sum(1 for event_id in got if event_id in committed)
        earliest, by_id = float("inf"), {}
        for event_id in sorted(got, reverse=True):
            earliest = min(earliest, got[event_id])
            by_id[event_id] = earliest
        ids = sorted(by_id)
        for event_id, at in committed.items():
            later = next((i for i in ids if i >= event_id), None)
            if later is None:
                missing += 1
            else:
                by_worker.setdefault(stream.worker, []).append((by_id[later] - at) * 1000)
    all_ms = [ms for values in by_worker.values() for ms in values]
    print(
        f"latency: {n_events} commits at {rate:g}/s to {n_streams} streams on 2 workers "
        f"(streams per worker: {sorted(per_worker.values())}), poll interval 0.1 s"
    )
    print(
        f"  commit-to-client p50 {statistics.median(all_ms):.0f} ms  p99 {pct(all_ms, 99):.0f} ms  "
        f"max {max(all_ms):.0f} ms  ({len(all_ms)} event deliveries in {sent} messages; never reached {missing})"
    )
    for n, (worker, values) in enumerate(sorted(by_worker.items()), 1):
        print(f"  worker {n} ({worker}): p50 {statistics.median(values):.0f} ms  p99 {pct(values, 99):.0f} ms")


async def open_streams(port: int, path: str, n_streams: int) -> list[TcpStream]:
    """n streams, 100 at a time, each past its opening message."""
    streams: list[TcpStream] = []
    for offset in range(0, n_streams, 100):
        batch = [TcpStream("127.0.0.1", port, path) for _ in range(min(100, n_streams - offset))]
        await asyncio.gather(*(s.open(timeout=30) for s in batch))
        await asyncio.gather(*(s.next_message(timeout=30) for s in batch))
        streams.extend(batch)
    assert all(s.status == 200 for s in streams)
    return streams


async def settled_rss(pid: int, seconds: float = 3.0) -> int:
    """RSS once the worker has noticed the closed connections (their tasks end, their memory is freed)."""
    await asyncio.sleep(seconds)
    return rss_kb(pid)


async def hold(trip_id: int, n_streams: int) -> None:
    with Server(url_string(), workers=1, env={"TRAVELGO_SSE_MAX_STREAMS": str(n_streams + 100)}) as server:
        (pid,) = server.worker_pids()
        path = f"/api/v1/bus-trips/{trip_id}/events"
        warm = await open_streams(server.port, path, 20)
        base = rss_kb(pid)
        started = time.perf_counter()
        streams = await open_streams(server.port, path, n_streams)
        opened_s = time.perf_counter() - started
        held = rss_kb(pid)
        cpu_before = cpu_ms(pid)
        event_id, at = await publish(trip_id, 1)
        arrivals = await asyncio.gather(*(s.message_with_id(event_id, timeout=30) for s in streams))
        fan_out_cpu = cpu_ms(pid) - cpu_before
        fan_out = [(m.received_at - at) * 1000 for m in arrivals]
        over = await TcpStream("127.0.0.1", server.port, path).open()
        cap_status = over.status  # past the cap: should be 200 here (cap raised above n_streams)
        over.close()
        # Memory held by closed streams is released: close them all, then do it again. A leak grows with every
        # round; memory the allocator keeps for reuse does not.
        released = []
        for round_ in range(2):
            for stream in streams:
                stream.close()
            released.append(await settled_rss(pid))
            if round_ == 0:
                streams = await open_streams(server.port, path, n_streams)
        for stream in warm:
            stream.close()
    per_stream = (held - base) / n_streams
    print(f"hold: one worker held {len(streams)} streams (opened in {opened_s:.1f} s)")
    print(
        f"  worker RSS {base / 1024:.0f} MB -> {held / 1024:.0f} MB: +{(held - base) / 1024:.1f} MB, "
        f"{per_stream:.1f} KB per stream"
    )
    print(
        f"  after closing them: {released[0] / 1024:.1f} MB (+{(released[0] - base) / 1024:.1f} MB over the baseline); "
        f"after a second {n_streams} opened and closed: {released[1] / 1024:.1f} MB "
        f"(+{(released[1] - base) / 1024:.1f} MB)"
    )
    print(
        f"  one commit fanned out to all {len(streams)}: p50 {statistics.median(fan_out):.0f} ms  "
        f"p99 {pct(fan_out, 99):.0f} ms  max {max(fan_out):.0f} ms; worker CPU {fan_out_cpu} ms "
        f"(extra connect status {cap_status})"
    )


async def prepare() -> int:
    """Migrate the bench database, empty it, and add one trip."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "database exists" notes from CREATE ... IF NOT EXISTS
        await migrate(URL)
    await db.open_pools(URL, size=8)
    async with db.transaction() as cur:
        await clear_all(cur)
        trip = await factories.make_trip(cur, seats=40)
    return trip["id"]


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--streams", type=int, default=40, help="streams for the latency run (across 2 workers)")
    parser.add_argument("--events", type=int, default=200, help="commits for the latency run")
    parser.add_argument("--rate", type=float, default=25.0, help="commits per second")
    parser.add_argument("--hold", type=int, default=2000, help="streams one worker holds")
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, args.hold * 2 + 500)), hard))
    try:
        trip_id = await prepare()
        if args.streams:
            await latency(trip_id, args.streams, args.events, args.rate)
        if args.hold:
            await hold(trip_id, args.hold)
    finally:
        await db.close_pools()


if __name__ == "__main__":
    asyncio.run(main())
