"""Real processes for failure tests: TravelGo under Hypercorn, and a project-local MariaDB.

Ports: Hypercorn 8500-8599 (or TRAVELGO_E2E_PORTS), MariaDB 3400-3499 (the shared server at 3306 is never stopped).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import httpx
import pymysql

from bench import server as bench_server

ROOT = Path(__file__).resolve().parents[2]


def free_port(low: int, high: int) -> int:
    """A port in [low, high) that nothing listens on."""
    return bench_server.free_port(range(low, high))


def wait_until(check, timeout: float = 20.0, interval: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(interval)
    raise TimeoutError(f"condition not met within {timeout}s: {check}")


def mariadbd_path() -> str | None:
    return shutil.which("mariadbd") or ("/usr/sbin/mariadbd" if os.path.exists("/usr/sbin/mariadbd") else None)


class LocalMariaDB:
    """A throwaway MariaDB server on 127.0.0.1:<port>, data in a temporary directory."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port(3400, 3500)
        self.dir = Path(tempfile.mkdtemp(prefix="travelgo-mariadb-"))
        self.datadir = self.dir / "data"
        self.socket = self.dir / "mysqld.sock"
        self.proc: subprocess.Popen | None = None

    def install(self) -> None:
        installer = shutil.which("mariadb-install-db") or "mariadb-install-db"
        subprocess.run(
            [
                installer,
                "--no-defaults",
                f"--datadir={self.datadir}",
                "--auth-root-authentication-method=normal",
                "--skip-test-db",
                "--user=root",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                mariadbd_path(),
                "--no-defaults",
                f"--datadir={self.datadir}",
                f"--socket={self.socket}",
                f"--port={self.port}",
                "--bind-address=127.0.0.1",
                "--user=root",
                f"--log-error={self.dir / 'error.log'}",
                f"--pid-file={self.dir / 'mariadbd.pid'}",
                "--innodb-buffer-pool-size=32M",
                "--skip-log-bin",
                "--innodb-log-file-size=16M",
                "--max-connections=200",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        wait_until(self.answers, timeout=60)

    def answers(self) -> bool:
        try:
            pymysql.connect(host="127.0.0.1", port=self.port, user="root", connect_timeout=1).close()
            return True
        except pymysql.err.OperationalError:
            return False

    def stop(self) -> None:
        """SIGTERM and wait: a normal, clean server shutdown."""
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=60)
        self.proc = None

    def kill(self) -> None:
        """SIGKILL: the server vanishes without closing its connections politely."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=30)
        self.proc = None

    def url(self, database: str) -> str:
        return f"mysql://root@127.0.0.1:{self.port}/{database}"

    def cleanup(self) -> None:
        self.kill()
        shutil.rmtree(self.dir, ignore_errors=True)


class Server:
    """TravelGo served by Hypercorn (hypercorn.toml) on 127.0.0.1:<port> in a subprocess."""

    def __init__(self, env: dict[str, str], port: int | None = None, workers: int = 1) -> None:
        self.port = port or bench_server.free_port(bench_server.ports_for_tests(range(8500, 8600)))
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "TRAVELGO_ENV": "test", **env}
        self.workers = workers
        self.log = tempfile.NamedTemporaryFile(prefix="travelgo-hypercorn-", suffix=".log", delete=False)
        self.proc: subprocess.Popen | None = None

    def start(self) -> "Server":
        self.proc = subprocess.Popen(
            bench_server.hypercorn_command(self.port, self.workers),
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_until(self._healthy, timeout=30)
        return self

    def _healthy(self) -> bool:
        if self.proc.poll() is not None:
            raise RuntimeError(f"hypercorn exited: {self.output()}")
        try:
            return httpx.get(f"{self.base}/healthz", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    def output(self) -> str:
        return Path(self.log.name).read_text(errors="replace")[-4000:]

    def terminate(self) -> None:
        """SIGTERM to Hypercorn's main process only, as Docker does. (Under systemd use KillMode=mixed: a
        worker that gets SIGTERM itself dies at once instead of finishing its requests.)"""
        if self.proc and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.proc = None
