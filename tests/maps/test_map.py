"""The journey map's figures on hand-made answers, events, feedback and cases; its constant query count."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import event, select

from centric.customers.models import Customer, CustomerSegment, Segment
from centric.errors import Invalid, NotFound
from centric.events import MembershipsChanged, publish
from centric.feedback.models import Feedback, FeedbackTheme, Theme
from centric.insights.service import MetricFilter, metric
from centric.journeys.models import Event, Journey, Stage, Touchpoint
from centric.loop.models import Case
from centric.maps.impact import clear_cache
from centric.maps.map import journey_map, to_emotion, verdict
from centric.maps.schemas import TouchpointCard
from tests.factories import make_journey, respond

WHEN = datetime(2024, 3, 10, 12)


def _card(m, key: str) -> TouchpointCard:
    return next(t for s in m.stages for t in s.touchpoints if t.key == key)


def _journey_id(s) -> int:
    return s.scalar(select(Journey.id).where(Journey.key == "stay"))


def _seed(s) -> None:
    make_journey(s)
    for i, score in enumerate([5, 5, 5, 5, 5, 5, 2, 2]):
        respond(s, "stay-csat", score, touchpoint="room", email=f"c{i}@example.com", when=WHEN)
    for i, score in enumerate([7, 7, 6, 7, 6, 7, 7, 6, 7, 7]):
        respond(s, "support-ces", score, touchpoint="check-out", email=f"c{i}@example.com", when=WHEN)
    for i, score in enumerate([10, 9, 9, 3, 8]):
        respond(s, "rnps", score, touchpoint="check-in", email=f"c{i}@example.com", when=WHEN)
    tp = {t.key: t for t in s.scalars(select(Touchpoint))}
    tp["room"].designed_emotion = 2
    tp["check-out"].designed_emotion = -1
    tp["check-in"].designed_emotion = 0
    tp["check-in"].event_kinds = ["arrival"]
    customers = list(s.scalars(select(Customer.id).order_by(Customer.id)))
    for i in range(4):
        s.add(Event(customer_id=customers[i], touchpoint_id=tp["room"].id, kind="stay", occurred_at=WHEN))
    for i in range(3):  # placed at check-in by kind
        s.add(Event(customer_id=customers[i], touchpoint_id=None, kind="arrival", occurred_at=WHEN))
    s.add(Event(customer_id=customers[0], touchpoint_id=None, kind="other", occurred_at=WHEN))
    s.add(Event(customer_id=customers[0], touchpoint_id=tp["room"].id, kind="stay", occurred_at=datetime(2023, 1, 1)))
    noise, clean = Theme(name="Noise"), Theme(name="Cleanliness")
    s.add_all([noise, clean])
    s.flush()
    for i, (theme, sentiment) in enumerate([(noise, -0.8), (noise, -0.4), (clean, 0.6)]):
        fb = Feedback(source="test", channel="web", customer_id=customers[i], touchpoint_id=tp["room"].id,
                      text=f"comment {i}", occurred_at=WHEN, sentiment=sentiment)
        s.add(fb)
        s.flush()
        s.add(FeedbackTheme(feedback_id=fb.id, theme_id=theme.id, sentiment=sentiment))
    for status, sla in [("open", "breached"), ("new", "ok"), ("closed", "breached"), ("waiting", "breached")]:
        s.add(Case(title="t", source="manual", touchpoint_id=tp["room"].id, customer_id=customers[0], status=status,
                   sla_state=sla))
    segment = Segment(key="business", name="Business travellers", kind="persona")
    s.add(segment)
    s.flush()
    for c in customers[:2]:
        s.add(CustomerSegment(customer_id=c, segment_id=segment.id))
    s.flush()
    publish(s, MembershipsChanged(added=tuple((c, segment.id) for c in customers[:2])))  # as the services do


def test_map_numbers(db) -> None:
    clear_cache()
    with db.transaction() as s:
        _seed(s)
        m = journey_map(s, _journey_id(s))
        assert [st.key for st in m.stages] == ["arrive", "depart"]
        assert [t.key for t in m.stages[0].touchpoints] == ["check-in", "room"]
        room = _card(m, "room")
        csat = metric(s, "csat", where=MetricFilter(touchpoint="room")).overall
        assert room.score is not None and room.score.metric == "csat" and room.score.n == 8
        assert room.score.value == pytest.approx(75.0)
        assert (room.score.low, room.score.high) == (pytest.approx(csat.low), pytest.approx(csat.high))
        assert room.measured.value == pytest.approx(1.0)
        assert room.measured.low == pytest.approx((csat.low - 50) / 25)
        assert room.measured.high == pytest.approx((csat.high - 50) / 25)
        assert room.verdict == "bad" and room.gap == pytest.approx(1.0)  # designed 2: the whole interval below
        assert room.owner_team == "Housekeeping" and room.surveys == ["stay-csat"]
        assert room.volume == 5  # the 2023 event counts too without a period
        assert [(t.name, t.mentions) for t in room.themes] == [("Noise", 2), ("Cleanliness", 1)]
        assert room.themes[0].sentiment == pytest.approx(-0.6)
        assert (room.open_cases, room.breached_cases) == (3, 2)
        out = _card(m, "check-out")
        assert out.score is not None and out.score.metric == "ces" and out.score.n == 10
        assert out.score.value == pytest.approx(6.7)
        assert out.measured.value == pytest.approx((6.7 - 4) / 1.5)
        assert out.verdict == "good"  # designed −1, the whole interval above
        checkin = _card(m, "check-in")
        assert checkin.score is not None and checkin.score.metric == "nps" and checkin.score.n == 5
        assert checkin.score.value == pytest.approx(40.0)
        assert checkin.measured.value == pytest.approx(0.8)
        assert checkin.verdict == "neutral"  # n = 5: a wide interval around 0
        assert checkin.volume == 3  # events of kind "arrival" name no touchpoint: placed by kind


def test_filters(db) -> None:
    with db.transaction() as s:
        _seed(s)
        journey = _journey_id(s)
        m = journey_map(s, journey, start=date(2024, 1, 1), end=date(2025, 1, 1), impact=False)
        assert _card(m, "room").volume == 4
        m = journey_map(s, journey, start=date(2022, 1, 1), end=date(2024, 1, 1), impact=False)
        room = _card(m, "room")
        assert room.volume == 1 and room.score is None and room.verdict == "unknown" and room.themes == []
        m = journey_map(s, journey, segment="business", impact=False)
        room = _card(m, "room")
        assert room.score is not None and room.score.n == 2 and room.volume == 3  # c0 has 2 room events
        assert [t.mentions for t in room.themes] == [2]
        m = journey_map(s, journey, channel="front desk", impact=False)
        assert [t.key for st in m.stages for t in st.touchpoints] == ["check-in", "check-out"]
        with pytest.raises(Invalid) as problem:
            journey_map(s, journey, segment="nobody")
        assert problem.value.field == "segment"
        with pytest.raises(Invalid):
            journey_map(s, journey, start=date(2024, 2, 1), end=date(2024, 1, 1))
        with pytest.raises(NotFound):
            journey_map(s, 999_999)


def test_emotion_mapping_and_verdict() -> None:
    assert to_emotion("nps", -100) == -2 and to_emotion("nps", 100) == 2 and to_emotion("nps", 0) == 0
    assert to_emotion("csat", 0) == -2 and to_emotion("csat", 50) == 0 and to_emotion("csat", 100) == 2
    assert to_emotion("ces", 1) == -2 and to_emotion("ces", 4) == 0 and to_emotion("ces", 7) == 2
    assert to_emotion("ces", None) is None
    assert verdict(1, -0.5, 0.9) == "bad"
    assert verdict(1, 0.5, 1.5) == "neutral"
    assert verdict(1, 1.0, 1.5) == "neutral"  # touching the design is as designed
    assert verdict(0, 0.1, 1.5) == "good"
    assert verdict(None, 0.1, 1.5) == "unknown" and verdict(1, None, None) == "unknown"


def _statements(db, run) -> int:
    seen: list[str] = []

    def note(*args) -> None:
        seen.append(args[2])

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        run()
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
    return len(seen)


def test_constant_query_count(db) -> None:
    with db.transaction() as s:
        _seed(s)
    with db.transaction() as s:
        journey = _journey_id(s)
        clear_cache()
        few = _statements(db, lambda: journey_map(s, journey, segment="business"))
        stage = s.scalar(select(Stage.id).where(Stage.key == "depart"))
        for i in range(15):
            s.add(Touchpoint(key=f"extra-{i}", name=f"Extra {i}", stage_id=stage, channel="web", position=i + 1,
                             event_kinds=[f"kind-{i}"], designed_emotion=1))
        s.add(Stage(journey_id=journey, key="later", name="Later", position=5))
        s.flush()
        customer = s.scalar(select(Customer.id))
        for i in range(15):
            tp = s.scalar(select(Touchpoint.id).where(Touchpoint.key == f"extra-{i}"))
            s.add(Event(customer_id=customer, touchpoint_id=tp, kind="x", occurred_at=WHEN))
            s.add(Case(title="t", source="manual", touchpoint_id=tp, status="open"))
        s.flush()
        clear_cache()
        many = _statements(db, lambda: journey_map(s, journey, segment="business"))
        assert many == few
        m = journey_map(s, journey)
        assert len([t for st in m.stages for t in st.touchpoints]) == 18
        assert _card(m, "extra-3").volume == 1 and _card(m, "extra-3").open_cases == 1


def test_the_scans_of_raw_rows_are_reused_for_a_minute(db, monkeypatch) -> None:
    from centric.maps import map as map_module

    with db.transaction() as s:
        _seed(s)
    with db.transaction() as s:
        journey = _journey_id(s)
        clear_cache()
        first = journey_map(s, journey)
        again = _statements(db, lambda: journey_map(s, journey))
        s.add(Event(customer_id=s.scalar(select(Customer.id)), touchpoint_id=s.scalar(
            select(Touchpoint.id).where(Touchpoint.key == "room")), kind="stay", occurred_at=WHEN))
        s.flush()
        cached = journey_map(s, journey)
        monkeypatch.setattr(map_module, "SCAN_TTL_S", 0.0)  # a minute later
        fresh = journey_map(s, journey)
    assert _card(cached, "room").volume == _card(first, "room").volume  # within the minute: the cached scan
    assert _card(fresh, "room").volume == _card(first, "room").volume + 1  # after it: the new event counts
    with db.transaction() as s:
        map_module.clear_scan_cache()
        cold = _statements(db, lambda: journey_map(s, journey))
    assert again < cold  # the cached map skipped the two scans
