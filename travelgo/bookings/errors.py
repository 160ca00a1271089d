"""Booking outcomes a traveller can act on; routes turn them into 4xx pages and problem+json."""

from __future__ import annotations

from datetime import date, time

from ..text import natural_key


class BookingError(Exception):
    """Base class for booking outcomes a user can act on."""

    status = 400

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class NotFound(BookingError):
    """No such trip, room type or booking (HTTP 404; 422 on `field` when the API body named it)."""

    status = 404

    def __init__(self, detail: str, field: str | None = None) -> None:
        super().__init__(detail)
        self.field = field


class InvalidBooking(BookingError):
    """Input that is well-formed but wrong for this trip or room (HTTP 422); errors maps field -> message."""

    status = 422

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


class SeatsUnavailable(BookingError):
    """One or more of the chosen seats were taken by someone else (HTTP 409)."""

    status = 409

    def __init__(self, seats: list[str], trip_id: int | None = None) -> None:
        seats = sorted(seats, key=natural_key)
        noun = "Seat" if len(seats) == 1 else "Seats"
        verb = "is" if len(seats) == 1 else "are"
        super().__init__(f"{noun} {', '.join(seats)} {verb} no longer available. Please choose another seat.")
        self.seats = seats
        self.trip_id = trip_id


class TablesUnavailable(BookingError):
    """No free table (or pair of adjacent tables) seats the party for that sitting (HTTP 409)."""

    status = 409

    def __init__(self, restaurant_id: int, day: date, at: time, party_size: int) -> None:
        super().__init__(
            f"No table for {party_size} is free at {at.strftime('%H:%M')} on {day.strftime('%d %b %Y')}. "
            "Please choose another time."
        )
        self.restaurant_id = restaurant_id
        self.day = day
        self.time = at
        self.party_size = party_size


class RoomsUnavailable(BookingError):
    """Not enough rooms left on one or more nights (HTTP 409)."""

    status = 409

    def __init__(self, nights: list[date]) -> None:
        nights = sorted(nights)
        listed = ", ".join(n.isoformat() for n in nights)
        super().__init__(f"Sold out for the night{'s' if len(nights) > 1 else ''} of {listed}. Try other dates.")
        self.nights = nights


class NotEnoughSeats(BookingError):
    """The trip's counter has fewer seats left for sale than were asked for (HTTP 409), whichever seats were chosen.

    An admin may offer fewer seats than the vehicle has, so seats can be free on the map while the trip is full."""

    status = 409

    def __init__(self, seats_left: int | None, trip_id: int | None = None) -> None:
        if seats_left == 0:
            detail = "This bus is sold out. Please choose another bus."
        elif seats_left is None:
            detail = "Not enough seats are left on this bus. Please choose fewer seats or another bus."
        else:
            detail = (
                f"Only {seats_left} seat{'s' if seats_left > 1 else ''} {'are' if seats_left > 1 else 'is'} left "
                "on this bus. Please choose fewer seats or another bus."
            )
        super().__init__(detail)
        self.seats_left = seats_left
        self.trip_id = trip_id


class PriceChanged(BookingError):
    """The price of what was asked for is no longer the price the traveller reviewed (HTTP 409). Nothing was booked:
    they see the new total and confirm again (minor units; the total is read from the locked inventory rows)."""

    status = 409

    def __init__(self, expected_minor: int, total_minor: int, currency: str) -> None:
        from ..templating import money  # here, not at the top: templating imports the bookings package

        super().__init__(
            f"The price has changed since you reviewed it: {money(expected_minor, currency)} then, "
            f"{money(total_minor, currency)} now. Check the new total and confirm again to book at it."
        )
        self.expected_minor = expected_minor
        self.total_minor = total_minor
        self.currency = currency


class NotBookable(BookingError):
    """The trip is cancelled or has departed (HTTP 409)."""

    status = 409


class NotCancellable(BookingError):
    status = 409


class TooManyHolds(BookingError):
    """The traveller already has as many unpaid holds open as allowed (HTTP 409)."""

    status = 409


class NotPayable(BookingError):
    """The booking cannot be paid now (HTTP 409): already paid, cancelled, or its hold ran out."""

    status = 409


class ItemsUnavailable(BookingError):
    """Some units of a multi-unit hold (an itinerary's checkout) cannot be held: nothing was (HTTP 409). `failures`
    pairs each failing unit's index with its own error (seats taken, sold out, price changed, ...)."""

    status = 409

    def __init__(self, failures: list[tuple[int, BookingError]]) -> None:
        super().__init__(" ".join(f"Item {i + 1}: {exc.detail}" for i, exc in failures))
        self.failures = failures
