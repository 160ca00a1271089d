"""A stopped server stops: open live streams end first, the master exits within the graceful timeout and frees its
port, a worker that will not stop is killed, and `make serve` refuses a port something already answers on.

Issue 14 item 11: once in five restarts after many open streams the Hypercorn master hung in its SIGTERM handler and
kept its port; the next `make run` started beside it (SO_REUSEPORT) and requests hung on the dead server's socket.
"""

from __future__ import annotations

import asyncio
import os
import resource
import signal
import socket
import subprocess
import sys
import time
import tomllib

import pytest

from bench.server import free_port, listeners, ports_for_tests
from travelgo import events, serve, shutdown
from travelgo.loops import Loop

from .. import conftest
from ..live.helpers import make_trip
from ..live.server import Server
from ..live.sse import TcpStream
from .servers import ROOT, wait_until

pytestmark = pytest.mark.slow

STREAMS = 500
GRACEFUL_TIMEOUT = tomllib.loads((ROOT / "hypercorn.toml").read_text())["graceful_timeout"]


def port_is_free(port: int) -> bool:
    """A new server could bind the port: nothing listens (SO_REUSEADDR, as servers set, tolerates TIME_WAIT; no
    SO_REUSEPORT, which would succeed beside another reuseport listener, the very failure being tested)."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
            sock.listen()
        except OSError:
            return False
    return listeners(port) == 0


async def ended_cleanly(stream: TcpStream) -> bool:
    """The stream's body ended with HTTP's last chunk (the server closed it), not a reset or a silence."""
    try:
        while True:
            await asyncio.wait_for(stream._read_chunk(), 5)
    except EOFError:
        return True
    except (OSError, asyncio.IncompleteReadError, TimeoutError):
        return False


@pytest.fixture
def many_files():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, 4 * STREAMS)), hard))
    yield
    resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


async def test_sigterm_with_500_open_streams_ends_them_and_frees_the_port(app, many_files):
    trip = await make_trip(seats=10)
    server = Server(
        conftest.test_database_url(),
        workers=2,
        env={"TRAVELGO_SSE_MAX_STREAMS_PER_CLIENT": "100000", "TRAVELGO_SSE_MAX_STREAMS": "100000"},
    )
    await asyncio.to_thread(server.start)
    streams: list[TcpStream] = []
    try:
        path = f"/api/v1/bus-trips/{trip['id']}/events"
        for _ in range(0, STREAMS, 100):
            batch = [TcpStream("127.0.0.1", server.port, path) for _ in range(100)]
            streams.extend(batch)
            await asyncio.gather(*(stream.open(timeout=20) for stream in batch))
            await asyncio.gather(*(stream.next_message(timeout=20) for stream in batch))
        assert [stream.status for stream in streams] == [200] * STREAMS
        assert len({stream.worker for stream in streams}) == 2, "both workers hold streams"

        started = time.monotonic()
        os.kill(server.process.pid, signal.SIGTERM)  # the master only, as Docker does
        exited = await asyncio.to_thread(wait_until, lambda: server.process.poll() is not None, GRACEFUL_TIMEOUT + 10)
        took = time.monotonic() - started
        assert exited and server.process.returncode == 0, server.log_tail()
        # Streams end first, so nothing is left for the graceful timeout to wait on (before the fix: 10.3 s, the
        # whole timeout, then every stream cancelled mid-write).
        assert took < GRACEFUL_TIMEOUT, f"the server took {took:.1f} s to stop"
        ended = await asyncio.gather(*(ended_cleanly(stream) for stream in streams))
        assert sum(ended) == STREAMS
        assert port_is_free(server.port)
        assert "Traceback" not in server.log_tail(400)
    finally:
        for stream in streams:
            stream.close()
        await asyncio.to_thread(server.stop)


STUCK_APP = """
import time
from quart import Quart

app = Quart(__name__)

@app.get("/")
async def index():
    return "up"

@app.after_serving
async def stuck():
    time.sleep(3600)  # blocks the event loop: neither SIGTERM nor a timeout inside the worker can end it
"""


def test_the_master_kills_a_worker_that_will_not_stop_and_frees_the_port(tmp_path):
    (tmp_path / "stuck_app.py").write_text(STUCK_APP)
    (tmp_path / "hypercorn.toml").write_text("graceful_timeout = 1\nshutdown_timeout = 1\nworker_class = 'asyncio'\n")
    port = free_port(ports_for_tests(range(8500, 8600)))
    process = subprocess.Popen(
        [sys.executable, "-m", "travelgo.cli", "serve", "--config", str(tmp_path / "hypercorn.toml")]
        + ["--bind", f"127.0.0.1:{port}", "--workers", "2", "--app", str(tmp_path / "stuck_app.py") + ":app"],
        cwd=ROOT,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        wait_until(lambda: serve.port_answers("127.0.0.1", port), timeout=20)
        time.sleep(0.5)  # both workers serving
        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
        deadline = 1 + 1 + serve.STOP_MARGIN
        process.wait(timeout=deadline + 5)
        took = time.monotonic() - started
        errors = process.stderr.read().decode()
        assert took >= deadline - 0.5, "the workers were given their time"
        assert "killing it" in errors, errors
        assert port_is_free(port)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def test_serve_refuses_a_port_that_already_answers():
    port = free_port(ports_for_tests(range(8500, 8600)))
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", port))
        taken.listen()  # listening but never accepting, like the hung server: the kernel still completes handshakes
        result = subprocess.run(
            [sys.executable, "-m", "travelgo.cli", "serve", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert result.returncode == serve.PORT_BUSY
        assert f"something already answers on 127.0.0.1:{port}" in result.stderr
        made = subprocess.run(
            ["make", "--no-print-directory", "serve", "HOST=127.0.0.1", f"PORT={port}", "WORKERS=2"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert made.returncode != 0
        assert "already answers" in made.stderr
        assert listeners(port) == 1, "nothing started beside it"


# --- in-process pieces ------------------------------------------------------------------------------------------


async def test_closing_the_hub_ends_waiting_streams_and_refuses_new_ones():
    hub = events.Hub(max_streams=10)
    sub = hub.subscribe(["trip:1"], "203.0.113.9")
    waiting = asyncio.ensure_future(sub.next_batch(timeout=60))
    await asyncio.sleep(0)
    hub.close_all()
    assert await asyncio.wait_for(waiting, 1) is None
    assert hub.subscriber_count == 0
    with pytest.raises(events.Stopping):
        hub.subscribe(["trip:1"], "203.0.113.9")


async def test_shutdown_runs_each_callback_once_and_late_ones_at_once(monkeypatch):
    # A state of its own: the session's app registered its hub here, and must not be shut down by this test.
    monkeypatch.setattr(shutdown, "_callbacks", [])
    monkeypatch.setattr(shutdown, "_begun", False)
    calls: list[str] = []
    shutdown.on_stop(lambda: calls.append("streams"))
    remove = shutdown.on_stop(lambda: calls.append("removed"))
    remove()
    shutdown.on_stop(lambda: 1 / 0)  # a failing callback does not stop the others
    shutdown.on_stop(lambda: calls.append("after"))
    shutdown.begin()
    shutdown.begin()
    shutdown.on_stop(lambda: calls.append("late"))
    assert calls == ["streams", "after", "late"]
    assert shutdown.stopping()


async def test_a_loop_whose_cancel_is_swallowed_still_stops():
    swallowed = []

    async def stubborn() -> bool:
        while True:
            try:
                await asyncio.sleep(10)
            except asyncio.CancelledError:
                if len(swallowed) == 2:
                    raise
                swallowed.append(1)  # a cancel lost on the way (Python 3.11's wait_for can drop one)

    loop = Loop("stubborn", stubborn, interval=1)
    loop.start()
    await asyncio.sleep(0.05)
    async with asyncio.timeout(5):  # before the fix stop() cancelled once and waited for good
        await loop.stop(grace=4)
    assert len(swallowed) == 2
