"""Services called directly by tests run inside the test app's context, as a request or the sweeper runs them.

(A context pushed for a whole test would be shared by the test client's requests, and Quart would carry `g` and
the signed-in user from one request to the next; so each direct call gets its own.)
"""

from __future__ import annotations

import functools
import inspect
from types import ModuleType

from travelgo.bookings import engine as _engine
from travelgo.bookings import service as _service
from travelgo.checkout import service as _checkout
from travelgo.notify import sender as _sender

from . import conftest


class InApp:
    def __init__(self, module: ModuleType) -> None:
        self._module = module

    def __getattr__(self, name: str):
        attr = getattr(self._module, name)
        if not inspect.iscoroutinefunction(attr):
            return attr

        @functools.wraps(attr)
        async def call(*args, **kwargs):
            async with conftest.APP.app_context():
                return await attr(*args, **kwargs)

        return call


service = InApp(_service)
engine = InApp(_engine)
checkout = InApp(_checkout)
notifications = InApp(_sender)
