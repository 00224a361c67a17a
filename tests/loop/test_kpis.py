"""Customer value scores, loop KPIs against hand-computed figures, and root causes by revenue at risk."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from centric.accounts.models import Team
from centric.cli.main import app as cli
from centric.customers.models import Customer
from centric.db import utcnow
from centric.insights.models import CustomerValue
from centric.insights.value import purchases_from_events, score_customer_values
from centric.journeys.models import Event
from centric.loop.cases import CaseDraft, open_cases
from centric.loop.models import RootCause
from centric.stats.proportions import proportion_estimate
from tests.api.conftest import auth
from tests.factories import respond

runner = CliRunner()


def purchase_history(session, customers: int = 60, seed: int = 0) -> list[int]:  # type: ignore[no-untyped-def]
    """A year of purchases drawn from the BG/NBD story: Poisson buying at a gamma rate until an exponential lifetime."""
    rng = np.random.default_rng(seed)
    start = datetime(2024, 1, 1)
    ids = []
    for index in range(customers):
        person = Customer(name=f"Buyer {index}")
        session.add(person)
        session.flush()
        ids.append(person.id)
        rate, life, weeks = rng.gamma(1.5, 0.1), rng.exponential(40), 0.0
        while weeks <= min(life, 52):
            session.add(Event(customer_id=person.id, kind="purchase", value=float(rng.gamma(4, 10)),
                              occurred_at=start + timedelta(days=int(weeks * 7))))
            weeks += rng.exponential(1 / rate)
    session.flush()
    return ids


def test_value_scores_are_stored_with_tercile_bands_and_rescoring_updates(db):
    with db.transaction() as s:
        ids = purchase_history(s)
        result = score_customer_values(s, purchases_from_events(s))
    assert result.scored == result.created == 60
    with db.reader() as s:
        rows = {v.customer_id: v for v in s.scalars(select(CustomerValue))}
    assert set(rows) == set(ids)
    for value in rows.values():
        assert value.churn_risk == np.float64(1.0) - value.p_alive and 0 <= value.p_alive <= 1 and value.clv >= 0
    by_clv = sorted(rows.values(), key=lambda v: v.clv)
    assert [v.clv_band for v in (by_clv[0], by_clv[30], by_clv[-1])] == ["low", "medium", "high"]
    assert sum(v.clv_band == "high" for v in rows.values()) == 20
    by_risk = sorted(rows.values(), key=lambda v: v.churn_risk)
    assert by_risk[-1].risk_band == "high" and by_risk[0].risk_band == "low"
    with db.transaction() as s:
        again = score_customer_values(s, purchases_from_events(s), horizon_months=24)
    assert again.scored == 60 and again.created == 0
    with db.reader() as s:
        longer = {v.customer_id: v.clv for v in s.scalars(select(CustomerValue))}
    assert all(longer[c] >= rows[c].clv for c in ids) and sum(longer.values()) > sum(v.clv for v in rows.values())


def test_cli_scores_from_the_stored_purchases(db):
    with db.transaction() as s:
        purchase_history(s, customers=45)
    result = runner.invoke(cli, ["--database-url", db.url, "clv", "score"])
    assert result.exit_code == 0, result.output
    assert "scored 45 customers (45 for the first time)" in result.output
    with db.reader() as s:
        assert len(s.scalars(select(CustomerValue)).all()) == 45


def test_cli_without_purchases_says_so(db):
    result = runner.invoke(cli, ["--database-url", db.url, "clv", "score"])
    assert result.exit_code == 2 and "no purchases" in result.output


def loop_fixture(session) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Five cases with hand-picked times; see the expected figures in the tests below."""
    alpha, beta = Team(name="Alpha"), Team(name="Beta")
    late, cold = RootCause(code="delivery/late", name="Late delivery"), RootCause(code="room/cold", name="Cold room")
    people = [Customer(name=f"Secret Person {i}") for i in range(3)]
    session.add_all([alpha, beta, late, cold, *people])
    session.flush()
    session.add_all([CustomerValue(customer_id=people[0].id, clv=100.0, p_alive=0.5, churn_risk=0.5),
                     CustomerValue(customer_id=people[1].id, clv=200.0, p_alive=0.9, churn_risk=0.1),
                     CustomerValue(customer_id=people[2].id, clv=1000.0, p_alive=0.8, churn_risk=0.2)])
    t0 = utcnow() - timedelta(days=10)
    hours = timedelta(hours=1)
    specs = [  # metric, score, team, contact h, finished h, due h, status, cause, recovered, customer
        ("nps", 2, alpha, 1, 10, 24, "resolved", late, "yes", people[0]),
        ("nps", 5, alpha, 50, 100, 48, "closed", late, "no", people[1]),
        ("nps", 3, beta, None, 20, 24, "closed", None, "unknown", None),
        ("csat", 1, beta, 3, None, None, "open", None, "unknown", None),
    ]
    drafts = [CaseDraft(title="c", source="manual", metric=m, score=s, team_id=t.id) for m, s, t, *_ in specs]
    drafts.append(CaseDraft(title="old", source="manual", metric="nps", score=0, team_id=alpha.id))
    cases = open_cases(session, drafts)
    for case, spec in zip(cases[:-1], specs, strict=True):
        _, _, team, contact, finished, due, status, cause, recovered, person = spec
        case.created_at, case.team_id, case.status, case.recovered = t0, team.id, status, recovered
        case.first_contact_at = t0 + contact * hours if contact is not None else None
        case.resolved_at = t0 + finished * hours if finished is not None else None
        case.resolution_due_at = t0 + due * hours if due is not None else None
        case.root_cause_id = cause.id if cause else None
        case.customer_id = person.id if person else None
    old = cases[-1]  # opened long before the range, closed in it: only the outer loop sees it
    old.created_at, old.status, old.closed_at = t0 - timedelta(days=200), "closed", t0
    old.root_cause_id, old.customer_id = cold.id, people[2].id
    session.flush()
    return {"alpha": alpha.id, "late": late.id, "cold": cold.id}


def test_kpis_match_hand_computed_figures_and_viewers_see_no_names(db, client, tokens):
    with db.transaction() as s:
        ids = loop_fixture(s)
    answer = client.get("/api/v1/loop/kpis", headers=auth(tokens["viewer"]))
    assert answer.status_code == 200, answer.text
    k = answer.json()
    assert "Secret" not in answer.text and k["cases"] == 4
    assert k["detractors_contacted_48h"]["n"] == 3 and k["detractors_contacted_48h"]["value"] == pytest.approx(100 / 3)
    low, high = proportion_estimate(3, 1).low, proportion_estimate(3, 1).high
    assert (k["detractors_contacted_48h"]["low"], k["detractors_contacted_48h"]["high"]) == pytest.approx((low, high))
    assert k["first_contact_median_h"]["value"] == pytest.approx(3.0) and k["first_contact_median_h"]["n"] == 3
    assert k["close_median_h"]["value"] == pytest.approx(20.0) and k["close_p90_h"]["value"] == pytest.approx(100.0)
    assert k["sla_hit_rate"]["n"] == 3 and k["sla_hit_rate"]["value"] == pytest.approx(200 / 3)
    teams = {t["team"]: (t["hit_rate"]["n"], t["hit_rate"]["value"]) for t in k["sla_hit_rate_by_team"]}
    assert teams == {"Alpha": (2, pytest.approx(50.0)), "Beta": (1, pytest.approx(100.0))}
    assert k["closed_with_root_cause"]["value"] == pytest.approx(200 / 3)
    assert (k["recovery_rate"]["n"], k["recovery_rate"]["value"]) == (2, pytest.approx(50.0))
    assert "not a randomised" in k["resurvey_uplift"]["caveat"]
    alpha = client.get(f"/api/v1/loop/kpis?team_id={ids['alpha']}", headers=auth(tokens["viewer"])).json()
    assert alpha["cases"] == 2 and alpha["sla_hit_rate"]["n"] == 2
    bad = client.get("/api/v1/loop/kpis?since=2025-02-01T00:00:00&until=2025-01-01T00:00:00",
                     headers=auth(tokens["viewer"]))
    assert bad.status_code == 422 and "since" in bad.text


def test_root_causes_ranked_by_revenue_at_risk(db, client, tokens):
    with db.transaction() as s:
        ids = loop_fixture(s)
    answer = client.get("/api/v1/loop/root-causes/impact", headers=auth(tokens["viewer"]))
    assert answer.status_code == 200 and "Secret" not in answer.text
    items = answer.json()["items"]
    assert [i["root_cause_id"] for i in items] == [ids["cold"], ids["late"]]
    cold, late = items
    assert cold["revenue_at_risk"] == pytest.approx(200.0) and cold["cases"] == 1
    assert late["revenue_at_risk"] == pytest.approx(0.5 * 100 + 0.1 * 200) and late["customers"] == 2
    assert late["total_clv"] == pytest.approx(300.0) and late["mean_churn_risk"] == pytest.approx(0.3)


def test_matched_uplift_from_cases_and_their_resurveys(db, client, tokens):
    with db.transaction() as s:
        t0 = utcnow() - timedelta(days=20)
        plan = [("a@x.org", 2, True, 7), ("b@x.org", 2, True, 6), ("c@x.org", 2, False, 4), ("d@x.org", 2, False, 5),
                ("e@x.org", 8, False, 8)]  # contacted: +5, +4; not contacted: +2, +3 → uplift 2
        for email, score, contacted, again in plan:
            first = respond(s, "rnps", score, email=email, when=t0)
            respond(s, "rnps", again, email=email, when=t0 + timedelta(days=7))
            case = open_cases(s, [CaseDraft(title="d", source="response", response_id=first.id, metric="nps",
                                            score=score, customer_id=first.customer_id)])[0]
            case.created_at = t0
            case.first_contact_at = t0 + timedelta(days=1) if contacted else None
    uplift = client.get("/api/v1/loop/kpis", headers=auth(tokens["viewer"])).json()["resurvey_uplift"]
    assert uplift["difference"] == pytest.approx(2.0)
    assert (uplift["n_contacted"], uplift["n_not_contacted"], uplift["strata"]) == (2, 2, 1)
