"""The Closed loop page and the outer loop on the drivers and ROI pages: figures, roles, no PII, escaping."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import event, select

from centric.accounts.models import Team
from centric.db import utcnow
from centric.insights.models import CustomerValue
from centric.journeys.models import Touchpoint
from centric.loop.cases import CaseDraft, open_cases
from centric.loop.models import RootCause
from centric.stats.proportions import proportion_estimate
from tests.api.conftest import auth
from tests.factories import respond

HOSTILE = "<script>alert('rc')</script>"
PII = ("Zelda", "Quarry", "zelda.quarry", "Yorick", "yorick.vane", "Quixotic", "marmalade")


def closed_cases(session: Any, extra: int = 0, tag: str = "") -> dict[str, int]:
    """Two detractor cases of recognisable customers, closed with root causes (one with a hostile name).

    Case A: contacted after 2 h, resolved after 20 h (due 24 h), recovered, cause HOSTILE.
    Case B: never contacted, closed after 30 h (due 24 h), not recovered, cause "Double billing".
    ``extra`` adds more cases of B's shape, to show the page's query count does not grow with them.
    """
    team = Team(name="Guest Recovery" + tag)
    evil = RootCause(code="x/evil" + tag, name=HOSTILE)
    billing = RootCause(code="billing/double" + tag, name="Double billing")
    session.add_all([team, evil, billing])
    session.flush()
    check_in = session.scalars(select(Touchpoint).where(Touchpoint.key == "check-in")).one()
    t0 = utcnow() - timedelta(days=10)
    people = [(f"zelda.quarry{tag}@example.com", "Zelda Quarry", "The Quixotic corridor flooded"),
              (f"yorick.vane{tag}@example.com", "Yorick Vane", "Charged twice for marmalade")]
    drafts = []
    for index, (email, name, words) in enumerate(people + [people[1]] * extra):
        first = respond(session, "rnps", 2, email=email, name=name, touchpoint="check-in", when=t0, comment=words)
        if index < 2:
            respond(session, "rnps", 9 - 4 * index, email=email, touchpoint="check-in", when=t0 + timedelta(days=5))
        drafts.append(CaseDraft(title=f"Detractor {index}", source="response", response_id=first.id, metric="nps",
                                score=2, verbatim=words, customer_id=first.customer_id, touchpoint_id=check_in.id,
                                team_id=team.id))
    cases = open_cases(session, drafts)
    hours = timedelta(hours=1)
    for index, case in enumerate(cases):
        contacted = index == 0
        case.created_at, case.team_id, case.resolution_due_at = t0, team.id, t0 + 24 * hours
        case.first_contact_at = t0 + 2 * hours if contacted else None
        case.status = "resolved" if contacted else "closed"
        case.resolved_at = t0 + (20 if contacted else 30) * hours
        case.root_cause_id = evil.id if contacted else billing.id
        case.recovered = "yes" if contacted else "no"
    session.add_all([CustomerValue(customer_id=cases[0].customer_id, clv=1000.0, p_alive=0.6, churn_risk=0.4),
                     CustomerValue(customer_id=cases[1].customer_id, clv=100.0, p_alive=0.9, churn_risk=0.1)])
    session.flush()
    return {"team": team.id}


def test_viewer_sees_the_figures_in_plain_words_and_no_customer_data(db, client, tokens):
    with db.transaction() as s:
        closed_cases(s)
    page = client.get("/loop", headers=auth(tokens["viewer"]))
    assert page.status_code == 200, page.text
    text = page.text
    half = proportion_estimate(2, 1)
    ci = f"95% CI {half.low:.0f}–{half.high:.0f}%, n = 2"
    assert f"<strong>50%</strong> of detractors contacted within 48 h <span class=\"ci\">({ci})</span>" in text
    assert f"<strong>50%</strong> of closed cases resolved within their SLA <span class=\"ci\">({ci})</span>" in text
    assert "<strong>100%</strong> of closed cases have a root cause" in text
    assert f"recovered the customer <span class=\"ci\">({ci})</span>" in text
    assert "Median time to first contact: <strong>2.0 h</strong>" in text
    assert "Median time to close" in text and "90th percentile time to close" in text
    assert "<td>Guest Recovery</td><td class=\"num\">50%</td>" in text
    assert "n = 1 contacted, 1 not contacted" in text and "Not causal proof" in text and "not a randomised" in text
    assert "Top root causes by revenue at risk" in text and "Double billing" in text and "Check-in" in text
    assert "400" in text  # 0.4 × 1000 revenue at risk of the hostile cause
    assert HOSTILE not in text and "&lt;script&gt;alert(&#39;rc&#39;)&lt;/script&gt;" in text
    assert text.index("x/evil") < text.index("billing/double")  # ranked by revenue at risk: 400 before 10
    for secret in PII:
        assert secret not in text, secret
    assert 'href="/loop" aria-current="page">Closed loop</a>' in text


def test_manager_sees_the_same_figures_and_the_team_filter_narrows_them(db, client, tokens):
    with db.transaction() as s:
        ids = closed_cases(s)
    viewer = client.get("/loop", headers=auth(tokens["viewer"])).text
    manager = client.get("/loop", headers=auth(tokens["manager"]))
    assert manager.status_code == 200
    section = slice(viewer.index('<section class="tiles"'), viewer.index("The same figures as JSON"))
    assert manager.text[manager.text.index('<section class="tiles"'):manager.text.index("The same figures")] \
        == viewer[section]
    assert "2 cases opened" in manager.text
    mine = client.get(f"/loop?team={ids['team']}&since=&until=", headers=auth(tokens["manager"]))
    assert mine.status_code == 200 and "2 cases opened" in mine.text and "in the chosen team" in mine.text
    assert f'<option value="{ids["team"]}" selected>Guest Recovery</option>' in mine.text
    other = client.get("/loop?team=999999", headers=auth(tokens["manager"]))
    assert other.status_code == 200 and "0 cases opened" in other.text and "No cases to measure" in other.text
    before = (utcnow() - timedelta(days=400)).date()
    old = client.get(f"/loop?since={before}&until={before + timedelta(days=30)}", headers=auth(tokens["viewer"]))
    assert old.status_code == 200 and "0 cases opened" in old.text and f'value="{before}"' in old.text


def test_anonymous_is_sent_to_login_and_bad_parameters_are_422(client, tokens):
    answer = client.get("/loop", headers={"Accept": "text/html"}, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/login")
    viewer = auth(tokens["viewer"])
    for query, field in (("since=yesterday", "since"), ("until=2025-13-01", "until"), ("team=abc", "team"),
                         ("team=-3", "team"), ("since=2025-03-01&until=2025-01-01", "since"),
                         ("since=" + "9" * 60, "since")):
        bad = client.get(f"/loop?{query}", headers=viewer)
        assert bad.status_code == 422, (query, bad.text)
        assert bad.json()["field"] == field and field in bad.json()["detail"]


def test_drivers_and_roi_pages_show_the_top_root_causes(db, client, tokens):
    with db.transaction() as s:
        closed_cases(s)
    for path in ("/drivers", "/roi"):
        page = client.get(path, headers=auth(tokens["viewer"]))
        assert page.status_code == 200, page.text
        table = page.text[page.text.index('id="root-causes"'):]
        assert "Top root causes by revenue at risk" in table and 'href="/loop"' in table
        assert "Double billing" in table and HOSTILE not in page.text and "&lt;script&gt;alert(" in table
        assert table.index("x/evil") < table.index("billing/double")
        for secret in PII:
            assert secret not in page.text, (path, secret)


def test_the_page_runs_a_constant_number_of_queries(db, client, tokens):
    def statements(path: str) -> int:
        seen: list[str] = []

        def note(*args: Any) -> None:
            seen.append(args[2])

        event.listen(db.engine, "before_cursor_execute", note)
        try:
            assert client.get(path, headers=auth(tokens["viewer"])).status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", note)
        return len(seen)

    with db.transaction() as s:
        closed_cases(s)
    statements("/loop")  # the token's first use is noted once, in its own unit of work
    few = {path: statements(path) for path in ("/loop", "/drivers", "/roi")}
    with db.transaction() as s:
        closed_cases(s, extra=6, tag="2")  # more cases, customers, root causes and teams
    many = {path: statements(path) for path in ("/loop", "/drivers", "/roi")}
    assert many == few
