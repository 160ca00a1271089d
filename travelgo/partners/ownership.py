"""Which business owns a row: the one place the partner scope is turned into SQL.

Every kind of row a partner can reach is one `Owned` entry: where its rows come from and which column names their
business. Lists filter with `where()`, single rows are checked with `require()` or read and checked at once with
`require_row()` (a row of another business reads exactly like a missing one: NotFound, 404), and bookings belong to
a business through the columns in BOOKING_LINKS. A new kind of inventory (restaurants, their tables) is one entry
here and one link.

`scope` is a PartnerScope or None; None is the platform admin, who reaches every row.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from ..forms import NotFound

PARAM = "scope_partner"  # the SQL parameter every clause below uses for the business id


class HasPartner(Protocol):
    partner_id: int


@dataclass(frozen=True)
class Owned:
    noun: str  # NotFound(noun) → "That room type does not exist."
    source: str  # FROM … JOIN … that reaches the business column
    id_column: str
    partner_column: str

    def ids_sql(self) -> str:
        """The ids of this kind that the business `%(scope_partner)s` owns."""
        return f"SELECT {self.id_column} {self.source} WHERE {self.partner_column} = %({PARAM})s"

    def owner_sql(self) -> str:
        """The business (or NULL) owning the row `%(id)s`."""
        return f"SELECT {self.partner_column} AS partner_id {self.source} WHERE {self.id_column} = %(id)s"


OWNED: dict[str, Owned] = {
    "operator": Owned("operator", "FROM operators own_o", "own_o.id", "own_o.partner_id"),
    "vehicle": Owned(
        "vehicle", "FROM vehicles own_v JOIN operators own_o ON own_o.id = own_v.operator_id", "own_v.id",
        "own_o.partner_id",
    ),
    "trip": Owned(
        "trip", "FROM trips own_t JOIN operators own_o ON own_o.id = own_t.operator_id", "own_t.id",
        "own_o.partner_id",
    ),
    "route": Owned(  # trains and flights (travelgo/segments); their runs are trips, owned through trips.operator_id
        "route", "FROM routes own_ro JOIN operators own_o ON own_o.id = own_ro.operator_id", "own_ro.id",
        "own_o.partner_id",
    ),
    "hotel": Owned("hotel", "FROM hotels own_h", "own_h.id", "own_h.partner_id"),
    "room_type": Owned(
        "room type", "FROM room_types own_rt JOIN hotels own_h ON own_h.id = own_rt.hotel_id", "own_rt.id",
        "own_h.partner_id",
    ),
    "restaurant": Owned("restaurant", "FROM restaurants own_r", "own_r.id", "own_r.partner_id"),
    "restaurant_table": Owned(
        "table", "FROM restaurant_tables own_tb JOIN restaurants own_r ON own_r.id = own_tb.restaurant_id",
        "own_tb.id", "own_r.partner_id",
    ),
}  # fmt: skip

# bookings.<column> → the kind of row it points at: a booking belongs to the business owning that row (a train or
# flight booking's trip_id is a run of a route, so it belongs to the route's operator's business like a bus's).
BOOKING_LINKS: tuple[tuple[str, str], ...] = (
    ("trip_id", "trip"),
    ("room_type_id", "room_type"),
    ("restaurant_id", "restaurant"),
)


def where(scope: HasPartner | None, entity: str, column: str) -> tuple[str, dict[str, Any]]:
    """A WHERE condition keeping only the rows of `column` (an id of `entity`) the scope may see."""
    if scope is None:
        return "1 = 1", {}
    return f"{column} IN ({OWNED[entity].ids_sql()})", {PARAM: scope.partner_id}


def where_booking(scope: HasPartner | None, alias: str = "b") -> tuple[str, dict[str, Any]]:
    """A WHERE condition keeping only the bookings (table alias `alias`) of the scope's business."""
    if scope is None:
        return "1 = 1", {}
    links = " OR ".join(f"{alias}.{column} IN ({OWNED[entity].ids_sql()})" for column, entity in BOOKING_LINKS)
    return f"({links})", {PARAM: scope.partner_id}


def _noun(entity: str) -> str:
    return OWNED[entity].noun if entity in OWNED else entity


async def require(cur, scope: HasPartner | None, entity: str, item_id: Any) -> None:
    """NotFound unless the scope may reach this row (an admin reaches every row; existence is the caller's check)."""
    if scope is None:
        return
    if await owner_of(cur, entity, item_id) != scope.partner_id:
        raise NotFound(_noun(entity))


async def require_row(
    cur, scope: HasPartner | None, entity: str, item_id: Any, select: Callable[..., Awaitable[dict | None]], **kw: Any
) -> dict:
    """The row `select(cur, item_id, **kw)` reads (a lock_ or select_ query), once the scope may reach it: another
    business's row and a missing one are the same NotFound."""
    await require(cur, scope, entity, item_id)
    row = await select(cur, item_id, **kw)
    if row is None:
        raise NotFound(_noun(entity))
    return row


async def select_owned_kinds(cur, partner_id: int, kinds: tuple[str, ...]) -> frozenset[str]:
    """Which of `kinds` (OWNED keys) the business owns at least one row of, in one query."""
    columns = ", ".join(f"EXISTS({OWNED[kind].ids_sql()}) AS `{kind}`" for kind in kinds)
    await cur.execute(f"SELECT {columns}", {PARAM: partner_id})
    row = await cur.fetchone()
    return frozenset(kind for kind in kinds if row[kind])


async def booking_partner(cur, booking_id: int) -> int | None:
    """The business a booking (by id) is with, or None."""
    await cur.execute("SELECT reference FROM bookings WHERE id = %(id)s", {"id": booking_id})
    row = await cur.fetchone()
    return await owner_of(cur, "booking", row["reference"]) if row else None


async def owner_of(cur, entity: str, item_id: Any) -> int | None:
    """The business owning a row (None: the platform, or no such row). `booking` rows are named by reference."""
    if entity == "booking":
        columns = ", ".join(column for column, _ in BOOKING_LINKS)
        await cur.execute(f"SELECT {columns} FROM bookings WHERE reference = %(r)s", {"r": str(item_id).upper()})
        row = await cur.fetchone()
        for column, linked in BOOKING_LINKS:
            if row and row[column] is not None:
                return await owner_of(cur, linked, row[column])
        return None
    if entity not in OWNED:
        return None
    await cur.execute(OWNED[entity].owner_sql(), {"id": item_id})
    row = await cur.fetchone()
    return row["partner_id"] if row else None
