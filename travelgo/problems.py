"""RFC 9457 problem details for the JSON API."""

from __future__ import annotations

from typing import Any

from quart import Response, current_app

TITLES = {
    400: "Bad request",
    401: "Authentication required",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Request body too large",
    422: "Invalid input",
    429: "Too many requests",
    500: "Internal server error",
    503: "Service unavailable",
}


class Problem(Exception):
    """Raise anywhere under /api to answer with application/problem+json."""

    def __init__(
        self,
        status: int,
        title: str | None = None,
        detail: str | None = None,
        errors: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail or title)
        self.status = status
        self.title = title or TITLES.get(status, "Error")
        self.detail = detail or self.title
        self.errors = errors
        self.headers = headers or {}
        self.extra = extra

    def to_response(self) -> Response:
        body: dict[str, Any] = {
            "type": f"https://travelgo.example/problems/{self.status}",
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
        }
        if self.errors is not None:
            body["errors"] = self.errors
        body.update(self.extra)
        response = current_app.json.response(body)
        response.status_code = self.status
        response.mimetype = "application/problem+json"
        response.headers.update(self.headers)
        return response


def validation_errors(exc: Exception) -> list[dict[str, Any]]:
    """Field errors from a pydantic ValidationError as [{loc, field, msg, type}]."""
    errors = []
    for error in exc.errors(include_url=False, include_context=False, include_input=False):
        loc = [str(part) for part in error["loc"]]
        errors.append({"loc": loc, "field": ".".join(loc), "msg": error["msg"], "type": error["type"]})
    return errors
