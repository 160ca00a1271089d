"""JSON API: search (routes are added to travelgo.api.bp)."""

from . import bp  # noqa: F401
