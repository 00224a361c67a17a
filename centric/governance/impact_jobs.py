"""The impact job: measure a done initiative at once, and again when its after-window is complete."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, time, timedelta
from typing import Any

from centric.db import utcnow
from centric.events import InitiativesDone, JobSpec
from centric.governance.impact import measure
from centric.governance.models import Initiative
from centric.jobs import JobContext, PermanentError, task
from centric.jobs.service import enqueue

IMPACT_TASK = "governance.initiative_impact"


def impact_key(initiative_id: int, done_on: object, final: bool = False) -> str:
    """One measurement per initiative and done day (and one final one after the window)."""
    return f"initiative-impact:{initiative_id}:{done_on}{':final' if final else ''}"


def impact_jobs(event: InitiativesDone) -> Iterable[JobSpec]:
    for initiative_id in event.ids:
        yield JobSpec(IMPACT_TASK, {"initiative_id": initiative_id, "done_on": str(event.done_on)},
                      idempotency_key=impact_key(initiative_id, event.done_on))


@task(IMPACT_TASK)
def measure_impact(context: JobContext, payload: dict[str, Any]) -> None:
    """Measure now (replacing the stored impact); queue the final measurement at the window's end."""
    initiative_id = int(payload["initiative_id"])
    window = context.settings.impact_window_days
    with context.db.transaction() as session:
        initiative = session.get(Initiative, initiative_id)
        if initiative is None:
            raise PermanentError(f"no initiative {initiative_id}")
        if initiative.status != "done" or initiative.done_on is None or str(initiative.done_on) != payload["done_on"]:
            return  # changed since: nothing to measure for this done day
        measure(session, initiative, window=window)
        window_end = datetime.combine(initiative.done_on + timedelta(days=window + 1), time.min)
        wait = (window_end - utcnow()).total_seconds()
        if wait > 0 and not payload.get("final"):
            enqueue(session, IMPACT_TASK, {**payload, "final": True}, delay_s=wait,
                    idempotency_key=impact_key(initiative_id, initiative.done_on, final=True))
