"""The sweeper: every worker, every TRAVELGO_PAYMENTS_POLL_SECONDS, releases expired holds and sends due refunds.

Several may run at once (workers, hosts): each release re-reads its booking under the engine's locks, and refunds
are leased with SKIP LOCKED, so nothing is done twice.
"""

from __future__ import annotations

import asyncio
import logging

from quart import Quart

from . import service

log = logging.getLogger(__name__)


class Sweeper:
    def __init__(self, app: Quart, interval: float) -> None:
        self.app = app
        self.interval = interval
        self._task: asyncio.Task | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run(), name="travelgo-sweeper")

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            try:
                await self._task
            except (asyncio.CancelledError, Exception):
                pass

    async def sweep(self) -> int:
        """One round; how many holds it released."""
        async with self.app.app_context():
            released = await service.expire_due_holds()
            await service.send_due_refunds()
        return released

    async def _run(self) -> None:
        while True:
            try:
                released = await self.sweep()
            except asyncio.CancelledError:
                raise
            except Exception:  # the database may be away for a moment: the next round tries again
                log.exception("sweeper round failed")
                released = 0
            if released < 5000:  # a full batch means more are due: go again at once
                await asyncio.sleep(self.interval)


def init_app(app: Quart, interval: float) -> None:
    sweeper = Sweeper(app, interval)
    app.extensions["travelgo.sweeper"] = sweeper

    @app.before_serving
    async def _start() -> None:
        sweeper.start()

    @app.after_serving
    async def _stop() -> None:
        await sweeper.stop()
