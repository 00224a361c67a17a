"""Alert rules evaluated on stored responses and enriched feedback, on both backends."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from centric.config import Settings
from centric.customers.models import CustomerSegment, Segment
from centric.db import Database, utcnow
from centric.events import ResponsesStored, publish
from centric.feedback.schemas import FeedbackIn
from centric.feedback.service import record_feedback
from centric.insights.models import CustomerValue
from centric.jobs.models import Job
from centric.jobs.runner import LocalWorker
from centric.loop import alert_jobs, alerts
from centric.loop.models import AlertRule, Case, CaseActivity, RuleMatch
from centric.loop.rule_schemas import RuleIn
from centric.webhooks.models import WebhookDelivery, WebhookSubscription
from tests.factories import make_journey, make_user, respond

DETRACTOR = {"all": [{"field": "nps", "op": "lte", "value": 6}]}


def _rule(session: Session, condition: dict = DETRACTOR, name: str = "Detractors", **extra: Any) -> AlertRule:
    return alerts.create_rule(session, RuleIn(name=name, condition=condition, **extra))


def _cases(db: Database) -> list[Case]:
    with db.reader() as s:
        return list(s.scalars(select(Case).order_by(Case.id)))


def _matches(db: Database) -> list[tuple[int, str, int | None, bool]]:
    with db.reader() as s:
        return [(m.source_id, m.outcome, m.case_id, m.retroactive)
                for m in s.scalars(select(RuleMatch).order_by(RuleMatch.id))]


def test_a_detractor_opens_one_case_with_score_and_verbatim(db):
    with db.transaction() as s:
        make_journey(s)
        rule = _rule(s)
    with db.transaction() as s:
        respond(s, "rnps", 9, email="happy@example.com", comment="Lovely")
        out = respond(s, "rnps", 3, email="ann@example.com", touchpoint="check-in", comment="Cold room, rude staff")
    [case] = _cases(db)
    assert (case.rule_id, case.response_id, case.metric, case.score) == (rule.id, out.id, "nps", 3.0)
    assert case.verbatim == "Cold room, rude staff"
    assert case.title == "NPS 3 (detractor) · Check-in"
    assert case.source == "response" and case.severity == 2 and case.status == "new"
    assert _matches(db) == [(out.id, "case", case.id, False)]


def test_a_burst_from_one_customer_opens_one_case_and_notes_the_rest(db):
    with db.transaction() as s:
        make_journey(s)
        _rule(s)
    for score in (2, 4, 1):
        with db.transaction() as s:
            respond(s, "rnps", score, email="ann@example.com", comment=f"score {score}")
    with db.transaction() as s:
        respond(s, "rnps", 5, email="bob@example.com")
    cases = _cases(db)
    assert len(cases) == 2
    outcomes = [outcome for _, outcome, _, _ in _matches(db)]
    assert outcomes == ["case", "deduplicated", "deduplicated", "case"]
    with db.reader() as s:
        notes = s.scalars(select(CaseActivity.body).where(CaseActivity.case_id == cases[0].id,
                                                          CaseActivity.kind == "note")).all()
    assert len(notes) == 2 and all("Another matching response arrived" in n for n in notes)


def test_dedupe_ends_with_the_window_and_with_the_case(db):
    with db.transaction() as s:
        make_journey(s)
        _rule(s, dedupe_hours=1)
        respond(s, "rnps", 2)
    with db.transaction() as s:
        first = s.scalar(select(Case))
        first.created_at = utcnow() - timedelta(hours=2)  # older than the window
    with db.transaction() as s:
        respond(s, "rnps", 2)
    with db.transaction() as s:
        for case in s.scalars(select(Case)):
            case.status = "closed"
    with db.transaction() as s:
        respond(s, "rnps", 2)
    assert [o for _, o, _, _ in _matches(db)] == ["case", "case", "case"]


def test_a_redelivered_event_matches_once(db):
    with db.transaction() as s:
        make_journey(s)
        _rule(s)
        out = respond(s, "rnps", 0)
    with db.transaction() as s:
        publish(s, ResponsesStored((out.id,)))
    assert len(_cases(db)) == 1 and len(_matches(db)) == 1


def test_imported_history_opens_no_case(db):
    with db.transaction() as s:
        make_journey(s)
        _rule(s)
        out = respond(s, "rnps", 1)
        s.execute(RuleMatch.__table__.delete())
        s.execute(CaseActivity.__table__.delete())
        s.execute(Case.__table__.delete())
    with db.transaction() as s:
        publish(s, ResponsesStored((out.id,), imported=True))
    assert _cases(db) == [] and _matches(db) == []


def test_customer_and_touchpoint_fields_with_and_or(db):
    condition = {"all": [{"field": "csat", "op": "lte", "value": 2},
                         {"any": [{"field": "segment", "op": "eq", "value": "vip"},
                                  {"field": "risk_band", "op": "in", "value": ["high"]},
                                  {"field": "attributes.plan", "op": "eq", "value": "Gold"}]},
                         {"field": "journey", "op": "eq", "value": "stay"}]}
    with db.transaction() as s:
        make_journey(s)
        _rule(s, condition, name="Unhappy valued guests", severity=4)
        respond(s, "stay-csat", 1, email="plain@example.com")
        gold_id = respond(s, "stay-csat", 1, email="gold@example.com", attributes={"plan": "gold"}).customer_id
        respond(s, "stay-csat", 4, email="gold2@example.com", attributes={"plan": "gold"})
        vip_id = respond(s, "stay-csat", 5, email="vip@example.com").customer_id
        risky_id = respond(s, "stay-csat", 5, email="risky@example.com").customer_id
        segment = Segment(key="vip", name="VIP")
        s.add(segment)
        s.flush()
        s.add(CustomerSegment(customer_id=vip_id, segment_id=segment.id))
        s.add(CustomerValue(customer_id=risky_id, clv=10.0, churn_risk=0.9, clv_band="low", risk_band="high"))
    with db.transaction() as s:
        respond(s, "stay-csat", 2, email="vip@example.com")
        respond(s, "stay-csat", 2, email="risky@example.com")
        respond(s, "stay-csat", 2, email="plain@example.com", touchpoint="check-in")
    cases = _cases(db)
    assert {c.customer_id for c in cases} == {gold_id, vip_id, risky_id}
    assert {c.severity for c in cases} == {4}


def test_feedback_rules_run_after_enrichment(db):
    condition = {"all": [{"field": "sentiment_label", "op": "eq", "value": "negative"},
                         {"field": "channel", "op": "in", "value": ["email", "chat"]}]}
    with db.transaction() as s:
        make_journey(s)
        alerts.create_rule(s, RuleIn(name="Angry tickets", applies_to="feedback", condition=condition, severity=3))
        record_feedback(s, FeedbackIn(text="This is terrible, the worst service ever, I am furious and want a refund",
                                      channel="email", customer={"email": "cross@example.com"}))
        record_feedback(s, FeedbackIn(text="Wonderful stay, thank you so much, the staff were lovely",
                                      channel="email", customer={"email": "glad@example.com"}))
        assert s.scalar(select(func.count()).select_from(Case)) == 0  # not before enrichment
    LocalWorker(db, Settings(database_url=db.url, job_workers=0)).run_due(100)
    [case] = _cases(db)
    assert case.source == "feedback" and case.metric == "sentiment" and case.score is not None and case.score < 0
    assert case.verbatim.startswith("This is terrible") and case.title.startswith("Negative feedback")


def test_notify_queues_one_email_per_match(db):
    with db.transaction() as s:
        make_journey(s)
        manager = make_user(s, "manager")
        _rule(s, actions={"open_case": False, "notify": {"user_ids": [manager.id], "emails": ["ops@example.com"]}})
        out = respond(s, "rnps", 4, comment="meh")
    with db.transaction() as s:
        publish(s, ResponsesStored((out.id,)))
    with db.reader() as s:
        jobs = s.scalars(select(Job).where(Job.name == "loop.notify")).all()
    assert len(jobs) == 1
    assert jobs[0].payload["to"] == ["manager@example.com", "ops@example.com"]
    assert "meh" in jobs[0].payload["text"]
    assert _cases(db) == [] and [o for _, o, _, _ in _matches(db)] == ["notified"]


def test_retroactive_preview_equals_what_apply_creates_and_apply_twice_adds_nothing(db):
    start = utcnow() - timedelta(days=30)
    with db.transaction() as s:
        make_journey(s)
        for day, (email, score) in enumerate([("a@x.org", 3), ("b@x.org", 9), ("a@x.org", 5), ("c@x.org", 6),
                                              ("d@x.org", 10), ("c@x.org", 1)]):
            respond(s, "rnps", score, email=email, when=start + timedelta(days=day))
        respond(s, "rnps", 0, email="late@x.org", when=start + timedelta(days=20))  # outside the range
        rule = _rule(s)
    assert _cases(db) == []  # the rule came after the responses
    since, until = start - timedelta(hours=1), start + timedelta(days=10)
    with db.reader() as s:
        preview = alert_jobs.preview(s, rule.id, since, until, batch=2)
    assert (preview.scanned, preview.matching, preview.new_cases, preview.deduplicated) == (6, 4, 2, 2)
    with db.transaction() as s:
        alert_jobs.apply_range(s, rule.id, since, until, batch=2)
    cases = _cases(db)
    assert len(cases) == preview.new_cases
    assert [o for _, o, _, _ in _matches(db)].count("deduplicated") == preview.deduplicated
    assert all(retro for *_, retro in _matches(db))
    with db.transaction() as s:
        alert_jobs.apply_range(s, rule.id, since, until, batch=2)
        again = alert_jobs.preview(s, rule.id, since, until)
    assert len(_cases(db)) == 2 and len(_matches(db)) == 4
    assert (again.matching, again.already_matched, again.new_cases) == (4, 4, 0)


def test_webhook_action_announces_alert_triggered_with_the_case(db):
    with db.transaction() as s:
        make_journey(s)
        s.add(WebhookSubscription(url="https://hooks.example.com/x", events=["alert.*"], secret_sealed="sealed"))
        rule = _rule(s, actions={"open_case": True, "notify": {"webhook": True}})
        respond(s, "rnps", 9, email="fan@example.com")
        out = respond(s, "rnps", 2, email="ann@example.com", comment="Never again")
    with db.reader() as s:
        deliveries = s.scalars(select(WebhookDelivery)).all()
    [case] = _cases(db)
    assert [d.event for d in deliveries] == ["alert.triggered"]
    payload = deliveries[0].payload
    assert payload["rule"]["id"] == rule.id and payload["source_id"] == out.id and payload["case_id"] == case.id
    assert payload["verbatim"] == "Never again" and payload["score"] == 2.0


def test_a_rule_stored_with_an_invalid_condition_matches_nothing_and_blocks_no_submission(db):
    with db.transaction() as s:
        make_journey(s)
        _rule(s)  # a valid detractor rule beside it still works
        s.add(AlertRule(name="Broken", applies_to="response", condition={"all": [{"field": "nps"}]},
                        actions={"open_case": True}))
    with db.transaction() as s:
        respond(s, "rnps", 2, comment="Awful")
    with db.reader() as s:
        rules = {r.name: r.id for r in s.scalars(select(AlertRule))}
        assert [c.rule_id for c in s.scalars(select(Case))] == [rules["Detractors"]]
