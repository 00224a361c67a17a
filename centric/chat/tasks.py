"""The chat domain's background job: the sweep that closes silent conversations."""

from __future__ import annotations

from typing import Any

from centric.chat.closing import SWEEP_TASK, any_open, close_idle, keep_sweeping
from centric.jobs import JobContext, task


@task(SWEEP_TASK, max_attempts=3)
def sweep_idle(context: JobContext, payload: dict[str, Any]) -> None:
    """Close what fell silent; queue the next sweep while open conversations remain."""
    with context.db.transaction() as session:
        close_idle(session, context.settings)
        if any_open(session):
            keep_sweeping(session)
