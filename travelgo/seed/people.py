"""The admin, the sample travellers with known passwords, and the background travellers."""

from __future__ import annotations

import secrets

from ..passwords import hash_password
from .data import ADMIN_EMAIL, FIRST_NAMES, LAST_NAMES, SAMPLE_TRAVELLERS
from .loading import insert_rows


class People:
    """Users: the admin, the sample travellers and the owners of background bookings."""

    # --- people ---------------------------------------------------------------------------------
    async def _users(self, cur, admin_password: str) -> None:
        rows = [(1, ADMIN_EMAIL, await hash_password(admin_password), "TravelGo Admin", None, "admin")]
        for n, (email, name, password) in enumerate(SAMPLE_TRAVELLERS, start=2):
            rows.append((n, email, await hash_password(password), name, f"+91 98200 0000{n}", "traveller"))
        # Other travellers own the background bookings; nobody knows their (random) password.
        unusable = await hash_password(secrets.token_urlsafe(24))
        for n in range(self.scale.background_users):
            first, last = self.rng.choice(FIRST_NAMES), self.rng.choice(LAST_NAMES)
            rows.append(
                (
                    len(rows) + 1,
                    f"{first.lower()}.{last.lower()}{n + 1}@travelgo.example",
                    unusable,
                    f"{first} {last}",
                    f"+91 9{self.rng.randrange(10**8, 10**9)}",
                    "traveller",
                )
            )
        await insert_rows(cur, "users", ("id", "email", "password_hash", "full_name", "phone", "role"), rows)
        self.user_emails = {row[0]: row[1] for row in rows}
        self.asha_id = 2
        self.user_ids = [row[0] for row in rows[3:]]
