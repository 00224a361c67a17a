"""Retention: old copies go, recent ones and unfinished work stay; the purge runs daily — both backends."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update
from typer.testing import CliRunner

from centric.cli.main import app as cli
from centric.config import Settings
from centric.db import utcnow
from centric.ingest.models import IdempotencyRecord
from centric.jobs import LocalWorker
from centric.jobs.models import Job
from centric.jobs.service import enqueue
from centric.privacy.retention import PURGE_TASK, purge_expired, start_retention
from centric.webhooks.models import WebhookDelivery, WebhookSubscription

SETTINGS = Settings(retention_deliveries_days=30, retention_idempotency_days=7, retention_jobs_days=14)


def _age(days: float):
    return utcnow() - timedelta(days=days)


def _plant(db) -> None:
    """For each kind: one row just past its period, one just inside it, one unfinished and old."""
    with db.transaction() as s:
        hook = WebhookSubscription(url="http://127.0.0.1:9/hook", events=["*"], secret_sealed="sealed")
        s.add(hook)
        s.flush()
        for label, status, days in (("old", "delivered", 31), ("new", "failed", 29), ("pending", "pending", 90)):
            s.add(WebhookDelivery(subscription_id=hook.id, event="ping", event_id=label, payload={},
                                  status=status, created_at=_age(days)))
        for label, days in (("old", 8), ("new", 6)):
            s.add(IdempotencyRecord(key=label, request_hash="h", status_code=201, body={}, created_at=_age(days)))
        for label, status, days in (("old", "done", 15), ("old-failed", "failed", 15), ("new", "done", 13),
                                    ("queued", "queued", 90)):
            job = enqueue(s, "test.noop", {}, idempotency_key=label)
            job.status, job.created_at = status, _age(days)
            job.finished_at = None if status == "queued" else _age(days)
            job.run_at = utcnow() + timedelta(days=2)  # no worker in these tests takes them


def _left(db) -> tuple[set[str], set[str], set[str | None]]:
    with db.reader() as s:
        return (set(s.scalars(select(WebhookDelivery.event_id))), set(s.scalars(select(IdempotencyRecord.key))),
                set(s.scalars(select(Job.idempotency_key).where(Job.name == "test.noop"))))


def test_purge_removes_only_what_is_past_its_period(db):
    _plant(db)
    with db.transaction() as s:
        report = purge_expired(s, SETTINGS)
    assert (report.webhook_deliveries, report.idempotency_records, report.jobs) == (1, 1, 2)
    assert _left(db) == ({"new", "pending"}, {"new"}, {"new", "queued"})


def test_the_daily_purge_is_queued_once_runs_and_queues_the_next_day(db):
    _plant(db)
    start_retention(db)
    start_retention(db)  # a second process starting: still one job for today
    with db.reader() as s:
        today = list(s.scalars(select(Job).where(Job.name == PURGE_TASK)))
    assert len(today) == 1 and today[0].idempotency_key == f"{PURGE_TASK}:{utcnow().date().isoformat()}"
    assert LocalWorker(db, SETTINGS, threads=1).run_due(10) == 1
    assert _left(db) == ({"new", "pending"}, {"new"}, {"new", "queued"})
    with db.reader() as s:
        purges = {j.idempotency_key: (j.status, j.run_at) for j in s.scalars(select(Job).where(Job.name == PURGE_TASK))}
    tomorrow = (utcnow() + timedelta(days=1)).date()
    assert purges[today[0].idempotency_key][0] == "done"
    status, run_at = purges[f"{PURGE_TASK}:{tomorrow.isoformat()}"]
    assert status == "queued" and run_at.date() == tomorrow


def test_purge_command_applies_the_configured_periods(db, monkeypatch):
    _plant(db)
    with db.transaction() as s:  # make the "new" idempotency record 3 days old: past a 2-day period
        s.execute(update(IdempotencyRecord).where(IdempotencyRecord.key == "new").values(created_at=_age(3)))
    monkeypatch.setenv("CENTRIC_RETENTION_IDEMPOTENCY_DAYS", "2")
    result = CliRunner().invoke(cli, ["--database-url", db.url, "privacy", "purge"])
    assert result.exit_code == 0, result.output
    assert "1 webhook deliveries, 2 idempotency records, 2 finished jobs" in result.output
    assert _left(db) == ({"new", "pending"}, set(), {"new", "queued"})
