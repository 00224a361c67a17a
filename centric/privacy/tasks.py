"""The daily retention purge: applies the periods, then queues tomorrow's run."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from centric.db import utcnow
from centric.jobs import JobContext, task
from centric.privacy.retention import PURGE_TASK, purge_expired, schedule_purge


@task(PURGE_TASK)
def purge(context: JobContext, payload: dict[str, Any]) -> None:
    with context.db.transaction() as session:
        purge_expired(session, context.settings)
        schedule_purge(session, utcnow() + timedelta(days=1))
