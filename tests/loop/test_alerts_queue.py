"""A retroactive rule run as a job on Dramatiq (Redis and RabbitMQ, over SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from centric.db import utcnow
from centric.jobs.models import Job
from centric.loop.alert_jobs import APPLY_TASK, enqueue_apply, preview
from centric.loop.models import AlertRule, Case, RuleMatch
from tests.factories import make_journey, respond
from tests.jobs.backends import running_backend
from tests.jobs.waiting import eventually


@pytest.fixture(params=["redis", "rabbitmq"])
def backend(request: pytest.FixtureRequest, db):
    with running_backend(db, request.param) as running:
        yield running


def _applied(db) -> bool:  # type: ignore[no-untyped-def]
    with db.reader() as s:
        return set(s.scalars(select(Job.status).where(Job.name == APPLY_TASK))) == {"done"}


def test_a_retroactive_run_on_the_queue_opens_what_the_preview_counted_once(backend):
    db = backend.db
    start = utcnow() - timedelta(days=20)
    with db.transaction() as s:
        make_journey(s)
        for day, (email, score) in enumerate([("a@x.org", 2), ("b@x.org", 9), ("c@x.org", 4), ("a@x.org", 6)]):
            respond(s, "rnps", score, email=email, when=start + timedelta(days=day))
        rule = AlertRule(name="Detractors", applies_to="response", severity=3,
                         condition={"all": [{"field": "nps", "op": "lte", "value": 6}]}, actions={"open_case": True})
        s.add(rule)
    since, until = start - timedelta(hours=1), start + timedelta(days=5)
    with db.reader() as s:
        counted = preview(s, rule.id, since, until)
    assert (counted.matching, counted.new_cases, counted.deduplicated) == (3, 2, 1)
    with db.transaction() as s:
        enqueue_apply(s, rule.id, since, until)
    eventually(lambda: _applied(db), what="the retroactive run finished on the queue")
    with db.transaction() as s:  # the broker delivers the run again: it resumes and finds nothing new
        enqueue_apply(s, rule.id, since, until)
    eventually(lambda: _applied(db), what="the second run finished")
    with db.reader() as s:
        assert s.scalar(select(func.count()).select_from(Case)) == counted.new_cases
        assert s.scalar(select(func.count()).select_from(RuleMatch)) == counted.matching
