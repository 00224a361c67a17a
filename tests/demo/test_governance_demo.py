"""The demo company's governance: owners, targets, initiatives, DICE, approvals, and a measurable effect."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import func, select

from centric.accounts.models import AuditLog, User
from centric.db import Database
from centric.demo import DemoSummary, generate_demo
from centric.governance.models import (
    INITIATIVE_STATUSES,
    DiceAssessment,
    Initiative,
    InitiativeApproval,
    InitiativeImpact,
    InitiativeLink,
    Target,
)
from centric.journeys.models import Touchpoint
from centric.surveys.models import Answer, Response
from tests.conftest import PG_ADMIN, _pg_url

TODAY = date(2026, 3, 15)
END = datetime.combine(TODAY, datetime.min.time())


def _generate(path: Path, customers: int) -> tuple[Database, DemoSummary]:
    db = Database(f"sqlite:///{path}")
    return db, generate_demo(db, customers=customers, months=18, seed=7, today=TODAY)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Database, DemoSummary]]:
    db, summary = _generate(tmp_path_factory.mktemp("gov") / "demo.db", 1000)
    yield db, summary
    db.dispose()


def test_every_touchpoint_has_an_owning_team_and_person(demo):
    db, _ = demo
    with db.reader() as s:
        owners = s.execute(select(Touchpoint.key, Touchpoint.owner_team_id, Touchpoint.owner_user_id)).all()
        staff = {u.id: u for u in s.scalars(select(User))}
    assert owners and all(team is not None and user is not None for _, team, user in owners)
    # the person belongs to the owning team (a touchpoint target's owner, else the team's lead)
    assert all(staff[user].team_id == team for _, team, user in owners)


def test_targets_cover_every_metric_scope_and_owner_kind(demo):
    db, summary = demo
    with db.reader() as s:
        targets = s.scalars(select(Target)).all()
        leads = {u.id for u in s.scalars(select(User).where(User.role == "manager"))}
    assert summary.targets == len(targets)
    company = {t.metric for t in targets if t.scope_kind == "company"}
    assert {"nps", "csat", "ces", "contacted_48h", "churn"} <= company
    assert all(t.cadence == "quarter" for t in targets if t.scope_kind == "company")
    assert next(t for t in targets if t.metric == "churn").direction == "at_most"
    team_nps = [t for t in targets if t.scope_kind == "team" and t.metric == "nps"]
    team_csat = [t for t in targets if t.scope_kind == "team" and t.metric == "csat"]
    assert len(team_nps) >= 5 and len(team_csat) >= 3  # enough teams to rank
    assert all(t.owner_team_id is not None and int(t.scope_ref) == t.owner_team_id and t.owner_user_id in leads
               for t in team_nps + team_csat)
    assert {t.scope_kind for t in targets} >= {"company", "team", "touchpoint", "segment", "attribute"}
    assert any(t.scope_kind == "attribute" and t.scope_ref.startswith("country=") for t in targets)
    # a whole quarter (and more) of scorecards: every target is valid from at least a quarter back
    assert all(t.valid_from <= TODAY - timedelta(days=92) and t.owner_user_id is not None for t in targets)


def test_initiatives_in_every_status_with_origins_links_and_owners(demo):
    db, summary = demo
    with db.reader() as s:
        initiatives = s.scalars(select(Initiative)).all()
        links = s.execute(select(InitiativeLink.initiative_id, InitiativeLink.kind)).all()
        managers = set(s.scalars(select(User.id).where(User.role == "manager")))
    assert summary.initiatives == len(initiatives)
    assert {i.status for i in initiatives} == set(INITIATIVE_STATUSES)
    assert {i.origin for i in initiatives} == {"manual", "root_cause", "theme", "idea"}
    assert all(i.owner_user_id and i.sponsor_user_id in managers and i.cost and i.expected_effect
               for i in initiatives)
    linked = {(i, kind) for i, kind in links}
    assert {kind for _, kind in linked} == {"touchpoint", "theme", "root_cause"}
    assert all((i.id, "touchpoint") in linked for i in initiatives)
    for i in initiatives:
        assert (i.started_on is not None) == (i.status in ("in_progress", "done"))
        assert (i.done_on is not None) == (i.status == "done")


def test_dice_scores_follow_their_factors_and_some_move_between_zones(demo):
    db, _ = demo
    with db.reader() as s:
        rows = s.scalars(select(DiceAssessment).order_by(DiceAssessment.initiative_id,
                                                         DiceAssessment.assessed_at)).all()
        statuses = dict(s.execute(select(Initiative.id, Initiative.status)).all())
    assert rows
    history: dict[int, list[str]] = {}
    for a in rows:
        factors = (a.duration, a.integrity, a.senior_commitment, a.local_commitment, a.effort)
        assert all(1 <= f <= 4 for f in factors)
        assert a.score == a.duration + 2 * a.integrity + 2 * a.senior_commitment + a.local_commitment + a.effort
        assert a.zone == ("win" if a.score <= 14 else "worry" if a.score <= 17 else "woe")
        history.setdefault(a.initiative_id, []).append(a.zone)
    assert {zone for zones in history.values() for zone in zones} == {"win", "worry", "woe"}
    moved = [zones for zones in history.values() if len(zones) >= 2 and len(set(zones)) >= 2]
    assert len(moved) >= 2
    assert {statuses[i] for i in history} == set(INITIATIVE_STATUSES)


def test_decisions_are_recorded_with_who_and_when_and_audited(demo):
    db, _ = demo
    with db.reader() as s:
        initiatives = {i.id: i for i in s.scalars(select(Initiative))}
        approvals = s.scalars(select(InitiativeApproval)).all()
        managers = set(s.scalars(select(User.id).where(User.role == "manager")))
        audit = s.execute(select(AuditLog.action, AuditLog.entity_id, AuditLog.user_id, AuditLog.at)
                          .where(AuditLog.entity == "initiative")).all()
    decided = {a.initiative_id: a for a in approvals}
    for i in initiatives.values():
        if i.status in ("approved", "in_progress", "done"):
            assert decided[i.id].decision == "approved"
        elif i.status == "dropped":
            assert decided[i.id].decision == "rejected"
        else:
            assert i.id not in decided
    for a in approvals:
        i = initiatives[a.initiative_id]
        assert a.user_id in managers and i.created_at < a.at < END
        if i.started_on is not None:
            assert a.at.date() <= i.started_on
        verb = "initiative.approve" if a.decision == "approved" else "initiative.reject"
        assert (verb, str(a.initiative_id), a.user_id, a.at) in audit


def _nps(scores: list[float]) -> float:
    return 100 * (sum(x >= 9 for x in scores) - sum(x <= 6 for x in scores)) / len(scores)


def test_the_done_initiative_has_a_measurable_effect(tmp_path: Path):
    """Difference in differences by hand: check-in's NPS change around done_on minus the others'.

    At 1,000 guests check-in gets about 15 NPS answers a quarter, too few to see any effect
    (the standard error of a difference is ~30 points), so this demo has 5,000 guests.
    """
    db, _ = _generate(tmp_path / "effect.db", 5000)
    with db.reader() as s:
        done = s.scalars(select(Initiative).where(Initiative.status == "done")).one()
        linked = s.scalars(select(InitiativeLink.ref_id).where(
            InitiativeLink.initiative_id == done.id, InitiativeLink.kind == "touchpoint")).all()
        rows = s.execute(select(Response.touchpoint_id, Response.submitted_at, Answer.number)
                         .join(Answer, Answer.response_id == Response.id).where(Answer.metric == "nps")).all()
        keys = dict(s.execute(select(Touchpoint.id, Touchpoint.key)).all())
        n_done = s.scalar(select(func.count()).select_from(Initiative).where(Initiative.status == "done"))
        measured = s.scalars(select(InitiativeImpact).where(InitiativeImpact.initiative_id == done.id)).one()
    db.dispose()
    assert n_done == 1 and [keys[t] for t in linked] == ["check-in"]
    assert done.done_on is not None and 90 <= (TODAY - done.done_on).days <= 120
    day = datetime.combine(done.done_on, datetime.min.time())

    def did(cut: datetime) -> tuple[float, int, int]:
        cells: dict[tuple[bool, bool], list[float]] = {}
        for touchpoint, at, number in rows:
            if cut - timedelta(days=90) <= at < cut + timedelta(days=90):
                cells.setdefault((touchpoint in linked, at >= cut), []).append(number)
        change = {treated: _nps(cells[treated, True]) - _nps(cells[treated, False]) for treated in (True, False)}
        return change[True] - change[False], len(cells[True, False]), len(cells[True, True])

    effect, n_before, n_after = did(day)
    assert n_before >= 60 and n_after >= 60
    assert effect > 8
    # placebo: the same comparison a quarter earlier, when nothing changed at check-in, shows far less
    placebo, _, _ = did(day - timedelta(days=91))
    assert placebo < effect - 15
    # the demo stores the impact that the service measured: the same DiD, with a bootstrap interval
    assert measured.effect is not None and measured.low is not None and measured.high is not None
    assert abs(measured.effect - effect) < 1e-6 * max(1.0, abs(effect)) or measured.low <= effect <= measured.high
    assert measured.low > 0 and measured.n_treated == n_before + n_after


@pytest.mark.postgres
def test_postgresql_gets_the_same_governance_rows():
    name = f"centric_gov_demo_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    db = Database(_pg_url(name))
    try:
        summary = generate_demo(db, customers=300, seed=5, today=TODAY)
        with db.reader() as s:
            statuses = set(s.scalars(select(Initiative.status).distinct()))
            counts = [s.scalar(select(func.count()).select_from(model))
                      for model in (Target, Initiative, InitiativeApproval, DiceAssessment)]
            unowned = s.scalar(select(func.count()).select_from(Touchpoint).where(Touchpoint.owner_user_id.is_(None)))
        assert statuses == set(INITIATIVE_STATUSES) and unowned == 0
        assert counts[:2] == [summary.targets, summary.initiatives] and all(counts)
    finally:
        db.dispose()
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
