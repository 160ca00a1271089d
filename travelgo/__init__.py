"""TravelGo: search, compare and book bus seats and hotel rooms."""

from __future__ import annotations

import logging
import time
import uuid
from typing import Any

from quart import Quart, g, request

from . import db, passwords, shutdown
from .config import ROOT, Settings
from .requests import MAX_FORM_FIELDS, TravelGoRequest

log = logging.getLogger("travelgo")


def create_app(overrides: dict[str, Any] | None = None) -> Quart:
    """Build the app: settings, pools, auth, blueprints, error handlers."""
    settings = Settings.from_env(**(overrides or {}))
    app = Quart(__name__, template_folder=str(ROOT / "templates"), static_folder=str(ROOT / "static"))
    app.request_class = TravelGoRequest  # form posts capped in fields (travelgo/requests.py)
    app.config["MAX_FORM_PARTS"] = MAX_FORM_FIELDS  # the same cap for multipart forms
    app.config.update(
        SECRET_KEY=settings.secret_key,
        TRAVELGO=settings,
        MAX_CONTENT_LENGTH=settings.max_body_bytes,
        QUART_AUTH_COOKIE_SECURE=settings.production_like,
        QUART_AUTH_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_NAME="travelgo_csrf",
        SESSION_COOKIE_SECURE=settings.production_like,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SEND_FILE_MAX_AGE_DEFAULT=3600,
        TEMPLATES_AUTO_RELOAD=settings.env == "development",
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    if settings.fast_password_hashing:
        passwords.use_cheap_parameters()

    from . import assets
    from .auth import bearer_auth, cookie_auth

    assets.init_app(app)  # registered first so its after_request (gzip) runs last

    # The pool opens before anything else starts serving: the background loops below start in before_serving hooks
    # of their own, registered after this one (Quart runs them in order), so their first round finds it open.
    @app.before_serving
    async def _open() -> None:
        await db.open_pools(
            settings.database_url, settings.database_read_url, settings.pool_size, settings.db_acquire_timeout
        )
        from . import events

        await events.start(app)
        # Open streams end the moment the worker is told to stop (travelgo.serve), not after the graceful timeout.
        app.extensions["travelgo_stop_streams"] = shutdown.on_stop(events.hub_for(app).close_all)

    cookie_auth.init_app(app)
    bearer_auth.init_app(app)

    from . import api, errors, notify, payments, ratelimit, searchcache, security, templating, web
    from .accounts.routes import bp as accounts_bp
    from .admin.routes import bp as admin_bp
    from .bookings import admission
    from .bookings.routes import bp as bookings_bp
    from .buses.routes import bp as buses_bp
    from .checkout import sweeper
    from .checkout.routes import bp as checkout_bp
    from .hotels.routes import bp as hotels_bp
    from .itineraries.routes import bp as itineraries_bp
    from .live.routes import bp as live_bp
    from .pages import bp as pages_bp
    from .partners.routes import bp as partner_bp
    from .pricing import refresh as pricing_refresh
    from .recommend import refresher
    from .restaurants.routes import bp as restaurants_bp
    from .segments.routes import bp as segments_bp
    from .tickets.routes import bp as tickets_bp

    api.init_app(app)
    for blueprint in (
        pages_bp,
        accounts_bp,
        buses_bp,
        hotels_bp,
        restaurants_bp,
        bookings_bp,
        checkout_bp,
        admin_bp,
        live_bp,
        segments_bp,
        tickets_bp,
        itineraries_bp,
        partner_bp,
    ):
        app.register_blueprint(blueprint)
    templating.init_app(app)
    errors.init_app(app)
    security.init_app(app)
    searchcache.init_app(app, settings.search_cache_seconds, settings.search_cache_entries)
    admission.init_app(app, settings.booking_admission)
    payments.init_app(app, settings)
    notify.init_app(app, settings)
    sweeper.init_app(app, settings.payments_poll_seconds)
    refresher.init_app(app, settings.recommend_refresh_seconds)
    pricing_refresh.init_app(app, settings.pricing_refresh_seconds)
    ratelimit.parse_rules(settings.rate_limit_rules)  # a bad TRAVELGO_RATE_LIMIT_RULES fails at start-up

    app.before_request(_start_request)
    app.before_request(web.csrf_protect)
    app.after_request(_finish_request)

    # Shutdown order: streams end first (above, or here when nothing called shutdown.begin()); background loops
    # stop next (their after_serving hooks were registered before this one); the events poller and the pool last.
    @app.after_serving
    async def _close() -> None:
        from . import events

        app.extensions.pop("travelgo_stop_streams", lambda: None)()
        await events.stop(app)
        await db.close_pools()

    return app


async def _start_request() -> None:
    g.request_started = time.perf_counter()
    g.request_id = request.headers.get("X-Request-ID", "")[:64] or uuid.uuid4().hex[:16]


async def _finish_request(response):
    duration_ms = (time.perf_counter() - g.get("request_started", time.perf_counter())) * 1000
    response.headers["X-Request-ID"] = g.get("request_id", "-")
    log.info(
        "%s %s %s %.1fms rid=%s", request.method, request.path, response.status_code, duration_ms, g.get("request_id")
    )
    return response
