"""Question schema, display logic and paging — pure functions, no database."""

from __future__ import annotations

import pytest

from centric.errors import Invalid
from centric.surveys.questions import (
    check_answers,
    is_shown,
    next_questions,
    parse_questions,
    validate_answers,
)
from centric.surveys.templates import TEMPLATES


def _survey():
    return parse_questions([
        {"key": "nps", "type": "nps", "required": True},
        {"key": "why", "type": "text", "show_if": {"question": "nps", "op": "lte", "value": 6}},
        {"key": "stars", "type": "rating", "display": "stars"},
        {"key": "liked", "type": "choice", "options": ["staff", "price"], "multiple": True},
        {"key": "ticket", "type": "hidden"},
    ])


def test_every_ready_template_parses_and_has_english_and_chinese_texts():
    assert set(TEMPLATES) == {"relationship-nps", "support-csat", "onboarding-ces", "enps", "happiness", "cx-index"}
    for template in TEMPLATES.values():
        questions = parse_questions(template.questions)
        for q in questions:
            if q.type != "hidden":
                assert q.label.get("en") and q.label.get("zh"), (template.key, q.key)
    ces = parse_questions(TEMPLATES["onboarding-ces"].questions)[0]
    assert (ces.min, ces.max) == (1, 7) and "easy for me to handle my issue" in ces.label["en"]


def test_show_if_asks_why_only_for_detractors():
    questions = _survey()
    why = questions[1]
    assert is_shown(why, {"nps": 6}) and not is_shown(why, {"nps": 9}) and not is_shown(why, {})
    typed = validate_answers(questions, {"nps": 9, "why": "ignored for promoters"})
    assert [a.question_key for a in typed] == ["nps"]
    typed = validate_answers(questions, {"nps": 3, "why": "slow"})
    assert [a.question_key for a in typed] == ["nps", "why"]


def test_pages_break_before_a_question_that_depends_on_the_same_page():
    questions = _survey()
    first = next_questions(questions, {}, set())
    assert [q.key for q in first] == ["nps"]
    assert [q.key for q in next_questions(questions, {"nps": 4}, {"nps"})] == ["why", "stars", "liked"]
    assert [q.key for q in next_questions(questions, {"nps": 10}, {"nps"})] == ["stars", "liked"]
    assert next_questions(questions, {"nps": 10}, {"nps", "stars", "liked"}) == []


@pytest.mark.parametrize(("answers", "field"), [
    ({"nps": 11}, "nps"), ({"nps": "x"}, "nps"), ({"nps": True}, "nps"), ({"nps": 5, "stars": 6}, "stars"),
    ({"nps": 5, "liked": ["staff", "free beer"]}, "liked"), ({"nps": 5, "nope": 1}, "nope"),
    ({"stars": 3}, "nps"),
])
def test_answers_that_do_not_fit_name_the_question(answers, field):
    _, errors = check_answers(_survey(), answers)
    assert field in errors


def test_partial_pages_check_only_their_required_questions():
    _, errors = check_answers(_survey(), {"stars": 4}, required={"stars"})
    assert errors == {}


def test_schema_errors():
    with pytest.raises(Invalid):
        parse_questions([{"key": "a", "type": "text", "show_if": {"question": "b", "op": "eq", "value": 1}},
                         {"key": "b", "type": "nps"}])
    with pytest.raises(ValueError):
        parse_questions([{"key": "c", "type": "choice"}])
    with pytest.raises(ValueError):
        parse_questions([{"key": "h", "type": "hidden", "required": True}])
