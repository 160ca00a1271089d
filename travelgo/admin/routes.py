"""Admin management pages under /admin."""

from quart import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")
