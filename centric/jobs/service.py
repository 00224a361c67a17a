"""Enqueueing, claiming, finishing and listing jobs; all inside the caller's transaction."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, Select, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import Insert as PgInsert
from sqlalchemy.dialects.sqlite import Insert as SqliteInsert
from sqlalchemy.orm import Session

from centric import logs
from centric.db import count_of, utcnow, where_given
from centric.errors import Conflict, Invalid, NotFound
from centric.jobs.models import JOB_STATUSES, Job
from centric.jobs.registry import TASKS

MAX_ERROR = 4000
#: The payload key that carries the id of the request that enqueued the job (``centric.logs``);
#: the worker takes it out before the handler sees the payload, and logs the run under it.
REQUEST_ID_KEY = "_request_id"


def enqueue(
    session: Session,
    name: str,
    payload: dict[str, Any] | None = None,
    *,
    delay_s: float = 0,
    idempotency_key: str | None = None,
    max_attempts: int | None = None,
) -> Job:
    """Add a job to run after ``delay_s``; it commits (or rolls back) with the caller.

    A second call with the same ``idempotency_key`` returns the first job unchanged.
    ``max_attempts`` defaults to the task's own, else to ``CENTRIC_JOB_MAX_ATTEMPTS``.
    """
    if max_attempts is None and name in TASKS:
        max_attempts = TASKS[name].max_attempts
    payload = dict(payload or {})
    request_id = logs.current_request_id()
    if request_id is not None:
        payload.setdefault(REQUEST_ID_KEY, request_id)
    try:
        json.dumps(payload)
    except (TypeError, ValueError) as exc:
        raise Invalid(f"job payload is not JSON: {exc}", field="payload") from None
    if delay_s < 0:
        raise Invalid("delay_s must not be negative", field="delay_s")
    values = {"name": name, "payload": payload, "status": "queued", "attempts": 0, "max_attempts": max_attempts,
              "run_at": utcnow() + timedelta(seconds=delay_s), "idempotency_key": idempotency_key}
    if idempotency_key is None:
        job = Job(**values)
        session.add(job)
        session.flush()
        return job
    existing = session.scalar(select(Job).where(Job.idempotency_key == idempotency_key))
    if existing is not None:
        return existing
    # Processes racing on one key (two web processes scheduling the same chat sweep, two
    # workers starting today's purge): ON CONFLICT DO NOTHING waits for the other's commit
    # and then skips, so the caller's transaction goes on with the winner's job. No savepoint:
    # on SQLite (pysqlite) one as the first statement would commit on its own.
    inserted = session.scalars(_insert_once(session).values(**values).returning(Job)).first()
    return inserted or session.scalars(select(Job).where(Job.idempotency_key == idempotency_key)).one()


def _insert_once(session: Session) -> PgInsert | SqliteInsert:
    """``INSERT … ON CONFLICT (idempotency_key) DO NOTHING`` into ``job`` in the session's dialect."""
    builder = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    return builder(Job).on_conflict_do_nothing(index_elements=["idempotency_key"])


def get_job(session: Session, job_id: int) -> Job:
    job = session.get(Job, job_id)
    if job is None:
        raise NotFound(f"job {job_id} not found")
    return job


def list_jobs(session: Session, *, status: str | None = None, name: str | None = None,
              limit: int = 50, offset: int = 0) -> list[Job]:
    query = _jobs_query(status, name)
    return list(session.scalars(query.order_by(Job.id.desc()).limit(limit).offset(offset)))


def count_by_status(session: Session) -> dict[str, int]:
    counts = dict(session.execute(select(Job.status, func.count()).group_by(Job.status)).all())
    return {status: int(counts.get(status, 0)) for status in JOB_STATUSES}


def retry(session: Session, job_id: int) -> Job:
    """Put a parked (failed) job back in the queue with a fresh set of attempts."""
    job = get_job(session, job_id)
    if job.status != "failed":
        raise Conflict(f"job {job_id} is {job.status}; only failed jobs can be retried")
    job.status, job.attempts, job.run_at = "queued", 0, utcnow()
    job.finished_at = job.locked_by = job.locked_until = job.dispatched_at = None
    return job


# --- used by the workers ---------------------------------------------------------------

def reclaim_expired(session: Session, now: datetime | None = None) -> int:
    """Requeue running jobs whose worker died (lease over): at-least-once delivery."""
    now = now or utcnow()
    result = cast(CursorResult[Any], session.execute(
        update(Job).where(Job.status == "running", Job.locked_until < now)
        .values(status="queued", locked_by=None, locked_until=None, dispatched_at=None)
    ))
    return result.rowcount or 0


def due_job_ids(session: Session, limit: int, now: datetime | None = None,
                undispatched_since: datetime | None = None) -> list[int]:
    """Queued jobs whose time has come, oldest first (optionally only those not sent to a broker)."""
    query = select(Job.id).where(Job.status == "queued", Job.run_at <= (now or utcnow()))
    if undispatched_since is not None:
        query = query.where((Job.dispatched_at.is_(None)) | (Job.dispatched_at < undispatched_since))
    return list(session.scalars(query.order_by(Job.run_at, Job.id).limit(limit)))


def mark_dispatched(session: Session, job_id: int, undispatched_since: datetime) -> bool:
    """Atomically note that this relay sends the job to the broker (one relay wins)."""
    result = cast(CursorResult[Any], session.execute(
        update(Job).where(Job.id == job_id, Job.status == "queued",
                          (Job.dispatched_at.is_(None)) | (Job.dispatched_at < undispatched_since))
        .values(dispatched_at=utcnow())
    ))
    return (result.rowcount or 0) == 1


def undo_dispatch(session: Session, job_id: int) -> None:
    """The broker refused the job's message (it is down): let the next relay pass send it at once."""
    session.execute(update(Job).where(Job.id == job_id, Job.status == "queued").values(dispatched_at=None))


def claim(session: Session, job_id: int, worker: str, lease_s: int) -> Job | None:
    """Take a due, queued job for this worker; None when another worker got it first."""
    now = utcnow()
    result = cast(CursorResult[Any], session.execute(
        update(Job).where(Job.id == job_id, Job.status == "queued", Job.run_at <= now)
        .values(status="running", attempts=Job.attempts + 1, locked_by=worker,
                locked_until=now + timedelta(seconds=lease_s))
    ))
    if (result.rowcount or 0) != 1:
        return None
    job = session.get(Job, job_id)
    if job is not None:
        session.refresh(job)
    return job


def finish(session: Session, job_id: int, worker: str) -> None:
    session.execute(
        update(Job).where(Job.id == job_id, Job.locked_by == worker)
        .values(status="done", finished_at=utcnow(), locked_by=None, locked_until=None, last_error=None)
    )


def backoff_s(attempts: int, base_s: float, max_s: float) -> float:
    """Exponential backoff: ``base · 2^(attempts-1)``, capped at ``max_s``."""
    return min(max_s, base_s * 2 ** max(attempts - 1, 0))


def record_failure(session: Session, job_id: int, worker: str, error: str, *, retry_in_s: float | None) -> None:
    """Schedule another attempt after ``retry_in_s``, or park the job as failed when None."""
    values: dict[str, Any] = {"last_error": error[:MAX_ERROR], "locked_by": None, "locked_until": None,
                              "dispatched_at": None}
    if retry_in_s is None:
        values.update(status="failed", finished_at=utcnow())
    else:
        values.update(status="queued", run_at=utcnow() + timedelta(seconds=retry_in_s))
    session.execute(update(Job).where(Job.id == job_id, Job.locked_by == worker).values(**values))


def _jobs_query(status: str | None, name: str | None) -> Select[tuple[Job]]:
    if status is not None and status not in JOB_STATUSES:
        raise Invalid(f"status must be one of {', '.join(JOB_STATUSES)}", field="status")
    return where_given(select(Job), (Job.status, status), (Job.name, name))


def count_jobs(session: Session, *, status: str | None = None, name: str | None = None) -> int:
    """How many jobs :func:`list_jobs` pages through."""
    return count_of(session, _jobs_query(status, name))
