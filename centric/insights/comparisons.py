"""Significance of differences: each group against the rest, and a period against the one before.

Both come from the sufficient statistics of :func:`centric.insights.service.metric`: the
rest of the population is the overall statistics minus the group's, so no extra query
is needed. With many groups the p-values are adjusted (Holm 1979 by default, or
Benjamini & Hochberg 1995).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Literal

from pydantic import BaseModel
from sqlalchemy.orm import Session

from centric.errors import Invalid
from centric.insights.schemas import Dimension, MetricKind, MetricRow
from centric.insights.service import MetricFilter, metric
from centric.stats import (
    Comparison,
    adjust_p_values,
    compare_means,
    compare_nps,
    compare_proportions,
)


class GroupComparison(BaseModel):
    group: str
    value: float | None
    rest_value: float | None
    difference: float | None
    low: float | None
    high: float | None
    p_value: float | None
    adjusted_p_value: float | None
    significant: bool
    n: int
    method: str


class ComparisonResult(BaseModel):
    metric: MetricKind
    by: str
    correction: str
    rows: list[GroupComparison]


def sufficient(kind: MetricKind, row: MetricRow | None) -> tuple:
    """The sufficient statistics of a row for its metric's test (zeros when there is no row)."""
    if row is None:
        return (0, 0, 0) if kind == "nps" else (0, 0) if kind == "csat" else (0, 0.0, 0.0)
    if kind == "nps":
        return (row.n, row.promoters or 0, row.detractors or 0)
    if kind == "csat":
        return (row.n, row.satisfied or 0)
    return (row.n, row.total or 0.0, row.total_sq or 0.0)


def compare(kind: MetricKind, a: tuple, b: tuple) -> Comparison:
    """The metric's test of a − b: NPS z-test, two-proportion z-test (CSAT) or Welch's t-test (CES)."""
    if kind == "nps":
        return compare_nps(a, b)
    if kind == "csat":
        return compare_proportions(a, b)
    return compare_means(a, b)


def _minus(a: tuple, b: tuple) -> tuple:
    return tuple(x - y for x, y in zip(a, b, strict=True))


def _value(kind: MetricKind, stats: tuple) -> float | None:
    n = stats[0]
    if n == 0:
        return None
    if kind == "nps":
        return 100.0 * (stats[1] - stats[2]) / n
    if kind == "csat":
        return 100.0 * stats[1] / n
    return stats[1] / n


def groups_vs_rest(session: Session, kind: MetricKind, by: Dimension, where: MetricFilter | None = None,
                   correction: Literal["holm", "bh"] = "holm", alpha: float = 0.05) -> ComparisonResult:
    """Each group of ``by`` against everyone else, with adjusted p-values."""
    if by == "none":
        raise Invalid("choose a dimension to compare groups (e.g. touchpoint or segment)", field="by")
    stats = _group_statistics(session, kind, by, where)
    overall = _group_statistics(session, kind, "none", where).get("all")
    rows, raw = [], []
    for group, mine in stats.items():
        rest = _minus(overall, mine) if overall else mine
        result = compare(kind, mine, rest)
        raw.append(result.p_value)
        rows.append((group, mine, rest, result))
    usable = [p for p in raw if p is not None]
    adjusted = iter(adjust_p_values(usable, method=correction) if usable else [])
    out = []
    for group, mine, rest, result in rows:
        adj = next(adjusted) if result.p_value is not None else None
        out.append(GroupComparison(
            group=group, value=_value(kind, mine), rest_value=_value(kind, rest), difference=result.difference,
            low=result.low, high=result.high, p_value=result.p_value, adjusted_p_value=adj,
            significant=adj is not None and adj < alpha, n=mine[0], method=result.method,
        ))
    label = "Holm-Bonferroni" if correction == "holm" else "Benjamini-Hochberg"
    return ComparisonResult(metric=kind, by=by, correction=label, rows=out)


def period_vs_previous(session: Session, kind: MetricKind, start: date, end: date,
                       where: MetricFilter | None = None) -> GroupComparison:
    """The period [start, end) against the equally long period just before it."""
    if end <= start:
        raise Invalid("end must be after start", field="end")
    length = end - start
    base = where or MetricFilter()
    current = _group_statistics(session, kind, "none", replace(base, start=start, end=end))
    previous = _group_statistics(session, kind, "none", replace(base, start=start - length, end=start))
    empty = (0, 0, 0) if kind == "nps" else (0, 0) if kind == "csat" else (0, 0.0, 0.0)
    a, b = current.get("all", empty), previous.get("all", empty)
    result = compare(kind, a, b)
    return GroupComparison(
        group=f"{start}…{end - timedelta(days=1)} vs {start - length}…{start - timedelta(days=1)}",
        value=_value(kind, a), rest_value=_value(kind, b), difference=result.difference, low=result.low,
        high=result.high, p_value=result.p_value, adjusted_p_value=result.p_value,
        significant=result.p_value is not None and result.p_value < 0.05, n=a[0], method=result.method,
    )


def _group_statistics(session: Session, kind: MetricKind, by: Dimension,
                      where: MetricFilter | None) -> dict[str, tuple]:
    """Sufficient statistics per group: (n, p, d) for NPS, (n, s) for CSAT, (n, Σx, Σx²) for CES."""
    result = metric(session, kind, by, where)
    rows = result.rows if by != "none" else [result.overall]
    return {row.group: sufficient(kind, row) for row in rows}
