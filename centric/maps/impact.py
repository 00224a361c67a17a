"""Touchpoint impact on the map: effect of each touchpoint's score on relationship NPS and on churn.

*Relationship NPS.* The existing touchpoint driver analysis
(:func:`centric.insights.outcomes.touchpoint_drivers`): the outcome is each customer's latest
answer to the relationship NPS survey (the NPS survey linked to no touchpoint with the most
answers), the drivers the same customers' 0–100 scores at each touchpoint. The figure is the
touchpoint's **relative weight**: its share of the relationship score's explained variance
(0…1, bootstrap 95% interval). It covers the (at most 12) touchpoints rated by ≥ 5% of them.

*Churn.* The population and outcome of the churn drivers
(:func:`centric.insights.outcomes.churn_driver_analysis`): customers who bought in the year
before the last three months; churned = no purchase since. The drivers are each touchpoint's
0–100 score of the customer before that period (mean-imputed where missing; touchpoints rated
by ≥ 5% of the population and at least 10 customers) with the number of purchases as a
control. The figure is the **logistic-regression coefficient per standard deviation** of the
touchpoint score (:func:`centric.stats.churn_drivers`): negative means customers who rated the
touchpoint higher left less often.

Both are whole-population analyses (no segment, period or channel filter) and cost a second or
more on large data, so they are computed once and kept in the process for ``CACHE_S`` seconds,
keyed by the database and the newest response and event (a new answer or event recomputes them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from centric.errors import Invalid
from centric.insights import outcomes
from centric.insights.value import purchases_from_events
from centric.journeys.models import Event, Touchpoint
from centric.maps.cache import TimedCache
from centric.stats import ConvergenceError, churn_drivers
from centric.surveys.models import Answer, Response, Survey

CACHE_S = 3600.0
MIN_COVERAGE = 0.05
MIN_RATERS = 10
CHURN_MONTHS = 3
N_BOOT = 100


@dataclass
class TouchpointImpact:
    """Per touchpoint id: (importance, low, high) for NPS, (coefficient, low, high, p) for churn."""

    nps: dict[int, tuple[float, float | None, float | None]] = field(default_factory=dict)
    churn: dict[int, tuple[float, float | None, float | None, float | None]] = field(default_factory=dict)
    nps_survey: str | None = None
    nps_note: str = ""
    churn_note: str = ""


_cache = TimedCache(max_entries=16)


def clear_cache() -> None:
    _cache.clear()


def touchpoint_impact(session: Session) -> TouchpointImpact:
    """Impact of every touchpoint (module docstring), from the cache when nothing changed since."""
    newest = session.execute(select(select(func.max(Response.id)).scalar_subquery(),
                                     select(func.max(Event.id)).scalar_subquery())).one()
    return _cache.get(session, ("impact", *newest), lambda: _compute(session), CACHE_S)


def _compute(session: Session) -> TouchpointImpact:
    impact = TouchpointImpact()
    survey = session.execute(
        select(Survey.key).outerjoin(Response, Response.survey_id == Survey.id)
        .where(Survey.kind == "nps", Survey.touchpoint_id.is_(None))
        .group_by(Survey.id, Survey.key).order_by(func.count(Response.id).desc(), Survey.id).limit(1)
    ).scalar()
    impact.nps_survey = survey
    if survey is None:
        impact.nps_note = "no relationship NPS survey (an NPS survey linked to no touchpoint)"
    else:
        try:
            analysis = outcomes.touchpoint_drivers(session, survey, n_boot=N_BOOT)
        except Invalid as problem:
            impact.nps_note = str(problem)
        else:
            ids = _ids_by_name(session, [d.name for d in analysis.drivers])
            impact.nps = {ids[d.name]: (d.importance, d.low, d.high) for d in analysis.drivers if d.name in ids}
            impact.nps_note = (f"share of the explained variance of relationship NPS ({survey}), relative weights, "
                               f"n = {analysis.n} customers")
    try:
        impact.churn, impact.churn_note = _churn(session)
    except Invalid as problem:
        impact.churn_note = str(problem)
    return impact


def _ids_by_name(session: Session, names: list[str]) -> dict[str, int]:
    """Touchpoint id per name, for names that only one touchpoint has (the driver analysis reports names)."""
    rows = session.execute(select(Touchpoint.name, Touchpoint.id).where(Touchpoint.name.in_(names))).all()
    seen: dict[str, list[int]] = {}
    for name, tp in rows:
        seen.setdefault(name, []).append(tp)
    return {name: ids[0] for name, ids in seen.items() if len(ids) == 1}


def _churn(session: Session) -> tuple[dict[int, tuple[float, float | None, float | None, float | None]], str]:
    population = outcomes.churn_population(purchases_from_events(session), CHURN_MONTHS)
    start, purchases, churned = population.start, population.purchases, population.churned
    customers = [int(c) for c in population.ids.tolist()]
    if churned.min() == churned.max():
        raise Invalid("no variation in churn: every customer stayed or every customer left")
    until = start.astype("datetime64[s]").astype(datetime)
    ratings = _ratings_before(session, until, set(customers))
    kept = sorted((tp for tp, per in ratings.items()
                   if len(per) >= max(MIN_RATERS, MIN_COVERAGE * len(customers))),
                  key=lambda tp: -len(ratings[tp]))[:outcomes.MAX_TOUCHPOINTS]
    if not kept:
        raise Invalid("no touchpoint was rated before the churn period by enough of these customers")
    columns = []
    for tp in kept:
        per = ratings[tp]
        mean = sum(per.values()) / len(per)
        columns.append(np.asarray([per.get(c, mean) for c in customers], dtype=np.float64))
    columns.append(purchases.astype(np.float64))
    names = [str(tp) for tp in kept] + ["purchases"]
    usable = [i for i, col in enumerate(columns) if np.ptp(col) > 0]
    try:
        analysis = churn_drivers(np.column_stack([columns[i] for i in usable]), churned,
                                 [names[i] for i in usable])
    except (ValueError, ConvergenceError) as exc:
        raise Invalid(f"churn drivers could not be estimated: {exc}") from None
    figures = {int(d.name): (d.importance, d.low, d.high, d.p_value) for d in analysis.drivers
               if d.name != "purchases"}
    note = (f"change in the log-odds of churn per SD of the touchpoint score (logistic regression with purchases "
            f"as a control, n = {analysis.n} customers; churn = no purchase in the last {CHURN_MONTHS} months)")
    return figures, note


def _ratings_before(session: Session, until: datetime, customers: set[int]) -> dict[int, dict[int, float]]:
    """touchpoint id → {customer id → mean 0–100 score there before ``until``} (one grouped query)."""
    sums: dict[int, dict[int, list[float]]] = {}
    rows = session.execute(
        select(Response.touchpoint_id, Response.customer_id, Answer.metric, func.sum(Answer.number),
               func.count(Answer.number))
        .join(Answer, Answer.response_id == Response.id)
        .where(Response.touchpoint_id.is_not(None), Response.customer_id.is_not(None), Response.submitted_at < until,
               Answer.metric.in_(tuple(outcomes.TO_HUNDRED)), Answer.number.is_not(None))
        .group_by(Response.touchpoint_id, Response.customer_id, Answer.metric)
    ).all()
    for tp, customer, metric, total, count in rows:
        if tp is None or customer is None or total is None or customer not in customers or not count:
            continue
        low, factor = outcomes.TO_HUNDRED[metric]
        pair = sums.setdefault(tp, {}).setdefault(customer, [0.0, 0.0])
        pair[0] += (float(total) - low * count) * factor
        pair[1] += count
    return {tp: {c: s / n for c, (s, n) in per.items()} for tp, per in sums.items()}
