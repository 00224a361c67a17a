"""A fixed-window rate limit on public submissions, shared by every web process.

Each (address, survey) pair has one row whose counter restarts every window; one upsert
with ``RETURNING`` counts and reads in a single statement on SQLite (3.35+) and
PostgreSQL. Addresses are stored only as an HMAC under the installation's signing key,
so the table holds no IP addresses. Stale rows are swept now and then.
"""

from __future__ import annotations

import hashlib
import hmac
import random
from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import bindparam, case, delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import ReturningInsert

from centric.db import utcnow
from centric.surveys.models import RateLimitBucket

WINDOW = timedelta(hours=1)
SWEEP_PROBABILITY = 0.002


def bucket_for(key: bytes, address: str, scope: str) -> str:
    return hmac.new(key, f"{address}|{scope}".encode(), hashlib.sha256).hexdigest()


def window_start(now: datetime) -> datetime:
    return now.replace(minute=0, second=0, microsecond=0)


@cache
def _upsert(dialect: str) -> ReturningInsert[int]:
    """The counting upsert, built once per dialect (building it costs more than running it)."""
    builder = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = RateLimitBucket.__table__  # Core, not the ORM bulk path: one cached statement
    statement = builder(table).values(bucket=bindparam("bucket"), window_start=bindparam("window_start"), hits=1)
    same_window = table.c.window_start == statement.excluded.window_start
    return statement.on_conflict_do_update(
        index_elements=["bucket"],
        set_={"hits": case((same_window, table.c.hits + 1), else_=1), "window_start": statement.excluded.window_start},
    ).returning(table.c.hits)


@cache
def _upsert_many(dialect: str) -> ReturningInsert[str, int]:
    """The counting upsert for several buckets at once, each adding its own number of hits."""
    builder = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = RateLimitBucket.__table__
    statement = builder(table)
    same_window = table.c.window_start == statement.excluded.window_start
    return statement.on_conflict_do_update(
        index_elements=["bucket"],
        set_={"hits": case((same_window, table.c.hits + statement.excluded.hits), else_=statement.excluded.hits),
              "window_start": statement.excluded.window_start},
    ).returning(table.c.bucket, table.c.hits)


def hit_many(session: Session, buckets: Sequence[str], now: datetime | None = None) -> list[int]:
    """Count one hit per entry of ``buckets`` (a bucket may repeat) in one statement.

    Returns, for each entry in order, the hits in the current window up to and including
    that one, as if :func:`hit` had been called for each in turn. Buckets are written in
    sorted order, so concurrent writers on PostgreSQL lock rows in the same order.
    """
    if not buckets:
        return []
    start = window_start(now or utcnow())
    added = Counter(buckets)
    rows = [{"bucket": bucket, "window_start": start, "hits": added[bucket]} for bucket in sorted(added)]
    statement = _upsert_many(session.get_bind().dialect.name)
    totals = {bucket: hits for bucket, hits in session.execute(statement, rows)}
    seen: Counter[str] = Counter()
    counts = []
    for bucket in buckets:
        seen[bucket] += 1
        counts.append(int(totals[bucket]) - added[bucket] + seen[bucket])
    _maybe_sweep(session, start)
    return counts


def _maybe_sweep(session: Session, start: datetime) -> None:
    if random.random() < SWEEP_PROBABILITY:
        session.execute(delete(RateLimitBucket).where(RateLimitBucket.window_start < start - WINDOW))


def hit(session: Session, bucket: str, now: datetime | None = None) -> int:
    """Count one hit in ``bucket``; returns the hits in the current window, this one included.

    Call it first in a transaction: on SQLite a write as the first statement takes the write
    lock up front, so concurrent processes queue on the busy timeout instead of failing.
    """
    start = window_start(now or utcnow())
    statement = _upsert(session.get_bind().dialect.name)
    hits = session.execute(statement, {"bucket": bucket, "window_start": start}).scalar_one()
    _maybe_sweep(session, start)
    return int(hits)
