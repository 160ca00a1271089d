"""JSON API: bookings (routes are added to travelgo.api.bp)."""

from . import bp  # noqa: F401
