"""Itineraries: a traveller's plan of a trip, held whole or not at all, paid once.

An item's body is exactly a POST /api/v1/bookings body (forms.BookingCreate), turned into its inventory unit by the
bookings service's one mapping (bookings.service.unit_of), so every kind the engine sells plugs in here unchanged.
Adding an item holds nothing: the engine's preview (a create rolled back) checks it against live inventory and says
what it would be (title, times, price). Checkout holds every item not yet held in ONE transaction
(engine.create_all: every lock in the global order, all or nothing), links the bookings to one checkout and opens
one payment for the total through the existing checkout; each booking keeps its reference, ticket and refund.
"""

from __future__ import annotations

import json
from datetime import UTC
from typing import Any

from pydantic import ValidationError
from quart import current_app

from .. import db
from ..bookings import engine
from ..bookings import service as bookings
from ..bookings.errors import BookingError, InvalidBooking, ItemsUnavailable, NotCancellable, TooManyHolds
from ..bookings.forms import BookingCreate
from ..checkout import service as checkout
from ..dates import HOME_ZONE, utc, zone
from ..notify.queue import queue as notify
from . import planner, queries

HELD = ("pending_payment", "confirmed")  # an item with a booking in one of these is held; others can be held again
LIST_LIMIT = 100


class ItineraryNotFound(BookingError):
    status = 404

    def __init__(self) -> None:
        super().__init__("There is no such itinerary.")


class ItemNotFound(BookingError):
    status = 404

    def __init__(self) -> None:
        super().__init__("There is no such item in this itinerary.")


class ItemHeld(BookingError):
    """The item's booking is held or paid: cancel the booking, not the plan (HTTP 409)."""

    status = 409


class NothingToCheckOut(BookingError):
    status = 409


class CheckoutChanged(BookingError):
    """Another checkout of the same itinerary (a second tab) held these items first (HTTP 409)."""

    status = 409


class TripUnavailable(BookingError):
    """Some items cannot be held now; nothing was (HTTP 409). `items`: one entry per failing item, with the reason
    and alternatives where there are some."""

    status = 409

    def __init__(self, items: list[dict[str, Any]]) -> None:
        names = "; ".join(f"{i['title']}: {i['detail']}" for i in items)
        super().__init__(f"Nothing was held: {names}")
        self.items = items


# --- itineraries -------------------------------------------------------------------------------------------------


async def create_itinerary(user_id: int, name: str, notes: str | None = None) -> dict[str, Any]:
    """A new, empty itinerary of the user's."""
    async with db.transaction() as cur:
        itinerary_id = await queries.insert_itinerary(cur, user_id, name, notes)
    return await get_itinerary(user_id, itinerary_id)


async def update_itinerary(user_id: int, itinerary_id: int, name: str, notes: str | None) -> dict[str, Any]:
    async with db.transaction() as cur:
        if await queries.lock_itinerary(cur, user_id, itinerary_id) is None:
            raise ItineraryNotFound()
        await queries.update_itinerary(cur, itinerary_id, name, notes)
    return await get_itinerary(user_id, itinerary_id)


async def list_itineraries(user_id: int, limit: int = LIST_LIMIT, offset: int = 0) -> dict[str, Any]:
    """The user's itineraries, newest first, and how many there are."""
    async with db.reading() as cur:
        rows = await queries.select_itineraries(cur, user_id, limit, offset)
        total = await queries.select_itinerary_count(cur, user_id)
    items = [
        {
            **_stamped(row),
            "starts_at": utc(row["starts_at"]),
            "ends_at": utc(row["ends_at"]),
        }
        for row in rows
    ]
    return {"items": items, "total": total}


async def get_itinerary(user_id: int, itinerary_id: int) -> dict[str, Any]:
    """The user's itinerary with its items in time order, their bookings' state, the day-by-day plan, the planner's
    warnings and suggestions, and its latest checkout (raises ItineraryNotFound for another user's)."""
    async with db.reading() as cur:
        row = await queries.select_itinerary(cur, user_id, itinerary_id)
        if row is None:
            raise ItineraryNotFound()
        items = [_item(r) for r in await queries.select_items(cur, itinerary_id)]
        latest = await queries.select_latest_checkout(cur, itinerary_id)
        settings = current_app.config["TRAVELGO"]
        suggested = await planner.suggestions(cur, items, settings.connection_buffer_minutes)
        payment = None
        if latest is not None:
            payment_view, _ = await checkout.payment_state(cur, {"id": latest["lead_booking_id"],
                                                                 "reference": latest["lead_reference"]})  # fmt: skip
            payment = _payment_out(payment_view)
    totals: dict[str, int] = {}
    for item in items:
        if item["status"] != "cancelled":
            totals[item["currency"]] = totals.get(item["currency"], 0) + item["total_minor"]
    return {
        **_stamped(row),
        "items": items,
        "totals": [{"currency": c, "total_minor": t} for c, t in sorted(totals.items())],
        "days": planner.days(items),
        "warnings": planner.warnings(items, settings.connection_buffer_minutes),
        "suggestions": suggested,
        "checkout": {**_stamped(latest), "payment": payment} if latest else None,
    }


async def delete_itinerary(user_id: int, itinerary_id: int) -> None:
    """Delete a plan that was never checked out (one that was is kept with its bookings)."""
    async with db.transaction() as cur:
        if await queries.lock_itinerary(cur, user_id, itinerary_id) is None:
            raise ItineraryNotFound()
        if await queries.select_latest_checkout(cur, itinerary_id) is not None:
            # Its bookings (held, paid, expired or cancelled) point to its checkouts: the records stay together.
            raise ItemHeld("This trip has been checked out, so it is kept with its bookings.")
        await queries.delete_itinerary(cur, itinerary_id)


def _stamped(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "created_at": utc(row.get("created_at")), "updated_at": utc(row.get("updated_at"))}


def _item(row: dict[str, Any]) -> dict[str, Any]:
    """An item row as pages and the API show it: times aware in their cities' zones, the body parsed, a status
    (planned until a checkout holds it, then its booking's)."""
    body = json.loads(row["body"])
    return {
        "id": row["id"],
        "position": row["position"],
        "type": row["type"],
        "body": body,
        "title": row["title"],
        "starts_at": utc(row["starts_at"]).astimezone(zone(row["start_zone"])),
        "ends_at": utc(row["ends_at"]).astimezone(zone(row["end_zone"])),
        "start_zone": row["start_zone"],
        "end_zone": row["end_zone"],
        "from_city_id": row["from_city_id"],
        "to_city_id": row["to_city_id"],
        "from_city": row["from_city"],
        "to_city": row["to_city"],
        "location": row["location"],
        "total_minor": row["booking_total_minor"] if row["booking_id"] else row["total_minor"],
        "currency": row["currency"],
        "status": row["booking_status"] if row["booking_id"] else "planned",
        "booking_reference": row["reference"],
        "booking_id": row["booking_id"],
        "checkout_id": row["itinerary_checkout_id"],
        "expires_at": utc(row["expires_at"]),
        "refund_minor": row["refund_minor"],
        "created_at": utc(row["created_at"]),
    }


# --- items -----------------------------------------------------------------------------------------------------


def parse_body(body: dict[str, Any]) -> Any:
    """A stored or sent item body as its booking model (forms.BookingCreate's member for its type)."""
    return BookingCreate.model_validate(body).root


async def add_item(user: Any, itinerary_id: int, body: Any) -> dict[str, Any]:
    """Add a booking body (a validated BookingCreate member) to the plan. Nothing is held: the engine's preview
    checks it against live inventory now (a BookingError when it could not be booked) and says what it would be."""
    user_id, email, phone = _contact(user, body)
    async with db.reading() as cur:
        if await queries.select_itinerary(cur, user_id, itinerary_id) is None:
            raise ItineraryNotFound()
    unit = await bookings.unit_of(body)
    new = engine.NewBooking(user_id, unit, email, phone, expected_total_minor=body.expected_total_minor)

    async def describe(cur, made: engine.Created) -> dict[str, Any]:
        detail = await bookings._detail(cur, made.booking_id, unit)  # the unit names its kind: one read of its row
        from_city, to_city = await queries.select_item_cities(cur, made.booking_id)
        return {
            "type": detail["type"],
            "title": detail.get("title") or detail["type"].title(),
            "starts_at": detail["starts_at"].astimezone(UTC).replace(tzinfo=None),
            "ends_at": detail["ends_at"].astimezone(UTC).replace(tzinfo=None),
            "start_zone": detail.get("timezone") or HOME_ZONE,
            "end_zone": detail.get("end_timezone") or detail.get("timezone") or HOME_ZONE,
            "from_city_id": from_city,
            "to_city_id": to_city,
            "location": planner.location(detail),
            "total_minor": detail["total_minor"],
            "currency": detail["currency"],
        }

    described = await engine.preview(new, describe)
    stored = body.model_dump(mode="json", exclude_none=True)
    async with db.transaction() as cur:
        if await queries.lock_itinerary(cur, user_id, itinerary_id) is None:
            raise ItineraryNotFound()
        position = await queries.select_next_position(cur, itinerary_id)
        item_id = await queries.insert_item(
            cur, {**described, "itinerary_id": itinerary_id, "position": position, "body": json.dumps(stored)}
        )
        await cur.execute("UPDATE itineraries SET updated_at = UTC_TIMESTAMP(6) WHERE id = %(id)s",
                          {"id": itinerary_id})  # fmt: skip
    return await get_item(user_id, itinerary_id, item_id)


async def get_item(user_id: int, itinerary_id: int, item_id: int) -> dict[str, Any]:
    async with db.reading() as cur:
        if await queries.select_itinerary(cur, user_id, itinerary_id) is None:
            raise ItineraryNotFound()
        row = await queries.select_item(cur, itinerary_id, item_id)
    if row is None:
        raise ItemNotFound()
    return _item(row)


async def delete_item(user_id: int, itinerary_id: int, item_id: int) -> None:
    """Take an item out of the plan (not one that is held or paid: cancel its booking first)."""
    async with db.transaction() as cur:
        if await queries.lock_itinerary(cur, user_id, itinerary_id) is None:
            raise ItineraryNotFound()
        row = await queries.select_item(cur, itinerary_id, item_id)
        if row is None:
            raise ItemNotFound()
        if row["booking_status"] in HELD:
            raise ItemHeld(f"{row['title']} is booked ({row['reference']}): cancel the booking first.")
        await queries.delete_item(cur, itinerary_id, item_id)


def _contact(user: Any, body: Any) -> tuple[int, str, str | None]:
    user_id, user_email, user_phone = bookings._user_fields(user)
    email = getattr(body, "contact_email", None) or user_email
    if not email:
        raise InvalidBooking({"contact_email": "Enter a contact email"})
    return user_id, email, getattr(body, "contact_phone", None) or user_phone


# --- checkout --------------------------------------------------------------------------------------------------


async def checkout_itinerary(user: Any, itinerary_id: int) -> dict[str, Any]:
    """Hold every item not yet held in ONE transaction, all or nothing, and open one payment for the total.

    Raises TripUnavailable (409) naming each item that cannot be held, with alternatives; nothing is held then."""
    user_id = bookings._user_fields(user)[0]
    async with db.reading() as cur:
        itinerary = await queries.select_itinerary(cur, user_id, itinerary_id)
        if itinerary is None:
            raise ItineraryNotFound()
        rows = await queries.select_items(cur, itinerary_id)
    to_hold = [r for r in rows if r["booking_status"] not in HELD]
    if not to_hold:
        raise NothingToCheckOut("Every item of this itinerary is already held or paid." if rows else
                                "This itinerary has no items yet.")  # fmt: skip
    settings = current_app.config["TRAVELGO"]
    news, failures = [], []
    for index, row in enumerate(to_hold):
        try:
            body = parse_body(json.loads(row["body"]))
            _, email, phone = _contact(user, body)
            news.append(
                engine.NewBooking(
                    user_id,
                    await bookings.unit_of(body),
                    email,
                    phone,
                    hold_seconds=settings.hold_seconds,
                    max_open_holds=settings.max_open_holds,
                    expected_total_minor=body.expected_total_minor,
                )
            )
        except (BookingError, ValidationError) as exc:
            failures.append((index, exc if isinstance(exc, BookingError) else InvalidBooking({"body": str(exc)})))
    if failures:
        raise await _unavailable(to_hold, failures)

    async def link(cur, created: list[engine.Created]) -> None:
        """In the hold's transaction: one checkout row, every booking linked to it and to its item, one message."""
        currencies = {c.currency for c in created}
        if len(currencies) > 1:
            raise InvalidBooking({"items": "Every item of one checkout must be priced in one currency."})
        lead = created[0]
        total = sum(c.total_minor for c in created)
        checkout_id = await queries.insert_checkout(cur, itinerary_id, user_id, lead.booking_id, total, lead.currency)
        await queries.update_bookings_checkout(cur, [c.booking_id for c in created], checkout_id)
        for row, made in zip(to_hold, created, strict=True):
            if not await queries.update_item_booking(cur, row["id"], made.booking_id, row["booking_id"]):
                raise CheckoutChanged("This itinerary was just checked out elsewhere: reload it.")
        items = [{"reference": c.reference, "title": r["title"], "total_minor": c.total_minor}
                 for r, c in zip(to_hold, created, strict=True)]  # fmt: skip
        await notify(
            cur,
            "itinerary_held",
            user_id=user_id,
            booking_id=lead.booking_id,
            email=news[0].contact_email,
            context={"itinerary_id": itinerary_id, "name": itinerary["name"], "items": items,
                     "total_minor": total, "currency": lead.currency},
        )  # fmt: skip

    try:
        created = await engine.create_all(news, after=link)
    except ItemsUnavailable as exc:
        raise await _unavailable(to_hold, exc.failures) from exc
    except engine.TooManyOpenHolds:
        n = settings.max_open_holds
        raise TooManyHolds(
            f"You already have {n} booking{'s' if n > 1 else ''} awaiting payment. "
            "Pay for or cancel one of them before holding another."
        ) from None
    lead = created[0]
    total = sum(c.total_minor for c in created)
    # One provider order for the whole trip, on the lead booking (if the provider refuses, every hold is let go).
    await checkout.open_order(engine.Created(lead.booking_id, True, lead.reference, total, lead.currency))
    return await checkout_state(user_id, itinerary_id)


async def checkout_state(user_id: int, itinerary_id: int) -> dict[str, Any]:
    """The itinerary's latest checkout: its bookings (as GET /api/v1/bookings/{reference} shows them), the payment
    and the status of the whole (pending_payment, confirmed, or mixed once items are cancelled or expired)."""
    async with db.reading() as cur:
        if await queries.select_itinerary(cur, user_id, itinerary_id) is None:
            raise ItineraryNotFound()
        latest = await queries.select_latest_checkout(cur, itinerary_id)
        if latest is None:
            raise NothingToCheckOut("This itinerary has not been checked out yet.")
        ids = await queries.select_checkout_bookings(cur, latest["id"])
    read = await bookings.booking_details(ids)
    held = [read.get(b) for b in ids]
    statuses = {b["status"] for b in held}
    return {
        "id": latest["id"],
        "itinerary_id": itinerary_id,
        "status": statuses.pop() if len(statuses) == 1 else "mixed",
        "total_minor": latest["total_minor"],
        "currency": latest["currency"],
        "lead_reference": latest["lead_reference"],
        "expires_at": min((b["expires_at"] for b in held if b.get("expires_at")), default=None),
        "bookings": held,
        "payment": _payment_out(held[0]["payment"] if held else None),
    }


async def payment_page(checkout_id: int) -> str:
    """The page where a checkout's one payment is made and its result shown."""
    async with db.reading() as cur:
        found = await queries.select_checkout(cur, checkout_id)
    return f"/itineraries/{found['itinerary_id']}/pay"


async def checkout_bookings(checkout_id: int) -> list[dict[str, Any]]:
    """Every booking of one checkout, as its pages show it (for the trip's one message)."""
    async with db.reading() as cur:
        ids = await queries.select_checkout_bookings(cur, checkout_id)
    read = await bookings.booking_details(ids)
    return [read.get(b) for b in ids]


def _payment_out(payment: Any) -> dict[str, Any] | None:
    if payment is None:
        return None
    return {k: payment[k] for k in ("provider", "order_id", "amount_minor", "currency", "status", "checkout_url")}


async def _unavailable(rows: list[dict[str, Any]], failures: list[tuple[int, Any]]) -> TripUnavailable:
    """The answer naming each item that cannot be held, with alternatives where the planner finds some."""
    items = []
    async with db.reading() as cur:
        for index, exc in failures:
            row = rows[index]
            out = {
                "item_id": row["id"],
                "position": row["position"],
                "type": row["type"],
                "title": row["title"],
                "detail": exc.detail,
                "alternatives": await planner.alternatives(cur, row),
            }
            for key in ("seats", "nights", "seats_left", "total_minor"):
                value = getattr(exc, key, None)
                if value is not None:
                    out[{"seats": "unavailable_seats", "nights": "unavailable_nights"}.get(key, key)] = value
            items.append(out)
    return TripUnavailable(items)


# --- cancelling ------------------------------------------------------------------------------------------------


async def cancel_trip(user_id: int, itinerary_id: int, reason: str | None = None) -> list[dict[str, Any]]:
    """Cancel every held or paid booking of the itinerary in one transaction, each with its own refund."""
    async with db.reading() as cur:
        if await queries.select_itinerary(cur, user_id, itinerary_id) is None:
            raise ItineraryNotFound()
        rows = await queries.select_items(cur, itinerary_id)
    references = [r["reference"] for r in rows if r["booking_status"] in HELD]
    if not references:
        raise NotCancellable("Nothing of this trip is booked.")
    return await bookings.cancel_bookings(user_id, references, reason)


async def cancel_item(user_id: int, itinerary_id: int, item_id: int, reason: str | None = None) -> dict[str, Any]:
    """Cancel one item's booking with its own refund (bookings.service.cancel_booking: an unpaid trip is
    cancelled whole)."""
    item = await get_item(user_id, itinerary_id, item_id)
    if item["status"] not in HELD:
        raise NotCancellable("This item is not booked.")
    return await bookings.cancel_booking(user_id, item["booking_reference"], reason)
