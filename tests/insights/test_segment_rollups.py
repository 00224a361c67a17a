"""Segment rollups stay equal to a rebuild, and to raw answers, through every kind of membership change."""

from __future__ import annotations

import random
from datetime import datetime

import pytest
from sqlalchemy import select

from centric.customers.models import Customer, Identity, Segment
from centric.customers.schemas import SegmentIn
from centric.customers.service import assign_rule_segments, create_segment, merge_customers, refresh_segment, undo_merge
from centric.events import AnswersRetracted, publish
from centric.insights import segment_rollups
from centric.insights.models import SegmentRollup
from centric.insights.service import MetricFilter, metric
from centric.privacy.service import erase_customer
from centric.surveys.models import Answer, Response
from centric.surveys.service import rated_answer
from tests.factories import make_journey, respond

SURVEYS = {"rnps": (0, 10), "stay-csat": (1, 5), "support-ces": (1, 7)}


def _rows(session) -> dict[tuple, tuple]:  # type: ignore[no-untyped-def]
    """The segment rollup's rows that count something, keyed by their six key columns."""
    t = SegmentRollup
    return {
        (r.segment_id, r.day, r.survey_id, r.touchpoint_id, r.channel, r.metric):
            (r.n, r.promoters, r.detractors, r.satisfied, r.agree, pytest.approx(r.total), pytest.approx(r.total_sq))
        for r in session.scalars(select(t)) if r.n
    }


def _customer(session, email: str) -> Customer:  # type: ignore[no-untyped-def]
    customer_id = session.scalar(select(Identity.customer_id).where(Identity.value == email))
    customer = session.get(Customer, customer_id)
    assert customer is not None
    return customer


def _answers(rng: random.Random, session, count: int, people: int) -> None:  # type: ignore[no-untyped-def]
    for _ in range(count):
        survey = rng.choice(list(SURVEYS))
        person = rng.randrange(people)
        extra = {"attributes": {"tier": rng.choice(["gold", "silver"])}} if person % 3 == 0 else {}
        respond(session, survey, rng.randint(*SURVEYS[survey]), email=f"p{person}@x.org",
                touchpoint=rng.choice(["check-in", "room", None]),
                when=datetime(2026, rng.randint(1, 4), rng.randint(1, 28), rng.randint(0, 23)), **extra)


def _assert_consistent(db) -> None:  # type: ignore[no-untyped-def]
    with db.reader() as s:
        incremental = _rows(s)
        for kind in ("nps", "csat", "ces"):
            for by, where in (("segment", None), ("month", MetricFilter(segment="gold")),
                              ("touchpoint", MetricFilter(segment="planners")),
                              ("journey", MetricFilter(segment="all"))):
                fast = metric(s, kind, by, where, use_rollups=True)
                slow = metric(s, kind, by, where, use_rollups=False)
                assert fast == slow, (kind, by, where)
    with db.transaction() as s:
        assert segment_rollups.rebuild(s) > 0
    with db.reader() as s:
        assert _rows(s) == incremental


def test_incremental_segment_rollups_equal_a_rebuild(db):
    rng = random.Random(17)
    with db.transaction() as s:
        make_journey(s)
        create_segment(s, SegmentIn(key="gold", name="Gold", rule=[{"attribute": "tier", "op": "eq", "value": "gold"}]))
        create_segment(s, SegmentIn(key="all", name="Everyone with a tier",
                                    rule=[{"attribute": "tier", "op": "exists"}]))
        create_segment(s, SegmentIn(key="planners", name="Planners", kind="persona",
                                    rule=[{"attribute": "plans", "op": "eq", "value": "ahead"}]))
        _answers(rng, s, 90, 24)
    with db.reader() as s:
        assert s.scalar(select(SegmentRollup.id).limit(1)) is not None  # stored answers were counted
    _assert_consistent(db)

    with db.transaction() as s:  # customers join and leave rule segments as their attributes change
        for person in range(0, 24, 2):
            customer = _customer(s, f"p{person}@x.org")
            customer.attributes = {**(customer.attributes or {}), "plans": "ahead", "tier": "gold"}
            assign_rule_segments(s, customer)
        for person in range(0, 24, 6):
            customer = _customer(s, f"p{person}@x.org")
            customer.attributes = {"tier": "silver"}
            assign_rule_segments(s, customer)
        _answers(rng, s, 30, 24)
    _assert_consistent(db)

    with db.transaction() as s:  # a rule is changed and its members recomputed wholesale
        segment = s.scalar(select(Segment).where(Segment.key == "gold"))
        segment.rule = [{"attribute": "tier", "op": "in", "value": ["gold", "silver"]}]
        refresh_segment(s, segment)
    _assert_consistent(db)

    with db.transaction() as s:  # merges move answers between customers' segments; one is undone
        first = merge_customers(s, _customer(s, "p2@x.org"), _customer(s, "p3@x.org"), reason="test")
        merge_customers(s, _customer(s, "p5@x.org"), _customer(s, "p6@x.org"), reason="test")
        _answers(rng, s, 20, 24)
    _assert_consistent(db)
    with db.transaction() as s:
        undo_merge(s, first.id)
    _assert_consistent(db)

    with db.transaction() as s:  # respondents replace answers (partial responses), as the survey pages do
        rows = s.execute(select(Answer, Response).join(Response, Answer.response_id == Response.id)
                         .where(Answer.number.is_not(None)).order_by(Answer.id).limit(12)).all()
        publish(s, AnswersRetracted(tuple(rated_answer(response, answer) for answer, response in rows)))
        for answer, _response in rows:
            s.delete(answer)
    _assert_consistent(db)

    with db.transaction() as s:  # an erased customer's anonymised answers leave every segment
        erase_customer(s, _customer(s, "p0@x.org").id, confirm=_customer(s, "p0@x.org").id)
    _assert_consistent(db)
