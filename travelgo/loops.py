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

    def wake(self) -> None:
        """Run the next round now rather than after the pause (work arrived in this worker)."""
        self._woken.set()

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run(), name=self.name)

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            try:
                await self._task
            except (asyncio.CancelledError, Exception):
                pass

    async def _run(self) -> None:
        while True:
            try:
                more = await self.work()
            except asyncio.CancelledError:
                raise
            except Exception:  # the database may be away for a moment: the next round tries again
                log.exception("%s: round failed", self.name)
                more = False
            if not more:
                try:
                    await asyncio.wait_for(self._woken.wait(), self.interval)
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
