"""``centric worker`` plus one test task, for the fleet test: ``python -m tests.integration.fleet_worker worker``.

The task records every run of itself as a row (never deduplicated), so the test can count
how many times each job's handler really ran, whichever worker process ran it.
"""

from __future__ import annotations

import os
import uuid
from typing import Any

from centric.accounts.models import AppSetting
from centric.cli.main import app
from centric.jobs import JobContext, task

RECORD_TASK = "fleet.record"
RUN_PREFIX = "fleet-run:"


@task(RECORD_TASK)
def record(context: JobContext, payload: dict[str, Any]) -> None:
    with context.db.transaction() as session:
        session.add(AppSetting(key=f"{RUN_PREFIX}{payload['n']}:{uuid.uuid4().hex}", value=str(os.getpid())))


if __name__ == "__main__":
    app()
