"""Field mappings: from any JSON (or CSV row) shape to a :class:`FeedbackIn` record.

A mapping names, per target field, where its value lies in the source record::

    {"text": "/ticket/description",            # a JSON pointer (RFC 6901) …
     "external_id": "ticket.id",               # … or a dotted path (list items by index)
     "customer.email": ["requester.email", "via.source.from.address"],  # first present
     "touchpoint": {"path": "ticket.group", "map": {"Billing": "billing"}, "default": "support"},
     "channel": {"const": "ticket"},
     "customer.attributes.plan": "organization.plan"}

Targets are the fields of :class:`~centric.feedback.schemas.FeedbackIn`, ``customer.<field>``
of :class:`~centric.customers.schemas.CustomerIn` and ``customer.attributes.<name>``. A
flat CSV row is a record too: a column named exactly like the path wins.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from centric.errors import Invalid

FEEDBACK_TARGETS = ("text", "channel", "source", "external_id", "touchpoint", "rating", "occurred_at")
CUSTOMER_TARGETS = ("external_id", "name", "email", "phone", "social")
OPTIONS = ("path", "paths", "map", "default", "const")
MISSING = object()


def check_mapping(mapping: dict[str, Any]) -> dict[str, Any]:
    """The mapping itself when valid; :class:`Invalid` naming the first bad entry otherwise."""
    if not isinstance(mapping, dict):
        raise Invalid("the mapping must be an object of target field → source path", field="mapping")
    if "text" not in mapping:
        raise Invalid("the mapping needs a source for 'text'", field="mapping.text")
    for target, rule in mapping.items():
        _check_target(target)
        _check_rule(target, rule)
    return mapping


def _check_target(target: str) -> None:
    if target in FEEDBACK_TARGETS:
        return
    if target.startswith("customer."):
        rest = target[len("customer."):]
        if rest in CUSTOMER_TARGETS:
            return
        if rest.startswith("attributes.") and 0 < len(rest) - len("attributes.") <= 80:
            return
    allowed = ", ".join([*FEEDBACK_TARGETS, *(f"customer.{t}" for t in CUSTOMER_TARGETS), "customer.attributes.<name>"])
    raise Invalid(f"unknown target {target!r}; use one of {allowed}", field=f"mapping.{target}")


def _check_rule(target: str, rule: Any) -> None:
    where = f"mapping.{target}"
    if isinstance(rule, str) and rule.strip():
        return
    if isinstance(rule, list) and rule and all(isinstance(p, str) and p.strip() for p in rule):
        return
    if isinstance(rule, dict) and rule and set(rule) <= set(OPTIONS):
        if "const" in rule or any(k in rule for k in ("path", "paths")):
            if "path" in rule:
                _check_rule(target, rule["path"])
            if "paths" in rule:
                _check_rule(target, rule["paths"])
            if "map" in rule and not isinstance(rule["map"], dict):
                raise Invalid("'map' must be an object of source value → value", field=where)
            return
    raise Invalid("give a path, a list of paths, or an object with path/paths/const/map/default", field=where)


def lookup(record: Any, path: str) -> Any:
    """The value at ``path`` (JSON pointer or dotted), or ``MISSING``."""
    if isinstance(record, dict) and path in record:
        return record[path]
    if path.startswith("/"):
        parts = [p.replace("~1", "/").replace("~0", "~") for p in path[1:].split("/")]
    else:
        parts = path.split(".")
    node = record
    for part in parts:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return MISSING
    return node


def _empty(value: Any) -> bool:
    return value is MISSING or value is None or (isinstance(value, str) and not value.strip())


def _resolve(record: Any, rule: Any) -> Any:
    if isinstance(rule, str):
        return lookup(record, rule)
    if isinstance(rule, list):
        return next((v for v in (lookup(record, p) for p in rule) if not _empty(v)), MISSING)
    if "const" in rule:
        return rule["const"]
    value = _resolve(record, rule.get("path", rule.get("paths")))
    if "map" in rule and not _empty(value):
        value = rule["map"].get(str(value), rule.get("default", value))
    if _empty(value) and "default" in rule:
        value = rule["default"]
    return value


def apply(mapping: dict[str, Any], record: Any) -> dict[str, Any]:
    """The ``FeedbackIn``-shaped dict for one source record (absent values left out)."""
    out: dict[str, Any] = {}
    customer: dict[str, Any] = {}
    for target, rule in mapping.items():
        value = _resolve(record, rule)
        if _empty(value):
            continue
        if target.startswith("customer.attributes."):
            customer.setdefault("attributes", {})[target[len("customer.attributes."):]] = value
        elif target.startswith("customer."):
            customer[target[len("customer."):]] = str(value)
        elif target in ("text", "external_id", "touchpoint", "source", "channel"):
            out[target] = value if isinstance(value, str) else json.dumps(value) if target == "text" else str(value)
        else:
            out[target] = value
    if any(key != "attributes" for key in customer):
        out["customer"] = customer
    return out


def fingerprint(record: Any) -> str:
    """A stable id for a record that carries none, so a re-sent item is stored once."""
    canonical = json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()[:40]
