"""What a digest holds and who sees what; the biggest moves' significance; settings and the unsubscribe link."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from centric.accounts.models import Team, User
from centric.config import Settings
from centric.db import Database, utcnow
from centric.feedback.models import Feedback, FeedbackTheme, Theme
from centric.governance import digests
from centric.governance.models import DigestSubscription
from centric.governance.moves import COMPANY, biggest_moves
from centric.journeys.models import Touchpoint
from centric.loop.cases import CaseDraft, open_cases
from centric.outreach.unsubscribe import unsubscribe_token as customer_unsubscribe_token
from centric.stats import adjust_p_values
from tests.api.conftest import app, auth, client, tokens  # noqa: F401
from tests.factories import make_journey, make_user, respond

TODAY = utcnow().date()


def _at(day: date, hour: int = 12) -> datetime:
    return datetime.combine(day, time(hour))


def _answers(s: Session, survey: str, touchpoint: str, scores: list[int], day: date) -> None:
    for i, score in enumerate(scores):
        respond(s, survey, score, touchpoint=touchpoint, when=_at(day, 8 + i % 10), email=f"{touchpoint}{day}{i}@x.org")


def test_periods_and_the_weekly_day():
    monday = date(2026, 12, 7)
    weekly = digests.period_of("weekly", monday)
    assert (weekly.key, weekly.start, weekly.end) == ("2026-W49", date(2026, 11, 30), monday)
    daily = digests.period_of("daily", monday)
    assert (daily.key, daily.start, daily.end) == ("2026-12-06", date(2026, 12, 6), monday)
    settings = Settings(digest_weekday=0)
    assert set(digests.due_periods(settings, monday)) == {"daily", "weekly"}
    assert set(digests.due_periods(settings, monday + timedelta(days=1))) == {"daily"}


def test_moves_are_holm_adjusted_across_every_move_in_twelve_queries(db):
    with db.transaction() as s:
        make_journey(s)
        current, previous = TODAY - timedelta(days=3), TODAY - timedelta(days=10)
        _answers(s, "rnps", "check-in", [3] * 30, previous)
        _answers(s, "rnps", "check-in", [10] * 30, current)  # a big, clear rise
        _answers(s, "rnps", "room", [9, 7, 3, 10] * 5, previous)
        _answers(s, "rnps", "room", [9, 7, 6, 10] * 5, current)  # a small one
        _answers(s, "stay-csat", "room", [5, 4, 2] * 6, previous)
        _answers(s, "stay-csat", "room", [5, 4, 4] * 6, current)
    statements: list[str] = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        with db.reader() as s:
            moves = biggest_moves(s, start=TODAY - timedelta(days=7), end=TODAY, limit=50)
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    selects = sum(q.lstrip().upper().startswith("SELECT") for q in statements)
    assert selects == 12  # two per metric and period, however many touchpoints
    rows = moves.rows
    assert moves.tested == len(rows) >= 4
    assert {(m.metric, m.touchpoint) for m in rows} >= {("nps", "Check-in"), ("nps", "Room"), ("csat", "Room"),
                                                         ("nps", COMPANY)}
    assert [m.adjusted_p_value for m in rows] == pytest.approx(adjust_p_values([m.p_value for m in rows]))
    assert any(m.adjusted_p_value > m.p_value for m in rows)  # the family made a difference
    assert all(m.significant == (m.adjusted_p_value < 0.05) for m in rows)
    first = rows[0]
    assert (first.metric, first.touchpoint, first.difference, first.significant) == ("nps", "Check-in", 200.0, True)
    # significant moves first; the rest by the strength of their evidence, so thin noise does not lead
    assert [not m.significant for m in rows] == sorted(not m.significant for m in rows)
    others = [m.p_value for m in rows if not m.significant]
    assert others == sorted(others)
    small = next(m for m in rows if (m.metric, m.touchpoint) == ("nps", "Room"))
    assert not small.significant
    with db.reader() as s:
        mine = biggest_moves(s, start=TODAY - timedelta(days=7), end=TODAY, touchpoints={"Room"}, limit=50)
        significant = biggest_moves(s, start=TODAY - timedelta(days=7), end=TODAY, only_significant=True)
    assert {m.touchpoint for m in mine.rows} == {"Room"}
    assert mine.tested == 2  # the family is the owner's moves only
    assert significant.rows and all(m.significant for m in significant.rows)


def test_default_frequencies_and_choices(db):
    settings = Settings()
    with db.transaction() as s:
        make_journey(s)
        manager, agent, owner, viewer = (make_user(s, r, f"{n}@example.com") for r, n in (
            ("manager", "m"), ("agent", "a"), ("agent", "o"), ("viewer", "v")))
        s.execute(update(Touchpoint).where(Touchpoint.key == "room").values(owner_user_id=owner.id))
        assert {u.email: digests.frequency_of(s, u) for u in (manager, agent, owner, viewer)} == {
            "m@example.com": "weekly", "a@example.com": "off", "o@example.com": "weekly", "v@example.com": "off"}
        chosen = digests.set_subscription(s, settings, agent, "daily", agent.id)
        assert (chosen.frequency, chosen.is_default, chosen.default) == ("daily", False, "off")
        assert digests.effective_frequencies(s)[agent.id][0] == "daily"


def _team_feedback(db: Database) -> None:
    """The agent's and the viewer's team owns Room; comments on Room this week under three themes."""
    with db.transaction() as s:
        team = s.scalar(select(Team).where(Team.name == "Housekeeping"))
        assert team is not None
        s.execute(update(User).where(User.email.in_(["agent@example.com", "viewer@example.com"]))
                  .values(team_id=team.id))
        room = s.scalar(select(Touchpoint.id).where(Touchpoint.key == "room"))
        themes = {name: Theme(name=name) for name in ("room/cold", "staff/friendly", "room/noise")}
        s.add_all(themes.values())
        s.flush()
        plan = [("room/cold", "The heating was <b>broken</b>", 1), ("room/cold", "Freezing room", 2),
                ("room/cold", "Cold shower", 3), ("staff/friendly", "Lovely staff", 1),
                ("staff/friendly", "Kind receptionist", 2), ("room/noise", "Noisy street", 1)]
        for name, text, days_ago in plan:
            item = Feedback(source="test", channel="review", text=text, touchpoint_id=room,
                            occurred_at=_at(TODAY - timedelta(days=days_ago)))
            s.add(item)
            s.flush()
            s.add(FeedbackTheme(feedback_id=item.id, theme_id=themes[name].id))
        s.add(Feedback(source="test", channel="review", text="Old news", touchpoint_id=room,
                       occurred_at=_at(TODAY - timedelta(days=30))))


def test_an_agent_gets_one_verbatim_per_top_theme_and_a_viewer_none(client, tokens, db):  # noqa: F811
    _team_feedback(db)
    agent = client.get("/api/v1/digests/me", headers=auth(tokens["agent"])).json()
    assert agent["scope"] == "your touchpoints: Room"
    assert [(v["theme"], v["text"]) for v in agent["verbatims"]] == [
        ("room/cold", "The heating was <b>broken</b>"), ("staff/friendly", "Lovely staff"),
        ("room/noise", "Noisy street")]
    assert agent["verbatims"][0]["theme_mentions"] == 3
    assert "scorecard" in agent and agent["moves"] is not None
    viewer = client.get("/api/v1/digests/me", headers=auth(tokens["viewer"])).json()
    assert viewer["verbatims"] == [] and "not shown" in viewer["verbatims_note"]
    page = client.get("/digest", headers=auth(tokens["viewer"]))
    assert page.status_code == 200 and "heating" not in page.text and "not shown to your role" in page.text
    page = client.get("/digest", headers=auth(tokens["agent"]))
    assert "The heating was &lt;b&gt;broken&lt;/b&gt;" in page.text and "<b>broken" not in page.text
    assert "Freezing room" not in page.text and "Old news" not in page.text  # older, or outside the period
    for section in ('data-section="scorecard"', 'data-section="cases"', 'data-section="moves"',
                    'data-section="verbatims"'):
        assert section in page.text


def test_the_mail_escapes_customer_text(db):
    with db.transaction() as s:
        make_journey(s)
        user = make_user(s, "manager")
        s.add(Feedback(source="test", channel="review", text="<script>alert(1)</script> rude", touchpoint_id=None,
                       occurred_at=_at(TODAY - timedelta(days=1))))
        s.flush()
        content = digests.build_digest(s, user, digests.period_of("weekly", TODAY))
        mail = digests.compose(Settings(), user.email, content, "https://cx.example.com/digest/unsubscribe?token=t")
    assert "<script>" not in mail.html and "&lt;script&gt;alert(1)&lt;/script&gt; rude" in mail.html
    assert "<script>alert(1)</script> rude" in mail.text


def test_new_and_breached_cases_of_the_user_and_their_team(client, tokens, db):  # noqa: F811
    with db.transaction() as s:
        agent = s.scalar(select(User).where(User.email == "agent@example.com"))
        other = make_user(s, "agent", "other@example.com")
        assert agent is not None
        mine, theirs = open_cases(s, [CaseDraft(title="Cold room", source="manual", owner_id=agent.id),
                                      CaseDraft(title="Lost key", source="manual", owner_id=other.id)])
        old = open_cases(s, [CaseDraft(title="Late bill", source="manual", owner_id=agent.id)])[0]
        old.created_at = utcnow() - timedelta(days=30)
        old.sla_state = "breached"
    body = client.get("/api/v1/digests/me", headers=auth(tokens["agent"])).json()
    assert body["new_cases"]["total"] == 1 and body["new_cases"]["items"][0]["title"] == "Cold room"
    assert body["breached_cases"]["total"] == 1 and body["breached_cases"]["items"][0]["title"] == "Late bill"


def test_frequency_change_by_api_and_form(client, tokens, db):  # noqa: F811
    headers = auth(tokens["agent"])
    assert client.get("/api/v1/digests/me/subscription", headers=headers).json()["frequency"] == "off"
    changed = client.put("/api/v1/digests/me/subscription", json={"frequency": "daily"}, headers=headers)
    assert changed.status_code == 200 and changed.json()["frequency"] == "daily"
    assert client.get("/api/v1/digests/me/subscription", headers=headers).json()["is_default"] is False
    wrong = client.put("/api/v1/digests/me/subscription", json={"frequency": "hourly"}, headers=headers)
    assert wrong.status_code == 422 and "frequency" in wrong.text
    posted = client.post("/digest/subscription", data={"frequency": "weekly"}, headers=headers,
                         follow_redirects=False)
    assert posted.status_code == 303
    assert client.get("/api/v1/digests/me/subscription", headers=headers).json()["frequency"] == "weekly"
    bad = client.post("/digest/subscription", data={"frequency": "sometimes"}, headers=headers)
    assert bad.status_code == 422 and "frequency" in bad.text
    assert client.get("/api/v1/digests/me/subscription", headers=headers).json()["frequency"] == "weekly"


def _frequency(db: Database, email: str) -> str | None:
    with db.reader() as s:
        return s.scalar(select(DigestSubscription.frequency).join(User, User.id == DigestSubscription.user_id)
                        .where(User.email == email))


def test_the_unsubscribe_link_asks_then_turns_the_digest_off_and_refuses_forgeries(app, client, tokens, db):  # noqa: F811
    with db.transaction() as s:
        manager = s.scalar(select(User).where(User.email == "manager@example.com"))
        assert manager is not None
        token = digests.unsubscribe_token(s, app.state.settings, manager.id)
        wrong_purpose = customer_unsubscribe_token(s, app.state.settings, manager.id)
    payload, signature = token.split(".")
    forged = payload[:-2] + ("AA" if payload[-2:] != "AA" else "BB") + "." + signature
    for bad in (forged, wrong_purpose, "nonsense", ""):
        answer = client.post("/digest/unsubscribe", params={"token": bad})
        assert answer.status_code == 403, bad
        assert _frequency(db, "manager@example.com") is None  # nothing changed
    ask = client.get("/digest/unsubscribe", params={"token": token})
    assert ask.status_code == 200 and "Turn the digest off" in ask.text
    assert _frequency(db, "manager@example.com") is None  # a mail scanner following the link changes nothing
    done = client.post("/digest/unsubscribe", params={"token": token})
    assert done.status_code == 200 and "no more digest e-mails" in done.text
    assert _frequency(db, "manager@example.com") == "off"


def test_the_council_page_and_api_for_a_viewer_name_no_customer(client, tokens, db):  # noqa: F811
    from centric.customers.models import Customer
    from centric.loop.models import Case, RootCause

    with db.transaction() as s:
        customer = Customer(name="Zelda Quux")
        cause = RootCause(code="room/heating", name="Heating failure")
        s.add_all([customer, cause])
        s.flush()
        breached, closed = open_cases(s, [
            CaseDraft(title="Zelda Quux: cold room", source="manual", customer_id=customer.id,
                      verbatim="Zelda Quux freezing"),
            CaseDraft(title="Zelda Quux: heating", source="manual", customer_id=customer.id)])
        breached.sla_state = "breached"
        s.execute(update(Case).where(Case.id == closed.id).values(
            status="closed", closed_at=utcnow(), resolved_at=utcnow(), root_cause_id=cause.id))
    headers = auth(tokens["viewer"])
    page = client.get("/council", headers=headers)
    assert page.status_code == 200
    assert "Zelda" not in page.text and "Quux" not in page.text
    assert "Heating failure" in page.text  # the root cause is there, its customer is not
    for section in ('data-section="scorecard"', 'data-section="moves"', 'data-section="breaches"',
                    'data-section="root-causes"', 'data-section="initiatives"'):
        assert section in page.text
    assert 'href="/static/governance.css"' in page.text and 'src="/static/governance.js"' in page.text
    assert "data-print" in page.text and "data-stamp" in page.text and "<script>" not in page.text
    css = client.get("/static/governance.css").text
    assert "@media print" in css and ".topbar" in css
    assert "window.print" in client.get("/static/governance.js").text
    api = client.get("/api/v1/council", headers=headers)
    assert api.status_code == 200
    body = api.json()
    assert body["breached_total"] == 1 and body["breached_by_team"][0]["breached"] == 1
    assert [r["name"] for r in body["root_causes"]] == ["Heating failure"]
    assert {"scorecard", "moves", "initiatives", "generated_at"} <= set(body)
    assert "Zelda" not in api.text
    assert client.get("/api/v1/council", params={"days": 0}, headers=headers).status_code == 422
    assert client.get("/council").status_code in (401, 303)  # no login, no page


def test_nav_links(client, tokens):  # noqa: F811
    page = client.get("/digest", headers=auth(tokens["viewer"])).text
    assert 'href="/digest"' in page and 'href="/council"' in page
