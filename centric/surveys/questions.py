"""Question types, display logic and the validation of answers against them.

Scales follow common practice: NPS 0–10 (Reichheld 2003), CSAT 1–5, CES 1–7
(CES 2.0, "made it easy for me to handle my issue"; Dixon, Freeman & Toman 2010).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from centric.errors import Invalid

QuestionType = Literal["nps", "csat", "ces", "rating", "choice", "text", "hidden"]
SCALES: dict[str, tuple[int, int]] = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7)}
RATED_TYPES = ("nps", "csat", "ces", "rating")
MAX_TEXT = 20_000
Texts = dict[str, str]  # text per language code, e.g. {"en": "…", "zh": "…"}


class Condition(BaseModel):
    """Display logic: ask a question only when an earlier answer satisfies this."""

    model_config = ConfigDict(extra="forbid")

    question: str = Field(min_length=1, max_length=80)
    op: Literal["eq", "ne", "lt", "lte", "gt", "gte", "in", "answered"] = "eq"
    value: Any = None


class Question(BaseModel):
    key: str = Field(min_length=1, max_length=80, pattern=r"^[a-z][a-z0-9_]*$")
    type: QuestionType
    label: Texts = Field(default_factory=dict, description="text per language")
    help: Texts = Field(default_factory=dict, description="a hint under the label, per language")
    required: bool = False
    min: int | None = None
    max: int | None = None
    low_label: Texts = Field(default_factory=dict, description="anchor of the scale's low end")
    high_label: Texts = Field(default_factory=dict, description="anchor of the scale's high end")
    display: Literal["number", "stars"] = "number"
    options: list[str] = Field(default_factory=list)
    option_labels: dict[str, Texts] = Field(default_factory=dict, description="option → text per language")
    multiple: bool = False
    max_length: int = Field(default=5000, le=MAX_TEXT)
    source: str | None = Field(default=None, max_length=80,
                               description="hidden fields: the link's query parameter (default: the key)")
    show_if: Condition | None = None

    @model_validator(mode="after")
    def _check(self) -> Question:
        if self.type in SCALES:
            self.min, self.max = SCALES[self.type] if self.min is None else (self.min, self.max)
        if self.type == "rating":
            self.min = 1 if self.min is None else self.min
            self.max = 5 if self.max is None else self.max
        if self.min is not None and self.max is not None and self.min >= self.max:
            raise ValueError(f"question {self.key}: min must be below max")
        if self.type == "rating" and self.max is not None and self.min is not None and self.max - self.min > 20:
            raise ValueError(f"question {self.key}: a rating scale has at most 21 points")
        if self.type == "choice" and not self.options:
            raise ValueError(f"question {self.key}: a choice question needs options")
        if self.type == "hidden" and self.required:
            raise ValueError(f"question {self.key}: a hidden field cannot be required")
        return self

    def text(self, field: str, locale: str) -> str:
        """``label``/``help``/``low_label``/``high_label`` in ``locale``, else English, else any."""
        texts: Texts = getattr(self, field)
        return texts.get(locale) or texts.get("en") or next(iter(texts.values()), "")

    def option_text(self, option: str, locale: str) -> str:
        texts = self.option_labels.get(option, {})
        return texts.get(locale) or texts.get("en") or option

    @property
    def bounds(self) -> tuple[int, int]:
        """Lowest and highest answer of a rated question (validation fills in the defaults)."""
        if self.min is None or self.max is None:
            raise ValueError(f"question {self.key} has no scale")
        return self.min, self.max

    @property
    def scale(self) -> list[int]:
        if self.type not in RATED_TYPES:
            return []
        low, high = self.bounds
        return list(range(low, high + 1))

    @property
    def query_name(self) -> str:
        return self.source or self.key


@dataclass(frozen=True)
class TypedAnswer:
    question_key: str
    metric: str
    number: float | None
    text: str | None


def parse_questions(raw: list[dict[str, Any]]) -> list[Question]:
    questions = [Question.model_validate(q) for q in raw]
    seen: set[str] = set()
    for question in questions:
        if question.key in seen:
            raise Invalid("question keys must be unique", field="questions")
        if question.show_if and question.show_if.question not in seen:
            raise Invalid(f"question {question.key}: show_if must name an earlier question", field="questions")
        seen.add(question.key)
    return questions


def is_shown(question: Question, answers: dict[str, Any]) -> bool:
    """Whether display logic asks ``question`` given the (raw) ``answers`` so far."""
    condition = question.show_if
    if condition is None:
        return True
    actual = answers.get(condition.question)
    if actual is None or actual == "" or actual == []:
        return False
    if condition.op == "answered":
        return True
    values = actual if isinstance(actual, list) else [actual]
    return any(_holds(v, condition.op, condition.value) for v in values)


def _holds(actual: Any, op: str, expected: Any) -> bool:
    if op == "in":
        return str(actual) in {str(e) for e in (expected if isinstance(expected, list) else [expected])}
    if op in ("eq", "ne"):
        try:
            same = float(actual) == float(expected)
        except (TypeError, ValueError):
            same = str(actual) == str(expected)
        return same if op == "eq" else not same
    try:
        a, e = float(actual), float(expected)
    except (TypeError, ValueError):
        return False
    return {"lt": a < e, "lte": a <= e, "gt": a > e, "gte": a >= e}[op]


def check_answers(
    questions: list[Question], answers: dict[str, Any], *, required: set[str] | None = None
) -> tuple[list[TypedAnswer], dict[str, Invalid]]:
    """Typed answers and the problem of each offending question (by key).

    Answers to questions that display logic skips are dropped. ``required`` limits the
    required-answer check to those keys (a page of a multi-page survey); None checks all.
    """
    by_key = {q.key: q for q in questions}
    errors: dict[str, Invalid] = {}
    for key in sorted(set(answers) - set(by_key)):
        errors[key] = Invalid(f"unknown question {key!r}", field=key)
    kept: dict[str, Any] = {}
    typed: list[TypedAnswer] = []
    for question in questions:
        if not is_shown(question, kept):
            continue
        value = answers.get(question.key)
        if value is None or value == "" or value == []:
            if question.required and (required is None or question.key in required):
                errors[question.key] = Invalid(f"question {question.key!r} needs an answer", field=question.key)
            continue
        try:
            typed.append(_typed(question, value))
            kept[question.key] = value
        except Invalid as problem:
            errors[question.key] = problem
    return typed, errors


def validate_answers(questions: list[Question], answers: dict[str, Any]) -> list[TypedAnswer]:
    """Typed answers for ``answers``; raises :class:`Invalid` naming the offending question."""
    typed, errors = check_answers(questions, answers)
    if errors:
        raise next(iter(errors.values()))
    if not typed:
        raise Invalid("the response holds no answer", field="answers")
    return typed


def next_questions(questions: list[Question], answers: dict[str, Any], seen: set[str]) -> list[Question]:
    """The next page: unseen questions in order, up to one whose display logic needs an
    answer from this same page (so the server can decide without JavaScript)."""
    page: list[Question] = []
    for question in questions:
        if question.type == "hidden" or question.key in seen:
            continue
        if question.show_if is not None:
            if question.show_if.question in {q.key for q in page}:
                break
            if not is_shown(question, answers):
                continue
        page.append(question)
    return page


def _typed(question: Question, value: Any) -> TypedAnswer:
    key = question.key
    if question.type in ("nps", "csat", "ces", "rating"):
        number = _number(key, value)
        low, high = question.bounds
        if not float(number).is_integer() or not low <= number <= high:
            raise Invalid(
                f"{key} must be a whole number from {question.min} to {question.max}, got {value!r}",
                field=key,
            )
        return TypedAnswer(key, question.type, float(number), None)
    if question.type == "choice":
        chosen = value if isinstance(value, list) else [value]
        if not question.multiple and len(chosen) > 1:
            raise Invalid(f"{key} takes a single option", field=key)
        for option in chosen:
            if str(option) not in question.options:
                raise Invalid(f"{key}: unknown option {option!r}", field=key)
        return TypedAnswer(key, "choice", None, "|".join(str(o) for o in chosen))
    text = value if isinstance(value, str) else None
    if text is None:
        raise Invalid(f"{key} must be text", field=key)
    if len(text) > question.max_length:
        raise Invalid(f"{key} is longer than {question.max_length} characters", field=key)
    return TypedAnswer(key, question.type, None, text)


def _number(key: str, value: Any) -> float:
    if isinstance(value, bool):
        raise Invalid(f"{key} must be a number, got {value!r}", field=key)
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise Invalid(f"{key} must be a number, got {value!r}", field=key) from None
    if math.isnan(number) or math.isinf(number):
        raise Invalid(f"{key} must be a finite number", field=key)
    return number


def default_questions(kind: str) -> list[dict[str, Any]]:
    """A ready question set for a survey of ``kind`` (relationship NPS, CSAT, CES)."""
    rated = {
        "nps": {"en": "How likely are you to recommend us to a friend or colleague?",
                "zh": "您向朋友或同事推荐我们的可能性有多大？"},
        "csat": {"en": "How satisfied were you with your experience?", "zh": "您对这次体验的满意程度如何？"},
        "ces": {"en": "The company made it easy for me to handle my issue.", "zh": "公司让我轻松地解决了问题。"},
    }
    if kind not in rated:
        raise Invalid(f"unknown survey kind {kind!r}; use nps, csat or ces", field="kind")
    return [
        {"key": kind, "type": kind, "label": rated[kind], "required": True},
        {"key": "comment", "type": "text", "label": {"en": "What is the main reason for your score?",
                                                      "zh": "您给出这个分数的主要原因是什么？"}},
    ]
