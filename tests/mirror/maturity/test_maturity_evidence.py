"""Evidence from Centric's data for the maturity items, on synthetic data (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from centric.accounts.models import Team
from centric.db import utcnow
from centric.governance.models import Initiative, InitiativeImpact, ScorecardView, Target
from centric.governance.scorecard_views import note_view
from centric.journeys.models import Stage, Touchpoint
from centric.mirror.evidence import collect
from tests.factories import make_journey, make_user
from tests.loop.test_kpi_pages import closed_cases


def _target(session, key: str, **extra) -> Target:
    target = Target(name=f"NPS {key}", metric="nps", scope_kind="touchpoint", scope_ref=key, threshold=30,
                    valid_from=date(2020, 1, 1), **extra)
    session.add(target)
    return target


def test_touchpoint_ownership_and_targets(db):
    today = utcnow().date()
    with db.transaction() as s:
        make_journey(s)  # three touchpoints, each owned by a team
        stage = s.scalars(select(Stage)).first()
        s.add(Touchpoint(key="spa", name="Spa", stage_id=stage.id))  # no owner
        s.flush()
        for key in ("check-in", "room", "check-out", "spa"):
            _target(s, key)
        _target(s, "room", active=False)
    with db.reader() as s:
        found = collect(s, today)
    owned, both = found["touchpoints_owned"], found["touchpoints_owned_and_targeted"]
    assert (owned.value, owned.stage, owned.n) == (75.0, 4, 4)
    assert (both.value, both.stage) == (75.0, 4) and "3 of 4" in both.sentence
    # a target that ended before the day no longer counts
    with db.transaction() as s:
        s.query(Target).filter(Target.scope_ref == "check-in").update({"valid_until": today - timedelta(days=1)})
    with db.reader() as s:
        both = collect(s, today, {"touchpoints_owned_and_targeted"})["touchpoints_owned_and_targeted"]
    assert (both.value, both.stage) == (50.0, 3)


def test_nothing_to_count_gives_no_stage_and_says_why(db):
    with db.reader() as s:
        found = collect(s, utcnow().date())
    for key in ("touchpoints_owned", "detractors_contacted_48h", "initiatives_measured", "teams_reading_scorecards"):
        assert found[key].value is None and found[key].stage is None and found[key].sentence, key


def test_respond_evidence_from_the_loop_kpis(db):
    with db.transaction() as s:
        make_journey(s)
        closed_cases(s)  # two detractor cases: one contacted after 2 h, both closed with a root cause
    with db.reader() as s:
        found = collect(s, utcnow().date())
    assert (found["detractors_contacted_48h"].value, found["detractors_contacted_48h"].stage) == (50.0, 3)
    assert (found["cases_with_root_cause"].value, found["cases_with_root_cause"].stage) == (100.0, 5)
    # as of a day before the cases were opened, there is nothing to count
    with db.reader() as s:
        early = collect(s, utcnow().date() - timedelta(days=30), {"detractors_contacted_48h"})
    assert early["detractors_contacted_48h"].value is None


def test_scorecard_views_count_teams_once_per_month(db):
    today = utcnow().date()
    with db.transaction() as s:
        teams = [Team(name=f"Team {i}") for i in range(4)]
        s.add_all(teams)
        s.flush()
        ann, bob, cy = (make_user(s, "manager", f"{n}@example.com") for n in ("ann", "bob", "cy"))
        ann.team_id, bob.team_id, cy.team_id = teams[0].id, teams[0].id, teams[1].id
        s.flush()
        for _ in range(2):  # idempotent: one row per user and day
            note_view(s, ann.id, ann.team_id, today)
        note_view(s, bob.id, bob.team_id, today)
        note_view(s, cy.id, cy.team_id, today.replace(day=1) - timedelta(days=1))  # last month
    with db.reader() as s:
        assert s.scalar(select(func.count()).select_from(ScorecardView)) == 3
        reading = collect(s, today, {"teams_reading_scorecards"})["teams_reading_scorecards"]
    assert (reading.value, reading.stage, reading.n) == (25.0, 2, 4)


def test_done_initiatives_with_measured_impact(db):
    with db.transaction() as s:
        boss = make_user(s, "manager")
        rows = [Initiative(title=f"I{i}", status="done", done_on=date(2026, 1, 1), sponsor_user_id=boss.id)
                for i in range(3)] + [Initiative(title="Open", status="approved")]
        s.add_all(rows)
        s.flush()
        s.add(InitiativeImpact(initiative_id=rows[0].id, metric="nps", effect=4.0))
        s.add(InitiativeImpact(initiative_id=rows[1].id, metric="nps", effect=None))  # not measurable
    with db.reader() as s:
        found = collect(s, utcnow().date(), {"initiatives_measured", "initiatives_sponsored"})
    assert found["initiatives_measured"].n == 3 and found["initiatives_measured"].stage == 2
    assert round(found["initiatives_measured"].value) == 33
    assert (found["initiatives_sponsored"].value, found["initiatives_sponsored"].stage) == (75.0, 4)
