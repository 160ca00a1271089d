"""The audit trail: every admin change is written in the transaction that makes it, so both commit or neither."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from .. import events
from ..searchcache import CATALOG_TOPIC
from . import queries


def snapshot(row: dict | None, *fields: str) -> dict | None:
    """A JSON-friendly copy of a row (optionally only some fields) for before/after data."""
    if row is None:
        return None
    data = {k: row[k] for k in fields} if fields else dict(row)
    return {
        k: (str(v) if isinstance(v, Decimal) else (sorted(v) if isinstance(v, set) else v)) for k, v in data.items()
    }


async def record(
    cur, actor: int | None, action: str, entity: str, entity_id: Any, before: Any = None, after: Any = None
) -> None:
    """Write one audit entry on the caller's transaction cursor (never commits).

    Every admin change passes here, so this is also where the change is announced to every worker's search
    cache (a catalog event: new trips, prices, hotels and room types change what searches answer)."""
    await queries.insert_audit(
        cur, user_id=actor, action=action, entity=entity, entity_id=str(entity_id), before=before, after=after
    )
    await events.publish(cur, CATALOG_TOPIC, "changed", {"entity": entity, "action": action})
