"""Hotel search and hotel pages."""

from quart import Blueprint

bp = Blueprint("hotels", __name__)
