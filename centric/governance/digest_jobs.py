"""The digests' jobs: the daily planning (which queues the next day's) and one send per digest run."""

from __future__ import annotations

import logging
from datetime import date, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError

from centric.governance.digests import SCHEDULE_TASK, SEND_TASK, plan_runs, schedule_digests, send_run
from centric.governance.impact import refresh_value_basis
from centric.jobs import JobContext, task

log = logging.getLogger("centric.governance")


@task(SCHEDULE_TASK)
def plan(context: JobContext, payload: dict[str, Any]) -> None:
    """Plan the digests of the payload's day (not today's: a late job plans its own day), then queue tomorrow's."""
    day = date.fromisoformat(str(payload["day"]))
    for attempt in (1, 2):
        try:
            with context.db.transaction() as session:
                created = plan_runs(session, context.settings, day)
                schedule_digests(session, day + timedelta(days=1))
        except IntegrityError:
            # A concurrent planner inserted the same runs (or tomorrow's job) first: plan again, finding them.
            if attempt == 2:
                raise
            continue
        log.info("digests of %s: %s planned", day, len(created))
        break
    try:
        with context.db.transaction() as session:
            refresh_value_basis(session)  # the board's valuation of expected effects, once a day
    except IntegrityError:
        pass  # another worker stored it at the same moment


@task(SEND_TASK)
def send(context: JobContext, payload: dict[str, Any]) -> None:
    outcome = send_run(context.db, context.settings, int(payload["run_id"]), date.fromisoformat(str(payload["start"])),
                       date.fromisoformat(str(payload["end"])))
    if outcome == "unknown":
        log.warning("digest run %s was left mid-send by a worker that stopped; not sent again", payload["run_id"])
