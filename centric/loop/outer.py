"""The outer loop: root causes of closed cases ranked by the revenue their customers put at risk.

Revenue at risk of a root cause = Σ churn_risk × CLV over its distinct customers (each
customer once, however many cases), from the scores in ``customer_value`` (see
:func:`centric.insights.value.score_customer_values`). Customers never scored count
with zero. Aggregates only: no customer names or words.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from centric.feedback.models import FeedbackTheme, Theme
from centric.insights.models import CustomerValue
from centric.journeys.models import Touchpoint
from centric.loop.kpi_schemas import RootCauseImpact
from centric.loop.kpis import date_range, is_finished, not_merged
from centric.loop.models import Case, RootCause


def root_cause_impact(session: Session, *, since: datetime | None = None, until: datetime | None = None,
                      limit: int | None = None) -> list[RootCauseImpact]:
    """Root causes of the cases closed in the range, sorted by revenue at risk (five queries)."""
    start, end = date_range(since, until)
    # coalesce(closed_at, resolved_at) in [start, end), spelt out so that an index on (closed_at, resolved_at) serves it
    in_range = or_(and_(Case.closed_at >= start, Case.closed_at < end),
                   and_(Case.closed_at.is_(None), Case.resolved_at >= start, Case.resolved_at < end))
    has_cause = func.coalesce(Case.root_cause_id, 0) > 0  # ids are positive; kept off the root_cause_id index
    scope: list[Any] = [in_range, is_finished(), has_cause, not_merged()]
    volume = {cause: (int(n), int(people)) for cause, n, people in session.execute(
        select(Case.root_cause_id, func.count(), func.count(func.distinct(Case.customer_id)))
        .where(*scope).group_by(Case.root_cause_id))}
    if not volume:
        return []
    pairs = (select(Case.root_cause_id, Case.customer_id).where(*scope, Case.customer_id.is_not(None))
             .distinct().subquery())
    value = {cause: (risk, float(clv or 0), float(at_risk or 0)) for cause, risk, clv, at_risk in session.execute(
        select(pairs.c.root_cause_id, func.avg(CustomerValue.churn_risk), func.sum(CustomerValue.clv),
               func.sum(CustomerValue.churn_risk * CustomerValue.clv))
        .join(CustomerValue, CustomerValue.customer_id == pairs.c.customer_id).group_by(pairs.c.root_cause_id))}
    causes: dict[Any, RootCause] = {
        c.id: c for c in session.scalars(select(RootCause).where(RootCause.id.in_(list(volume))))}
    themes: dict[Any, set[str]] = defaultdict(set)
    own = {c.theme_id for c in causes.values() if c.theme_id}
    names = dict(session.execute(select(Theme.id, Theme.name).where(Theme.id.in_(own))).all()) if own else {}
    for cause in causes.values():
        if cause.theme_id in names:
            themes[cause.id].add(names[cause.theme_id])
    for cause_id, name in session.execute(
            select(Case.root_cause_id, Theme.name).join(FeedbackTheme, FeedbackTheme.feedback_id == Case.feedback_id)
            .join(Theme, Theme.id == FeedbackTheme.theme_id).where(*scope).distinct()):
        themes[cause_id].add(name)
    touchpoints: dict[Any, set[str]] = defaultdict(set)
    for cause_id, name in session.execute(
            select(Case.root_cause_id, Touchpoint.name).join(Touchpoint, Touchpoint.id == Case.touchpoint_id)
            .where(*scope).distinct()):
        touchpoints[cause_id].add(name)
    out = []
    for cause_id, (cases, customers) in volume.items():
        cause = causes[cause_id]
        risk, clv, at_risk = value.get(cause_id, (None, 0.0, 0.0))
        out.append(RootCauseImpact(root_cause_id=cause_id, code=cause.code, name=cause.name, cases=cases,
                                   customers=customers, mean_churn_risk=None if risk is None else float(risk),
                                   total_clv=clv, revenue_at_risk=at_risk, themes=sorted(themes[cause_id]),
                                   touchpoints=sorted(touchpoints[cause_id])))
    out.sort(key=lambda r: (-r.revenue_at_risk, -r.cases, r.code))
    return out[:limit] if limit else out
