"""Metric queries aggregate sufficient statistics in SQL — checked by hand on both backends."""

from __future__ import annotations

from datetime import datetime

import pytest

from centric.insights.service import MetricFilter, metric
from tests.factories import make_journey, respond


def _seed(s):
    make_journey(s)
    # check-in: 3 promoters, 1 passive, 1 detractor -> NPS 40; room: 1 promoter, 2 detractors -> NPS -33.3
    for i, score in enumerate([9, 10, 9, 8, 2]):
        respond(s, "rnps", score, email=f"a{i}@x.org", touchpoint="check-in", when=datetime(2026, 3, 10))
    for i, score in enumerate([10, 0, 6]):
        respond(s, "rnps", score, email=f"b{i}@x.org", touchpoint="room", when=datetime(2026, 4, 2))
    for i, score in enumerate([5, 4, 3, 5]):
        respond(s, "stay-csat", score, email=f"c{i}@x.org", when=datetime(2026, 4, 3))
    for i, score in enumerate([7, 5, 2]):
        respond(s, "support-ces", score, email=f"d{i}@x.org", when=datetime(2026, 4, 4))


def test_nps_by_touchpoint_matches_hand_count(db):
    with db.transaction() as s:
        _seed(s)
    with db.reader() as s:
        result = metric(s, "nps", "touchpoint")
    rows = {r.group: r for r in result.rows}
    assert rows["Check-in"].n == 5 and rows["Check-in"].value == pytest.approx(40.0)
    assert rows["Room"].value == pytest.approx(100 * (1 - 2) / 3)
    assert result.overall.n == 8 and result.overall.value == pytest.approx(100 * (4 - 3) / 8)
    assert rows["Check-in"].low < 40.0 < rows["Check-in"].high


def test_month_stage_and_filters(db):
    with db.transaction() as s:
        _seed(s)
    with db.reader() as s:
        by_month = {r.group: r.n for r in metric(s, "nps", "month").rows}
        by_stage = {r.group: r.n for r in metric(s, "nps", "stage").rows}
        april = metric(s, "nps", "none", MetricFilter(start=datetime(2026, 4, 1).date())).overall
        journey = metric(s, "nps", "journey").rows
    assert by_month == {"2026-03": 5, "2026-04": 3}
    assert by_stage == {"Arrive": 8}
    assert april.n == 3
    assert journey[0].group == "Hotel stay"


def test_csat_top_two_box_and_ces_mean(db):
    with db.transaction() as s:
        _seed(s)
    with db.reader() as s:
        csat = metric(s, "csat").overall
        ces = metric(s, "ces").overall
    assert csat.value == pytest.approx(75.0) and csat.satisfied == 3
    assert ces.value == pytest.approx(14 / 3) and ces.agree_share == pytest.approx(200 / 3)


def test_empty_metric_is_undefined_not_an_error(db):
    with db.reader() as s:
        result = metric(s, "nps", "touchpoint")
    assert result.rows == [] and result.overall.n == 0 and result.overall.value is None


def test_rollups_agree_with_raw_answers_and_rebuild(db):
    import random

    from centric.insights import rollups

    rng = random.Random(5)
    with db.transaction() as s:
        make_journey(s)
        for i in range(120):
            survey = rng.choice(["rnps", "stay-csat", "support-ces"])
            top = {"rnps": 10, "stay-csat": 5, "support-ces": 7}[survey]
            low = 0 if survey == "rnps" else 1
            respond(s, survey, rng.randint(low, top), email=f"r{i}@x.org",
                    touchpoint=rng.choice(["check-in", "room", "check-out", None]),
                    when=datetime(2026, rng.randint(1, 6), rng.randint(1, 28), rng.randint(0, 23)))
    for rebuilt in (False, True):
        if rebuilt:
            with db.transaction() as s:
                assert rollups.rebuild(s) > 0
        with db.reader() as s:
            for kind in ("nps", "csat", "ces"):
                for by in ("none", "month", "touchpoint", "stage", "journey", "survey", "channel"):
                    fast = metric(s, kind, by, use_rollups=True)
                    slow = metric(s, kind, by, use_rollups=False)
                    assert fast == slow, (kind, by, rebuilt)


def test_team_and_quarter_slices(db):
    with db.transaction() as s:
        _seed(s)
    with db.reader() as s:
        by_team = {r.group: r.n for r in metric(s, "nps", "team").rows}
        by_quarter = {r.group: r.n for r in metric(s, "nps", "quarter").rows}
        raw_quarter = {r.group: r.n for r in metric(s, "nps", "quarter", use_rollups=False).rows}
    assert by_team == {"Front Office": 5, "Housekeeping": 3}
    assert by_quarter == raw_quarter == {"2026-Q1": 5, "2026-Q2": 3}
