"""Live slot updates: the restaurant page's stream says `slots-changed` when a booking, cancellation or expiry on
its day commits (through the outbox, like every live update), and stays quiet about other days."""

from __future__ import annotations

from datetime import time, timedelta

from ..bookings.helpers import as_user
from ..inapp import service
from ..live.sse import InProcessStream
from .helpers import restaurant_and_user, tomorrow


async def test_a_booking_on_the_day_shown_is_announced_and_other_days_are_not(app):
    restaurant, user = await restaurant_and_user(tables=[2, 2])
    day, other_day = tomorrow(), tomorrow() + timedelta(days=1)
    path = f"/restaurants/{restaurant['id']}/live?date={day.isoformat()}"
    async with InProcessStream(app, path) as stream:
        opening = await stream.next_message()
        assert stream.status_code == 200 and opening.event == "listening"
        await service.book_table(as_user(user), restaurant["id"], other_day, time(20), 2, "Elsewhere")
        booked = await service.book_table(as_user(user), restaurant["id"], day, time(20), 2, "Asha Rao")
        message = await stream.next_message()
        assert message.event == "slots-changed" and message.data == day.isoformat()
        await service.cancel_booking(user["id"], booked["reference"])
        message = await stream.next_message()
        assert message.event == "slots-changed" and message.data == day.isoformat()
