"""A case's priority: the severity of what happened × what the customer is worth and how likely they leave.

``score = severity (1–4) × value weight × risk weight``. The weights come from the
customer's bands in :class:`~centric.insights.models.CustomerValue` (terciles of the
scored customers): high ×1.5, medium ×1.2, low or unscored ×1. The score maps to a
priority by :data:`THRESHOLDS`; the explanation in words and numbers is kept on the case.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from centric.db import in_chunks
from centric.insights.models import CustomerValue
from centric.loop.models import Case

WEIGHTS = {"high": 1.5, "medium": 1.2}  # low and unknown weigh 1
THRESHOLDS = (("urgent", 4.0), ("high", 3.0), ("normal", 2.0))  # the first whose floor the score reaches
LOWEST = "low"


def priority_of(score: float) -> str:
    """The priority a score maps to."""
    for name, floor in THRESHOLDS:
        if score >= floor:
            return name
    return LOWEST


def explain(severity: int, clv_band: str | None, risk_band: str | None) -> dict[str, Any]:
    """The priority of a case and why, as the case page shows it."""
    value_weight = WEIGHTS.get(clv_band or "", 1.0)
    risk_weight = WEIGHTS.get(risk_band or "", 1.0)
    score = round(severity * value_weight * risk_weight, 4)
    priority = priority_of(score)
    floor = dict(THRESHOLDS).get(priority)
    rule = f"{priority} ≥ {floor:g}" if floor is not None else f"{LOWEST} < {THRESHOLDS[-1][1]:g}"
    text = (f"severity {severity} × {value_weight:g} ({clv_band or 'unknown'} customer value)"
            f" × {risk_weight:g} ({risk_band or 'unknown'} churn risk) = {score:.2f} → {priority} ({rule})")
    return {"severity": severity, "clv_band": clv_band or "unknown", "value_weight": value_weight,
            "risk_band": risk_band or "unknown", "risk_weight": risk_weight, "score": score,
            "priority": priority, "text": text}


def prioritise(session: Session, cases: Sequence[Case]) -> None:
    """Set ``priority``, ``priority_score`` and the explanation ``priority_reason`` of each case.

    Reads the customers' value bands with one query per thousand customers.
    """
    customer_ids = sorted({case.customer_id for case in cases if case.customer_id is not None})
    bands: dict[int, tuple[str, str]] = {}
    for chunk in in_chunks(customer_ids):
        query = select(CustomerValue.customer_id, CustomerValue.clv_band, CustomerValue.risk_band).where(
            CustomerValue.customer_id.in_(chunk))
        bands.update({row[0]: (row[1], row[2]) for row in session.execute(query)})
    for case in cases:
        clv_band, risk_band = bands.get(case.customer_id, (None, None)) if case.customer_id else (None, None)
        reason = explain(case.severity, clv_band, risk_band)
        case.priority = reason["priority"]
        case.priority_score = reason["score"]
        case.priority_reason = reason
