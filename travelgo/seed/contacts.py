"""Sample contact numbers for operators, hotels and restaurants (the e-ticket and voucher show them)."""

from __future__ import annotations

from .. import db


async def add_phones() -> None:
    """Give each operator, hotel and restaurant an Indian number, made from its id (the same on every seed)."""
    async with db.transaction() as cur:
        for table, prefix in (("operators", "+91 80 4"), ("hotels", "+91 22 6"), ("restaurants", "+91 44 2")):
            await cur.execute(
                f"""
                UPDATE {table}
                   SET contact_phone = CONCAT(%(prefix)s, LPAD(MOD(id * 7919, 1000), 3, '0'), ' ',
                                              LPAD(MOD(id * 104729, 10000), 4, '0'))
                 WHERE contact_phone IS NULL
                """,
                {"prefix": prefix},
            )
