"""The survey builder's HTML form, read into the draft schema that the service validates.

Each question is a block of fields named ``q<i>_<field>`` (per-language texts as
``q<i>_label_<lang>``); one empty block adds a question. Blocks are ordered by their
``position`` field and dropped when ``delete`` is ticked, so the builder needs no JavaScript.
"""

from __future__ import annotations

import json
from typing import Any

from centric import i18n
from centric.errors import Invalid
from centric.surveys.questions import Condition
from centric.surveys.schemas import SurveyDraftIn, SurveyOptions

TEXT_FIELDS = ("label", "help", "low_label", "high_label")
MAX_QUESTIONS = 100
OPS = {"eq": "=", "ne": "≠", "lt": "<", "lte": "≤", "gt": ">", "gte": "≥", "in": i18n.N_("is one of"),
       "answered": i18n.N_("is answered")}


def _one(form: dict[str, list[str]], name: str) -> str:
    return (form.get(name) or [""])[0].strip()


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _int(text: str, field: str) -> int | None:
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        raise Invalid(f"{field} must be a whole number", field=field) from None


def _value(text: str) -> Any:
    """A condition's value: a number when it reads as one, a list for ``a, b``, else text."""
    if "," in text:
        return [part.strip() for part in text.split(",") if part.strip()]
    try:
        number = float(text)
    except ValueError:
        return text
    return int(number) if number.is_integer() else number


def questions_from_form(form: dict[str, list[str]], languages: list[str]) -> list[dict[str, Any]]:
    """The draft's questions as the builder form describes them (validated later by the service)."""
    if _one(form, "mode") == "json":
        try:
            raw = json.loads(_one(form, "questions_json") or "[]")
        except json.JSONDecodeError as exc:
            raise Invalid(f"the JSON is malformed: {exc.msg} (line {exc.lineno})", field="questions_json") from None
        if not isinstance(raw, list):
            raise Invalid("the JSON must be a list of questions", field="questions_json")
        return raw
    blocks = []
    for i in range(MAX_QUESTIONS + 1):
        prefix = f"q{i}_"
        if not any(name.startswith(prefix) for name in form):
            continue
        key = _one(form, prefix + "key")
        if not key or _one(form, prefix + "delete"):
            continue
        position = _int(_one(form, prefix + "position"), prefix + "position") or i
        blocks.append((position, i, _question(form, prefix, key, languages)))
    blocks.sort(key=lambda b: (b[0], b[1]))
    return [q for _, _, q in blocks]


def _question(form: dict[str, list[str]], prefix: str, key: str, languages: list[str]) -> dict[str, Any]:
    kind = _one(form, prefix + "type") or "text"
    question: dict[str, Any] = {"key": key, "type": kind, "required": bool(_one(form, prefix + "required"))}
    for field in TEXT_FIELDS:
        texts = {lang: _one(form, f"{prefix}{field}_{lang}") for lang in languages}
        if any(texts.values()):
            question[field] = {lang: text for lang, text in texts.items() if text}
    if kind == "rating":
        question["min"] = _int(_one(form, prefix + "min"), prefix + "min")
        question["max"] = _int(_one(form, prefix + "max"), prefix + "max")
        question["display"] = _one(form, prefix + "display") or "number"
    if kind == "choice":
        options = _lines(_one(form, prefix + "options").replace("\r", ""))
        question["options"] = options
        question["multiple"] = bool(_one(form, prefix + "multiple"))
        labels: dict[str, dict[str, str]] = {}
        for lang in languages:
            for option, label in zip(options, (form.get(f"{prefix}option_labels_{lang}") or [""])[0].splitlines(),
                                     strict=False):
                if label.strip():
                    labels.setdefault(option, {})[lang] = label.strip()
        if labels:
            question["option_labels"] = labels
    if kind == "text":
        question["max_length"] = _int(_one(form, prefix + "max_length"), prefix + "max_length") or 5000
    if kind == "hidden":
        question.pop("required")
        if _one(form, prefix + "source"):
            question["source"] = _one(form, prefix + "source")
    condition = _one(form, prefix + "if_question")
    if condition:
        question["show_if"] = {"question": condition, "op": _one(form, prefix + "if_op") or "eq",
                               "value": _value(_one(form, prefix + "if_value"))}
    return {k: v for k, v in question.items() if v is not None}


def settings_from_form(form: dict[str, list[str]]) -> SurveyDraftIn:
    """Name, touchpoint, languages and respondent options from the builder's settings block."""
    languages = [lang for lang in form.get("languages", []) if lang.strip()]
    languages += [lang.strip() for lang in _one(form, "more_languages").split(",") if lang.strip()]
    languages = list(dict.fromkeys(languages)) or ["en"]
    options = {
        "review_url": _one(form, "review_url") or None,
        "ideas_url": _one(form, "ideas_url") or None,
        "frame_origins": _lines(_one(form, "frame_origins").replace("\r", "")),
        "rate_limit_per_hour": _int(_one(form, "rate_limit_per_hour"), "rate_limit_per_hour") or 30,
        "intro": {lang: _one(form, f"intro_{lang}") for lang in languages if _one(form, f"intro_{lang}")},
        "thanks": {lang: _one(form, f"thanks_{lang}") for lang in languages if _one(form, f"thanks_{lang}")},
    }
    return SurveyDraftIn.model_validate({
        "name": _one(form, "name") or None, "touchpoint": _one(form, "touchpoint"),
        "languages": languages, "options": SurveyOptions.model_validate(options),
    })


def describe_condition(question: dict[str, Any] | Any) -> str:
    """``Shown if nps ≤ 6`` for the preview and the builder."""
    condition = question.show_if if hasattr(question, "show_if") else question.get("show_if")
    if not condition:
        return ""
    if isinstance(condition, dict):
        condition = Condition.model_validate(condition)
    operator = i18n._(OPS.get(condition.op, condition.op))  # in the locale of the page that shows it
    if condition.op == "answered":
        return i18n._("Shown if %(question)s %(operator)s") % {"question": condition.question, "operator": operator}
    return i18n._("Shown if %(question)s %(operator)s %(value)s") % {
        "question": condition.question, "operator": operator, "value": condition.value}


def condition_value(question: dict[str, Any]) -> str:
    """A condition's value as the builder's text field shows it (lists as ``a, b``)."""
    value = (question.get("show_if") or {}).get("value")
    if value is None:
        return ""
    return ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)
