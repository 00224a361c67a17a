"""SLA policies, clocks and escalations on both databases, with a fixed clock."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from centric.accounts.models import Team
from centric.config import Settings
from centric.db import utcnow
from centric.errors import Conflict, Invalid
from centric.events import CaseChange
from centric.jobs import LocalWorker
from centric.jobs.models import Job
from centric.loop import sla
from centric.loop.cases import CaseDraft, log_contact, open_cases
from centric.loop.models import Case, CaseActivity, SlaEscalation
from centric.loop.sla_jobs import fire
from centric.loop.sla_schemas import CalendarIn, EscalationStep, PolicyIn, PolicyPatch
from tests.api.conftest import auth
from tests.factories import make_user

MONDAY = datetime(2024, 6, 10, 10, 0)  # naive UTC, as stored
OFFICE = {day: [("09:00", "17:00")] for day in ("mon", "tue", "wed", "thu", "fri")}


def _open(session, *, severity: int = 2, created: datetime = MONDAY, owner_id: int | None = None,
          team_id: int | None = None) -> Case:
    case = open_cases(session, [CaseDraft(title="Cold room", source="manual", severity=severity, owner_id=owner_id,
                                          team_id=team_id)])[0]
    case.created_at = created  # the clock as the test wants it
    sla.apply(session, [case], sla.Setup.load(session, [case.id]), created)
    return case


def _escalations(session) -> list[tuple[str, str, int, str]]:
    rows = session.scalars(select(SlaEscalation).order_by(SlaEscalation.id))
    return [(r.target, r.stage, r.step, r.action) for r in rows]


def _jobs(session, name: str) -> int:
    return session.scalar(select(func.count()).select_from(Job).where(Job.name == name)) or 0


def test_the_first_matching_policy_by_position_applies(db):
    with db.transaction() as s:
        sla.create_policy(s, PolicyIn(name="Everything", position=5, first_contact_minutes=480))
        urgent = sla.create_policy(s, PolicyIn(name="Urgent", position=1, first_contact_minutes=60,
                                               conditions={"all": [{"field": "priority", "op": "eq",
                                                                    "value": "urgent"}]}))
        hot, calm = _open(s, severity=4), _open(s, severity=2)
        assert hot.sla_policy_id == urgent.id and hot.first_contact_due_at == MONDAY + timedelta(minutes=60)
        assert calm.first_contact_due_at == MONDAY + timedelta(minutes=480)  # no calendar: round the clock
        assert hot.resolution_due_at is None and hot.sla_state == "ok"


def test_cases_opened_through_the_service_get_their_clocks(db):
    with db.transaction() as s:
        sla.create_policy(s, PolicyIn(name="Default", first_contact_minutes=30, resolution_minutes=600))
        case = open_cases(s, [CaseDraft(title="Noise", source="manual")])[0]
        assert case.sla_policy_id is not None
        assert case.first_contact_due_at == case.created_at + timedelta(minutes=30)
        keys = set(s.scalars(select(Job.idempotency_key).where(Job.name == sla.TIMER_TASK)))
        due = case.first_contact_due_at.isoformat()
        assert {f"sla:{case.id}:first_contact:at_risk:{due}", f"sla:{case.id}:first_contact:breached:{due}"} <= keys


def test_waiting_pauses_the_clock_in_business_minutes(db):
    with db.transaction() as s:
        office = sla.create_calendar(s, CalendarIn(name="Office", timezone="UTC", periods=OFFICE))
        sla.create_policy(s, PolicyIn(name="Office hours", calendar_id=office.id, resolution_minutes=480,
                                      next_response_minutes=120))
        case = _open(s)
        assert case.resolution_due_at == datetime(2024, 6, 11, 10)  # 7 h Monday + 1 h Tuesday
        case.status = "waiting"
        sla.follow_changes(s, (CaseChange(case.id, {"status": ("open", "waiting")}),),
                             now=datetime(2024, 6, 10, 12))
        assert case.paused_since == datetime(2024, 6, 10, 12)
        case.status = "open"
        sla.follow_changes(s, (CaseChange(case.id, {"status": ("waiting", "open")}),),
                             now=datetime(2024, 6, 11, 11))
        assert case.paused_since is None and case.paused_minutes == 5 * 60 + 2 * 60
        assert case.resolution_due_at == datetime(2024, 6, 11, 17)  # 480 + 420 business minutes from Monday 10:00
        assert case.next_response_due_at == datetime(2024, 6, 11, 13)
        # the agent replies: the next response is met, the clock survives a reload
        log_contact(s, case, None, channel="email", outcome="sent", at=datetime(2024, 6, 11, 12))
        clocks = {c.target: c for c in sla.case_clocks(s, case)}
        assert clocks["next_response"].met_at == datetime(2024, 6, 11, 12)
        assert clocks["resolution"].due_at == datetime(2024, 6, 11, 17)


def test_a_reopened_case_gets_a_new_resolution_clock(db):
    with db.transaction() as s:
        sla.create_policy(s, PolicyIn(name="Default", resolution_minutes=60))
        case = _open(s)
        case.status = "reopened"
        reopened_at = MONDAY + timedelta(days=3)
        sla.follow_changes(s, (CaseChange(case.id, {"status": ("resolved", "reopened")}),),
                             now=reopened_at)
        assert case.resolution_due_at == reopened_at + timedelta(minutes=60)


def test_at_risk_then_breach_fire_the_chain_once(db):
    with db.transaction() as s:
        owner, lead = make_user(s, "agent"), make_user(s, "manager")
        team = Team(name="Front Office", lead_id=lead.id)
        s.add(team)
        s.flush()
        steps = [EscalationStep(when="at_risk", target="first_contact", action="notify_owner"),
                 EscalationStep(when="breached", target="first_contact", action="reassign"),
                 EscalationStep(when="breached", target="first_contact", action="notify_lead")]
        sla.create_policy(s, PolicyIn(name="Fast", first_contact_minutes=100, at_risk_ratio=0.8, escalation=steps))
        case = _open(s, owner_id=owner.id, team_id=team.id)
        due = case.first_contact_due_at.isoformat()
        timer = {"case_id": case.id, "target": "first_contact", "due_at": due}
        fired = fire(s, {**timer, "stage": "at_risk"}, now=MONDAY + timedelta(minutes=80))
        assert [f.action for f in fired] == ["notify_owner"] and case.sla_state == "at_risk"
        fired = fire(s, {**timer, "stage": "breached"}, now=MONDAY + timedelta(minutes=100))
        assert [f.action for f in fired] == ["reassign", "notify_lead"]
        assert case.owner_id == lead.id and case.sla_state == "breached"
        # fired again (a re-delivered job): nothing more happens
        assert fire(s, {**timer, "stage": "breached"}, now=MONDAY + timedelta(minutes=101)) == []
        assert _escalations(s) == [("first_contact", "at_risk", 0, "notify_owner"),
                                   ("first_contact", "breached", 1, "reassign"),
                                   ("first_contact", "breached", 2, "notify_lead")]
        assert _jobs(s, "loop.notify") == 2
        trail = list(s.scalars(select(CaseActivity.kind).where(CaseActivity.case_id == case.id,
                                                               CaseActivity.kind == "escalated")))
        assert len(trail) == 3


def test_a_timer_does_nothing_when_the_target_is_met_or_the_due_time_moved(db):
    with db.transaction() as s:
        make_user(s, "manager")
        steps = [EscalationStep(when="breached", target="first_contact", action="notify_manager")]
        policy = sla.create_policy(s, PolicyIn(name="Fast", first_contact_minutes=60, escalation=steps))
        case = _open(s)
        stale = {"case_id": case.id, "target": "first_contact", "stage": "breached",
                 "due_at": (MONDAY + timedelta(minutes=30)).isoformat()}
        assert fire(s, stale, now=MONDAY + timedelta(hours=2)) == []  # the due time moved
        current = {**stale, "due_at": case.first_contact_due_at.isoformat()}
        paused = _open(s)
        paused.paused_since = MONDAY
        assert fire(s, {**current, "case_id": paused.id}, now=MONDAY + timedelta(hours=2)) == []
        case.first_contact_at = MONDAY + timedelta(minutes=10)
        assert fire(s, current, now=MONDAY + timedelta(hours=2)) == []  # met
        case.first_contact_at = None
        assert len(fire(s, current, now=MONDAY + timedelta(hours=2))) == 1
        assert policy.id == case.sla_policy_id


def test_policy_changes_are_reapplied_to_open_cases(db):
    with db.transaction() as s:
        first = sla.create_policy(s, PolicyIn(name="Tight", position=0, first_contact_minutes=60))
        sla.create_policy(s, PolicyIn(name="Loose", position=1, first_contact_minutes=600))
        case, closed = _open(s), _open(s)
        closed.status = "closed"
        reapplies = _jobs(s, sla.REAPPLY_TASK)
        sla.update_policy(s, first.id, PolicyPatch(first_contact_minutes=90))
        assert _jobs(s, sla.REAPPLY_TASK) == reapplies + 1
        assert sla.reapply(s, chunk=1) == 1
        assert case.first_contact_due_at == MONDAY + timedelta(minutes=90)
        sla.deactivate_policy(s, first.id)
        sla.reapply(s)
        assert case.first_contact_due_at == MONDAY + timedelta(minutes=600)
        assert closed.first_contact_due_at == MONDAY + timedelta(minutes=60)  # closed cases keep theirs


def test_bad_policies_and_calendars_are_refused_with_the_field(db):
    with db.transaction() as s:
        with pytest.raises(Invalid) as caught:
            sla.create_policy(s, PolicyIn(name="Odd", conditions={"field": "verbatim", "op": "eq", "value": 1}))
        assert caught.value.field == "conditions"
        with pytest.raises(Invalid, match="calendar 99 not found"):
            sla.create_policy(s, PolicyIn(name="Odd", calendar_id=99))
        with pytest.raises(Invalid) as caught:
            sla.create_calendar(s, CalendarIn(name="Bad", timezone="Nowhere/Town", periods=OFFICE))
        assert caught.value.field == "timezone"
        office = sla.create_calendar(s, CalendarIn(name="Office", periods=OFFICE))
        sla.create_policy(s, PolicyIn(name="On hours", calendar_id=office.id))
        with pytest.raises(Conflict):
            sla.delete_calendar(s, office.id)
        with pytest.raises(Conflict):
            sla.create_calendar(s, CalendarIn(name="Office", periods=OFFICE))


def test_timers_fire_once_through_the_in_process_worker(db):
    with db.transaction() as s:
        owner = make_user(s, "agent")
        steps = [EscalationStep(when="breached", target="first_contact", action="notify_owner")]
        sla.create_policy(s, PolicyIn(name="Fast", first_contact_minutes=5, escalation=steps))
        case_id = _open(s, owner_id=owner.id, created=utcnow() - timedelta(hours=1)).id
        s.execute(update(Job).where(Job.name == sla.TIMER_TASK).values(run_at=datetime(2000, 1, 1)))
    worker = LocalWorker(db, Settings(job_workers=0, smtp_port=1, job_retry_base_s=60), threads=0)
    assert worker.run_due() >= 2
    with db.transaction() as s:  # re-delivery: the same timer jobs run again
        s.execute(update(Job).where(Job.name == sla.TIMER_TASK).values(status="queued", run_at=datetime(2000, 1, 1)))
    worker.run_due()
    with db.reader() as s:
        assert _escalations(s) == [("first_contact", "breached", 0, "notify_owner")]
        assert _jobs(s, "loop.notify") == 1
        assert s.get(Case, case_id).sla_state == "breached"


# --- the JSON API --------------------------------------------------------------------------------


def test_managers_configure_slas_and_agents_read_a_case_s_clocks(client, tokens, db):
    manager, agent, viewer = (auth(tokens[role]) for role in ("manager", "agent", "viewer"))
    office = client.post("/api/v1/sla/calendars", headers=manager, json={
        "name": "Office", "timezone": "Europe/London", "periods": {"mon": [["09:00", "17:00"]]},
        "holiday_country": "GB", "holiday_subdivision": "ENG", "extra_holidays": ["2024-12-24"]})
    assert office.status_code == 201, office.text
    policy = client.post("/api/v1/sla/policies", headers=manager, json={
        "name": "Default", "calendar_id": office.json()["id"], "first_contact_minutes": 60,
        "escalation": [{"when": "breached", "target": "first_contact", "action": "notify_owner"}]})
    assert policy.status_code == 201, policy.text
    assert client.post("/api/v1/sla/policies", headers=agent, json={"name": "Mine"}).status_code == 403
    assert client.get("/api/v1/sla/policies", headers=viewer).status_code == 403
    listed = client.get("/api/v1/sla/policies", headers=agent).json()
    assert listed["total"] == 1 and listed["items"][0]["escalation"][0]["action"] == "notify_owner"
    bad = client.post("/api/v1/sla/calendars", headers=manager,
                      json={"name": "Mars", "timezone": "Mars/Base", "periods": {"mon": [["09:00", "17:00"]]}})
    assert bad.status_code == 422 and "timezone" in bad.text
    patched = client.patch(f"/api/v1/sla/policies/{policy.json()['id']}", headers=manager,
                           json={"first_contact_minutes": 120})
    assert patched.json()["first_contact_minutes"] == 120 and patched.json()["version"] == 2
    with db.transaction() as s:
        case_id = open_cases(s, [CaseDraft(title="Cold room", source="manual")])[0].id
    body = client.get(f"/api/v1/cases/{case_id}/sla", headers=agent).json()
    assert body["policy_name"] == "Default" and body["clocks"][0]["target"] == "first_contact"
    assert 0 < body["clocks"][0]["minutes_left"] <= 120 and body["escalations"] == []
    assert client.get("/api/v1/cases/999999/sla", headers=agent).status_code == 404
    assert client.delete(f"/api/v1/sla/calendars/{office.json()['id']}", headers=manager).status_code == 409
    assert client.delete(f"/api/v1/sla/policies/{policy.json()['id']}", headers=manager).status_code == 204
    assert client.get(f"/api/v1/sla/policies/{policy.json()['id']}", headers=agent).json()["active"] is False
