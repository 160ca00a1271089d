"""The booking engine: one lifecycle for every kind of inventory (kinds.py), in one transaction each.

    create:  lock -> check -> consume -> write the booking and its items -> publish
    release: lock -> (booking still active?) -> give back -> mark the booking -> publish
    retake:  lock -> check -> consume -> hold the booking's items again -> publish   (a late payment)

Locks are taken first, in the global order of kinds.lock_order() and, within a unit, in primary-key order (pretix's
`lock_objects` rule), so every later plain read sees the previous holder's commit and no two transactions can
deadlock-loop. The booking row itself is always locked after its inventory.

No speed shortcut lives here: a queue or cache in front of the engine belongs to admission.py, which can be
switched off (the race tests run with it off, so they prove these locks and the schema's keys).
"""

from __future__ import annotations

import random
import re
import secrets
from collections.abc import Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import pymysql
from quart import current_app, has_app_context

from .. import db
from ..notify.queue import queue as notify
from ..notify.queue import queue_partner as notify_partner
from . import queries
from .errors import BookingError, ItemsUnavailable, NotFound, PriceChanged
from .kinds import KINDS, BookingColumns, Inventory, of_booking

REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud or typed from a ticket
REFERENCE_ATTEMPTS = 5
ACTIVE = ("pending_payment", "confirmed", "requested")  # statuses that hold inventory
# The traveller's first message about a new booking, by the status it starts in (kinds.BookingColumns.status).
CREATED_MESSAGE = {
    "pending_payment": "booking_held",
    "confirmed": "booking_confirmed",
    "requested": "restaurant_requested",
}


@dataclass(frozen=True)
class Locking:
    """How the engine locks. Production always uses the default; only the race-control tests set rows=False (to
    show the race is real and that the schema's keys still refuse the oversell) or an after_check hook (to count
    the requests that passed the availability check). Kept on the app (app.extensions), not in a module global."""

    rows: bool = True
    after_check: Callable[[], Awaitable[None]] | None = None


EXTENSION = "travelgo.bookings.locking"


def locking() -> Locking:
    if has_app_context():
        return current_app.extensions.get(EXTENSION) or Locking()
    return Locking()


@dataclass(frozen=True)
class NewBooking:
    """A booking to create: who, what (one inventory unit), how to reach them. Every booking starts as a
    pending_payment hold of `hold_seconds`; `max_open_holds` (None: no limit) caps the traveller's unpaid holds.
    `expected_total_minor` is the total the traveller reviewed: when given, a different price under the locks refuses
    the booking (PriceChanged) instead of charging it silently."""

    user_id: int
    unit: Inventory
    contact_email: str
    contact_phone: str | None = None
    idempotency_key: str | None = None
    hold_seconds: int = 600
    max_open_holds: int | None = None
    expected_total_minor: int | None = None


class IdempotencyRace(Exception):
    """Two requests with the same idempotency key raced past the lookup; the other one won."""


class TooManyOpenHolds(Exception):
    """Raised inside the transaction; the service turns it into errors.TooManyHolds with its wording."""


def new_reference() -> str:
    """TG- and six characters from an unambiguous alphabet (32^6 ≈ 10^9 possibilities, from a CSPRNG)."""
    return "TG-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(6))


def _duplicate_key_name(exc: BaseException) -> str:
    match = re.search(r"for key '([^']+)'", str(exc.args[1] if len(exc.args) > 1 else exc))
    return match.group(1).rsplit(".", 1)[-1] if match else ""


async def _insert_booking_row(cur, values: dict[str, Any]) -> tuple[int, str]:
    """Insert the booking under a fresh reference, drawing again on the (rare) collision: (id, reference)."""
    for attempt in range(REFERENCE_ATTEMPTS):
        reference = new_reference()
        try:
            return await queries.insert_booking(cur, {**values, "reference": reference}), reference
        except pymysql.err.MySQLError as exc:
            if db.error_code(exc) != db.DUPLICATE_KEY:
                raise
            key = _duplicate_key_name(exc)
            if key == "uq_bookings_idempotency":
                raise IdempotencyRace() from exc
            if key != "uq_bookings_reference" or attempt == REFERENCE_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


@dataclass(frozen=True)
class Created:
    """What create() wrote (created=False: the idempotency key's earlier booking, of which only the id is known)."""

    booking_id: int
    created: bool
    reference: str | None = None
    total_minor: int | None = None
    currency: str | None = None
    status: str = "pending_payment"  # what it started as: only a pending_payment hold needs a payment order


async def create(new: NewBooking) -> Created:
    """Create a booking in one transaction; a repeated idempotency key finds the original instead."""
    return await db.run_in_transaction(_create, new, locking())


async def _create(cur, new: NewBooking, how: Locking) -> Created:
    try:
        return (await _create_all(cur, [new], how))[0]
    except ItemsUnavailable as exc:  # one unit: its own error, as it always was
        raise exc.failures[0][1] from None


After = Callable[[Any, list[Created]], Awaitable[None]]


async def create_all(news: list[NewBooking], after: After | None = None) -> list[Created]:
    """Hold several units for one traveller in ONE transaction, one booking each, all or nothing (an itinerary).

    Every unit's locks are taken first, sorted by lock_order() (the global order), then every unit is checked; if
    any is unavailable nothing is written and ItemsUnavailable names each failing unit by its index in `news`.
    `after(cur, created)` runs last in the same transaction (the caller links the bookings and queues its message);
    no per-booking "held" message is queued, the caller sends one for the whole set."""
    return await db.run_in_transaction(_create_all, news, locking(), after)


async def _create_all(cur, news: list[NewBooking], how: Locking, after: After | None = None) -> list[Created]:
    if not news:
        raise ValueError("nothing to hold")
    user_id, single = news[0].user_id, len(news) == 1
    if any(n.user_id != user_id for n in news) or (not single and any(n.idempotency_key for n in news)):
        raise ValueError("one traveller; idempotency keys only for a single booking")
    limit = news[0].max_open_holds
    account = None
    if limit is not None:
        # The traveller's row first (rank 0, before any inventory): two holds of one traveller queue here, so the
        # count below is exact. A locking read, like every lock: the snapshot starts at the first plain read.
        account = await queries.lock_user(cur, user_id)
    # 1. Lock, every unit in the global order (so two multi-unit holds queue, never deadlock-loop).
    order = sorted(range(len(news)), key=lambda i: news[i].unit.lock_order())
    for i in order:
        async with _item(i):
            await news[i].unit.lock_for_hold(cur, rows=how.rows)
    if single and news[0].idempotency_key:
        existing = await queries.select_booking_id_by_key(cur, user_id, news[0].idempotency_key)
        if existing is not None:
            return [Created(existing, False)]
    # A plain read, so after every inventory lock: the first plain read fixes the transaction's snapshot, and a
    # snapshot older than a lock would hide the previous holder's seats from check() (counting inside lock_user's
    # statement let 12 of 60 racers for one seat past the check; only the unique key stopped them). It goes to the
    # server with the check's first read and is judged before the check's answer, as if it had run first.
    open_holds = await queries.queue_open_holds(cur, user_id, limit) if limit is not None else None
    for i in order:  # the checks' plain reads, after every lock; all of it goes with the first read below
        await news[i].unit.queue_check(cur)
    # 2. Check every unit (collecting every failure, so the answer names all of them): the inventory is free, and
    # costs what the traveller was shown. The price is read from the rows just locked, the same ones consume()
    # charges, so an admin's change between review and confirm cannot slip through.
    failures: list[tuple[int, BookingError]] = []
    for i, new in enumerate(news):
        try:
            await new.unit.check(cur)
            if new.expected_total_minor is not None:
                total_minor, currency = new.unit.price()
                if total_minor != new.expected_total_minor:
                    raise PriceChanged(new.expected_total_minor, total_minor, currency)
        except BookingError as exc:
            failures.append((i, exc))
    if open_holds is not None and (await open_holds.rows(cur))[0]["n"] >= limit:
        raise TooManyOpenHolds()
    if failures:
        raise ItemsUnavailable(failures)
    if how.after_check is not None:
        await how.after_check()
    # 3. Consume, in the lock order (with the row lock off, the counters are where racers queue).
    columns: dict[int, BookingColumns] = {}
    for i in order:
        async with _item(i):
            columns[i] = await news[i].unit.consume(cur)
    # 4. Write one booking per unit, with its items.
    created = []
    for i, new in enumerate(news):
        async with _item(i):
            created.append(await _write(cur, new, columns[i]))
    # 5. Publish: the availability events, and the traveller's first message ("held: pay by", "confirmed", "request
    # sent"), both outboxes, this commit. A booking confirmed at once is news for the business too.
    for i in order:
        await news[i].unit.publish(cur)
    if after is not None:
        await after(cur, created)
    elif single:
        made = created[0]
        texts = bool((await account.rows(cur))[0]["texts"]) if account is not None else None
        await notify(
            cur,
            CREATED_MESSAGE[made.status],
            user_id=user_id,
            booking_id=made.booking_id,
            email=news[0].contact_email,
            texts=texts,
        )
        if made.status == "confirmed":
            await notify_partner(cur, "partner_new_booking", made.booking_id)
    return created


@asynccontextmanager
async def _item(index: int):
    """A unit's BookingError, named by the unit's index (the schema's refusals with the lock off arrive here)."""
    try:
        yield
    except BookingError as exc:
        raise ItemsUnavailable([(index, exc)]) from exc


async def _write(cur, new: NewBooking, columns: BookingColumns) -> Created:
    unit = new.unit
    booking_id, reference = await _insert_booking_row(
        cur,
        {
            "user_id": new.user_id,
            "type": columns.type,
            "status": columns.status,
            # A hold runs out after the engine's hold time, a request at the business's answer deadline; a booking
            # confirmed at once never does (INTERVAL NULL SECOND is NULL).
            "hold_seconds": None if columns.status == "confirmed" else (columns.hold_seconds or new.hold_seconds),
            "total_minor": columns.total_minor,
            "currency": columns.currency,
            "contact_email": new.contact_email,
            "contact_phone": new.contact_phone,
            "starts_at": columns.starts_at,
            "ends_at": columns.ends_at,
            "idempotency_key": new.idempotency_key,
            **columns.columns,
        },
    )
    await unit.write_items(cur, booking_id)
    # The next buyer's price (occupancy changed), under the same locks; this booking keeps the price it was charged.
    await unit.reprice(cur)
    return Created(booking_id, True, reference, columns.total_minor, columns.currency, columns.status)


class _DryRun(Exception):
    def __init__(self, value: Any) -> None:
        super().__init__("dry run")
        self.value = value


async def preview(new: NewBooking, read: Callable[[Any, Created], Awaitable[Any]]) -> Any:
    """What holding `new` would make right now, exactly as create() would make it (the same locks, checks and
    writes), then rolled back: `read(cur, created)` sees the booking inside the transaction. Nothing is kept.
    Raises the unit's BookingError when it could not be held now."""

    async def attempt(cur):
        created = await _create(cur, new, Locking())
        raise _DryRun(await read(cur, created))

    try:
        await db.run_in_transaction(attempt)
    except _DryRun as done:
        return done.value
    raise AssertionError("unreachable")


@dataclass(frozen=True)
class Released:
    booking_id: int
    reference: str
    type: str
    status: str  # the status the booking had before (or has, when nothing was released)
    released: bool
    seats: list[str]
    nights: list[str]


async def release(
    cur,
    booking_id: int,
    *,
    to_status: str = "cancelled",
    reason: str | None = None,
    cancelled_by: str | None = None,
    refund_minor: int = 0,
    only_if: Callable[[dict[str, Any]], bool] | None = None,
) -> Released:
    """Give a booking's inventory back inside the caller's transaction (no commit) and mark it `to_status`.

    Nothing happens when the booking no longer holds inventory (a second click, another tab, the sweeper), or when
    `only_if(locked booking row)` says no (e.g. the sweeper's "still expired")."""
    core = await queries.select_booking_core(cur, booking_id)
    if core is None:
        raise NotFound("There is no such booking.")
    unit = await of_booking(cur, core)
    await unit.lock(cur)
    row = await queries.lock_booking_state(cur, booking_id)
    if row["status"] not in ACTIVE or (only_if is not None and not only_if(row)):
        return Released(booking_id, core["reference"], core["type"], row["status"], False, [], [])
    await unit.release(cur, booking_id)
    await unit.reprice(cur)
    await queries.update_booking_released(
        cur, booking_id, status=to_status, reason=reason, cancelled_by=cancelled_by, refund_minor=refund_minor
    )
    await unit.publish(cur)
    if to_status == "cancelled" and cancelled_by is not None:
        await notify(
            cur,
            "trip_cancelled" if cancelled_by == "operator" else "booking_cancelled",
            user_id=core["user_id"],
            booking_id=booking_id,
            email=core["contact_email"],
            context={"refund_minor": refund_minor, "reason": reason, "cancelled_by": cancelled_by},
        )
    summary = unit.released_summary()
    return Released(booking_id, core["reference"], core["type"], row["status"], True, **summary)


async def retake(cur, unit: Inventory, booking_id: int) -> bool:
    """Hold a released (expired) booking's items again, if its inventory is still free. `unit` is the booking's
    (kinds.of_booking), already locked by the caller together with the booking row, in the engine's order.

    Returns False, changing nothing, when any item is gone (the caller refunds the payment)."""
    return await retake_all(cur, [(unit, booking_id)])


async def retake_all(cur, held: list[tuple[Inventory, int]]) -> bool:
    """retake() for several bookings paid together: every one is checked first, then all are taken, or none."""
    try:
        for unit, _ in held:
            await unit.check(cur)
    except BookingError:
        return False
    for unit, booking_id in sorted(held, key=lambda pair: pair[0].lock_order()):
        await unit.consume(cur)
        await unit.retake_items(cur, booking_id)
        await unit.reprice(cur)
        await unit.publish(cur)
    return True


async def expire_due_holds(limit: int = 5000) -> int:
    """Release every hold whose time ran out: status expired, inventory back, availability published once per trip
    or room type. One transaction per trip or room type, taken in a shuffled order so that sweepers running at once
    (every worker has one) mostly work on different ones; each re-checks its holds under the locks, so a hold paid
    or released by someone else meanwhile is left alone."""
    async with db.reading() as cur:
        due = await queries.select_due_holds(cur, limit)
    groups: dict[tuple[str, int], list[int]] = {}
    for row in due:
        groups.setdefault((row["type"], row["inventory_id"]), []).append(row["id"])
    order = list(groups)
    random.shuffle(order)
    released = 0
    for kind, inventory_id in order:
        ids = groups[(kind, inventory_id)]
        expired = await db.run_in_transaction(KINDS[kind].expire_holds, inventory_id, ids)
        released += len(expired)
    return released
