"""`make db`: a project-local server is initialised and started when nothing listens locally."""

import os
import shutil
import signal
import socket
import subprocess
import sys

import pytest

from travelgo.config import DatabaseURL
from travelgo.dbserver import reachable


def _free_port() -> int:
    """A port in 3380-3398 nobody listens on (a run killed half-way may have left a server behind)."""
    for port in range(3380, 3399):
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) != 0:
                return port
    raise RuntimeError("no free port in 3380-3398")


@pytest.mark.skipif(
    not (shutil.which("mariadbd") or os.path.exists("/usr/sbin/mariadbd")), reason="no mariadbd installed"
)
def test_make_db_starts_a_project_local_server(tmp_path):
    url = f"mysql://root@127.0.0.1:{_free_port()}/travelgo"
    env = {**os.environ, "DATABASE_URL": url, "TRAVELGO_LOCAL_DB_DIR": str(tmp_path / "mysql")}
    assert not reachable(DatabaseURL.parse(url))
    try:
        first = subprocess.run(
            [sys.executable, "-m", "travelgo.dbserver"], env=env, capture_output=True, text=True, timeout=60
        )
        assert first.returncode == 0, first.stderr
        assert "Database server is up" in first.stdout
        assert reachable(DatabaseURL.parse(url))
        again = subprocess.run(
            [sys.executable, "-m", "travelgo.dbserver"], env=env, capture_output=True, text=True, timeout=30
        )
        assert again.returncode == 0 and "reachable" in again.stdout
    finally:
        pid_file = tmp_path / "mysql" / "server.pid"
        if pid_file.exists():
            os.kill(int(pid_file.read_text().strip()), signal.SIGTERM)


def test_unreachable_non_local_server_explains_what_to_do():
    # 127.0.0.2 is loopback but not "local" to make db, so it must not try to start a server there.
    env = {**os.environ, "DATABASE_URL": "mysql://root@127.0.0.2:3392/travelgo"}
    result = subprocess.run(
        [sys.executable, "-m", "travelgo.dbserver"], env=env, capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 1
    assert "Cannot connect" in result.stderr and "docker compose" in result.stderr
