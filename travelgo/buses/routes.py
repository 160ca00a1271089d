"""Bus search and trip pages."""

from quart import Blueprint

bp = Blueprint("buses", __name__)
