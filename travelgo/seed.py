"""Sample data: deterministic, dates relative to today. `make seed` replaces it."""

from __future__ import annotations

from . import db
from .passwords import hash_password

SAMPLE_TRAVELLERS = [
    ("asha@travelgo.example", "Asha Traveller", "traveller-pass"),
    ("ben@travelgo.example", "Ben Traveller", "traveller-pass"),
]
ADMIN_EMAIL = "admin@travelgo.example"

# Every table, children first; emptied before seeding so `make seed` is idempotent.
ALL_TABLES = [
    "booking_nights", "booking_seats", "bookings", "events", "room_inventory", "room_types", "hotels",
    "trips", "vehicle_seats", "vehicles", "operators", "cities", "api_tokens", "password_resets",
    "audit_log", "mail_outbox", "users", "rate_limits",
]


async def is_empty() -> bool:
    async with db.reading() as cur:
        await cur.execute("SELECT EXISTS(SELECT 1 FROM cities) AS has_cities")
        return not (await cur.fetchone())["has_cities"]


async def clear_all(cur) -> None:
    await cur.execute("SET FOREIGN_KEY_CHECKS = 0")
    try:
        for table in ALL_TABLES:
            await cur.execute(f"DELETE FROM {table}")
    finally:
        await cur.execute("SET FOREIGN_KEY_CHECKS = 1")


async def seed(scale: str = "normal", admin_password: str = "admin-travelgo") -> dict[str, int]:
    """Replace all data with the sample set and return counts per table."""
    async with db.transaction() as cur:
        await clear_all(cur)
        await _users(cur, admin_password)
    return await counts()


async def _users(cur, admin_password: str) -> None:
    rows = [(ADMIN_EMAIL, await hash_password(admin_password), "TravelGo Admin", None, "admin")]
    for email, name, password in SAMPLE_TRAVELLERS:
        rows.append((email, await hash_password(password), name, "+44 20 7946 0958", "traveller"))
    await cur.executemany(
        "INSERT INTO users (email, password_hash, full_name, phone, role) VALUES (%s, %s, %s, %s, %s)", rows
    )


async def counts() -> dict[str, int]:
    result = {}
    async with db.reading() as cur:
        for table in ("users", "cities", "operators", "vehicles", "trips", "hotels", "room_types", "room_inventory", "bookings"):
            await cur.execute(f"SELECT COUNT(*) AS n FROM {table}")
            result[table] = (await cur.fetchone())["n"]
    return result
