"""Background loops of a worker (the sweeper, TestPay's webhook sender): one round, then a pause, until stopped."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from quart import Quart

log = logging.getLogger(__name__)


class Loop:
    """Runs `work()` every `interval` seconds; at once again when it says more is waiting (returns True)."""

    def __init__(self, name: str, work: Callable[[], Awaitable[bool]], interval: float) -> None:
        self.name = name
        self.work = work
        self.interval = interval
        self._task: asyncio.Task | None = None
        self._woken = asyncio.Event()
        self._stopping = False

    def wake(self) -> None:
        """Run the next round now rather than after the pause (work arrived in this worker)."""
        self._woken.set()

    def start(self) -> None:
        self._stopping = False
        self._task = asyncio.get_running_loop().create_task(self._run(), name=self.name)

    async def stop(self, grace: float = 5.0) -> None:
        """End the loop: a round in progress is cancelled. Bounded, so a stuck round cannot hold up the worker's
        exit (the pool closes after this)."""
        if self._task is None:
            return
        self._stopping = True
        self._woken.set()
        deadline = asyncio.get_running_loop().time() + grace
        # Cancel until the task is really done: a cancel that lands as an inner wait completes can be swallowed.
        while not self._task.done() and asyncio.get_running_loop().time() < deadline:
            self._task.cancel()
            await asyncio.wait({self._task}, timeout=0.5)
        if not self._task.done():
            log.error("%s: still running %.0f s after stop; leaving it", self.name, grace)
        elif not self._task.cancelled() and self._task.exception() is not None:
            log.error("%s: ended with %r", self.name, self._task.exception())
        self._task = None

    async def _run(self) -> None:
        while not self._stopping:
            try:
                more = await self.work()
            except asyncio.CancelledError:
                raise
            except Exception:  # the database may be away for a moment: the next round tries again
                log.exception("%s: round failed", self.name)
                more = False
            if not more and not self._stopping:
                try:
                    async with asyncio.timeout(self.interval):  # not wait_for: see events.Subscription.next_batch
                        await self._woken.wait()
                except TimeoutError:
                    pass
            self._woken.clear()


def run_while_serving(app: Quart, loop: Loop) -> None:
    """Start the loop in every worker when it starts serving; stop it when it stops. An interval of 0 leaves it off
    (in-process tests drive the rounds themselves)."""
    if loop.interval <= 0:
        return

    @app.before_serving
    async def _start() -> None:
        loop.start()

    @app.after_serving
    async def _stop() -> None:
        await loop.stop()
