"""Fixtures for the themes tests: the API app and tokens, fast job settings, feedback helpers."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from centric.config import Settings
from centric.db import utcnow
from centric.feedback.models import Feedback
from centric.jobs import LocalWorker
from centric.jobs.models import Job
from tests.api.conftest import app, client, tokens  # noqa: F401


def fast(**overrides) -> Settings:  # type: ignore[no-untyped-def]
    values = {"job_retry_base_s": 0.01, "job_retry_max_s": 0.05, "job_poll_s": 0.02, "job_workers": 1}
    return Settings(**(values | overrides))


def run_jobs(db, rounds: int = 10, **settings) -> int:  # type: ignore[no-untyped-def]
    """Run every queued job, making retries due at once (no sleeping on backoff)."""
    worker, ran = LocalWorker(db, fast(**settings), threads=1), 0
    for _ in range(rounds):
        ran += worker.run_due(1000)
        with db.transaction() as s:
            waiting = s.execute(update(Job).where(Job.status == "queued")
                                .values(run_at=utcnow() - timedelta(seconds=1))).rowcount
        if not waiting:
            return ran
    return ran


def add_items(session, texts, **values) -> list[int]:  # type: ignore[no-untyped-def]
    """Feedback rows written directly (as connectors and old data are), not yet enriched."""
    now = utcnow()
    items = [Feedback(source="test", channel="review", text=t, occurred_at=values.get("occurred_at", now),
                      **{k: v for k, v in values.items() if k != "occurred_at"}) for t in texts]
    session.add_all(items)
    session.flush()
    return [i.id for i in items]
