"""Throttling of failed logins and invalid API tokens, shared by every process through the database.

Each account and each client address has a bucket (an HMAC under the installation's key of
the scope and the account or address, so no address is stored) counting recent failures.
``max_failures`` failures within ``window_s`` lock the bucket for ``lock_s``, doubled for
each failure beyond (capped at ``max_lock_s``): an exponential delay no process can bypass,
since every web process reads and writes the same rows. A success clears the account's bucket
only: an insider must not reset the count of an address spraying guesses over other accounts.
"""

from __future__ import annotations

import hashlib
import hmac
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import bindparam, case, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import ReturningInsert

from centric.accounts.models import AuthThrottle
from centric.config import Settings
from centric.db import utcnow

SWEEP_PROBABILITY = 0.01
LOGIN_ACCOUNT = "login-account"
LOGIN_ADDRESS = "login-address"
TOKEN_ADDRESS = "token-address"


@dataclass(frozen=True)
class Limits:
    max_failures: int
    lock_s: int
    max_lock_s: int
    window_s: int

    @classmethod
    def for_accounts(cls, settings: Settings) -> Limits:
        return cls(settings.login_max_failures, settings.login_lock_s, settings.login_lock_max_s,
                   settings.login_failure_window_s)

    @classmethod
    def for_addresses(cls, settings: Settings) -> Limits:
        return cls(settings.login_address_max_failures, settings.login_lock_s, settings.login_lock_max_s,
                   settings.login_failure_window_s)

    @classmethod
    def for_tokens(cls, settings: Settings) -> Limits:
        return cls(settings.token_max_failures, settings.login_lock_s, settings.login_lock_max_s,
                   settings.login_failure_window_s)

    def lock_for(self, failures: int) -> int:
        """Seconds of lock after ``failures`` recent failures (0 below the limit)."""
        if failures < self.max_failures:
            return 0
        return min(self.lock_s * 2 ** min(failures - self.max_failures, 30), self.max_lock_s)


def bucket(key: bytes, scope: str, who: str) -> str:
    return hmac.new(key, f"{scope}|{who.strip().lower()}".encode(), hashlib.sha256).hexdigest()


def retry_after(session: Session, buckets: list[str], now: datetime | None = None) -> int:
    """Seconds until the longest lock on any of ``buckets`` ends; 0 when none is locked."""
    now = now or utcnow()
    until = session.scalar(select(func.max(AuthThrottle.locked_until)).where(
        AuthThrottle.bucket.in_(buckets), AuthThrottle.locked_until > now))
    return 0 if until is None else max(1, int((until - now).total_seconds() + 0.999))


@cache
def _count_failure(dialect: str) -> ReturningInsert[int]:
    """One upsert that counts a failure, restarting the count once the last one is older than the window."""
    builder = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = AuthThrottle.__table__
    statement = builder(table).values(bucket=bindparam("bucket"), failures=1, last_failure_at=bindparam("now"))
    recent = table.c.last_failure_at >= bindparam("since")
    return statement.on_conflict_do_update(
        index_elements=["bucket"],
        set_={"failures": case((recent, table.c.failures + 1), else_=1), "last_failure_at": bindparam("now")},
    ).returning(table.c.failures)


def fail(session: Session, name: str, limits: Limits, now: datetime | None = None) -> int:
    """Count one failure in bucket ``name``; returns the seconds it is now locked for (0: not locked)."""
    now = now or utcnow()
    statement = _count_failure(session.get_bind().dialect.name)
    failures = session.execute(statement, {
        "bucket": name, "now": now, "since": now - timedelta(seconds=limits.window_s)}).scalar_one()
    lock = limits.lock_for(int(failures))
    if random.random() < SWEEP_PROBABILITY:
        sweep(session, limits, now)
    if lock:
        session.execute(update(AuthThrottle).where(AuthThrottle.bucket == name)
                        .values(locked_until=now + timedelta(seconds=lock)))
    return lock


def clear(session: Session, name: str) -> None:
    session.execute(delete(AuthThrottle).where(AuthThrottle.bucket == name))


def sweep(session: Session, limits: Limits, now: datetime | None = None) -> int:
    """Delete buckets whose failures are forgotten and whose lock is over (run now and then)."""
    now = now or utcnow()
    result = session.execute(delete(AuthThrottle).where(
        AuthThrottle.last_failure_at < now - timedelta(seconds=max(limits.window_s, limits.max_lock_s)),
    ))
    return int(getattr(result, "rowcount", 0) or 0)
