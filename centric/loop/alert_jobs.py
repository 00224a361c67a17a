"""Applying an alert rule retroactively to a period: a preview count, and the job that applies it.

Both walk the period's sources in id order, :data:`BATCH` at a time, through
:func:`centric.loop.alerts.evaluate` — the preview dry, carrying the (rule, customer)
pairs it would have opened a case for, so its counts are what applying then does.
Applying is idempotent: a source matched before is skipped (``rule_match`` is unique).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from centric.db import as_utc, utcnow
from centric.errors import Invalid
from centric.feedback.models import Feedback
from centric.jobs import JobContext, PermanentError, task
from centric.jobs.models import Job
from centric.jobs.service import enqueue
from centric.loop.alerts import Outcome, active_rule, evaluate, get_rule
from centric.loop.rule_schemas import PreviewOut
from centric.surveys.models import Response

APPLY_TASK = "loop.alerts.apply"
BATCH = 500


def _period(since: datetime, until: datetime | None) -> tuple[datetime, datetime]:
    until = until or utcnow()
    if since >= until:
        raise Invalid("must be before until", field="since")
    return since, until


def source_batches(session: Session, applies_to: str, since: datetime, until: datetime,
                   batch: int = BATCH, after: int = 0) -> Iterator[list[int]]:
    """Ids of the period's completed responses (by submission) or enriched feedback (by occurrence)."""
    while True:
        if applies_to == "response":
            query = select(Response.id).where(Response.completed.is_(True), Response.submitted_at >= since,
                                              Response.submitted_at < until, Response.id > after)
        else:
            query = select(Feedback.id).where(Feedback.enriched_at.is_not(None), Feedback.occurred_at >= since,
                                              Feedback.occurred_at < until, Feedback.id > after)
        ids = list(session.scalars(query.order_by("id").limit(batch)))
        if not ids:
            return
        yield ids
        after = ids[-1]


def preview(session: Session, rule_id: int, since: datetime, until: datetime | None = None,
            batch: int = BATCH) -> PreviewOut:
    """What applying the rule to the period would do; writes nothing."""
    rule = get_rule(session, rule_id)
    since, until = _period(since, until)
    compiled, planned, total, scanned = active_rule(rule), set[tuple[int, int]](), Outcome(), 0
    for ids in source_batches(session, rule.applies_to, since, until, batch):
        scanned += len(ids)
        _add(total, evaluate(session, rule.applies_to, ids, rules=[compiled], dry=True, planned=planned))
    return PreviewOut(rule_id=rule.id, since=since, until=until, scanned=scanned, matching=total.matching,
                      already_matched=total.already_matched, new_cases=total.new_cases,
                      deduplicated=total.deduplicated, notified=total.notified)


def apply_range(session: Session, rule_id: int, since: datetime, until: datetime | None = None,
                batch: int = BATCH) -> Outcome:
    """Apply the rule to the period in ``session`` (matches recorded as retroactive)."""
    rule = get_rule(session, rule_id)
    since, until = _period(since, until)
    compiled, total = active_rule(rule), Outcome()
    for ids in source_batches(session, rule.applies_to, since, until, batch):
        _add(total, evaluate(session, rule.applies_to, ids, rules=[compiled], retroactive=True))
    return total


def enqueue_apply(session: Session, rule_id: int, since: datetime, until: datetime | None = None) -> Job:
    """Queue the retroactive run of a rule over a period (checked now, run by a worker)."""
    rule = get_rule(session, rule_id)
    since, until = _period(since, until)
    return enqueue(session, APPLY_TASK, {"rule_id": rule.id, "since": since.isoformat(),
                                         "until": until.isoformat()})


@task(APPLY_TASK, max_attempts=3)
def apply_job(context: JobContext, payload: dict[str, Any]) -> None:
    """Apply a rule to a period, one transaction per batch (a retry resumes: matched sources are skipped)."""
    try:
        rule_id = int(payload["rule_id"])
        since = as_utc(datetime.fromisoformat(payload["since"]))
        until = as_utc(datetime.fromisoformat(payload["until"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise PermanentError(f"payload needs rule_id, since and until: {exc}") from None
    after = 0
    while True:
        with context.db.transaction() as session:
            rule = get_rule(session, rule_id)
            ids = next(source_batches(session, rule.applies_to, since, until, BATCH, after), [])
            if not ids:
                return
            evaluate(session, rule.applies_to, ids, rules=[active_rule(rule)], retroactive=True)
        after = ids[-1]


def _add(total: Outcome, part: Outcome) -> None:
    total.matching += part.matching
    total.already_matched += part.already_matched
    total.new_cases += part.new_cases
    total.deduplicated += part.deduplicated
    total.notified += part.notified
    total.case_ids += part.case_ids
