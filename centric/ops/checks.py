"""Readiness checks: is the database answering, the schema at head, the job queue reachable?

Each check returns a :class:`Check` with a short ``reason`` that is safe to show anyone
(``GET /api/ready`` needs no login: load balancers call it) and a ``detail`` for operators
(``centric doctor``, logs) with any password in a URL masked. Every check runs under a
deadline, so a host that never answers makes the probe fail, never hang.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from typing import Literal

from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from centric import i18n
from centric.config import Settings
from centric.db import Database
from centric.store import schema_state

Status = Literal["ok", "warn", "fail"]
CHECK_TIMEOUT_S = 3.0


@dataclass(frozen=True)
class Check:
    """One check's outcome. ``reason`` is public; ``detail`` and ``fix`` are for operators."""

    name: str
    status: Status
    reason: str
    detail: str = ""
    fix: str = ""

    @property
    def ok(self) -> bool:
        return self.status != "fail"


@dataclass(frozen=True)
class Readiness:
    checks: list[Check] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        return all(c.ok for c in self.checks)

    def public(self) -> dict[str, object]:
        """The body of ``GET /api/ready``: statuses and public reasons only."""
        return {"status": "ready" if self.ready else "not ready",
                "checks": {c.name: {"status": c.status, "reason": c.reason} for c in self.checks}}


_URL = re.compile(r"\b([a-z][a-z0-9+.-]*://)([^:/@\s]*):([^@\s]*)@", re.I)


def masked(message: str) -> str:
    """``message`` with the password of every URL in it replaced by ``***``."""
    return _URL.sub(lambda m: f"{m.group(1)}{m.group(2)}:***@", message)


def safe_url(url: str) -> str:
    """A URL fit to print: its password masked."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 — not an SQLAlchemy URL (a broker's): mask by pattern
        return masked(url)


def _error(exc: BaseException) -> str:
    first = (str(exc).strip().splitlines() or [""])[0]
    return masked(f"{type(exc).__name__}: {first}" if first else type(exc).__name__)


def within(name: str, probe: Callable[[], Check], timeout_s: float = CHECK_TIMEOUT_S,
           failed: Callable[[str], Check] | None = None) -> Check:
    """Run ``probe`` under a deadline; a timeout or an exception is a failed check."""
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"centric-check-{name}")
    try:
        return pool.submit(probe).result(timeout=timeout_s)
    except FutureTimeout:
        detail = i18n._("no answer within %(s)s s") % {"s": f"{timeout_s:g}"}
        return failed(detail) if failed else Check(name, "fail", i18n._("timed out"), detail)
    except Exception as exc:  # noqa: BLE001 — any failure of the probed system is the check's result
        return failed(_error(exc)) if failed else Check(name, "fail", i18n._("failed"), _error(exc))
    finally:
        pool.shutdown(wait=False)  # a probe that hangs must not hold the answer back


def _select_one(engine: Engine, timeout_s: float) -> None:
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":  # undone with the transaction's rollback
            connection.execute(text(f"SET LOCAL statement_timeout = {int(timeout_s * 1000)}"))
        connection.execute(text("SELECT 1")).scalar_one()
        connection.rollback()


def check_database(db: Database, timeout_s: float = CHECK_TIMEOUT_S, name: str = "database") -> Check:
    """``SELECT 1`` on the primary database."""
    return _check_engine(db.engine, name, timeout_s)


def _check_engine(engine: Engine, name: str, timeout_s: float) -> Check:
    def probe() -> Check:
        _select_one(engine, timeout_s)
        return Check(name, "ok", i18n._("answering"), detail=engine.url.render_as_string(hide_password=True))

    def failed(detail: str) -> Check:
        return Check(name, "fail", i18n._("unreachable"), detail,
                     i18n._("Start the database server or correct CENTRIC_DATABASE_URL."))

    return within(name, probe, timeout_s, failed)


def check_replica(db: Database, timeout_s: float = CHECK_TIMEOUT_S) -> Check | None:
    """``SELECT 1`` on the read replica, when one is configured."""
    return None if db.replica is None else _check_engine(db.replica, "replica", timeout_s)


def check_migrations(db: Database, timeout_s: float = CHECK_TIMEOUT_S) -> Check:
    """The schema's revision against the newest this version ships."""
    def probe() -> Check:
        with db.engine.connect() as connection:
            state = schema_state(connection)
        if state.unknown:
            return Check("migrations", "fail", i18n._("schema is newer than this version"),
                         i18n._("stored revision %(r)s is unknown to this version") % {"r": ", ".join(state.unknown)},
                         i18n._("Run the Centric version that migrated this database, or a newer one."))
        if state.pending:
            return Check("migrations", "fail",
                         i18n.ngettext("%(n)d migration pending", "%(n)d migrations pending",
                                       len(state.pending)) % {"n": len(state.pending)},
                         i18n._("pending: %(r)s") % {"r": ", ".join(state.pending)},
                         i18n._("Run: centric db upgrade"))
        return Check("migrations", "ok", i18n._("at head"), ", ".join(state.current))

    def failed(detail: str) -> Check:
        return Check("migrations", "fail", i18n._("cannot read the schema version"), detail,
                     i18n._("Check that the database answers (see the database check)."))

    return within("migrations", probe, timeout_s, failed)


def ping_broker(url: str, timeout_s: float = CHECK_TIMEOUT_S) -> None:
    """Open a connection to the Redis or RabbitMQ broker at ``url`` and close it; raise when it fails."""
    if url.startswith(("redis://", "rediss://", "unix://")):
        import redis

        client = redis.Redis.from_url(url, socket_connect_timeout=timeout_s, socket_timeout=timeout_s)
        try:
            client.ping()
        finally:
            client.close()
        return
    if url.startswith(("amqp://", "amqps://")):
        import pika

        parameters = pika.URLParameters(url)
        parameters.socket_timeout = timeout_s
        parameters.stack_timeout = timeout_s
        parameters.blocked_connection_timeout = timeout_s
        parameters.connection_attempts = 1
        pika.BlockingConnection(parameters).close()
        return
    raise ValueError(i18n._("CENTRIC_QUEUE_URL must start with redis:// or amqp://"))


def check_queue(settings: Settings, database: Check | None = None, timeout_s: float = CHECK_TIMEOUT_S) -> Check:
    """The job queue: the configured broker answers, or (embedded) the database does."""
    url = settings.queue_url
    if not url:
        if database is not None and not database.ok:
            return Check("queue", "fail", i18n._("database-backed queue: database unreachable"), database.detail,
                         database.fix)
        return Check("queue", "ok", i18n._("database-backed queue"))
    kind = "redis" if url.startswith(("redis", "unix")) else "rabbitmq" if url.startswith("amqp") else "unknown"

    def probe() -> Check:
        ping_broker(url, timeout_s)
        return Check("queue", "ok", i18n._("%(kind)s broker answering") % {"kind": kind}, safe_url(url))

    def failed(detail: str) -> Check:
        return Check("queue", "fail", i18n._("%(kind)s broker unreachable") % {"kind": kind},
                     f"{safe_url(url)}: {detail}",
                     i18n._("Start the broker or correct CENTRIC_QUEUE_URL; jobs wait in the database meanwhile."))

    return within("queue", probe, timeout_s + 1, failed)


def readiness(db: Database, settings: Settings, timeout_s: float = CHECK_TIMEOUT_S) -> Readiness:
    """Every readiness check: database (and replica), migrations, job queue."""
    database = check_database(db, timeout_s)
    checks = [database]
    replica = check_replica(db, timeout_s)
    if replica is not None:
        checks.append(replica)
    if database.ok:
        checks.append(check_migrations(db, timeout_s))
    else:
        checks.append(Check("migrations", "fail", i18n._("not checked: database unreachable")))
    checks.append(check_queue(settings, database, timeout_s))
    return Readiness(checks)
