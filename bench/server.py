"""Start and stop a real Hypercorn serving TravelGo (used by the benchmarks and the scale-out tests)."""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def hypercorn_command(port: int, workers: int, app: str = "travelgo.asgi:app") -> list[str]:
    """`make serve`'s command (Hypercorn's workers under travelgo.serve's master) with the production hypercorn.toml
    on 127.0.0.1:<port>: benchmarks, tests and production start the server alike."""
    return [
        sys.executable, "-m", "travelgo.cli", "serve", "--config", str(ROOT / "hypercorn.toml"),
        "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--app", app,
    ]  # fmt: skip


class PortShared(RuntimeError):
    """Another server listens on the same port (Hypercorn sets SO_REUSEPORT when it runs several workers)."""


def listeners(port: int) -> int:
    """How many sockets LISTEN on this TCP port on this machine (any address)."""
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:
                count += 1
    return count


def ports_for_tests(default: range) -> range:
    """TRAVELGO_E2E_PORTS ("8820-8839") when set, so parallel checkouts sharing this machine keep to their own
    ports; else `default`."""
    spec = os.environ.get("TRAVELGO_E2E_PORTS", "").strip()
    if not spec:
        return default
    low, _, high = spec.partition("-")
    return range(int(low), int(high or low) + 1)


def free_port(ports: range, exclude: tuple[int, ...] = ()) -> int:
    """A port in `ports` that nobody listens on, tried in random order (other test runs may share the range)."""
    for port in random.sample(ports, len(ports)):
        if port in exclude or listeners(port):
            continue
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {ports.start}-{ports.stop - 1}")


def secret_key() -> str:
    """The bench server's signing key (bench/run.py signs the bench travellers' API tokens with it)."""
    return os.environ.get("SECRET_KEY") or "bench-and-scale-tests-only-not-a-real-secret"


class Server:
    """One Hypercorn process (with `workers` worker processes) on 127.0.0.1:port."""

    def __init__(
        self,
        port: int,
        *,
        workers: int = 2,
        database_url: str,
        env: dict[str, str] | None = None,
        log_path: Path | None = None,
        app: str = "travelgo.asgi:app",
    ):
        self.port = port
        self.app = app
        self.workers = workers
        self.base_url = f"http://127.0.0.1:{port}"
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url,
            # staging: production's settings with the TestPay gateway (production refuses a test gateway)
            "TRAVELGO_ENV": "staging",
            # bench accounts place thousands of holds: the anti-hoarding limit would refuse all but three each
            "TRAVELGO_MAX_OPEN_HOLDS": "1000000",
            # the live phase holds 2,000 streams from one loopback address (a load generator, not one client)
            "TRAVELGO_SSE_MAX_STREAMS_PER_CLIENT": "1000000",
            "SECRET_KEY": secret_key(),
            # the periodic refreshers (recommendations: ~8 s of set-based SQL on the large seed at start; time-based
            # repricing) are not part of any measured path; the notification sender is, and stays on
            "TRAVELGO_RECOMMEND_REFRESH_SECONDS": "0",
            "TRAVELGO_PRICING_REFRESH_SECONDS": "0",
            # staging builds no link from the Host header: TestPay's returns and webhooks come back here
            "TRAVELGO_PUBLIC_URL": f"http://127.0.0.1:{port}",
            # rate limits on, as in production: every booking counts its two windows (account, address) in MySQL.
            # The limits themselves are raised, since the load comes from 32 accounts on one loopback address.
            "TRAVELGO_RATE_LIMITS": os.environ.get("BENCH_RATE_LIMITS", "on"),
            "TRAVELGO_RATE_LIMIT_RULES": "booking_account=100000000/60,booking_ip=100000000/60,"
            "login_ip=100000000/300,stream_open_ip=100000000/60",
            "LOG_LEVEL": "WARNING",
            **(env or {}),
        }
        self.log_path = log_path or ROOT / "var" / f"server-{port}.log"
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 30) -> "Server":
        """Start and wait until ready. With several workers Hypercorn binds with SO_REUSEPORT, so a second server
        started on the same port (another test run, another checkout) would silently take half the connections:
        refuse a port that already has a listener, and check again once ours is up."""
        if listeners(self.port):
            raise PortShared(f"port {self.port} already has a listener")
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "wb")
        self.process = subprocess.Popen(
            hypercorn_command(self.port, self.workers, self.app),
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        self.wait_ready(timeout)
        if listeners(self.port) > 1:
            self.stop()
            raise PortShared(f"another server started on port {self.port} at the same time")
        return self

    def wait_ready(self, timeout: float) -> None:
        """Poll /readyz until every worker could answer (or fail with the server log)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"hypercorn exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(self.base_url + "/readyz", timeout=2) as response:
                    if response.status == 200 and len(self.worker_pids()) >= self.workers:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"hypercorn on port {self.port} not ready after {timeout}s:\n{self.log_tail()}")

    def worker_pids(self) -> list[int]:
        """The worker processes (children of the Hypercorn parent, minus multiprocessing's resource tracker)."""
        if self.process is None:
            return []
        try:
            children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        except OSError:
            return []
        pids = []
        for pid in map(int, children):
            try:
                cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
            except OSError:
                continue
            if b"resource_tracker" not in cmdline:
                pids.append(pid)
        return pids

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self, timeout: float = 15) -> None:
        """SIGTERM (graceful), then SIGKILL the whole process group if it lingers."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(5)

    def __enter__(self) -> "Server":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
