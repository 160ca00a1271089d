"""A real TravelGo for browser tests and screenshots: fresh database, Hypercorn subprocess, Debian's Chromium.

Shared by tests/e2e/conftest.py and tests/e2e/screenshots.py so both drive exactly the same setup.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import warnings
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import aiomysql
import httpx

from bench.server import hypercorn_command
from travelgo.config import DatabaseURL
from travelgo.migrations import migrate

ROOT = Path(__file__).resolve().parents[2]
AXE_JS = ROOT / "tests" / "vendor" / "axe.min.js"
ADMIN_EMAIL = "admin@travelgo.example"
ADMIN_PASSWORD = "admin-e2e-password"
TRAVELLER_PASSWORD = "traveller-pass"  # travelgo.seed's sample travellers (asha@, ben@travelgo.example)
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 812}


def base_database_url() -> DatabaseURL:
    return DatabaseURL.parse(os.environ.get("DATABASE_URL", "mysql://root@127.0.0.1:3306/travelgo"))


def url_string(url: DatabaseURL) -> str:
    auth = url.user + (f":{url.password}" if url.password else "")
    query = f"?unix_socket={url.unix_socket}" if url.unix_socket else ""
    return f"mysql://{auth}@{url.host}:{url.port}/{url.database}{query}"


def chromium_path() -> str | None:
    """Debian's Chromium (TRAVELGO_CHROMIUM overrides); None when it is not installed."""
    candidate = os.environ.get("TRAVELGO_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    return candidate if os.path.exists(candidate) and os.access(candidate, os.X_OK) else None


def free_port() -> int:
    """A free port from TRAVELGO_E2E_PORTS ("8600-8699") when set, else one the OS picks."""
    spec = os.environ.get("TRAVELGO_E2E_PORTS", "")
    candidates = [0]
    if spec:
        low, _, high = spec.partition("-")
        candidates = list(range(int(low), int(high or low) + 1))
    for port in candidates:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return sock.getsockname()[1]
    raise RuntimeError(f"no free port in TRAVELGO_E2E_PORTS={spec}")


async def build_database(url: DatabaseURL) -> None:
    """Drop and recreate the database with the production migration runner."""
    conn = await aiomysql.connect(autocommit=True, **url.connect_kwargs(with_database=False))
    try:
        async with conn.cursor() as cur:
            with warnings.catch_warnings():  # "database doesn't exist" is a note, not news
                warnings.simplefilter("ignore")
                await cur.execute(f"DROP DATABASE IF EXISTS `{url.database}`")
    finally:
        conn.close()
    await migrate(url)


def server_env(url: DatabaseURL) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        TRAVELGO_ENV="test",
        DATABASE_URL=url_string(url),
        TRAVELGO_RATE_LIMITS="off",
        TRAVELGO_ADMIN_PASSWORD=ADMIN_PASSWORD,
        SECRET_KEY="e2e-secret-key-not-for-production-0123456789",
        TRAVELGO_SSE_POLL_SECONDS="0.05",
        TRAVELGO_PAYMENTS_POLL_SECONDS="0.5",
        TRAVELGO_NOTIFY_POLL_SECONDS="0.5",  # the server delivers its own mail (the unit tests drive it by hand)
        LOG_LEVEL="WARNING",
    )
    env.pop("DATABASE_READ_URL", None)
    return env


def seed(url: DatabaseURL, scale: str = "small") -> None:
    """The sample data set, through the same CLI `make seed` uses."""
    subprocess.run(
        [sys.executable, "-m", "travelgo.cli", "seed", "--scale", scale],
        cwd=ROOT,
        env=server_env(url),
        check=True,
        capture_output=True,
        timeout=300,
    )


@asynccontextmanager
async def cursor(url: DatabaseURL):
    """A transaction cursor on the e2e database, for arranging data with tests/factories.py."""
    conn = await aiomysql.connect(autocommit=True, cursorclass=aiomysql.DictCursor, **url.connect_kwargs())
    try:
        async with conn.cursor() as cur:
            await cur.execute("BEGIN")
            try:
                yield cur
            except BaseException:
                await conn.rollback()
                raise
            await conn.commit()
    finally:
        conn.close()


@dataclass
class Server:
    base_url: str
    database: DatabaseURL
    process: subprocess.Popen
    log_path: Path

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


@asynccontextmanager
async def running_server(url: DatabaseURL, startup_timeout: float = 30.0):
    """TravelGo under Hypercorn (one worker, hypercorn.toml) on a free port; stopped with SIGTERM afterwards."""
    port = free_port()
    log_dir = Path(tempfile.mkdtemp(prefix="travelgo-e2e-"))
    log_path = log_dir / "server.log"
    log = log_path.open("wb")
    process = _spawn_hypercorn(url, port, log)
    server = Server(f"http://127.0.0.1:{port}", url, process, log_path)
    try:
        await _wait_healthy(server, startup_timeout)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        log.close()


def _spawn_hypercorn(url: DatabaseURL, port: int, log) -> subprocess.Popen:
    """Start (not wait for) the server process, with the production hypercorn.toml."""
    command = hypercorn_command(port, 1)
    return subprocess.Popen(command, cwd=ROOT, env=server_env(url), stdout=log, stderr=subprocess.STDOUT)


async def _wait_healthy(server: Server, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient(timeout=2.0) as client:
        while time.monotonic() < deadline:
            if server.process.poll() is not None:
                raise RuntimeError(f"TravelGo exited with {server.process.returncode}:\n{server.log_tail()}")
            try:
                response = await client.get(f"{server.base_url}/healthz")
                if response.status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    raise RuntimeError(f"TravelGo did not answer /healthz within {timeout}s:\n{server.log_tail()}")


async def launch_browser(playwright):
    """Debian's Chromium through Playwright (never a downloaded browser)."""
    executable = chromium_path()
    if executable is None:
        raise FileNotFoundError("Chromium not found: apt-get install -y chromium (or set TRAVELGO_CHROMIUM)")
    return await playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
