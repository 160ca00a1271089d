"""The background repricer: every worker, every TRAVELGO_PRICING_REFRESH_SECONDS, one batch of future trips and one
of room-nights are repriced under their locks (service.Refresher), so lead-time, weekday and season rules follow the
clock. Several workers may run it at once: they repeat each other's work, never undo it."""

from __future__ import annotations

from quart import Quart

from ..loops import Loop, run_while_serving
from .service import Refresher


def init_app(app: Quart, interval: float) -> None:
    refresher = Refresher()

    async def refresh() -> bool:
        async with app.app_context():
            return await refresher.round()

    run_while_serving(app, Loop("travelgo-pricing", refresh, interval))
