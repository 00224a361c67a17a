"""The maturity questionnaire as data, and how ratings become stages (pure, no database)."""

from __future__ import annotations

from centric.mirror.evidence import EVIDENCE, stage_of_share
from centric.mirror.maturity import (
    COMPETENCIES,
    ITEMS,
    NEXT_STEPS,
    STAGES,
    VERSION,
    competency_stages,
    disagrees,
    overall_stage,
    questionnaire,
    stage_of,
)


def test_questionnaire_integrity():
    q = questionnaire()
    assert q.version == VERSION == "2026.1"
    assert 18 <= len(q.items) <= 22
    keys = [i.key for i in q.items]
    assert len(keys) == len(set(keys))
    assert set(COMPETENCIES) == {"lead", "realize", "activate", "enlighten", "respond", "disrupt"}
    for c in COMPETENCIES:
        assert len(q.of(c)) >= 3, c
        for step_stage in STAGES:
            assert NEXT_STEPS[c][step_stage], (c, step_stage)
    for item in ITEMS:
        assert item.competency in COMPETENCIES and item.key.startswith(item.competency + ".")
        assert len(item.stages) == 5 and all(text.strip() for text in item.stages)
        assert item.evidence is None or item.evidence in EVIDENCE
    assert {i.evidence for i in ITEMS if i.evidence} == set(EVIDENCE)  # every evidence function is used


def test_stage_is_the_lower_median_of_items_and_competencies():
    assert stage_of([1, 5, 5]) == 5
    assert stage_of([2, 3, 4, 5]) == 3  # even count: the lower of the middle two
    assert stage_of([]) is None
    q = questionnaire()
    ratings = {i.key: 2 for i in q.items}
    for item in q.of("respond"):
        ratings[item.key] = 4
    ratings[q.of("lead")[0].key] = 5
    stages = competency_stages(q, ratings)
    assert stages["respond"] == 4 and stages["lead"] == 2 and stages["disrupt"] == 2
    assert overall_stage(stages) == 2
    assert overall_stage({"a": 1, "b": 3, "c": 5, "d": None}) == 3


def test_disagreement_needs_two_stages():
    assert disagrees(5, 3) and disagrees(1, 4)
    assert not disagrees(4, 3) and not disagrees(2, 2) and not disagrees(5, None)


def test_share_bands():
    assert [stage_of_share(v) for v in (0, 19.9, 20, 50, 75, 80, 100)] == [1, 1, 2, 3, 4, 5, 5]
