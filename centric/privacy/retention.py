"""Retention: old webhook deliveries, idempotency records and finished jobs are deleted.

They hold copies of customer data (payloads, API answers) that serve retries and
debugging for a while and then only widen what a breach or a subpoena can reach. The
periods are settings (``CENTRIC_RETENTION_*_DAYS``); a daily job (:data:`PURGE_TASK`)
applies them and ``centric privacy purge`` does it at once.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from pydantic import BaseModel
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from centric.config import Settings
from centric.db import Database, changed_rows, utcnow
from centric.ingest.models import IdempotencyRecord
from centric.jobs.models import Job
from centric.jobs.service import enqueue
from centric.webhooks.models import WebhookDelivery

PURGE_TASK = "privacy.purge"


class PurgeReport(BaseModel):
    """How many rows each retention period removed."""

    webhook_deliveries: int
    idempotency_records: int
    jobs: int


def purge_expired(session: Session, settings: Settings, now: datetime | None = None) -> PurgeReport:
    """Delete what is older than its retention period; pending deliveries and queued or running jobs stay."""
    now = now or utcnow()
    return PurgeReport(
        webhook_deliveries=changed_rows(session, delete(WebhookDelivery).where(
            WebhookDelivery.status != "pending",
            WebhookDelivery.created_at < now - timedelta(days=settings.retention_deliveries_days))),
        idempotency_records=changed_rows(session, delete(IdempotencyRecord).where(
            IdempotencyRecord.created_at < now - timedelta(days=settings.retention_idempotency_days))),
        jobs=changed_rows(session, delete(Job).where(
            Job.status.in_(("done", "failed")),
            Job.finished_at < now - timedelta(days=settings.retention_jobs_days))),
    )


def schedule_purge(session: Session, day: datetime) -> Job:
    """The purge of ``day`` (UTC), run at its start; one job per installation and day (idempotency key)."""
    start = datetime.combine(day.date(), time())
    delay = max((start - utcnow()).total_seconds(), 0.0)
    return enqueue(session, PURGE_TASK, {}, delay_s=delay, idempotency_key=f"{PURGE_TASK}:{start.date().isoformat()}")


def start_retention(db: Database) -> None:
    """At start-up: make sure today's purge is queued (a no-op when it is, or ran already).

    The purge job queues the next day's itself, so the chain runs as long as a worker does.
    Two processes starting at once race on the key; the loser's insert fails and the
    winner's job stands.
    """
    try:
        with db.transaction() as session:
            schedule_purge(session, utcnow())
    except IntegrityError:
        pass
