"""The versioned JSON API under /api/v1; every module here adds routes to the one blueprint."""

from __future__ import annotations

from quart import Blueprint, Quart, render_template
from quart_schema import QuartSchema, hide
from quart_schema.openapi import OpenAPIProvider

bp = Blueprint("api", __name__, url_prefix="/api/v1")


class ApiOnlyProvider(OpenAPIProvider):
    """Only /api routes belong in the OpenAPI document."""

    def generate_rules(self):
        return (rule for rule in super().generate_rules() if rule.rule.startswith("/api/"))


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
    from . import accounts, admin, bookings, search, streams  # noqa: F401  (they register routes on bp)

    _make_schema().init_app(app)
    app.register_blueprint(bp)

    @app.get("/docs")
    @hide
    async def api_docs():
        """Swagger UI for /openapi.json, served from vendored files."""
        return await render_template("api_docs.html")
