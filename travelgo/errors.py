"""Error handlers: problem+json under /api, friendly pages (or fragments) elsewhere. Never a bare 500."""

from __future__ import annotations

import logging

from quart import Quart, g, request
from quart_schema import RequestSchemaValidationError
from werkzeug.exceptions import HTTPException

from . import db
from .problems import Problem, validation_errors
from .web import render, wants_fragment

log = logging.getLogger(__name__)

MESSAGES = {
    400: "The request could not be understood.",
    403: "You do not have access to this page.",
    404: "We could not find that page.",
    405: "That action is not allowed here.",
    413: "The request is too large (at most about 1 MB, and 200 fields in a form).",
    429: "Too many attempts. Please wait a moment and try again.",
    503: "TravelGo is busy right now. Please try again in a moment.",
}


def _is_api() -> bool:
    return request.path.startswith("/api/")


async def _html_error(status: int, message: str | None = None, headers: dict | None = None):
    message = message or MESSAGES.get(status, "Something went wrong on our side. Please try again.")
    response = await render("errors/error.html", block="content", status=status, status_code=status, message=message)
    if wants_fragment():
        # htmx swaps only 2xx by default; retarget errors into the page's message area.
        response.headers["HX-Retarget"] = "#messages"
        response.headers["HX-Reswap"] = "innerHTML"
    response.headers.update(headers or {})
    return response


def _no_user_lookup() -> None:
    """The error page must not wait for the database again to show who is logged in (it renders logged out)."""
    if not getattr(g, "current_user_loaded", False):
        g.current_user, g.current_user_loaded = None, True


def init_app(app: Quart) -> None:
    @app.errorhandler(Problem)
    async def problem(exc: Problem):
        if _is_api():
            return exc.to_response()
        return await _html_error(exc.status, exc.detail, exc.headers)

    @app.errorhandler(RequestSchemaValidationError)
    async def schema_validation(exc: RequestSchemaValidationError):
        errors = validation_errors(exc.validation_error) if hasattr(exc.validation_error, "errors") else []
        detail = "; ".join(f"{e['field']}: {e['msg']}" for e in errors) or "The request is not valid."
        return Problem(422, "Invalid input", detail, errors=errors).to_response()

    @app.errorhandler(HTTPException)
    async def http_error(exc: HTTPException):
        status = exc.code or 500
        description = exc.description if status in (403, 404, 422, 429) and exc.description else None
        # The exception's own headers (a 405's Allow: the methods the URL takes), not its HTML content type.
        headers = {name: value for name, value in exc.get_headers() if name.lower() != "content-type"}
        if _is_api():
            return Problem(status, detail=description or MESSAGES.get(status), headers=headers).to_response()
        generic = (
            status == 413 or exc.description and exc.description.startswith(("The requested URL", "You don't have"))
        )
        return await _html_error(status, None if generic else description, headers)

    @app.errorhandler(UnicodeDecodeError)
    async def undecodable(exc: UnicodeDecodeError):
        # A body that is not UTF-8 (quart decodes before parsing JSON or a form): bad input, not our failure.
        detail = "The request body is not valid UTF-8."
        if _is_api():
            return Problem(400, "Bad request", detail).to_response()
        return await _html_error(400, detail)

    @app.errorhandler(db.Busy)
    async def busy(exc: db.Busy):
        if _is_api():
            return Problem(
                503, "Busy", "The system is busy, please try again.", headers={"Retry-After": "1"}
            ).to_response()
        return await _html_error(503, "The system is busy, please try again.", {"Retry-After": "1"})

    @app.errorhandler(db.PoolExhausted)
    async def pool_exhausted(exc: db.PoolExhausted):
        log.warning("database pool exhausted: %s", exc)
        _no_user_lookup()
        return await busy(db.Busy(str(exc)))

    @app.errorhandler(db.DatabaseUnavailable)
    async def unavailable(exc: db.DatabaseUnavailable):
        log.warning("database unavailable: %s", exc)
        _no_user_lookup()
        if _is_api():
            return Problem(
                503,
                "Service unavailable",
                "The database is unavailable, please try again shortly.",
                headers={"Retry-After": "5"},
            ).to_response()
        return await _html_error(
            503, "TravelGo cannot reach its database right now. Please try again shortly.", {"Retry-After": "5"}
        )

    @app.errorhandler(Exception)
    async def unexpected(exc: Exception):
        if db.is_connection_error(exc):
            return await unavailable(db.DatabaseUnavailable(str(exc)))
        if db.error_code(exc) in db.RETRYABLE:
            # A lock conflict outside run_in_transaction (on Galera, 1213 can end any statement): busy, not a bug.
            log.warning("lock conflict on %s %s: %s", request.method, request.path, exc)
            return await busy(db.Busy(str(exc)))
        log.exception("unhandled error on %s %s", request.method, request.path)
        if _is_api():
            return Problem(500, detail="Something went wrong on our side.").to_response()
        return await _html_error(500)
