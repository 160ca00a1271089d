"""Security headers on every response, TLS detection behind a proxy, and the client address.

The Content-Security-Policy allows no inline script anywhere: htmx runs with includeIndicatorStyles
and allowEval off, templates carry no <script> bodies or on* handlers, and /docs starts Swagger UI
from static/js/api-docs.js. Swagger UI sets style attributes from JavaScript and uses data: images,
so /docs alone also allows inline styles (never inline script).
"""

from __future__ import annotations

import hashlib

from quart import Quart, Response, current_app, request
from quart.sessions import SecureCookieSessionInterface

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'"
)
DOCS_CSP = CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
HSTS = "max-age=31536000; includeSubDomains"
STATIC_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",  # frame-ancestors for browsers that predate CSP 2
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}


def _trust_proxy() -> bool:
    settings = current_app.config.get("TRAVELGO")
    return bool(settings and settings.trust_proxy)


def is_tls() -> bool:
    """The client reached us over HTTPS (directly, or via a trusted proxy's X-Forwarded-Proto)."""
    if request.scheme in ("https", "wss"):
        return True
    if _trust_proxy():
        forwarded = request.headers.get("X-Forwarded-Proto", "").split(",")[0].strip().lower()
        return forwarded == "https"
    return False


def client_ip() -> str:
    """The client's address: the last X-Forwarded-For hop when a proxy is trusted, else the peer."""
    if _trust_proxy():
        hops = [h.strip() for h in request.headers.get("X-Forwarded-For", "").split(",") if h.strip()]
        if hops:
            return hops[-1][:64]
    return (request.remote_addr or "unknown")[:64]


async def add_security_headers(response: Response) -> Response:
    """after_request: CSP, nosniff, referrer policy, and HSTS over TLS."""
    csp = DOCS_CSP if request.path == "/docs" else CSP
    response.headers.setdefault("Content-Security-Policy", csp)
    for name, value in STATIC_HEADERS.items():
        response.headers.setdefault(name, value)
    if is_tls():
        response.headers["Strict-Transport-Security"] = HSTS
    if response.status_code == 204:
        response.headers.pop("Content-Type", None)  # no content, so no content type (Quart adds text/html)
    return response


class SessionInterface(SecureCookieSessionInterface):
    """Quart's signed-cookie sessions; saving the session is the last step of every response, after
    every after_request hook (quart-auth's included), so cookies are made Secure over TLS here."""

    async def save_session(self, app, session, response) -> None:
        await super().save_session(app, session, response)
        if response is not None and is_tls():
            _secure_cookies(response)


def _secure_cookies(response: Response) -> None:
    """Over TLS every cookie we set is Secure, whatever the environment's default."""
    cookies = response.headers.getlist("Set-Cookie")
    if not cookies:
        return
    del response.headers["Set-Cookie"]
    for cookie in cookies:
        attributes = [part.strip().lower() for part in cookie.split(";")[1:]]
        response.headers.add("Set-Cookie", cookie if "secure" in attributes else f"{cookie}; Secure")


def init_app(app: Quart) -> None:
    app.session_interface = SessionInterface()
    app.after_request(add_security_headers)


def digest(secret: str) -> str:
    """What the database stores of a session id or an API token key: its SHA-256, so a read of the table yields
    nothing that signs anyone in. (The secrets are random, 256 and 128 bits: no salt or slow hash is needed.)"""
    return hashlib.sha256(secret.encode()).hexdigest()
