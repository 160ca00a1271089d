"""Booking forms, My bookings, cancellation."""

from quart import Blueprint

bp = Blueprint("bookings", __name__)
