"""JSON API: admin (routes are added to travelgo.api.bp)."""

from . import bp  # noqa: F401
