"""EX ↔ CX per team on both databases: known eNPS beside known customer NPS, quadrants and anonymity."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from centric.db import utcnow
from centric.errors import Invalid
from centric.journeys.schemas import TouchpointIn
from centric.journeys.service import create_touchpoint
from centric.loop.cases import CaseDraft, open_cases
from centric.loop.kpis import loop_kpis
from centric.mirror.linkage import linkage
from centric.surveys.models import Response
from tests.factories import make_journey
from tests.mirror.gap_data import customers, staff, team_id, wave

TEAMS = ("Alpha", "Bravo", "Charlie", "Delta")


def build(session) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Team i: 6 staff, i+1 promoters (eNPS 100(i+1)/6) and 6 customers with the same NPS; Tiny: 3 staff."""
    make_journey(session)
    for name in (*TEAMS, "Tiny"):
        create_touchpoint(session, TouchpointIn(key=name.lower(), name=f"{name} desk", journey="stay", stage="arrive",
                                                owner_team=name))
    ids = {name: team_id(session, name) for name in (*TEAMS, "Tiny")}
    pulse = wave(session, "enps-q1", kind="enps")
    engaged = wave(session, "engagement-q1", kind="engagement")
    now, before = utcnow() - timedelta(days=10), utcnow() - timedelta(days=100)
    for i, name in enumerate(TEAMS):
        staff(session, pulse, ids[name], [("enps", None, 10)], times=i + 1)
        staff(session, pulse, ids[name], [("enps", None, 8)], times=5 - i)
        customers(session, "rnps", name.lower(), [10] * (i + 1) + [8] * (5 - i), now)
    staff(session, pulse, ids["Tiny"], [("enps", None, 0)], times=3)
    staff(session, pulse, None, [("enps", None, 8)], times=2)  # no team: counted in the company only
    staff(session, engaged, ids["Alpha"], [("agree5", None, 4), ("agree5", None, 5)], times=5)
    customers(session, "rnps", "alpha", [10] * 6, before, tag="b")  # Alpha was better before: falling
    customers(session, "rnps", "bravo", [0] * 6, before, tag="b")  # Bravo was worse before: rising
    response = session.scalars(select(Response).order_by(Response.id).limit(1)).one()
    case = open_cases(session, [CaseDraft(title="Slow desk", source="response", response_id=response.id,
                                          customer_id=response.customer_id, metric="nps", score=3,
                                          team_id=ids["Alpha"])])[0]
    case.created_at = utcnow() - timedelta(days=9)
    case.status, case.resolved_at, case.recovered = "resolved", utcnow() - timedelta(days=8), "yes"
    session.flush()
    return ids


def test_each_team_has_its_known_enps_beside_its_customers_and_the_correlation_is_1(db):
    with db.transaction() as s:
        ids = build(s)
    with db.reader() as s:
        report = linkage(s, k=5)
        alpha_loop = loop_kpis(s, team_id=ids["Alpha"])
    teams = {t.team: t for t in report.teams}
    for i, name in enumerate(TEAMS):
        t = teams[name]
        assert t.enps is not None and t.enps.value == pytest.approx(100 * (i + 1) / 6) and t.enps.n == 6
        assert t.nps.value == pytest.approx(100 * (i + 1) / 6) and t.nps.n == 6
    assert report.company_enps is not None and report.company_enps.value == pytest.approx(100 * (10 - 3) / 29)
    assert report.company_enps.n == 29
    tiny = teams["Tiny"]
    assert tiny.enps is None and not tiny.ex_shown and tiny.ex_note == "eNPS: fewer than 5 staff answered"
    assert teams["Alpha"].engagement is not None and teams["Alpha"].engagement.value == pytest.approx(4.5)
    assert teams["Bravo"].engagement is None and teams["Bravo"].ex_note == ""
    enps_nps = next(c for c in report.correlations if (c.x, c.y) == ("eNPS", "NPS"))
    assert enps_nps.n == 4 and enps_nps.pearson == pytest.approx(1) and enps_nps.spearman == pytest.approx(1)
    enps_csat = next(c for c in report.correlations if (c.x, c.y) == ("eNPS", "CSAT"))
    assert enps_csat.pearson is None and enps_csat.n == 0 and "at least 3 teams" in enps_csat.note
    # quadrants: Alpha's eNPS (16.7) is below the company's (24.1) and its NPS fell: it comes first
    assert teams["Alpha"].cx_trend == "falling" and teams["Alpha"].cx_change == pytest.approx(100 / 6 - 100)
    assert teams["Bravo"].cx_trend == "rising"
    assert report.teams[0].team == "Alpha" and report.teams[0].flagged
    assert report.quadrants[0].key == "low-ex-falling-cx" and report.quadrants[0].teams == ["Alpha"]
    # case outcomes as the closed loop counts them
    alpha = teams["Alpha"]
    assert alpha.recovery_rate.value == alpha_loop.recovery_rate.value == 100 and alpha.recovery_rate.n == 1
    assert alpha.contacted_48h.n == alpha_loop.detractors_contacted_48h.n == 1
    assert "not shown per team" in report.churn and "ecological" in report.caveat


def test_a_small_team_that_would_expose_its_size_through_the_company_hides_another(db):
    with db.transaction() as s:
        build(s)
    with db.reader() as s:
        k6 = linkage(s, k=6)  # each team of 6 is at the threshold; Tiny (3) hidden; the rest 3 + 2 = 5 < 6
    shown = [t.team for t in k6.teams if t.enps is not None]
    assert "Tiny" not in shown and len(shown) == 3  # one more team hidden, so that the rest is at least 6
    hidden = next(t for t in k6.teams if t.team in TEAMS and t.enps is None)
    assert "cannot be worked out" in hidden.ex_note and "6" not in hidden.ex_note.replace("fewer than 6", "")
    assert k6.company_enps is not None and k6.company_enps.n == 29


def test_a_range_with_no_answers_is_empty_and_bad_ranges_are_refused(db):
    with db.transaction() as s:
        build(s)
    with db.reader() as s:
        old = linkage(s, since=utcnow().date() - timedelta(days=1000), until=utcnow().date() - timedelta(days=900))
        assert old.teams == [] and old.company_enps is None
        with pytest.raises(Invalid):
            linkage(s, since=utcnow().date(), until=utcnow().date() - timedelta(days=3))
