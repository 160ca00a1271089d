"""Run TravelGo under Hypercorn in a subprocess (several workers) for cross-process tests and the bench."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PORTS = range(8300, 8400)  # this branch's port range


def free_port(ports=PORTS) -> int:
    for port in ports:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in range")


class Server:
    """`hypercorn --workers N travelgo.asgi:app` on 127.0.0.1:<port>, pointed at `database_url`."""

    def __init__(self, database_url: str, workers: int = 2, port: int | None = None, env: dict | None = None) -> None:
        self.port = port or free_port()
        self.workers = workers
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "TRAVELGO_ENV": "test",
            "LOG_LEVEL": "WARNING",
            **(env or {}),
        }
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> "Server":
        hypercorn = str(Path(sys.executable).with_name("hypercorn"))
        self.proc = subprocess.Popen(
            [
                hypercorn,
                "--workers",
                str(self.workers),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--graceful-timeout",
                "1",
                "travelgo.asgi:app",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"hypercorn exited: {self.proc.stderr.read().decode()[-2000:]}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/readyz", timeout=1) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                self.__exit__()
                raise RuntimeError("hypercorn did not become ready")
            time.sleep(0.1)
        return self

    def worker_pids(self) -> list[int]:
        """The worker processes (children of the hypercorn master)."""
        children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text().split()
        # Hypercorn spawns its workers with multiprocessing (skip the resource tracker).
        return [int(pid) for pid in children if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()]

    def __exit__(self, *exc) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)  # our own process group (start_new_session)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
