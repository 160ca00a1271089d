"""This worker is stopping: the server's shutdown signal, seen before Hypercorn waits for open requests to finish.

On SIGTERM Hypercorn stops accepting, waits up to `graceful_timeout` for every open request to end, and only then
runs the app's lifespan shutdown (Quart's after_serving). A live stream never ends on its own, so without a word
before that wait every worker sat out the whole graceful timeout and then cancelled its streams mid-write.
travelgo.serve's workers call begin() the moment the shutdown signal arrives; the app registers what must end
first (its open streams), and after_serving then stops the background loops and closes the pool, in that order.

Served some other way (plain `hypercorn`, the Quart test client) nobody calls begin(): after_serving still closes
the streams, only later.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

log = logging.getLogger(__name__)

_callbacks: list[Callable[[], None]] = []
_begun = False


def on_stop(callback: Callable[[], None]) -> Callable[[], None]:
    """Run `callback` (synchronous, quick) when this worker starts stopping; returns a function that unregisters
    it. Registered after the signal, it runs at once."""
    if _begun:
        callback()
        return lambda: None
    _callbacks.append(callback)

    def remove() -> None:
        if callback in _callbacks:
            _callbacks.remove(callback)

    return remove


def begin() -> None:
    """The shutdown signal arrived: run every registered callback once (idempotent)."""
    global _begun
    if _begun:
        return
    _begun = True
    for callback in list(_callbacks):
        try:
            callback()
        except Exception:  # one failing callback must not keep the others (or the shutdown) from running
            log.exception("shutdown callback failed")
    _callbacks.clear()


def stopping() -> bool:
    return _begun
