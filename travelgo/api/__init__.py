"""The versioned JSON API under /api/v1; every module here adds routes to the one blueprint."""

from __future__ import annotations

from typing import Any

import quart_schema.conversion
from pydantic import TypeAdapter
from quart import Blueprint, Quart, render_template
from quart_schema import QuartSchema, hide
from quart_schema.openapi import OpenAPIProvider

bp = Blueprint("api", __name__, url_prefix="/api/v1")


PROBLEM_SCHEMA = {
    "type": "object",
    "description": "RFC 9457 problem details; 422 adds `errors` with one entry per invalid field.",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {"type": "array", "items": {"type": "object"}},
    },
}


class ApiOnlyProvider(OpenAPIProvider):
    """Only /api routes belong in the OpenAPI document, and every operation documents its errors."""

    def generate_rules(self):
        return (rule for rule in super().generate_rules() if rule.rule.startswith("/api/"))

    def schema(self) -> dict:
        document = super().schema()
        document["components"]["schemas"]["Problem"] = PROBLEM_SCHEMA
        error = {
            "description": "Error: 401 no or bad token, 403 not allowed, 404 not found (also another user's "
            "resource), 409 conflict, 413 body over 1 MB, 422 invalid input, 429 rate limited "
            "(Retry-After), 503 busy or database unavailable (Retry-After).",
            "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for operations in document["paths"].values():
            for method, operation in operations.items():
                if isinstance(operation, dict) and "responses" in operation:
                    # status codes as strings, as OpenAPI spells them (and so the keys sort with "default")
                    responses = {str(code): body for code, body in operation["responses"].items()}
                    for code, body in responses.items():
                        content = body.get("content", {}) if code[:1] in ("4", "5") else {}
                        if "application/json" in content:  # errors are sent as problem+json (problems.py)
                            content["application/problem+json"] = content.pop("application/json")
                    if method == "delete" and not any(code.startswith("2") for code in responses):
                        responses["204"] = {"description": "Done; no content."}
                    responses.setdefault("default", error)
                    operation["responses"] = responses
        return document


_ADAPTERS: dict[Any, TypeAdapter] = {}


def _cached_type_adapter(type_: Any, *args: Any, **kwargs: Any) -> TypeAdapter:
    """pydantic's TypeAdapter, built once per type: quart-schema builds a new one for every validated response
    (about 0.15 ms of a ~2.5 ms search request); adapters are immutable, so reusing them changes nothing."""
    if args or kwargs:
        return TypeAdapter(type_, *args, **kwargs)
    try:
        return _ADAPTERS[type_]
    except KeyError:
        adapter = _ADAPTERS[type_] = TypeAdapter(type_)
        return adapter
    except TypeError:  # an unhashable type: nothing to key the cache on
        return TypeAdapter(type_)


quart_schema.conversion.TypeAdapter = _cached_type_adapter  # the name conversion.py calls for every load


def _make_schema() -> QuartSchema:
    """One QuartSchema per app: its provider holds a weak reference to the app it documents."""
    return QuartSchema(
        openapi_path="/openapi.json",
        swagger_ui_path=None,  # our own /docs page: vendored assets, no inline script
        redoc_ui_path=None,
        scalar_ui_path=None,
        openapi_provider_class=ApiOnlyProvider,
        info={
            "title": "TravelGo API",
            "version": "1.0.0",
            "description": "Search and book bus seats and hotel rooms. Authenticate with a bearer token from POST /api/v1/auth/token.",
        },
        security_schemes={"bearer": {"type": "http", "scheme": "bearer"}},
    )


def init_app(app: Quart) -> None:
    from . import accounts, admin, bookings, payments, search, streams  # noqa: F401  (they register routes on bp)

    _make_schema().init_app(app)
    app.register_blueprint(bp)

    @app.get("/docs")
    @hide
    async def api_docs():
        """Swagger UI for /openapi.json, served from vendored files."""
        return await render_template("api_docs.html")
