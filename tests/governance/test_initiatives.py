"""Initiatives on both databases: proposing, roles, transitions, approvals, DICE history, audit, impact."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from centric.accounts.models import AuditLog
from centric.errors import Conflict, Forbidden, Invalid
from centric.events import InitiativesDone, recorded
from centric.governance import board as board_module
from centric.governance import initiatives as svc
from centric.governance.impact import measure
from centric.governance.impact_jobs import IMPACT_TASK
from centric.governance.models import InitiativeApproval
from centric.governance.schemas import DiceIn, InitiativeIn, InitiativePatch, StatusIn
from centric.jobs.models import Job
from centric.loop.case_schemas import RootCauseIn
from centric.loop.rootcauses import create_root_cause
from tests.factories import make_journey, make_user, respond


@pytest.fixture
def people(db):
    with db.transaction() as s:
        make_journey(s)
        users = {role: make_user(s, role).id for role in ("manager", "agent", "analyst", "viewer")}
        create_root_cause(s, RootCauseIn(code="checkin", name="Slow check-in", description="Queues at the desk."))
    return users


def _user(s, uid):
    from centric.accounts.models import User
    return s.get(User, uid)


def _audit(s, initiative_id):
    return [a.action for a in s.scalars(select(AuditLog).where(
        AuditLog.entity == "initiative", AuditLog.entity_id == str(initiative_id)).order_by(AuditLog.id))]


def test_proposed_from_a_root_cause_is_prefilled_and_linked(db, people) -> None:
    with db.transaction() as s:
        item = svc.propose(s, InitiativeIn(origin="root_cause", origin_ref="checkin", touchpoints=["check-in"],
                                           expected_effect=5), _user(s, people["agent"]))
        out = svc.detail(s, item.id)
    assert out.status == "proposed" and out.title == "Remove the root cause: Slow check-in"
    assert "checkin" in out.problem and "Queues at the desk." in out.problem
    assert {(lk.kind, lk.label) for lk in out.links} == {("root_cause", "Slow check-in (checkin)"),
                                                         ("touchpoint", "Check-in")}
    assert out.owner.user_id == people["agent"]


def test_bad_proposals_name_the_field(db, people) -> None:
    with db.transaction() as s:
        agent = _user(s, people["agent"])
        for data, field in [(InitiativeIn(title=""), "title"),
                            (InitiativeIn(origin="root_cause", origin_ref="nope"), "origin_ref"),
                            (InitiativeIn(origin="theme"), "origin_ref"),
                            (InitiativeIn(title="x", touchpoints=["nowhere"]), "touchpoints"),
                            (InitiativeIn(title="x", owner_user_id=999), "owner_user_id")]:
            with pytest.raises(Invalid) as caught:
                svc.propose(s, data, agent)
            assert caught.value.field == field


def test_roles(db, people) -> None:
    with db.transaction() as s:
        agent, viewer, analyst = (_user(s, people[r]) for r in ("agent", "viewer", "analyst"))
        with pytest.raises(Forbidden):
            svc.propose(s, InitiativeIn(title="Viewer idea"), viewer)
        item = svc.propose(s, InitiativeIn(title="Faster keys"), agent)
        svc.update(s, item.id, InitiativePatch(cost=1200), agent)  # the owner updates their own
        with pytest.raises(Forbidden):
            svc.update(s, item.id, InitiativePatch(cost=1), analyst)  # not theirs
        with pytest.raises(Forbidden):
            svc.approve(s, item.id, agent)
        with pytest.raises(Forbidden):
            svc.reject(s, item.id, agent)
        with pytest.raises(Forbidden):
            svc.assess(s, item.id, DiceIn(duration=1, integrity=1, senior_commitment=1, local_commitment=1,
                                          effort=1), analyst)
        assert svc.detail(s, item.id).cost == 1200


def test_status_is_never_changed_by_update() -> None:
    with pytest.raises(ValueError):
        InitiativePatch.model_validate({"status": "done"})


def test_lifecycle_records_approvals_audit_and_publishes_done(db, people) -> None:
    with db.transaction() as s:
        agent, manager = _user(s, people["agent"]), _user(s, people["manager"])
        item = svc.propose(s, InitiativeIn(title="Mobile check-in", touchpoints=["check-in"]), agent)
        with pytest.raises(Conflict) as caught:
            svc.move(s, item.id, StatusIn(status="done"), agent)
        assert "allowed: approved, dropped" in caught.value.message
        assert svc.allowed_moves(item, agent) == []
        svc.approve(s, item.id, manager, "worth it")
        assert svc.allowed_moves(item, agent) == ["in_progress"]
        svc.move(s, item.id, StatusIn(status="in_progress"), agent, today=date(2026, 3, 1))
        with recorded() as seen:
            svc.move(s, item.id, StatusIn(status="done", done_on=date(2026, 4, 1)), agent)
        assert seen == [InitiativesDone(ids=(item.id,), done_on=date(2026, 4, 1))]
        job = s.scalar(select(Job).where(Job.name == IMPACT_TASK))
        assert job is not None and job.payload == {"initiative_id": item.id, "done_on": "2026-04-01"}
        assert job.idempotency_key == f"initiative-impact:{item.id}:2026-04-01"
        with pytest.raises(Conflict):
            svc.move(s, item.id, StatusIn(status="dropped"), manager)  # done is final
        out = svc.detail(s, item.id)
        assert (out.started_on, out.done_on) == (date(2026, 3, 1), date(2026, 4, 1))
        assert [(a.decision, a.user_id, a.note) for a in out.approvals] == [("approved", manager.id, "worth it")]
        assert _audit(s, item.id) == ["initiative.propose", "initiative.approve", "initiative.status",
                                      "initiative.status", "initiative.status"]


def test_reject_drops_with_a_recorded_rejection(db, people) -> None:
    with db.transaction() as s:
        agent, manager = _user(s, people["agent"]), _user(s, people["manager"])
        item = svc.propose(s, InitiativeIn(title="Free minibar"), agent)
        svc.reject(s, item.id, manager, "too costly")
        rows = list(s.scalars(select(InitiativeApproval).where(InitiativeApproval.initiative_id == item.id)))
        assert [(r.decision, r.user_id, r.note) for r in rows] == [("rejected", manager.id, "too costly")]
        assert rows[0].at is not None
        assert svc.detail(s, item.id).status == "dropped"
        with pytest.raises(Conflict):
            svc.reject(s, item.id, manager)
        with pytest.raises(Conflict):
            svc.update(s, item.id, InitiativePatch(cost=5), manager)


def test_dice_reassessment_keeps_history(db, people) -> None:
    with db.transaction() as s:
        agent = _user(s, people["agent"])
        item = svc.propose(s, InitiativeIn(title="Express check-out"), agent)
        svc.assess(s, item.id, DiceIn(duration=4, integrity=3, senior_commitment=3, local_commitment=2, effort=3),
                   agent)
        svc.assess(s, item.id, DiceIn(duration=1, integrity=2, senior_commitment=1, local_commitment=2, effort=2,
                                      note="sponsor found"), agent)
        history = svc.dice_history(s, item.id)
        assert [(d.score, d.zone) for d in history] == [(11, "win"), (21, "woe")]
        current = svc.detail(s, item.id).dice
        assert current is not None and current.score == 11 and current.note == "sponsor found"
        assert _audit(s, item.id).count("initiative.dice") == 2


def _responses(s, touchpoint: str, when: datetime, promoters: int, passives: int, detractors: int,
               tag: str) -> None:
    scores = [10] * promoters + [8] * passives + [3] * detractors
    for n, score in enumerate(scores):
        respond(s, "rnps", score, touchpoint=touchpoint, when=when + timedelta(hours=n),
                email=f"{tag}{n}@example.com")


def test_impact_finds_a_known_effect_against_controls(db, people) -> None:
    done_on = date(2026, 6, 1)
    before, after = datetime(2026, 4, 1), datetime(2026, 6, 10)
    with db.transaction() as s:
        # Treated check-in: NPS 0 → 40; controls: 0 → 20 (a common trend of +20). The effect is +20.
        _responses(s, "check-in", before, 8, 4, 8, "tb")
        _responses(s, "check-in", after, 10, 8, 2, "ta")
        for key in ("room", "check-out"):
            _responses(s, key, before, 8, 4, 8, f"{key}b")
            _responses(s, key, after, 8, 8, 4, f"{key}a")
        manager = _user(s, people["manager"])
        item = svc.propose(s, InitiativeIn(title="Mobile keys", touchpoints=["check-in"], expected_effect=10),
                           manager)
        svc.approve(s, item.id, manager)
        svc.move(s, item.id, StatusIn(status="in_progress"), manager, today=date(2026, 5, 1))
        svc.move(s, item.id, StatusIn(status="done", done_on=done_on), manager)
        impact = measure(s, item, today=date(2026, 9, 1), n_boot=500)
        assert impact.effect == pytest.approx(20.0)
        assert impact.low is not None and impact.high is not None and impact.low < 20.0 < impact.high
        assert (impact.n_treated, impact.n_control) == (40, 80)
        assert impact.detail["cells"]["control_after"]["mean"] == pytest.approx(20.0)
        assert impact.detail["detractor_share_change"]["effect"] == pytest.approx(-10.0)  # 40→10% vs 40→20%
        assert any("Parallel trends" in a for a in impact.detail["assumptions"])
        # No purchases: no ROI figures, so no money, and the reason is kept.
        assert impact.revenue_effect is None and "no ROI figures" in impact.detail["money"]
        out = svc.detail(s, item.id)
        assert out.impact is not None and out.impact.effect == pytest.approx(20.0)
        assert "Observational" in out.impact.assumptions[0]
        # Recomputing replaces the stored impact.
        measure(s, item, today=date(2026, 9, 1), n_boot=500)
        assert len(svc.list_initiatives(s)) == 1


def test_impact_without_links_or_data_says_why(db, people) -> None:
    with db.transaction() as s:
        manager = _user(s, people["manager"])
        item = svc.propose(s, InitiativeIn(title="Nothing linked"), manager)
        svc.approve(s, item.id, manager)
        svc.move(s, item.id, StatusIn(status="in_progress"), manager)
        svc.move(s, item.id, StatusIn(status="done"), manager)
        impact = measure(s, item)
        assert impact.effect is None and "link the touchpoints" in impact.detail["reason"]
        svc.update(s, item.id, InitiativePatch(problem="still nothing"), manager)
        linked = svc.propose(s, InitiativeIn(title="Linked", touchpoints=["room"]), manager)
        with pytest.raises(Invalid):
            measure(s, linked)  # not done


def test_board_ranks_by_value_and_hides_dropped(db, people) -> None:
    with db.transaction() as s:
        manager = _user(s, people["manager"])
        a = svc.propose(s, InitiativeIn(title="A"), manager)
        b = svc.propose(s, InitiativeIn(title="B"), manager)
        svc.approve(s, b.id, manager)
        c = svc.propose(s, InitiativeIn(title="C"), manager)
        svc.reject(s, c.id, manager)
        ranked = board_module.board(s)
        assert [i.title for i in ranked] == ["B", "A"] and [i.rank for i in ranked] == [1, 2]
        assert [i.title for i in board_module.board(s, status="dropped")] == ["C"]
        assert a.id != b.id


def test_the_impact_job_measures_and_queues_the_final_measurement_once(db, people) -> None:
    from centric.config import Settings
    from centric.jobs import load_tasks, run_job

    load_tasks()
    done_on = date.today() - timedelta(days=10)
    with db.transaction() as s:
        manager = _user(s, people["manager"])
        item = svc.propose(s, InitiativeIn(title="Job", touchpoints=["room"]), manager)
        svc.approve(s, item.id, manager)
        svc.move(s, item.id, StatusIn(status="in_progress", started_on=done_on), manager)
        svc.move(s, item.id, StatusIn(status="done", done_on=done_on), manager)
        job_id = s.scalar(select(Job.id).where(Job.name == IMPACT_TASK))
    settings = Settings(database_url=db.url, job_workers=0)
    assert run_job(db, settings, job_id, "test") == "done"
    with db.reader() as s:
        assert svc.detail(s, item.id).impact is not None
        finals = list(s.scalars(select(Job).where(Job.name == IMPACT_TASK, Job.id != job_id)))
    assert len(finals) == 1 and finals[0].payload["final"] is True
    assert finals[0].idempotency_key == f"initiative-impact:{item.id}:{done_on}:final"
