"""Settings read from the environment once, at start-up, and validated.

Each setting is declared once below — its environment variable, type, default and description — with
pydantic-settings; the README's configuration table lists the same variables (tests/test_settings.py checks it).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import parse_qs, unquote, urlparse

from pydantic import BeforeValidator, Field, ValidationInfo, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = ROOT / "var"


@dataclass(frozen=True)
class DatabaseURL:
    host: str
    port: int
    user: str
    password: str
    database: str
    unix_socket: str | None = None

    @classmethod
    def parse(cls, url: str) -> "DatabaseURL":
        parts = urlparse(url)
        if parts.scheme not in ("mysql", "mariadb", "mysql+aiomysql"):
            raise ValueError(f"DATABASE_URL must start with mysql:// (got {parts.scheme!r})")
        database = parts.path.lstrip("/")
        if not database:
            raise ValueError("DATABASE_URL must name a database, e.g. mysql://root@127.0.0.1:3306/travelgo")
        query = dict(p.split("=", 1) for p in parts.query.split("&") if "=" in p)
        return cls(
            host=parts.hostname or "127.0.0.1",
            port=parts.port or 3306,
            user=unquote(parts.username or "root"),
            password=unquote(parts.password or ""),
            database=database,
            unix_socket=query.get("unix_socket"),
        )

    def connect_kwargs(self, with_database: bool = True, key: str = "db") -> dict:
        """Keyword arguments for aiomysql (key="db") or PyMySQL (key="database")."""
        kwargs = dict(host=self.host, port=self.port, user=self.user, password=self.password, charset="utf8mb4")
        if self.unix_socket:
            kwargs["unix_socket"] = self.unix_socket
        if with_database:
            kwargs[key] = self.database
        return kwargs

    def with_database(self, database: str) -> "DatabaseURL":
        return replace(self, database=database)

    @property
    def is_local(self) -> bool:
        return self.host in ("127.0.0.1", "localhost", "::1")


@dataclass(frozen=True)
class SmtpURL:
    """Where e-mail goes: `smtp://[user:password@]host[:port][?starttls=…]`, or `smtps://` for TLS from the start.

    `smtp://` upgrades with STARTTLS when the server offers it (`?starttls=auto`, the default), `?starttls=1` refuses
    to send without it, `?starttls=0` never upgrades. Credentials are URL-encoded (`%40` for `@`)."""

    host: str
    port: int
    username: str = ""
    password: str = field(default="", repr=False)
    security: Literal["plain", "starttls-auto", "starttls", "tls"] = "starttls-auto"

    @classmethod
    def parse(cls, url: str) -> "SmtpURL":
        parts = urlparse(url)
        if parts.scheme not in ("smtp", "smtps"):
            raise ValueError(f"SMTP_URL must start with smtp:// or smtps:// (got {parts.scheme!r})")
        if not parts.hostname:
            raise ValueError("SMTP_URL must name a host, e.g. smtp://127.0.0.1:1025")
        try:
            port = parts.port
        except ValueError as exc:
            raise ValueError(f"SMTP_URL: {exc}") from None
        starttls = parse_qs(parts.query).get("starttls", ["auto"])[-1].lower()
        choices = {"auto": "starttls-auto", "1": "starttls", "true": "starttls", "0": "plain", "false": "plain"}
        if starttls not in choices:
            raise ValueError(f"SMTP_URL: starttls is auto, 1 or 0 (got {starttls!r})")
        if parts.scheme == "smtps":
            security = "tls"
        else:
            security = choices[starttls]
        return cls(
            host=parts.hostname,
            port=port or (465 if security == "tls" else 25),
            username=unquote(parts.username or ""),
            password=unquote(parts.password or ""),
            security=security,
        )

    def __str__(self) -> str:
        """The URL without its password (for logs and the development mail page)."""
        user = f"{self.username}@" if self.username else ""
        scheme = "smtps" if self.security == "tls" else "smtp"
        return f"{scheme}://{user}{self.host}:{self.port}"


def _dev_secret_key() -> str:
    """In development the key is generated once into var/ and reused, so sessions survive restarts."""
    path = VAR_DIR / "secret_key"
    if path.exists():
        return path.read_text().strip()
    VAR_DIR.mkdir(exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key


def _derived(secret: str, purpose: str) -> str:
    """A secret for one purpose derived from SECRET_KEY (development and tests only need one key)."""
    return hmac.new(secret.encode(), purpose.encode(), hashlib.sha256).hexdigest()


def _database_url(value: Any) -> Any:
    return DatabaseURL.parse(value) if isinstance(value, str) else value


def _smtp_url(value: Any) -> Any:
    return SmtpURL.parse(value) if isinstance(value, str) else value


# NoDecode: a URL is a plain string in the environment, not JSON
URL = Annotated[DatabaseURL, NoDecode, BeforeValidator(_database_url)]
OPTIONAL_URL = Annotated[DatabaseURL | None, NoDecode, BeforeValidator(_database_url)]
OPTIONAL_SMTP_URL = Annotated[SmtpURL | None, NoDecode, BeforeValidator(_smtp_url)]


def setting(default: Any, env: str, description: str, **constraints: Any) -> Any:
    """One setting: its environment variable, default and description (the README documents each)."""
    return Field(default, validation_alias=env, description=description, **constraints)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(frozen=True, populate_by_name=True, extra="ignore", env_ignore_empty=True)

    env: Literal["development", "staging", "production", "test"] = setting(
        "development", "TRAVELGO_ENV", "production requires SECRET_KEY and refuses TestPay; staging is production's "
        "settings with TestPay; test uses cheap password hashing"
    )  # fmt: skip
    database_url: URL = setting("mysql://root@127.0.0.1:3306/travelgo", "DATABASE_URL", "the primary database",
                                validate_default=True)  # fmt: skip
    database_read_url: OPTIONAL_URL = setting(None, "DATABASE_READ_URL", "a replica for searches (optional)")
    secret_key: str = setting("", "SECRET_KEY", "signs sessions; generated into var/ in development",
                              validate_default=True)  # fmt: skip
    admin_password: str = setting("admin-travelgo", "TRAVELGO_ADMIN_PASSWORD", "the seeded admin's password")
    public_url: str = setting("", "TRAVELGO_PUBLIC_URL", "the site's public URL (links in e-mails, payment returns)")
    trust_proxy: bool = setting(False, "TRAVELGO_TRUST_PROXY", "believe X-Forwarded-Proto/-For from one proxy")
    pool_size: int = setting(20, "TRAVELGO_DB_POOL_SIZE", "database connections per worker", ge=1)
    db_acquire_timeout: float = setting(
        5.0, "TRAVELGO_DB_ACQUIRE_TIMEOUT", "seconds a request waits for a pooled connection before a 503", gt=0
    )
    rate_limits: bool = setting(True, "TRAVELGO_RATE_LIMITS", "off switches rate limits off (load tests)")
    rate_limit_rules: str = setting("", "TRAVELGO_RATE_LIMIT_RULES", 'overrides, e.g. "booking_ip=600/60"')
    sse_poll_interval: float = setting(0.1, "TRAVELGO_SSE_POLL_SECONDS", "how often each worker polls the outbox", gt=0)
    sse_max_streams: int = setting(2500, "TRAVELGO_SSE_MAX_STREAMS", "live-update streams per worker", ge=1)
    sse_max_streams_per_client: int = setting(
        20, "TRAVELGO_SSE_MAX_STREAMS_PER_CLIENT", "live-update streams one client address may hold per worker", ge=1
    )
    sse_heartbeat: float = setting(15.0, "TRAVELGO_SSE_HEARTBEAT_SECONDS", "heartbeat interval on streams", gt=0)
    sse_gap_seconds: float = setting(5.0, "TRAVELGO_SSE_GAP_SECONDS", "how long the poller waits for a skipped id")
    sse_queue_size: int = setting(32, "TRAVELGO_SSE_QUEUE_SIZE", "pending updates per stream before the oldest goes")
    event_retention_hours: int = setting(24, "TRAVELGO_EVENT_RETENTION_HOURS", "outbox events kept this long")
    search_cache_seconds: float = setting(10.0, "TRAVELGO_SEARCH_CACHE_SECONDS", "per-worker search answers; 0 off")
    search_cache_entries: int = setting(1000, "TRAVELGO_SEARCH_CACHE_ENTRIES", "search answers kept per worker")
    max_body_bytes: int = setting(1024 * 1024, "TRAVELGO_MAX_BODY_BYTES", "the largest request body accepted")
    booking_admission: bool = setting(True, "TRAVELGO_BOOKING_ADMISSION", "the queue in front of the booking engine")
    hold_seconds: int = setting(600, "TRAVELGO_HOLD_SECONDS", "how long a booking holds its inventory unpaid", ge=1)
    max_open_holds: int = setting(3, "TRAVELGO_MAX_OPEN_HOLDS", "unpaid holds one traveller may have open", ge=1)
    connection_buffer_minutes: int = setting(
        60, "TRAVELGO_CONNECTION_BUFFER_MINUTES", "itinerary planner: a shorter connection gets a warning", ge=0
    )
    payments: Literal["testpay", "razorpay"] = setting("testpay", "TRAVELGO_PAYMENTS", "the payment provider")
    testpay_webhook_secret: str = setting("", "TRAVELGO_TESTPAY_WEBHOOK_SECRET", "TestPay's signing secret "
                                          "(derived from SECRET_KEY when unset)", validate_default=True)  # fmt: skip
    testpay_retry_seconds: float = setting(2.0, "TRAVELGO_TESTPAY_RETRY_SECONDS", "first webhook/refund retry", gt=0)
    payments_poll_seconds: float = setting(
        0.5, "TRAVELGO_PAYMENTS_POLL_SECONDS", "sweeper and webhook-sender interval; 0 turns them off", ge=0
    )
    pricing_refresh_seconds: float = setting(
        60.0, "TRAVELGO_PRICING_REFRESH_SECONDS", "how often each worker reprices for the clock; 0 turns it off", ge=0
    )
    notify_poll_seconds: float = setting(
        1.0, "TRAVELGO_NOTIFY_POLL_SECONDS", "how often each worker sends due notifications; 0 turns it off", ge=0
    )
    recommend_refresh_seconds: float = setting(
        600.0, "TRAVELGO_RECOMMEND_REFRESH_SECONDS", "how often recommendations are rebuilt; 0 turns it off", ge=0
    )
    razorpay_key_id: str = setting("", "RAZORPAY_KEY_ID", "Razorpay API key id")
    razorpay_key_secret: str = setting("", "RAZORPAY_KEY_SECRET", "Razorpay API key secret")
    razorpay_webhook_secret: str = setting("", "RAZORPAY_WEBHOOK_SECRET", "Razorpay webhook secret")
    razorpay_api_url: str = setting("https://api.razorpay.com", "RAZORPAY_API_URL", "where the SDK calls")
    messenger: Literal["local", "twilio"] = setting(
        "local", "TRAVELGO_MESSENGER", "SMS and WhatsApp: local (recorded in local_messages) or twilio"
    )
    twilio_account_sid: str = setting("", "TWILIO_ACCOUNT_SID", "Twilio account SID (AC…)")
    twilio_auth_token: str = setting("", "TWILIO_AUTH_TOKEN", "Twilio auth token")
    twilio_from_number: str = setting("", "TWILIO_FROM_NUMBER", "the Twilio number SMS come from (E.164)")
    twilio_whatsapp_from: str = setting("", "TWILIO_WHATSAPP_FROM", "the WhatsApp sender number (E.164)")
    twilio_api_url: str = setting("https://api.twilio.com", "TWILIO_API_URL", "where the Twilio SDK calls")
    smtp_url: OPTIONAL_SMTP_URL = setting(None, "SMTP_URL", "the mail server; unset: a local one in development "
                                          "and tests, none (recorded only) in staging and production")  # fmt: skip
    smtp_from: str = setting("TravelGo <no-reply@travelgo.example>", "SMTP_FROM", "the From of every e-mail")
    smtp_timeout: float = setting(10.0, "SMTP_TIMEOUT", "seconds for each step of an SMTP conversation", gt=0)

    @field_validator("secret_key")
    @classmethod
    def _secret(cls, value: str, info: ValidationInfo) -> str:
        if value:
            return value
        mode = info.data.get("env", "development")
        if mode in ("production", "staging"):
            raise ValueError(f"SECRET_KEY is required when TRAVELGO_ENV={mode}")
        return _dev_secret_key()

    @field_validator("testpay_webhook_secret")
    @classmethod
    def _testpay_secret(cls, value: str, info: ValidationInfo) -> str:
        return value or _derived(info.data.get("secret_key", ""), "testpay")

    @field_validator("smtp_from")
    @classmethod
    def _smtp_from(cls, value: str) -> str:
        from email.headerregistry import Address
        from email.utils import parseaddr

        name, address = parseaddr(value)
        if "@" not in address or any(c in value for c in "\r\n"):
            raise ValueError(f"SMTP_FROM must be an address, e.g. TravelGo <no-reply@travelgo.example> (got {value!r})")
        return str(Address(display_name=name, addr_spec=address))

    @model_validator(mode="after")
    def _production(self) -> "Settings":
        if self.env == "production" and self.admin_password == "admin-travelgo":
            raise ValueError("TRAVELGO_ADMIN_PASSWORD must be set in production (the default one is public)")
        return self

    @model_validator(mode="after")
    def _payments(self) -> "Settings":
        if self.payments == "testpay" and self.env == "production":
            raise ValueError(
                "TRAVELGO_PAYMENTS=testpay is a test gateway: set TRAVELGO_PAYMENTS=razorpay in production"
            )
        if self.payments == "razorpay" and not (
            self.razorpay_key_id and self.razorpay_key_secret and self.razorpay_webhook_secret
        ):
            raise ValueError(
                "TRAVELGO_PAYMENTS=razorpay needs RAZORPAY_KEY_ID, RAZORPAY_KEY_SECRET, RAZORPAY_WEBHOOK_SECRET"
            )
        return self

    @model_validator(mode="after")
    def _messenger(self) -> "Settings":
        if self.messenger == "twilio" and not (
            self.twilio_account_sid
            and self.twilio_auth_token
            and (self.twilio_from_number or self.twilio_whatsapp_from)
        ):
            raise ValueError(
                "TRAVELGO_MESSENGER=twilio needs TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM_NUMBER "
                "(or TWILIO_WHATSAPP_FROM)"
            )
        return self

    @property
    def production_like(self) -> bool:
        """Production, or staging: production's settings with a test payment gateway (benchmarks, rehearsals)."""
        return self.env in ("production", "staging")

    @property
    def local_mail_server(self) -> bool:
        """Development and tests without SMTP_URL: a local SMTP server started by the app receives the mail."""
        return self.smtp_url is None and self.env in ("development", "test")

    @property
    def fast_password_hashing(self) -> bool:
        return self.env == "test"

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: Any) -> "Settings":
        """The settings from the process environment (or `environ`), with `overrides` by field name on top."""
        if environ is None:
            return cls(**overrides)
        given = {k: v for k, v in environ.items() if v != ""}
        return cls.model_validate({**given, **overrides})

    @classmethod
    def variables(cls) -> dict[str, str]:
        """Every environment variable TravelGo reads, with its description."""
        return {f.validation_alias: f.description for f in cls.model_fields.values()}
