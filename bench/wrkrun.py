"""Run wrk with one of bench/wrk/*.lua and return its figures as a dict."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WRK = shutil.which("wrk") or "/usr/bin/wrk"


def wrk(
    url: str,
    *,
    script: str = "get.lua",
    connections: int = 32,
    threads: int = 2,
    seconds: float = 10,
    env: dict[str, str] | None = None,
    timeout_s: int = 5,
) -> dict:
    """Run wrk for `seconds` and return requests/s, latency percentiles (ms) and status counts."""
    threads = min(threads, connections)
    command = [
        WRK,
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        f"--timeout={timeout_s}s",
        "-s",
        str(ROOT / "bench" / "wrk" / script),
        url,
    ]
    result = subprocess.run(
        command,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=seconds + 60,
        env={**os.environ, "WRK_THREADS": str(threads), **(env or {})},
    )
    line = next((ln for ln in result.stdout.splitlines() if ln.startswith("WRK_JSON ")), None)
    if result.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({result.returncode}): {result.stdout[-2000:]} {result.stderr[-2000:]}")
    raw = json.loads(line.removeprefix("WRK_JSON "))
    seconds_run = raw["duration_us"] / 1e6
    errors = raw["errors"]
    return {
        "connections": connections,
        "seconds": round(seconds_run, 2),
        "requests": raw["requests"],
        "rps": round(raw["requests"] / seconds_run, 1),
        "latency_ms": {k: round(v / 1000, 2) for k, v in raw["latency_us"].items()},
        "non_2xx_3xx": errors["status"],
        "socket_errors": errors["connect"] + errors["read"] + errors["write"] + errors["timeout"],
        "statuses": raw["statuses"],
    }
