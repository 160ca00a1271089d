"""`make serve`: Hypercorn's workers under a small master of TravelGo's own, which always exits and frees its port.

Hypercorn's own master (`hypercorn --workers N`) did not always: its SIGTERM handler sets a multiprocessing Event,
whose lock every worker takes ten times a second to poll it, so a worker that died holding it (or a second signal
landing while the handler held it) left the master blocked in the handler for good, still holding the listening
socket. Because several workers bind with SO_REUSEPORT, the next server started beside it and the kernel kept
handing part of the new connections to the dead one's backlog, where they hung.

This master:
- refuses to start when something already answers on the address (port_answers);
- signals its workers with SIGTERM, never through a shared lock; its own signal handler only records the signal;
- on SIGTERM or SIGINT closes its copy of the listening sockets at once, tells each worker to stop, and waits at
  most graceful_timeout + shutdown_timeout + STOP_MARGIN seconds before it SIGKILLs what is left;
- replaces a worker that exits cleanly (max_requests), and stops everything when one fails, like Hypercorn.

Each worker is Hypercorn's own asyncio/uvloop worker_serve with one change: its shutdown trigger (SIGTERM, SIGINT,
or the master gone) first calls travelgo.shutdown.begin(), so open live streams end before Hypercorn waits for the
open requests, rather than holding every worker for the whole graceful timeout.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import sys
import time
from functools import partial
from multiprocessing import get_context
from multiprocessing.connection import wait
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

from hypercorn.config import Config, Sockets

ROOT = Path(__file__).resolve().parent.parent
STOP_MARGIN = 2.0  # seconds past graceful_timeout + shutdown_timeout before the master kills stragglers
POLL = 0.2  # the master checks for signals and exited workers this often
PORT_BUSY = 2  # exit status when the address is taken


def port_answers(host: str, port: int, timeout: float = 1.0) -> bool:
    """True when something accepts a TCP connection on host:port. A server that hung while still listening counts:
    the kernel completes the handshake from the backlog even when no process accepts any more."""
    try:
        with socket.create_connection((host or "127.0.0.1", port), timeout=timeout):
            return True
    except OSError:
        return False


def split_bind(bind: str) -> tuple[str, int] | None:
    """("127.0.0.1", 8000) from "127.0.0.1:8000" or "[::1]:8000"; None for unix: and fd:// binds."""
    if bind.startswith(("unix:", "fd://")):
        return None
    host, _, port = bind.rpartition(":")
    return host.strip("[]") or "0.0.0.0", int(port)


def busy_binds(binds: list[str]) -> list[str]:
    return [bind for bind in binds if (address := split_bind(bind)) is not None and port_answers(*address)]


def load_config(path: str | Path, bind: str | None, workers: int | None, app: str) -> Config:
    config = Config.from_toml(str(path))
    if bind:
        config.bind = [bind]
    if workers is not None:
        config.workers = workers
    config.application_path = app
    return config


# --- the worker process -----------------------------------------------------------------------------------------


_early_signal: list[int] = []


def _note_early_signal(signum: int, _frame: Any) -> None:
    _early_signal.append(signum)


async def _shutdown_trigger(master_pid: int) -> None:
    """Return when this worker should stop: SIGTERM or SIGINT, or its master has gone (a worker must not keep the
    port on its own). Open streams are told first (travelgo.shutdown)."""
    from . import shutdown

    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    if _early_signal:
        stop.set()
    while not stop.is_set():
        try:
            async with asyncio.timeout(1.0):
                await stop.wait()
        except TimeoutError:
            if os.getppid() != master_pid:
                stop.set()
    shutdown.begin()


def worker(config: Config, sockets: Sockets, master_pid: int) -> None:
    """One worker process: load the app, serve the inherited sockets until the shutdown trigger fires."""
    # Until the event loop takes over, a signal is only remembered: the trigger acts on it once serving starts.
    signal.signal(signal.SIGTERM, _note_early_signal)
    signal.signal(signal.SIGINT, _note_early_signal)
    from hypercorn.asyncio.run import worker_serve
    from hypercorn.utils import load_application

    app = load_application(config.application_path, config.wsgi_max_body_size)
    loop_factory = None
    if config.worker_class == "uvloop":
        import uvloop

        loop_factory = uvloop.new_event_loop
    elif config.worker_class != "asyncio":
        raise ValueError(f"travelgo.serve runs asyncio or uvloop workers, not {config.worker_class!r}")
    with asyncio.Runner(debug=config.debug, loop_factory=loop_factory) as runner:
        runner.run(worker_serve(app, config, sockets=sockets, shutdown_trigger=partial(_shutdown_trigger, master_pid)))


# --- the master process -----------------------------------------------------------------------------------------


class Master:
    """Starts `config.workers` workers on shared sockets, keeps them running, stops them within a deadline."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.ctx = get_context("spawn")
        self.processes: list[BaseProcess] = []
        self.signalled: int | None = None
        self.deadline = config.graceful_timeout + config.shutdown_timeout + STOP_MARGIN

    def _on_signal(self, signum: int, _frame: Any) -> None:
        # Only record it: anything that can block (a lock, I/O) in a signal handler can hang the master for good.
        self.signalled = signum

    def _spawn(self, sockets: Sockets) -> None:
        process = self.ctx.Process(target=worker, args=(self.config, sockets, os.getpid()), name="travelgo-worker")
        process.start()
        self.processes.append(process)

    def run(self) -> int:
        sockets = self.config.create_sockets()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, self._on_signal)
        exitcode = 0
        try:
            for _ in range(max(self.config.workers, 1)):
                self._spawn(sockets)
            while self.signalled is None:
                wait([process.sentinel for process in self.processes], timeout=POLL)
                for process in [p for p in self.processes if p.exitcode is not None]:
                    process.join()
                    self.processes.remove(process)
                    if process.exitcode == 0 and self.signalled is None:
                        self._spawn(sockets)  # recycled after max_requests: start a fresh one
                    elif self.signalled is None:
                        print(
                            f"travelgo.serve: worker {process.pid} exited with {process.exitcode}; stopping",
                            file=sys.stderr,
                        )
                        exitcode = process.exitcode or 1
                        self.signalled = signal.SIGTERM
        finally:
            self._close(sockets)
            self._stop_workers()
        return exitcode

    @staticmethod
    def _close(sockets: Sockets) -> None:
        # The master's copy first: once the workers close theirs (at once, on their trigger) the port is free.
        for sock in (*sockets.secure_sockets, *sockets.insecure_sockets, *sockets.quic_sockets):
            sock.close()

    def _stop_workers(self) -> None:
        for process in self.processes:
            _signal(process, signal.SIGTERM)
        give_up = time.monotonic() + self.deadline
        while self.processes and time.monotonic() < give_up:
            wait(
                [process.sentinel for process in self.processes], timeout=min(POLL, max(give_up - time.monotonic(), 0))
            )
            self.processes = [p for p in self.processes if p.exitcode is None]
        for process in self.processes:
            print(
                f"travelgo.serve: worker {process.pid} still running {self.deadline:.0f} s after SIGTERM; killing it",
                file=sys.stderr,
            )
            _signal(process, signal.SIGKILL)
        for process in self.processes:
            process.join(5)
        self.processes = []


def _signal(process: BaseProcess, signum: int) -> None:
    try:
        os.kill(process.pid, signum)
    except ProcessLookupError:
        pass


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="travelgo serve", description="serve TravelGo with Hypercorn's workers")
    add_arguments(parser)
    return run(parser.parse_args(argv))


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", default=str(ROOT / "hypercorn.toml"), help="Hypercorn TOML settings")
    parser.add_argument("--bind", help="HOST:PORT (overrides the config's bind)")
    parser.add_argument("--workers", type=int, help="worker processes (overrides the config)")
    parser.add_argument("--app", default="travelgo.asgi:app", help="the ASGI application")


def run(args: argparse.Namespace) -> int:
    config = load_config(args.config, args.bind, args.workers, args.app)
    taken = busy_binds(config.bind)
    if taken:
        print(
            f"travelgo serve: something already answers on {', '.join(taken)}; not starting beside it. "
            "Stop that server (or choose another PORT=) and try again.",
            file=sys.stderr,
        )
        return PORT_BUSY
    return Master(config).run()


if __name__ == "__main__":
    sys.exit(main())
