"""Rate limits kept in the database, so they hold across workers and hosts.

Fixed windows: one row per (bucket, window start) counted with a single
`INSERT … ON DUPLICATE KEY UPDATE hits = LAST_INSERT_ID(hits + 1)` round trip (the new count
comes back as the insert id). Old windows are pruned by an occasional range delete.

    await ratelimit.hit("booking_account", user_id)   # counts one; raises RateLimited (429) over the limit
    await ratelimit.check("login_fail_account", email) # raises if already at the limit; counts nothing
    await ratelimit.reset("login_fail_account", email)

`TRAVELGO_RATE_LIMITS=off` turns every limit off; `TRAVELGO_RATE_LIMIT_RULES="login_fail_account=5/600,…"`
overrides limits (count/seconds).
"""

from __future__ import annotations

import hashlib
import math
import random
import time
from dataclasses import dataclass
from functools import lru_cache

import pymysql
from quart import current_app

from . import db
from .problems import Problem
from .text import is_digits


@dataclass(frozen=True)
class Rule:
    limit: int
    window: int  # seconds

    def __str__(self) -> str:
        return f"{self.limit}/{self.window}s"


DEFAULT_RULES: dict[str, Rule] = {
    # Every login or token request from one client address (generous: offices and NATs share addresses).
    "login_ip": Rule(300, 300),
    # Failed logins: ten per account per quarter hour, then refused until the window ends; the owner
    # gets in again after at most 15 minutes, or at once through a password reset.
    "login_fail_account": Rule(10, 900),
    "login_fail_ip": Rule(100, 900),
    "register_ip": Rule(20, 3600),
    "password_reset_account": Rule(5, 3600),
    "register_mail_account": Rule(5, 3600),  # registration mails to one address (confirm links, "already have one")
    "password_reset_ip": Rule(30, 3600),
    # Reset links tried from one address (a bogus token is refused before any hashing), and current passwords
    # tried on one account's password change (counted before the check, so parallel guesses cannot all pass).
    "password_reset_submit_ip": Rule(30, 900),
    "password_change_account": Rule(10, 900),
    # Live-update streams opened from one address (pages reconnect after a drop; a script opening thousands does not).
    "stream_open_ip": Rule(120, 60),
    # Phone verification (issue 20): codes sent by SMS per account and per number (no SMS bombing of a stranger
    # through many accounts; each costs money), and codes tried per account across codes (each code also allows
    # only 5 tries, counted in its row).
    "phone_code_send_account": Rule(5, 3600),
    "phone_code_send_number": Rule(5, 3600),
    "phone_code_attempt_account": Rule(20, 3600),
    "booking_account": Rule(60, 60),
    "booking_ip": Rule(600, 60),
}
PRUNE_PROBABILITY = 0.01


class RateLimited(Problem):
    """429 Too Many Requests with Retry-After (problem+json under /api, an error page elsewhere)."""

    def __init__(self, rule: str, retry_after: int) -> None:
        minutes = math.ceil(retry_after / 60)
        wait = f"{retry_after} seconds" if retry_after < 120 else f"{minutes} minutes"
        super().__init__(
            429,
            "Too many requests",
            f"Too many attempts. Please try again in {wait}.",
            headers={"Retry-After": str(retry_after)},
            limit=rule,
        )
        self.retry_after = retry_after


def now() -> float:
    """The clock (tests move it forward)."""
    return time.time()


@lru_cache(maxsize=8)
def parse_rules(overrides: str) -> dict[str, Rule]:
    """DEFAULT_RULES with overrides like "login_fail_account=5/600,booking_ip=100/60"."""
    rules = dict(DEFAULT_RULES)
    for item in filter(None, (part.strip() for part in overrides.split(","))):
        name, _, spec = item.partition("=")
        limit, _, window = spec.partition("/")
        if name.strip() not in DEFAULT_RULES or not is_digits(limit) or not is_digits(window) or int(window) == 0:
            raise ValueError(f"TRAVELGO_RATE_LIMIT_RULES: cannot read {item!r} (want name=count/seconds)")
        rules[name.strip()] = Rule(int(limit), int(window))
    return rules


def _settings():
    return current_app.config["TRAVELGO"]


def enabled() -> bool:
    return bool(_settings().rate_limits)


def rule_for(name: str) -> Rule:
    return parse_rules(_settings().rate_limit_rules)[name]


def _bucket(name: str, key: object) -> str:
    digest = hashlib.sha256(str(key).strip().lower().encode()).hexdigest()[:40]
    return f"{name}:{digest}"


def _window(rule: Rule) -> tuple[int, int, int]:
    """(window start, expires at, seconds until the window ends)."""
    moment = now()
    start = int(moment // rule.window) * rule.window
    end = start + rule.window
    return start, end, max(1, math.ceil(end - moment))


async def hit(name: str, key: object, *, raise_over: bool = True) -> int:
    """Count one attempt against rule `name` for `key`; raise RateLimited once past the limit."""
    if not enabled():
        return 0
    rule = rule_for(name)
    start, end, retry_after = _window(rule)
    async with db.reading() as cur:
        await db.execute_write(
            cur,
            """
            INSERT INTO rate_limits (bucket, window_start, hits, expires_at)
            VALUES (%(bucket)s, %(start)s, LAST_INSERT_ID(1), %(end)s)
                ON DUPLICATE KEY UPDATE hits = LAST_INSERT_ID(hits + 1)
            """,
            {"bucket": _bucket(name, key), "start": start, "end": end},
        )
        hits = cur.lastrowid
        if random.random() < PRUNE_PROBABILITY:
            await _prune(cur)
    if raise_over and hits > rule.limit:
        raise RateLimited(name, retry_after)
    return hits


async def check(name: str, key: object) -> None:
    """Raise RateLimited when `key` has already used up rule `name` in this window (counts nothing)."""
    if not enabled():
        return
    rule = rule_for(name)
    start, _, retry_after = _window(rule)
    async with db.reading() as cur:
        await cur.execute(
            "SELECT hits FROM rate_limits WHERE bucket = %(bucket)s AND window_start = %(start)s",
            {"bucket": _bucket(name, key), "start": start},
        )
        row = await cur.fetchone()
    if row and row["hits"] >= rule.limit:
        raise RateLimited(name, retry_after)


async def undo(name: str, key: object) -> None:
    """Take back one hit of rule `name` for `key` in this window (an attempt counted up front that succeeded)."""
    if not enabled():
        return
    start, _, _ = _window(rule_for(name))
    async with db.reading() as cur:
        await db.execute_write(
            cur,
            "UPDATE rate_limits SET hits = hits - 1 WHERE bucket = %(bucket)s AND window_start = %(start)s AND hits > 0",
            {"bucket": _bucket(name, key), "start": start},
        )


async def reset(name: str, key: object) -> None:
    """Forget every window of rule `name` for `key` (after a successful login or password reset)."""
    if not enabled():
        return
    async with db.reading() as cur:
        await db.execute_write(cur, "DELETE FROM rate_limits WHERE bucket = %(bucket)s", {"bucket": _bucket(name, key)})


async def _prune(cur) -> None:
    await db.execute_write(cur, "DELETE FROM rate_limits WHERE expires_at < %(now)s LIMIT 1000", {"now": int(now())})


async def prune() -> None:
    """Delete expired windows (also done now and then by hit())."""
    async with db.reading() as cur:
        await _prune(cur)


async def hit_each(*limits: tuple[str, object]) -> None:
    """Count one attempt against each (rule, key) in one statement; RateLimited (the longest wait) once any is used up.

    The rows carry their rule's limit and a CHECK refuses a count past it (migration 107), so the answer comes in the
    same round trip: a refused statement changes nothing (an attempt over one limit counts against none). Only then
    are the rows read, to say which rule and how long to wait."""
    if not enabled():
        return
    rows, windows = [], {}
    for name, key in limits:
        rule = rule_for(name)
        start, end, retry_after = _window(rule)
        bucket = _bucket(name, key)
        rows.append({"bucket": bucket, "start": start, "limit": rule.limit, "end": end})
        windows[(bucket, start)] = (name, retry_after)
    values = ", ".join(f"(%(bucket{n})s, %(start{n})s, 1, %(limit{n})s, %(end{n})s)" for n in range(len(rows)))
    params = {f"{field}{n}": value for n, row in enumerate(rows) for field, value in row.items()}
    async with db.reading() as cur:
        try:
            await db.execute_write(
                cur,
                f"""INSERT INTO rate_limits (bucket, window_start, hits, hit_limit, expires_at) VALUES {values}
                        ON DUPLICATE KEY UPDATE hits = hits + 1""",
                params,
            )
        except pymysql.err.MySQLError as exc:
            if exc.args[0] not in db.CHECK_VIOLATION:
                raise
            full = await _used_up(cur, windows)
            name, retry_after = max(full or list(windows.values()), key=lambda used: used[1])
            raise RateLimited(name, retry_after) from None
        if random.random() < PRUNE_PROBABILITY:
            await _prune(cur)


async def _used_up(cur, windows: dict[tuple[str, int], tuple[str, int]]) -> list[tuple[str, int]]:
    """(rule, seconds to wait) of the windows that are at their limit."""
    keys = list(windows)
    condition = " OR ".join(f"(bucket = %(b{n})s AND window_start = %(s{n})s)" for n in range(len(keys)))
    params = {**{f"b{n}": b for n, (b, _) in enumerate(keys)}, **{f"s{n}": s for n, (_, s) in enumerate(keys)}}
    await cur.execute(f"SELECT bucket, window_start, hits, hit_limit FROM rate_limits WHERE {condition}", params)
    return [
        windows[(row["bucket"], row["window_start"])]
        for row in await cur.fetchall()
        if row["hit_limit"] is not None and row["hits"] >= row["hit_limit"]
    ]


async def limit_booking(user_id: int, client_ip: str | None = None) -> None:
    """Booking creation: per account and per client address, counted in one statement. Call before the booking
    transaction."""
    if client_ip is None:
        from .security import client_ip as current_ip

        client_ip = current_ip()
    await hit_each(("booking_account", user_id), ("booking_ip", client_ip))
