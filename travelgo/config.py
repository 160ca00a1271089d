"""Settings read from the environment once, at start-up, and validated."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import unquote, urlparse

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


def _flag(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() not in ("0", "off", "false", "no")


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


@dataclass(frozen=True)
class Settings:
    env: str = "development"
    database_url: DatabaseURL = field(default_factory=lambda: DatabaseURL.parse("mysql://root@127.0.0.1:3306/travelgo"))
    database_read_url: DatabaseURL | None = None
    secret_key: str = ""
    admin_password: str = "admin-travelgo"
    pool_size: int = 20
    db_acquire_timeout: float = 5.0  # seconds a request waits for a free pooled connection before a 503
    rate_limits: bool = True
    fast_password_hashing: bool = False
    sse_poll_interval: float = 0.1
    sse_max_streams: int = 2500
    sse_heartbeat: float = 15.0
    sse_gap_seconds: float = 5.0  # how long the events poller waits for a skipped id to commit
    sse_queue_size: int = 32  # pending updates per stream before the oldest is dropped
    event_retention_hours: int = 24
    search_cache_seconds: float = 10.0  # per-worker search answers; 0 turns the cache off (see searchcache.py)
    search_cache_entries: int = 1000  # a cached page with its JSON, HTML and gzip is ~40 KB: <= ~40 MB per worker
    max_body_bytes: int = 1024 * 1024
    trust_proxy: bool = False  # believe X-Forwarded-Proto/-For from one reverse proxy in front
    rate_limit_rules: str = ""  # overrides, e.g. "login_fail_account=10/900,booking_ip=600/60"
    hold_seconds: int = 600  # how long a booking holds its inventory unpaid
    max_open_holds: int = 3  # unpaid holds one traveller may have open at once
    payments: str = "testpay"  # the payment provider: testpay (local gateway, not in production) or razorpay
    testpay_webhook_secret: str = ""
    testpay_retry_seconds: float = 2.0  # TestPay's first webhook retry; doubles each time
    payments_poll_seconds: float = 0.5  # how often each worker sweeps expired holds, sends refunds and webhooks
    razorpay_key_id: str = ""
    razorpay_key_secret: str = ""
    razorpay_webhook_secret: str = ""
    razorpay_api_url: str = "https://api.razorpay.com"  # a local stub in tests
    booking_admission: bool = True  # the per-worker queue in front of the booking engine (bookings/admission.py)
    public_url: str = (
        ""  # e.g. https://travelgo.example; links in e-mails (never built from the Host header in production)
    )

    @property
    def production_like(self) -> bool:
        """Production, or staging: production's settings with a test payment gateway (benchmarks, rehearsals)."""
        return self.env in ("production", "staging")

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides) -> "Settings":
        env = dict(os.environ if environ is None else environ)
        mode = env.get("TRAVELGO_ENV", "development")
        if mode not in ("development", "staging", "production", "test"):
            raise ValueError("TRAVELGO_ENV must be development, staging, production or test")
        secret = env.get("SECRET_KEY", "")
        if not secret:
            if mode in ("production", "staging"):
                raise ValueError(f"SECRET_KEY is required when TRAVELGO_ENV={mode}")
            secret = _dev_secret_key()
        read_url = env.get("DATABASE_READ_URL")
        values = dict(
            env=mode,
            database_url=DatabaseURL.parse(env.get("DATABASE_URL", "mysql://root@127.0.0.1:3306/travelgo")),
            database_read_url=DatabaseURL.parse(read_url) if read_url else None,
            secret_key=secret,
            admin_password=env.get("TRAVELGO_ADMIN_PASSWORD", "admin-travelgo"),
            pool_size=int(env.get("TRAVELGO_DB_POOL_SIZE", "20")),
            db_acquire_timeout=float(env.get("TRAVELGO_DB_ACQUIRE_TIMEOUT", "5")),
            rate_limits=_flag(env.get("TRAVELGO_RATE_LIMITS"), True),
            fast_password_hashing=mode == "test",
            sse_poll_interval=float(env.get("TRAVELGO_SSE_POLL_SECONDS", "0.1")),
            sse_max_streams=int(env.get("TRAVELGO_SSE_MAX_STREAMS", "2500")),
            trust_proxy=_flag(env.get("TRAVELGO_TRUST_PROXY"), False),
            rate_limit_rules=env.get("TRAVELGO_RATE_LIMIT_RULES", ""),
            public_url=env.get("TRAVELGO_PUBLIC_URL", ""),
            booking_admission=_flag(env.get("TRAVELGO_BOOKING_ADMISSION"), True),
            hold_seconds=int(env.get("TRAVELGO_HOLD_SECONDS", "600")),
            max_open_holds=int(env.get("TRAVELGO_MAX_OPEN_HOLDS", "3")),
            payments=env.get("TRAVELGO_PAYMENTS", "testpay"),
            testpay_webhook_secret=env.get("TRAVELGO_TESTPAY_WEBHOOK_SECRET", "") or _derived(secret, "testpay"),
            testpay_retry_seconds=float(env.get("TRAVELGO_TESTPAY_RETRY_SECONDS", "2")),
            payments_poll_seconds=float(env.get("TRAVELGO_PAYMENTS_POLL_SECONDS", "0.5")),
            razorpay_key_id=env.get("RAZORPAY_KEY_ID", ""),
            razorpay_key_secret=env.get("RAZORPAY_KEY_SECRET", ""),
            razorpay_webhook_secret=env.get("RAZORPAY_WEBHOOK_SECRET", ""),
            razorpay_api_url=env.get("RAZORPAY_API_URL", "https://api.razorpay.com"),
            sse_heartbeat=float(env.get("TRAVELGO_SSE_HEARTBEAT_SECONDS", "15")),
            event_retention_hours=int(env.get("TRAVELGO_EVENT_RETENTION_HOURS", "24")),
            search_cache_seconds=float(env.get("TRAVELGO_SEARCH_CACHE_SECONDS", "10")),
            search_cache_entries=int(env.get("TRAVELGO_SEARCH_CACHE_ENTRIES", "1000")),
        )
        values.update(overrides)
        if values["payments"] not in ("testpay", "razorpay"):
            raise ValueError("TRAVELGO_PAYMENTS must be testpay or razorpay")
        if values["payments"] == "testpay" and mode == "production":
            raise ValueError(
                "TRAVELGO_PAYMENTS=testpay is a test gateway: set TRAVELGO_PAYMENTS=razorpay in production"
            )
        if values["payments"] == "razorpay" and not all(
            values[k] for k in ("razorpay_key_id", "razorpay_key_secret", "razorpay_webhook_secret")
        ):
            raise ValueError(
                "TRAVELGO_PAYMENTS=razorpay needs RAZORPAY_KEY_ID, RAZORPAY_KEY_SECRET, RAZORPAY_WEBHOOK_SECRET"
            )
        if not values["hold_seconds"] > 0 or values["max_open_holds"] < 1:
            raise ValueError("TRAVELGO_HOLD_SECONDS and TRAVELGO_MAX_OPEN_HOLDS must be at least 1")
        if not values["db_acquire_timeout"] > 0:  # also refuses nan
            raise ValueError("TRAVELGO_DB_ACQUIRE_TIMEOUT must be a number of seconds above 0")
        return cls(**values)
