"""The generator: one random stream, shared bookkeeping, and the order in which the parts are made."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

from ..bookings import refunds
from ..dates import local, wall_now
from .buses import Buses
from .data import (
    ADMIN_CANCEL_SHARE,
    ADMIN_REASONS,
    BOOKING_COLUMNS,
    CURRENCY,
    FIRST_NAMES,
    LAST_NAMES,
    NOT_CANCELLED,
    RANDOM_SEED,
    REFERENCE_ALPHABET,
    TIMEZONE,
    TRAVELLER_REASONS,
    Scale,
)
from .fleet import Fleet
from .history import History
from .hotels import Hotels
from .loading import insert_rows, loading
from .people import People
from .rail import Rail


def _utc(wall: datetime) -> datetime:
    """A wall-clock time of the seed cities as the naive UTC a created_at/cancelled_at column holds."""
    return local(wall, TIMEZONE).astimezone(UTC).replace(tzinfo=None)


class Generator(People, Fleet, Buses, Hotels, Rail, History):
    """The whole sample set, from one random stream in a fixed order (the same seed gives the same data)."""

    def __init__(self, scale: Scale, today: date) -> None:
        self.scale = scale
        self.today = today
        self.now = wall_now(TIMEZONE)  # the seed cities' clock: holds, departures and "past" read from it
        self.rng = random.Random(RANDOM_SEED)
        self.cancel_rng = random.Random(RANDOM_SEED + 1)  # its own stream: confirmed data stays as it was
        self.references: set[str] = set()
        self.booking_id = 0
        self.user_ids: list[int] = []
        self.user_emails: dict[int, str] = {}
        self.asha_cancelled = False

    async def run(self, admin_password: str) -> None:
        async with loading() as cur:
            await self._users(cur, admin_password)
            await self._cities(cur)
            await self._operators_and_vehicles(cur)
        self._plan_routes()
        await self._trips_and_bus_bookings()
        await self._hotels()
        await self._rail()  # trains and flights (issue 18)
        await self._history()  # last, on its own random stream: past trips and stays, their reviews, the ratings

    def _booking_user(self, key: int) -> int:
        # Asha (a documented sample login) has a couple of upcoming trips; everyone else is background.
        if key % 997 == 3 and self.rng.random() < 0.5:
            return self.asha_id
        return self.rng.choice(self.user_ids)

    def _person(self) -> str:
        return f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(LAST_NAMES)}"

    def _reference(self, rng: random.Random) -> str:
        while True:
            ref = "TG-" + "".join(rng.choice(REFERENCE_ALPHABET) for _ in range(6))
            if ref not in self.references:
                self.references.add(ref)
                return ref

    def _new_booking(
        self,
        bookings,
        user_id,
        kind,
        total_minor,
        *,
        trip_id=None,
        room_type_id=None,
        check_in=None,
        check_out=None,
        rooms=None,
        guests=None,
        guest_name=None,
        starts_at,
        ends_at,
        cancelled=False,
    ) -> int:
        self.booking_id += 1
        if cancelled:
            rng = self.cancel_rng
            created, cancellation = self._cancellation(total_minor, starts_at)
        else:
            rng = self.rng
            created = _utc(self.now - timedelta(days=rng.randint(0, 20), minutes=rng.randint(0, 1439)))
            cancellation = NOT_CANCELLED
        bookings.append(
            (
                self.booking_id,
                self._reference(rng),
                user_id,
                kind,
                "cancelled" if cancelled else "confirmed",
                total_minor,
                CURRENCY,
                self.user_emails[user_id],
                trip_id,
                room_type_id,
                check_in,
                check_out,
                rooms,
                guests,
                guest_name,
                starts_at,
                ends_at,
                created,
                *cancellation,
            )
        )
        return self.booking_id

    def _cancellation(self, total_minor: int, starts_at: datetime) -> tuple[datetime, tuple]:
        """When a cancelled booking was made and cancelled (before it started), and its refund by the policy."""
        rng = self.cancel_rng
        created = self.now - timedelta(days=rng.randint(1, 20), minutes=rng.randint(0, 1439))
        cancelled_at = created + (min(self.now, starts_at) - created) * rng.uniform(0.05, 0.95)
        if rng.random() < ADMIN_CANCEL_SHARE:  # on the traveller's behalf: always a full refund
            return _utc(created), (total_minor, rng.choice(ADMIN_REASONS), "admin", _utc(cancelled_at))
        quote = refunds.quote(
            status="confirmed",
            total_minor=total_minor,
            currency=CURRENCY,
            starts_at=local(starts_at, TIMEZONE),
            now=local(cancelled_at, TIMEZONE),
        )
        return _utc(created), (quote.amount_minor, rng.choice(TRAVELLER_REASONS), "traveller", _utc(cancelled_at))

    async def _insert_bookings(self, cur, bookings) -> None:
        await insert_rows(cur, "bookings", BOOKING_COLUMNS, bookings)
