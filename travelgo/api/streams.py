"""JSON API: streams (routes are added to travelgo.api.bp)."""

from . import bp  # noqa: F401
