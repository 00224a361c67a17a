"""The alert rules' condition language: checking a condition tree, and testing it against facts.

A condition is a tree: ``{"all": [...]}`` (every child holds), ``{"any": [...]}`` (at
least one holds), nestable, with leaves ``{"field": "nps", "op": "lte", "value": 6}``.
Facts are a flat dict built from a response or a feedback item (see
:mod:`centric.loop.alerts`); a field missing from the facts (a customer without a CLV
score, an item without themes) fails every operator except ``exists`` with ``false``.
List facts (``theme``, ``emotion``, ``segment``) match ``eq``/``contains`` when any
element does, and ``in`` when any element is listed. Pure: no database, no web.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from centric.errors import Invalid

OPS = ("eq", "ne", "lt", "lte", "gt", "gte", "in", "not_in", "contains", "exists")
APPLIES_TO = ("response", "feedback")
MAX_DEPTH = 8
MAX_LEAVES = 100
NPS_CATEGORIES = ("promoter", "passive", "detractor")
SENTIMENT_LABELS = ("positive", "neutral", "negative")
BANDS = ("low", "medium", "high")

Facts = Mapping[str, Any]


@dataclass(frozen=True)
class FieldSpec:
    """What a field holds: ``number``, ``text``, ``list`` (of text), ``flag`` or ``any``; its allowed values."""

    kind: str
    group: str  # which facts a rule using it needs loaded: response, answers, feedback, themes, customer…
    choices: tuple[str, ...] = ()
    low: float | None = None
    high: float | None = None


_CUSTOMER_FIELDS = {
    "segment": FieldSpec("list", "segments"),
    "clv": FieldSpec("number", "value"),
    "clv_band": FieldSpec("text", "value", BANDS),
    "churn_risk": FieldSpec("number", "value", low=0, high=1),
    "risk_band": FieldSpec("text", "value", BANDS),
    "touchpoint": FieldSpec("text", "touchpoint"),
    "journey": FieldSpec("text", "touchpoint"),
    "stage": FieldSpec("text", "touchpoint"),
}
FIELDS: dict[str, dict[str, FieldSpec]] = {
    "response": {
        "nps": FieldSpec("number", "answers", low=0, high=10),
        "nps_category": FieldSpec("text", "answers", NPS_CATEGORIES),
        "csat": FieldSpec("number", "answers"),
        "ces": FieldSpec("number", "answers"),
        "rating": FieldSpec("number", "answers"),
        "comment": FieldSpec("text", "answers"),
        "survey": FieldSpec("text", "source"),
        "channel": FieldSpec("text", "source"),
        **_CUSTOMER_FIELDS,
    },
    "feedback": {
        "sentiment": FieldSpec("number", "source", low=-1, high=1),
        "sentiment_label": FieldSpec("text", "source", SENTIMENT_LABELS),
        "theme": FieldSpec("list", "themes"),
        "effort": FieldSpec("number", "source"),
        "emotion": FieldSpec("list", "source"),
        "actionable": FieldSpec("flag", "source"),
        "language": FieldSpec("text", "source"),
        "channel": FieldSpec("text", "source"),
        "source": FieldSpec("text", "source"),
        "rating": FieldSpec("number", "source"),
        **_CUSTOMER_FIELDS,
    },
}
# Fields with a free part after the dot: ``answer.<question key>``, ``attributes.<name>``.
PREFIXED: dict[str, dict[str, FieldSpec]] = {
    "response": {"answer": FieldSpec("any", "answers"), "attributes": FieldSpec("any", "attributes")},
    "feedback": {"attributes": FieldSpec("any", "attributes")},
}
OPS_BY_KIND = {
    "number": frozenset({"eq", "ne", "lt", "lte", "gt", "gte", "in", "not_in", "exists"}),
    "text": frozenset({"eq", "ne", "in", "not_in", "contains", "exists"}),
    "list": frozenset({"eq", "ne", "in", "not_in", "contains", "exists"}),
    "flag": frozenset({"eq", "ne", "exists"}),
    "any": frozenset(OPS),
}


def field_spec(applies_to: str, name: str) -> FieldSpec | None:
    """The spec of ``name`` for rules on ``applies_to``, or None when there is no such field."""
    known = FIELDS.get(applies_to, {})
    if name in known:
        return known[name]
    prefix, dot, rest = name.partition(".")
    if dot and rest and prefix in PREFIXED.get(applies_to, {}):
        return PREFIXED[applies_to][prefix]
    return None


def fields_used(condition: Mapping[str, Any]) -> set[str]:
    """Every field a (valid) condition reads."""
    for key in ("all", "any"):
        if key in condition:
            return set().union(*(fields_used(child) for child in condition[key]))
    return {condition["field"]}


def groups_used(applies_to: str, condition: Mapping[str, Any]) -> set[str]:
    """Which groups of facts a (valid) condition needs: lets evaluation skip queries nobody reads."""
    return {spec.group for name in fields_used(condition) if (spec := field_spec(applies_to, name)) is not None}


def validate(condition: object, applies_to: str, where: str = "condition") -> dict[str, Any]:
    """The condition, checked; raises :class:`Invalid` naming the path of the first problem.

    Paths read like ``condition.all[1].any[0].value``.
    """
    if applies_to not in APPLIES_TO:
        raise Invalid(f"must be one of {', '.join(APPLIES_TO)}", field="applies_to")
    leaves = _validate(condition, applies_to, where, 1)
    if leaves > MAX_LEAVES:
        raise Invalid(f"has {leaves} conditions; at most {MAX_LEAVES}", field=where)
    assert isinstance(condition, dict)
    return condition


def _validate(node: object, applies_to: str, where: str, depth: int) -> int:
    if depth > MAX_DEPTH:
        raise Invalid(f"nests deeper than {MAX_DEPTH} levels", field=where)
    if not isinstance(node, dict):
        raise Invalid('must be an object: {"all": [...]}, {"any": [...]} or {"field", "op", "value"}', field=where)
    groups = [key for key in ("all", "any") if key in node]
    if groups:
        key = groups[0]
        if len(node) != 1:
            raise Invalid(f'a group has only the key "{key}"', field=where)
        children = node[key]
        if not isinstance(children, list) or not children:
            raise Invalid("must be a non-empty list of conditions", field=f"{where}.{key}")
        return sum(_validate(child, applies_to, f"{where}.{key}[{i}]", depth + 1) for i, child in enumerate(children))
    _validate_leaf(node, applies_to, where)
    return 1


def _validate_leaf(leaf: dict[str, Any], applies_to: str, where: str) -> None:
    extra = set(leaf) - {"field", "op", "value"}
    if extra:
        raise Invalid(f"unknown key {sorted(extra)[0]!r}; a condition has field, op and value", field=where)
    name = leaf.get("field")
    if not isinstance(name, str) or not name:
        raise Invalid("names the field to test, e.g. \"nps\"", field=f"{where}.field")
    spec = field_spec(applies_to, name)
    if spec is None:
        known = ", ".join([*FIELDS[applies_to], *(f"{p}.<name>" for p in PREFIXED[applies_to])])
        raise Invalid(f"unknown field {name!r} for {applies_to} rules; known: {known}", field=f"{where}.field")
    op = leaf.get("op")
    if op not in OPS:
        raise Invalid(f"unknown operator {op!r}; use one of {', '.join(OPS)}", field=f"{where}.op")
    if op not in OPS_BY_KIND[spec.kind]:
        raise Invalid(f"{name!r} ({spec.kind}) cannot be compared with {op!r}", field=f"{where}.op")
    if "value" not in leaf:
        raise Invalid("is missing", field=f"{where}.value")
    _validate_value(spec, name, op, leaf["value"], f"{where}.value")


def _validate_value(spec: FieldSpec, name: str, op: str, value: object, where: str) -> None:
    if op == "exists":
        if not isinstance(value, bool):
            raise Invalid("must be true or false for 'exists'", field=where)
        return
    if op in ("in", "not_in"):
        if not isinstance(value, list) or not value or len(value) > 500:
            raise Invalid(f"must be a list of 1 to 500 values for {op!r}", field=where)
        for i, item in enumerate(value):
            _validate_scalar(spec, name, item, f"{where}[{i}]")
        return
    if op == "contains" and not isinstance(value, str):
        raise Invalid("must be text for 'contains'", field=where)
    if op in ("lt", "lte", "gt", "gte") and not _is_number(value):
        raise Invalid(f"must be a number for {op!r}", field=where)
    _validate_scalar(spec, name, value, where)


def _validate_scalar(spec: FieldSpec, name: str, value: object, where: str) -> None:
    if spec.kind == "number":
        if not _is_number(value):
            raise Invalid(f"{name!r} holds numbers; got {value!r}", field=where)
        assert isinstance(value, int | float)
        if (spec.low is not None and value < spec.low) or (spec.high is not None and value > spec.high):
            raise Invalid(f"{name!r} lies between {spec.low:g} and {spec.high:g}; got {value!r}", field=where)
    elif spec.kind == "flag":
        if not isinstance(value, bool):
            raise Invalid(f"{name!r} is true or false; got {value!r}", field=where)
    elif spec.kind in ("text", "list"):
        if not isinstance(value, str):
            raise Invalid(f"{name!r} holds text; got {value!r}", field=where)
        if spec.choices and value.casefold() not in spec.choices:
            raise Invalid(f"{name!r} is one of {', '.join(spec.choices)}; got {value!r}", field=where)
    elif not isinstance(value, str | int | float | bool) or value is None:
        raise Invalid(f"must be text, a number or true/false; got {value!r}", field=where)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


# --- evaluation ------------------------------------------------------------------------------

Test = Callable[[Facts], bool]


def compile_condition(condition: Mapping[str, Any]) -> Test:
    """A function of the facts that says whether a (valid) condition holds; build once, call often."""
    if "all" in condition:
        children = [compile_condition(child) for child in condition["all"]]
        return lambda facts: all(test(facts) for test in children)
    if "any" in condition:
        children = [compile_condition(child) for child in condition["any"]]
        return lambda facts: any(test(facts) for test in children)
    name, op, given = condition["field"], condition["op"], condition["value"]
    compare = _COMPARE[op]
    if op == "exists":
        return lambda facts: (facts.get(name) is not None) is given
    value: object = frozenset(_fold(v) for v in given) if op in ("in", "not_in") else given

    def leaf(facts: Facts) -> bool:
        found = facts.get(name)
        return found is not None and compare(found, value)

    return leaf


def matches(condition: Mapping[str, Any], facts: Facts) -> bool:
    """Whether a (valid) condition holds for these facts."""
    return compile_condition(condition)(facts)


def _fold(value: object) -> object:
    """Text compares case-insensitively; 3 and 3.0 are one value."""
    if isinstance(value, str):
        return value.casefold()
    if _is_number(value):
        assert isinstance(value, int | float)
        return float(value)
    return value


def _each(found: object) -> list[object]:
    return [_fold(v) for v in found] if isinstance(found, list | tuple | set | frozenset) else [_fold(found)]


def _order(op: Callable[[float, float], bool]) -> Callable[[object, object], bool]:
    def compare(found: object, value: object) -> bool:
        if not isinstance(value, int | float):
            return False
        return any(isinstance(f, float) and op(f, float(value)) for f in _each(found))
    return compare


def _listed(found: object, value: object) -> bool:
    return isinstance(value, frozenset) and any(f in value for f in _each(found))


def _contains(found: object, value: object) -> bool:
    needle = str(value).casefold()
    return any(isinstance(f, str) and needle in f for f in _each(found))


_COMPARE: dict[str, Callable[[object, object], bool]] = {
    "eq": lambda found, value: _fold(value) in _each(found),
    "ne": lambda found, value: _fold(value) not in _each(found),
    "lt": _order(lambda a, b: a < b),
    "lte": _order(lambda a, b: a <= b),
    "gt": _order(lambda a, b: a > b),
    "gte": _order(lambda a, b: a >= b),
    "in": _listed,
    "not_in": lambda found, value: not _listed(found, value),
    "contains": _contains,
    "exists": lambda found, value: True,
}
