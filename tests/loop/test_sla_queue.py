"""SLA timers on the distributed backend (Dramatiq on the real Redis and RabbitMQ): each step fires once."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from centric.db import utcnow
from centric.jobs.models import Job
from centric.loop import sla
from centric.loop.cases import CaseDraft, open_cases
from centric.loop.models import SlaEscalation
from centric.loop.sla_jobs import fire
from centric.loop.sla_schemas import EscalationStep, PolicyIn
from tests.factories import make_user
from tests.jobs.backends import running_backend
from tests.jobs.waiting import eventually


def _timers_done(db) -> bool:
    with db.reader() as s:
        statuses = set(s.scalars(select(Job.status).where(Job.name == sla.TIMER_TASK)))
    return statuses == {"done"}


@pytest.fixture(params=["redis", "rabbitmq"])
def backend(request: pytest.FixtureRequest, db):
    """Dramatiq workers on Redis or RabbitMQ, over SQLite or PostgreSQL (``db``): four combinations."""
    with running_backend(db, request.param) as running:
        yield running


def test_a_timer_delivered_twice_escalates_once(backend):
    db = backend.db
    with db.transaction() as s:
        owner = make_user(s, "agent")
        sla.create_policy(s, PolicyIn(name="Fast", first_contact_minutes=5, escalation=[
            EscalationStep(when="breached", target="first_contact", action="notify_owner")]))
        s.execute(update(Job).where(Job.name == sla.REAPPLY_TASK).values(status="done"))
        case = open_cases(s, [CaseDraft(title="Cold room", source="manual", owner_id=owner.id)])[0]
        case.created_at = utcnow() - timedelta(hours=1)
        sla.apply(s, [case], sla.Setup.load(s, [case.id]))  # the due times lie in the past: timers due now
        s.execute(update(Job).where(Job.name == sla.TIMER_TASK).values(run_at=datetime(2000, 1, 1)))
        payload = {"case_id": case.id, "target": "first_contact", "stage": "breached",
                   "due_at": case.first_contact_due_at.isoformat()}
    with db.transaction() as s:  # a first firing outside the queue (another worker got there first)
        assert len(fire(s, payload)) == 1
    eventually(lambda: _timers_done(db), what="the timers ran on the queue")
    with db.transaction() as s:  # the broker re-delivers every timer
        s.execute(update(Job).where(Job.name == sla.TIMER_TASK).values(status="queued", dispatched_at=None))
    eventually(lambda: _timers_done(db), what="the re-delivered timers ran")
    with db.reader() as s:
        assert s.scalar(select(func.count()).select_from(SlaEscalation)) == 1
        assert s.scalar(select(func.count()).select_from(Job).where(Job.name == "loop.notify")) == 1
