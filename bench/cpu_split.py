"""Where one booking's CPU goes in the app process: HTTP server, framework, auth, validation, database driver, our code.

Issue 24 asks for this split. Wall-clock profiles of a loaded 2-core machine mostly show who was descheduled, so this
counts CPU time instead, which another process on the same cores does not inflate:

1. one Hypercorn worker (uvloop, hypercorn.toml) serves the app in this script's child process;
2. wrk books distinct seats through it (32 connections, the bench's bodies and tokens), first unprofiled: the
   child's CPU seconds (getrusage) ÷ 201s = CPU ms per booking;
3. then the same under cProfile with a CPU clock (time.process_time): self time per function, summed per layer by
   the file it lives in. cProfile slows Python calls, so its split is read as proportions of step 2's figure.

The same for the bare route (bench/bare.py), so the two differ only by what TravelGo adds per request.

    python -m bench.cpu_split [--seconds 8]      (needs `make bench`'s travelgo_bench database, or BENCH_DATABASE_NAME)
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import importlib
import json
import os
import pstats
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from travelgo.config import ROOT, DatabaseURL

LAYERS = (  # first match wins: (layer, path fragments)
    ("HTTP server (hypercorn, h11)", ("/hypercorn/", "/h11/", "/h2/", "/wsproto/")),
    ("validation (quart-schema, pydantic)", ("/quart_schema/", "/pydantic/", "/pydantic_core/", "/email_validator/")),
    ("auth (quart-auth, itsdangerous, hmac)", ("/quart_auth/", "/itsdangerous/", "hmac.py", "/travelgo/auth.py")),
    ("framework (quart, werkzeug, jinja2)", ("/quart/", "/werkzeug/", "/flask/", "/blinker/", "/jinja2/")),
    ("database driver (aiomysql, pymysql)", ("/aiomysql/", "/pymysql/")),
    ("our code (travelgo)", ("/travelgo/", "/bench/")),
    ("JSON", ("/json/",)),
    ("event loop and the rest of the standard library", ("",)),
)


def layer_of(filename: str) -> str:
    return next(name for name, parts in LAYERS if any(p in filename for p in parts))


# --- the child: one Hypercorn worker that profiles on SIGUSR1 and writes its stats on SIGUSR2 -------------------


def serve(app_path: str, port: int, stats_path: str) -> None:
    import uvloop
    from hypercorn.asyncio import serve as hypercorn_serve
    from hypercorn.config import Config

    config = Config.from_toml(ROOT / "hypercorn.toml")
    config.bind = [f"127.0.0.1:{port}"]
    config.accesslog = None
    module, name = app_path.split(":")
    app = getattr(importlib.import_module(module), name)
    profiler = cProfile.Profile(time.process_time)

    async def main() -> None:
        loop = asyncio.get_running_loop()
        stop = asyncio.Event()
        loop.add_signal_handler(signal.SIGTERM, stop.set)
        loop.add_signal_handler(signal.SIGUSR1, profiler.enable)

        def dump() -> None:
            profiler.disable()
            profiler.dump_stats(stats_path)

        loop.add_signal_handler(signal.SIGUSR2, dump)
        await hypercorn_serve(app, config, shutdown_trigger=stop.wait)

    uvloop.run(main())


# --- the parent ---------------------------------------------------------------------------------------------


def child_cpu(pid: int) -> float:
    """CPU seconds (user + system) the child has used so far."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(app_path: str, env: dict[str, str], bodies: str, seconds: float, port: int) -> dict:
    from .server import listeners
    from .wrkrun import wrk

    stats = tempfile.NamedTemporaryFile(suffix=".prof", delete=False).name
    child = subprocess.Popen(
        [sys.executable, "-m", "bench.cpu_split", "--serve", app_path, "--port", str(port), "--stats", stats],
        cwd=ROOT,
        env={**os.environ, **env},
    )
    try:
        for _ in range(300):
            if listeners(port):
                break
            time.sleep(0.1)
        url = f"http://127.0.0.1:{port}"
        wrk(url, script="post.lua", seconds=2, env={"WRK_BODIES": bodies[0]})  # warm up (pool, imports)
        cpu = child_cpu(child.pid)
        plain = wrk(url, script="post.lua", seconds=seconds, env={"WRK_BODIES": bodies[1]})
        cpu = child_cpu(child.pid) - cpu
        child.send_signal(signal.SIGUSR1)
        profiled = wrk(url, script="post.lua", seconds=seconds, env={"WRK_BODIES": bodies[2]})
        child.send_signal(signal.SIGUSR2)
        time.sleep(1)
    finally:
        child.terminate()
        child.wait(timeout=30)
    booked = plain["statuses"].get("201", 0)
    layers: dict[str, float] = {}
    functions: dict[str, float] = {}
    for (filename, line, name), (_cc, _nc, self_time, _cum, _callers) in pstats.Stats(stats).stats.items():
        layers[layer_of(filename)] = layers.get(layer_of(filename), 0.0) + self_time
        where = f"{name} ({'/'.join(Path(filename).parts[-2:])}:{line})"
        functions[where] = functions.get(where, 0.0) + self_time
    Path(stats).unlink(missing_ok=True)
    total = sum(layers.values()) or 1.0
    top = sorted(functions.items(), key=lambda kv: -kv[1])[:25]
    return {
        "bookings": booked,
        "bookings_per_s": round(booked / plain["seconds"], 1),
        "other_statuses": {s: n for s, n in plain["statuses"].items() if s != "201"},
        "cpu_ms_per_booking": round(cpu * 1000 / booked, 2) if booked else None,
        "profiled_bookings": profiled["statuses"].get("201", 0),
        "split": {name: round(t / total, 3) for name, t in sorted(layers.items(), key=lambda kv: -kv[1])},
        "top_functions": {name: round(t / total, 3) for name, t in top},
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--serve")
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", 8700)) + 50)
    parser.add_argument("--stats")
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.port, args.stats)
        return 0

    from . import fixtures
    from .run import bare_travellers, bench_url, booking_body, signed_travellers, url_string, write_lines
    from .server import Server

    url: DatabaseURL = bench_url()
    setup = asyncio.run(fixtures.reset(url, distinct_trips=int(250 * args.seconds)))
    trips = setup["trips"]
    ninth = len(trips) // 9
    groups = [trips[i * ninth : (i + 1) * ninth] for i in range(9)]
    travellers = signed_travellers(url)
    tokens = [token for _, token in travellers]
    env = dict(Server(args.port + 1, workers=1, database_url=url_string(url)).env)  # the bench server's settings

    def bodies(group: list[int]) -> str:
        return write_lines(
            [
                f"{tokens[i % len(tokens)]}\t/api/v1/bookings\t{json.dumps(booking_body(trip, [seat]))}"
                for i, trip, seat in fixtures.spread_seats(group, setup["seats_per_trip"])
            ]
        )

    bare_env = {**env, **bare_travellers(travellers)}
    # The app process also runs the notification sender, which renders and records each hold's "pay by" message:
    # per-booking work, but not the request's. The second run leaves it to a worker elsewhere.
    quiet_env = {**env, "TRAVELGO_NOTIFY_POLL_SECONDS": "0"}
    report = {
        "TravelGo POST /api/v1/bookings": measure(
            "travelgo.asgi:app", env, [bodies(g) for g in groups[:3]], args.seconds, args.port
        ),
        "TravelGo POST /api/v1/bookings, notification sender elsewhere": measure(
            "travelgo.asgi:app", quiet_env, [bodies(g) for g in groups[3:6]], args.seconds, args.port
        ),
        "bare route (bench/bare.py)": measure(
            "bench.bare:app", bare_env, [bodies(g) for g in groups[6:]], args.seconds, args.port
        ),
    }
    asyncio.run(fixtures.cleanup(url))
    (ROOT / "bench" / "results").mkdir(exist_ok=True)
    (ROOT / "bench" / "results" / "cpu_split.json").write_text(json.dumps(report, indent=2) + "\n")
    for name, figures in report.items():
        print(f"\n{name}: {figures['cpu_ms_per_booking']} CPU ms per booking ({figures['bookings_per_s']}/s)")
        for layer, share in figures["split"].items():
            print(f"  {share * 100:5.1f} %  {layer}")
        print("  top functions (self time):")
        for where, share in figures["top_functions"].items():
            print(f"  {share * 100:5.1f} %    {where}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
