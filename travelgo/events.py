"""Outbox events: written inside the transaction that changed inventory, fanned out to SSE clients.

publish() is the only way to write an event, so a change and its notification commit or vanish together.
"""

from __future__ import annotations

import json
from typing import Any

from quart import Quart


async def publish(cur, topic: str, kind: str, payload: dict[str, Any]) -> None:
    """Insert an outbox event on the caller's transaction cursor (never commits)."""
    await cur.execute(
        "INSERT INTO events (topic, kind, payload) VALUES (%(topic)s, %(kind)s, %(payload)s)",
        {"topic": topic, "kind": kind, "payload": json.dumps(payload, default=str)},
    )


async def start(app: Quart) -> None:
    """Start this worker's outbox poller (filled in by live availability)."""


async def stop(app: Quart) -> None:
    """Stop the poller and close its connection."""
