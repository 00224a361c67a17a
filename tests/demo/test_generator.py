"""The demo company: filled tables, consistent links, and a story that holds in the data."""

from __future__ import annotations

import re
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import func, select, text

from centric.customers.identities import normalise_identity
from centric.customers.models import Customer, CustomerSegment, Identity, Segment
from centric.customers.schemas import CustomerIn
from centric.customers.service import matches_rule, upsert_customer
from centric.db import Database
from centric.demo import DemoSummary, generate_demo
from centric.demo.company import LAUNCH_DAYS_BEFORE_END
from centric.demo.phrases import ASPECTS
from centric.errors import Conflict
from centric.feedback.models import Feedback
from centric.insights.service import MetricFilter, metric
from centric.journeys.models import Event, Journey, Stage, Touchpoint
from centric.maps.personas import matching, names_metric
from centric.surveys.models import Answer, Response, Survey, SurveyVersion
from centric.surveys.questions import SCALES, parse_questions
from tests.conftest import PG_ADMIN, _pg_url

TODAY = date(2026, 3, 15)
CJK = re.compile(r"[\u4e00-\u9fff]")


def _generate(path: Path, customers: int = 1000, seed: int = 7) -> tuple[Database, DemoSummary]:
    db = Database(f"sqlite:///{path}")
    return db, generate_demo(db, customers=customers, months=18, seed=seed, today=TODAY)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Database, DemoSummary]]:
    db, summary = _generate(tmp_path_factory.mktemp("demo") / "demo.db")
    yield db, summary
    db.dispose()


def _count(session, model, *where) -> int:  # type: ignore[no-untyped-def]
    return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def test_every_table_is_filled_and_the_summary_counts_them(demo):
    db, summary = demo
    with db.reader() as s:
        counts = {name: _count(s, model) for name, model in [
            ("journeys", Journey), ("stages", Stage), ("touchpoints", Touchpoint), ("segments", Segment),
            ("segment_members", CustomerSegment), ("customers", Customer), ("identities", Identity),
            ("events", Event), ("surveys", Survey), ("responses", Response), ("answers", Answer),
            ("feedback", Feedback)]}
        assert _count(s, SurveyVersion) == counts["surveys"]
        event_kinds = set(s.scalars(select(Event.kind).distinct()))
        channels = set(s.scalars(select(Feedback.channel).distinct()))
        sources = set(s.scalars(select(Feedback.source).distinct()))
        teams = s.scalar(text("SELECT count(*) FROM team"))
    assert all(value > 0 for value in counts.values()), counts
    assert teams == summary.teams >= 5
    for name, value in counts.items():
        assert getattr(summary, name) == value, name
    assert summary.customers >= 1000  # and the anonymous chat visitors whom the post-chat survey was offered
    assert {"purchase", "stay", "visit", "ticket", "chat", "call"} <= event_kinds
    assert {"survey", "ticket", "chat", "review", "social", "call"} <= channels
    assert {"helpdesk", "livechat", "callcenter", "tripadvisor", "weibo", "twitter"} <= sources
    assert 1.5 <= summary.responses / summary.customers <= 3.0


def test_journeys_have_ordered_stages_and_owned_touchpoints(demo):
    db, _ = demo
    with db.reader() as s:
        touchpoints = s.scalars(select(Touchpoint)).all()
        positions = s.execute(select(Stage.journey_id, Stage.position)).all()
        journeys = set(s.scalars(select(Journey.key)))
    assert 12 <= len(touchpoints) <= 20
    assert all(t.owner_team_id is not None and t.channel for t in touchpoints)
    assert len(set(positions)) == len(positions)
    assert {"stay", "support"} <= journeys


def test_identities_are_unique_normalised_and_cover_channels(demo):
    db, _ = demo
    with db.reader() as s:
        identities = s.execute(select(Identity.customer_id, Identity.kind, Identity.value)).all()
        customers = _count(s, Customer)
    pairs = [(kind, value) for _, kind, value in identities]
    assert len(set(pairs)) == len(pairs)
    assert all(normalise_identity(kind, value) == (kind, value) for kind, value in pairs)
    kinds = Counter(kind for kind in (k for k, _ in pairs))
    chat_visitors = sum(1 for kind, value in pairs if kind == "device" and value.startswith("chat:"))
    assert kinds["email"] == kinds["external"] == customers - chat_visitors  # a surveyed anonymous chat visitor
    assert customers * 0.5 < kinds["phone"] < customers and 0 < kinds["social"] < customers * 0.5


def test_segment_members_are_exactly_the_customers_matching_each_rule(demo):
    db, _ = demo
    with db.reader() as s:
        attributes = dict(s.execute(select(Customer.id, Customer.attributes)).all())
        for segment in s.scalars(select(Segment)):
            members = set(s.scalars(
                select(CustomerSegment.customer_id).where(CustomerSegment.segment_id == segment.id)))
            if names_metric(segment.rule):  # rules over CLV or churn risk: matched with the customers' scores
                expected = {cid for cid, _, hit in matching(s, segment.rule) if hit}
            else:
                expected = {cid for cid, attrs in attributes.items() if matches_rule(attrs, segment.rule)}
            assert members == expected and members, segment.key
        personas = s.scalars(select(Segment.rule).where(Segment.kind == "persona")).all()
    assert len(personas) >= 4
    assert [{"attribute": "persona", "op": "eq", "value": "business"}] in personas


def test_scores_lie_on_their_scales_and_questions_parse(demo):
    db, _ = demo
    with db.reader() as s:
        for metric_kind, (low, high) in SCALES.items():
            lowest, highest, missing = s.execute(select(
                func.min(Answer.number), func.max(Answer.number),
                func.count(Answer.id) - func.count(Answer.number)).where(Answer.metric == metric_kind)).one()
            assert low <= lowest and highest <= high and not missing, metric_kind
        for key, survey, questions in s.execute(select(Survey.key, Survey.kind, SurveyVersion.questions)
                                                .join(Survey)):
            parsed = parse_questions(questions)
            # the CX index items; the post-chat survey's effort score
            extra = {"relationship-nps": ["rating"] * 3, "post-chat": ["ces"]}.get(key, [])
            assert [q.type for q in parsed] == [survey, *extra, "text"]
        unrated = s.scalar(select(func.count()).select_from(Response).where(~Response.id.in_(
            select(Answer.response_id).where(Answer.metric != "text"))))
    assert unrated == 0


def _nps(scores: list[float]) -> float:
    return 100 * (sum(x >= 9 for x in scores) - sum(x <= 6 for x in scores)) / len(scores)


def test_families_rate_housekeeping_lower_than_business_travellers(demo):
    db, _ = demo
    with db.reader() as s:
        rows = s.execute(
            select(Customer.attributes, Answer.number)
            .join(Response, Response.customer_id == Customer.id).join(Answer, Answer.response_id == Response.id)
            .join(Touchpoint, Touchpoint.id == Response.touchpoint_id)
            .where(Answer.metric == "nps", Touchpoint.key == "housekeeping")).all()
        by_metric = {persona: metric(s, "nps", "touchpoint", MetricFilter(segment=persona))
                     for persona in ("family", "business")}
    scores: dict[str, list[float]] = {}
    for attributes, number in rows:
        scores.setdefault(attributes["persona"], []).append(number)
    assert len(scores["family"]) >= 10 and len(scores["business"]) >= 10
    assert _nps(scores["family"]) < _nps(scores["business"]) - 20
    housekeeping = {p: next(r for r in result.rows if r.group == "Housekeeping") for p, result in by_metric.items()}
    assert housekeeping["family"].value < housekeeping["business"].value


def test_the_new_booking_system_shows_as_a_dip_then_a_recovery(demo):
    db, _ = demo
    launch = datetime.combine(TODAY, datetime.min.time()) - timedelta(days=LAUNCH_DAYS_BEFORE_END)
    with db.reader() as s:
        def mean(start: datetime, end: datetime) -> float:
            return s.scalar(select(func.avg(Answer.number)).join(Response).join(Survey).where(
                Survey.key == "booking-csat", Response.submitted_at >= start, Response.submitted_at < end))
        before = mean(launch - timedelta(days=120), launch)
        after = mean(launch, launch + timedelta(days=45))
        later = mean(launch + timedelta(days=150), launch + timedelta(days=240))
        by_rollup = metric(s, "csat", "touchpoint")
        by_answers = metric(s, "csat", "touchpoint", use_rollups=False)
    assert after < before - 0.4 and later > after + 0.3
    assert [(r.group, r.n) for r in by_rollup.rows] == [(r.group, r.n) for r in by_answers.rows]


def test_every_comment_is_also_a_feedback_item(demo):
    db, _ = demo
    with db.reader() as s:
        comments = s.execute(
            select(Answer.response_id, Answer.text, Response.customer_id, Response.touchpoint_id,
                   Response.submitted_at).join(Response).where(Answer.metric == "text")).all()
        scores = dict(s.execute(select(Answer.response_id, Answer.number)
                                .where(Answer.metric.in_(("nps", "csat", "ces")))).all())
        items = {f.external_id: f for f in s.scalars(select(Feedback).where(Feedback.source == "survey"))}
        responses = _count(s, Response)
    assert len(items) == len(comments) and 0.4 <= len(comments) / responses <= 0.6
    for response_id, comment, customer_id, touchpoint_id, submitted_at in comments:
        item = items[f"response:{response_id}:comment"]
        assert (item.text, item.customer_id, item.touchpoint_id, item.response_id, item.occurred_at, item.rating) == (
            comment, customer_id, touchpoint_id, response_id, submitted_at, scores[response_id])
        assert item.channel == "survey"


def test_comments_are_varied_bilingual_and_follow_the_score(demo):
    db, _ = demo
    with db.reader() as s:
        rows = s.execute(select(Feedback.text, Feedback.language, Feedback.rating, Customer.attributes, Answer.metric)
                         .join(Customer, Customer.id == Feedback.customer_id)
                         .join(Answer, (Answer.response_id == Feedback.response_id) & (Answer.metric != "text"))).all()
        all_texts = s.scalars(select(Feedback.text)).all()
    chinese = [r for r in rows if CJK.search(r.text)]
    assert len(chinese) > 50 and all(r.language == "zh" for r in chinese)
    assert sum(r.attributes["language"] == "zh" for r in chinese) / len(chinese) > 0.95
    assert len(set(all_texts)) / len(all_texts) > 0.6
    patterns = {tone: [re.compile(re.sub(r"\\\{\w+\\\}", ".+?", re.escape(a)), re.IGNORECASE)
                       for aspects in ASPECTS.values() for language in aspects[tone].values() for a in language]
                for tone in ("neg", "pos")}

    def says(tone: str, comment: str) -> bool:
        return any(p.search(comment) for p in patterns[tone])

    detractors = [r.text for r in rows if r.metric == "nps" and r.rating <= 6]
    promoters = [r.text for r in rows if r.metric == "nps" and r.rating >= 9]
    assert detractors and promoters
    assert all(says("neg", t) and not says("pos", t) for t in detractors)
    assert all(says("pos", t) and not says("neg", t) for t in promoters)


def test_booking_behaviour_differs_by_persona_and_some_guests_lapse(demo):
    db, summary = demo
    with db.reader() as s:
        purchases = s.execute(select(Event.customer_id, Event.occurred_at, Event.value, Customer.attributes)
                              .join(Customer).where(Event.kind == "purchase")).all()
        first, last = s.execute(select(func.min(Event.occurred_at), func.max(Event.occurred_at))).one()
    assert summary.purchases == len(purchases)
    assert all(p.value > 0 for p in purchases)
    assert datetime.combine(summary.start, datetime.min.time()) <= first
    assert last < datetime.combine(TODAY, datetime.min.time())
    per_persona: dict[str, Counter] = {}
    for p in purchases:
        per_persona.setdefault(p.attributes["persona"], Counter())[p.customer_id] += 1
    average = {k: sum(c.values()) / len(c) for k, c in per_persona.items()}
    assert average["elite"] > average["business"] > average["family"]
    midpoint = first + (last - first) / 2
    early = {p.customer_id for p in purchases if p.occurred_at < midpoint}
    late = {p.customer_id for p in purchases if p.occurred_at >= midpoint}
    assert 0.1 < len(early - late) / len(early) < 0.7


def test_same_seed_same_company_and_another_seed_another(tmp_path: Path):
    def fingerprint(db: Database) -> list:
        with db.reader() as s:
            return [
                s.execute(select(Customer.id, Customer.name, Customer.attributes).order_by(Customer.id)).all(),
                s.execute(select(Identity.kind, Identity.value).order_by(Identity.id)).all(),
                s.execute(select(Event.kind, Event.occurred_at, Event.value, Event.external_id)
                          .order_by(Event.id)).all(),
                s.execute(select(Answer.response_id, Answer.number, Answer.text).order_by(Answer.id)).all(),
                s.execute(select(Feedback.external_id, Feedback.text).order_by(Feedback.id)).all(),
            ]

    dbs = [_generate(tmp_path / f"{name}.db", customers=150, seed=seed)[0]
           for name, seed in (("a", 11), ("b", 11), ("c", 12))]
    a, b, c = (fingerprint(db) for db in dbs)
    for db in dbs:
        db.dispose()
    assert a == b
    assert a[0] != c[0] and a[4] != c[4]


def test_refuses_a_database_that_holds_customers(tmp_path: Path):
    db, summary = _generate(tmp_path / "full.db", customers=50)
    with pytest.raises(Conflict, match="customers already"):
        generate_demo(db, customers=50, today=TODAY)
    with db.reader() as s:
        assert _count(s, Customer) == summary.customers >= 50  # and the surveyed anonymous chat visitors
    db.dispose()


@pytest.mark.postgres
def test_postgresql_gets_the_same_company_and_keeps_working_after():
    name = f"centric_demo_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    db = Database(_pg_url(name))
    try:
        summary = generate_demo(db, customers=300, seed=5, today=TODAY)
        with db.transaction() as s:
            assert _count(s, Customer) == summary.customers >= 300  # and the surveyed anonymous chat visitors
            assert _count(s, Feedback, Feedback.language == "zh") > 0
            assert _count(s, Answer) == summary.answers
            # Explicit ids were used for bulk rows: new rows must still get fresh ids.
            customer = upsert_customer(s, CustomerIn(email="new.guest@example.com"))
            assert customer.id > 300
        with db.reader() as s:
            attributes = s.scalar(select(Customer.attributes).where(Customer.id == 1))
        assert {"persona", "tier", "country", "city", "language", "signup_date"} <= set(attributes)
    finally:
        db.dispose()
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_the_closed_loop_is_alive_in_every_state(demo):
    from centric.loop.models import CASE_STATUSES, AlertRule, Case, CaseActivity, RootCause, SlaPolicy

    db, summary = demo
    with db.reader() as s:
        assert summary.cases == _count(s, Case) > 0
        states = {status for (status,) in s.execute(select(Case.status).distinct())}
        assert states == set(CASE_STATUSES)
        assert _count(s, Case, Case.sla_state == "breached") > 0
        assert _count(s, Case, Case.recovered == "yes") > 0
        assert _count(s, Case, Case.status == "closed", Case.root_cause_id.is_(None)) == 0  # closing needs a cause
        assert _count(s, RootCause, RootCause.parent_id.is_not(None)) > 0
        assert _count(s, AlertRule) >= 4 and _count(s, SlaPolicy) >= 2
        assert _count(s, CaseActivity, CaseActivity.kind == "contact") > 0
        # every case's trail starts with its opening
        assert _count(s, CaseActivity, CaseActivity.kind == "created") == summary.cases
