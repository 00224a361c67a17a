"""Grouping questions: every question in exactly one group, repeats together, unrelated ones apart."""

from __future__ import annotations

from centric.text.question_groups import group_questions


def test_nothing_to_group():
    assert group_questions([]) == []


def test_every_question_lands_in_exactly_one_group():
    texts = ["is there a shoe shine service", "is there a shoe shine service", "can you polish my shoes",
             "擦鞋服务有吗", "你们能擦皮鞋吗", "what is the capital of peru", "  ", "你好"]
    groups = group_questions(texts)
    members = sorted(i for g in groups for i in g.members)
    assert members == list(range(len(texts)))
    where = {i: k for k, g in enumerate(groups) for i in g.members}
    assert where[0] == where[1]  # the same wording twice
    assert where[0] != where[5]  # an unrelated question stands apart
    assert [g.size for g in groups] == sorted((g.size for g in groups), reverse=True)
    assert all(g.label for g in groups)
