"""Jinja filters and globals shared by every template."""

from __future__ import annotations

from datetime import date, datetime

from quart import Quart, get_flashed_messages

from .auth import browser_user
from .bookings import refunds
from .db import DatabaseUnavailable
from .money import money
from .web import csrf_token

__all__ = ["money"]  # re-exported: `from travelgo.templating import money` is the filter itself


def duration(minutes: int) -> str:
    hours, mins = divmod(int(minutes), 60)
    return f"{hours}h {mins:02d}m" if hours else f"{mins}m"


def hhmm(value: datetime) -> str:
    """14:05; an aware time says its zone (14:05 IST, 08:35 UTC): a booking's times are its city's, its stamps UTC."""
    return value.strftime("%H:%M %Z" if value.tzinfo is not None else "%H:%M")


def nice_date(value: date | datetime) -> str:
    return value.strftime("%a %d %b %Y")


def init_app(app: Quart) -> None:
    app.jinja_env.filters.update(money=money, duration=duration, hhmm=hhmm, nice_date=nice_date)
    app.jinja_env.globals.update(
        csrf_token=csrf_token, get_flashed_messages=get_flashed_messages, refund_policy=refunds.POLICY_TEXT
    )

    @app.context_processor
    async def user_context() -> dict:
        try:
            return {"user": await browser_user()}
        except DatabaseUnavailable:  # error pages must still render while the database is down
            return {"user": None}
