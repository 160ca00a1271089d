"""The audit trail: every admin change is written in the transaction that makes it, so both commit or neither."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any, TypeVar

import pymysql

from .. import db, events
from ..forms import Invalid
from ..partners import ownership
from ..searchcache import CATALOG_TOPIC
from . import queries

T = TypeVar("T")


def snapshot(row: dict | None, *fields: str) -> dict | None:
    """A JSON-friendly copy of a row (optionally only some fields) for before/after data."""
    if row is None:
        return None
    data = {k: row[k] for k in fields} if fields else dict(row)
    return {
        k: (str(v) if isinstance(v, Decimal) else (sorted(v) if isinstance(v, set) else v)) for k, v in data.items()
    }


async def record(
    cur,
    actor: int | None,
    action: str,
    entity: str,
    entity_id: Any,
    before: Any = None,
    after: Any = None,
    *,
    partner_id: int | None = None,
) -> None:
    """Write one audit entry on the caller's transaction cursor (never commits).

    The entry names the business the change was for: `partner_id` when given, otherwise the business owning the
    row (travelgo.partners.ownership), so an admin's change to a partner's hotel is on that partner's trail too.
    Every admin change passes here, so this is also where the change is announced to every worker's search
    cache (a catalog event: new trips, prices, hotels and room types change what searches answer)."""
    if partner_id is None:
        partner_id = await ownership.owner_of(cur, entity, entity_id)
    await queries.insert_audit(
        cur,
        user_id=actor,
        partner_id=partner_id,
        action=action,
        entity=entity,
        entity_id=str(entity_id),
        before=before,
        after=after,
    )
    await events.publish(cur, CATALOG_TOPIC, "changed", {"entity": entity, "action": action})


async def unique_change(work: Callable[[Any], Awaitable[T]], field: str, message: str) -> T:
    """Run a change (`work(cur)`, its audit entry included) in one transaction; a duplicate key (a name or code
    saved at the same moment, or that the form's check let through) is `message` on `field` (422), not a 500."""
    try:
        return await db.run_in_transaction(work)
    except pymysql.err.IntegrityError as exc:
        if db.error_code(exc) == db.DUPLICATE_KEY:
            raise Invalid({field: message}) from exc
        raise
