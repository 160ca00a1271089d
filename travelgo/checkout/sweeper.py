"""The sweeper: every worker, every TRAVELGO_PAYMENTS_POLL_SECONDS, releases expired holds and sends due refunds.

Several may run at once (workers, hosts): each release re-reads its holds under the engine's locks, and refunds
are leased with SKIP LOCKED, so nothing is done twice.
"""

from __future__ import annotations

from quart import Quart

from ..loops import Loop, run_while_serving
from . import service


def init_app(app: Quart, interval: float) -> None:
    async def sweep() -> bool:
        async with app.app_context():
            released = await service.expire_due_holds()
            await service.send_due_refunds()
        return released >= service.SWEEP_BATCH  # a full batch: more are due, go again at once

    run_while_serving(app, Loop("travelgo-sweeper", sweep, interval))
