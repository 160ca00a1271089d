"""The refresher: every worker, every TRAVELGO_RECOMMEND_REFRESH_SECONDS, rebuilds the recommendation tables.

Only one worker (or host) refreshes at a time (a named lock), and a refresh younger than the interval is not
repeated, so N workers still mean one refresh per interval. The first round runs as the worker starts.
"""

from __future__ import annotations

from quart import Quart

from ..loops import Loop, run_while_serving
from . import service


def init_app(app: Quart, interval: float) -> None:
    async def refresh() -> bool:
        await service.refresh(min_age=interval * 0.9)
        return False

    run_while_serving(app, Loop("travelgo-recommend", refresh, interval))
