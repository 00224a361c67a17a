"""Drivers of an outcome across the journey: touchpoints → relationship score, experience → churn.

*Touchpoint drivers.* The outcome is each customer's latest headline answer to a
relationship survey (e.g. NPS); the drivers are the same customers' scores at each
touchpoint from the transactional surveys, each rescaled to 0–100 (NPS x·10, CSAT
(x−1)·25, CES (x−1)·100/6) and averaged per customer and touchpoint. A customer who
never rated a touchpoint gets that touchpoint's mean (mean imputation: it shrinks the
touchpoint's importance towards zero, so the ranking errs on the side of caution).
Importance: relative weights with bootstrap intervals (:func:`centric.stats.key_drivers`).

*Churn drivers.* Population and churn as in the ROI report: customers who bought in the
year before the last ``months`` months; churned = no purchase since. Drivers measured
before the period: latest NPS answer (mean-imputed where missing), tickets, negative
comments (negative sentiment) and purchases in that year — purchases as a
control, so the experience drivers are read with the customer's activity held fixed.
Importance: logistic-regression coefficients per standard deviation with Wald intervals
(:func:`centric.stats.churn_drivers`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import func, select
from sqlalchemy.orm import InstrumentedAttribute, Session
from sqlalchemy.sql.elements import ColumnElement

from centric.db import in_chunks
from centric.errors import Invalid
from centric.feedback.models import Feedback
from centric.insights.value import PurchaseLog
from centric.journeys.models import Event, Touchpoint
from centric.stats import ConvergenceError, DriverAnalysis, churn_drivers, key_drivers
from centric.surveys.models import Answer, Response, Survey

TO_HUNDRED = {"nps": (0.0, 10.0), "csat": (1.0, 25.0), "ces": (1.0, 100.0 / 6.0)}
MAX_CUSTOMERS = 20_000
MAX_TOUCHPOINTS = 12


def touchpoint_drivers(session: Session, outcome_survey: str, *, min_coverage: float = 0.05,
                       n_boot: int = 200) -> DriverAnalysis:
    """Which touchpoints move the relationship score of ``outcome_survey`` (module docstring)."""
    survey = session.scalar(select(Survey).where(Survey.key == outcome_survey))
    if survey is None:
        raise Invalid(f"unknown survey {outcome_survey!r}", field="outcome")
    outcome = _latest_scores(session, survey)
    if len(outcome) < 30:
        raise Invalid(f"too few customers ({len(outcome)}) answered {outcome_survey!r}", field="outcome")
    ratings = _touchpoint_ratings(session, survey.id, list(outcome))
    coverage = {tp: len(scores) / len(outcome) for tp, scores in ratings.items()}
    kept = sorted((tp for tp, share in coverage.items() if share >= min_coverage),
                  key=lambda tp: -coverage[tp])[:MAX_TOUCHPOINTS]
    if not kept:
        raise Invalid("no touchpoint was rated by enough of these customers", field="outcome")
    customers = [c for c in outcome if any(c in ratings[tp] for tp in kept)]
    if len(customers) < len(kept) + 10:
        raise Invalid(f"too few customers ({len(customers)}) rated a touchpoint too", field="outcome")
    matrix, performance = _imputed(customers, [ratings[tp] for tp in kept])
    names = _touchpoint_names(session, kept)
    y = np.asarray([outcome[c] for c in customers], dtype=np.float64)
    try:
        return key_drivers(matrix, y, names, performance=performance, n_boot=n_boot)
    except ValueError as exc:
        raise Invalid(str(exc), field="outcome") from None


@dataclass(frozen=True)
class ChurnPopulation:
    """Customers who bought in the year before the churn period; ``churned``: 1 when they did not buy in it."""

    ids: NDArray[Any]
    purchases: NDArray[Any]
    churned: NDArray[np.float64]
    year_before: np.datetime64
    start: np.datetime64


def churn_population(log: PurchaseLog, months: int = 3, limit: int | None = None) -> ChurnPopulation:
    """The churn drivers' population: the last ``months`` of the log are the churn period.

    ``limit`` keeps the last customers by id. Raises :class:`Invalid` below 30 customers.
    """
    end = log.dates.max()
    start = end - np.timedelta64(int(months * 30.44), "D")
    year_before = start - np.timedelta64(365, "D")
    window = (log.dates < start) & (log.dates >= year_before)
    ids, purchases = np.unique(log.customer_ids[window], return_counts=True)
    if ids.shape[0] < 30:
        raise Invalid(f"too few customers ({ids.shape[0]}) bought in the year before the period")
    if limit is not None:
        ids, purchases = ids[-limit:], purchases[-limit:]
    active = set(np.unique(log.customer_ids[(log.dates >= start) & (log.dates <= end)]).tolist())
    churned = np.asarray([c not in active for c in ids.tolist()], dtype=np.float64)
    return ChurnPopulation(ids, purchases, churned, year_before, start)


def churn_driver_analysis(session: Session, log: PurchaseLog, months: int = 3) -> DriverAnalysis:
    """Which experiences go with customers leaving (module docstring)."""
    population = churn_population(log, months, limit=MAX_CUSTOMERS)
    ids, purchases, churned = population.ids, population.purchases, population.churned
    year_before, start = population.year_before, population.start
    since, until = _moment(year_before), _moment(start)
    customers = ids.tolist()
    columns: dict[str, Mapping[int, float]] = {
        "latest NPS score": _latest_nps_before(session, customers, until),
        "tickets in the year before": _counts(
            session, customers, Event.customer_id, Event.kind == "ticket", Event.occurred_at >= since,
            Event.occurred_at < until),
        "negative comments in the year before": _counts(
            session, customers, Feedback.customer_id, Feedback.sentiment_label == "negative",
            Feedback.occurred_at >= since, Feedback.occurred_at < until),
        "purchases in the year before": dict(zip(customers, purchases.tolist(), strict=True)),
    }
    names, data = [], []
    for name, values in columns.items():
        column = _column(customers, values, impute=name == "latest NPS score")
        if np.ptp(column) > 0:
            names.append(name)
            data.append(column)
    if not names:
        raise Invalid("every driver is constant across these customers")
    if churned.min() == churned.max():
        raise Invalid("no variation in churn: every customer stayed or every customer left")
    try:
        return churn_drivers(np.column_stack(data), churned, names)
    except (ValueError, ConvergenceError) as exc:
        raise Invalid(f"churn drivers could not be estimated: {exc}") from None


def _latest_scores(session: Session, survey: Survey) -> dict[int, float]:
    rows = session.execute(
        select(Response.customer_id, Answer.number).join(Answer, Answer.response_id == Response.id)
        .where(Response.survey_id == survey.id, Answer.metric == survey.kind, Answer.number.is_not(None),
               Response.customer_id.is_not(None))
        .order_by(Response.submitted_at.desc()).limit(MAX_CUSTOMERS * 2)
    ).all()
    latest: dict[int, float] = {}
    for customer, number in rows:
        if customer is not None and number is not None:  # always (filtered in SQL); narrows the types
            latest.setdefault(customer, float(number))
    return dict(list(latest.items())[:MAX_CUSTOMERS])


def _touchpoint_ratings(session: Session, outcome_survey_id: int, customers: list[int]) -> dict[int, dict[int, float]]:
    """touchpoint id → {customer id → mean 0–100 score there}, from the other surveys."""
    sums: dict[int, dict[int, list[float]]] = {}
    for chunk in in_chunks(customers):
        rows = session.execute(
            select(Response.touchpoint_id, Response.customer_id, Answer.metric, Answer.number)
            .join(Answer, Answer.response_id == Response.id)
            .where(Response.survey_id != outcome_survey_id, Response.touchpoint_id.is_not(None),
                   Response.customer_id.in_(chunk), Answer.metric.in_(tuple(TO_HUNDRED)),
                   Answer.number.is_not(None))
        ).all()
        for touchpoint, customer, metric, number in rows:
            if touchpoint is None or customer is None or number is None:  # never (filtered in SQL)
                continue
            low, factor = TO_HUNDRED[metric]
            sums.setdefault(touchpoint, {}).setdefault(customer, []).append((float(number) - low) * factor)
    return {tp: {c: sum(v) / len(v) for c, v in per.items()} for tp, per in sums.items()}


def _imputed(customers: list[int], columns: list[dict[int, float]]) -> tuple[NDArray[np.float64], list[float]]:
    means = [sum(col.values()) / len(col) for col in columns]
    matrix = np.array([[col.get(c, mean) for col, mean in zip(columns, means, strict=True)] for c in customers],
                      dtype=np.float64)
    return matrix, means


def _touchpoint_names(session: Session, ids: list[int]) -> list[str]:
    names = dict(session.execute(select(Touchpoint.id, Touchpoint.name).where(Touchpoint.id.in_(ids))).all())
    return [names.get(tp, f"touchpoint {tp}") for tp in ids]


def _moment(day: np.datetime64) -> datetime:
    return day.astype("datetime64[s]").astype(datetime)


def _latest_nps_before(session: Session, ids: list[int], until: datetime) -> dict[int, float]:
    latest: dict[int, float] = {}
    for chunk in in_chunks(ids):
        rows = session.execute(
            select(Response.customer_id, Answer.number).join(Answer, Answer.response_id == Response.id)
            .where(Answer.metric == "nps", Response.customer_id.in_(chunk), Response.submitted_at < until)
            .order_by(Response.submitted_at)
        ).all()
        latest.update((customer, float(number)) for customer, number in rows
                      if customer is not None and number is not None)
    return latest


def _counts(session: Session, ids: list[int], customer: InstrumentedAttribute,
            *where: ColumnElement[bool]) -> dict[int, int]:
    """Rows per customer of ``ids`` in ``customer``'s table that satisfy ``where``."""
    counts: dict[int, int] = {}
    for chunk in in_chunks(ids):
        counts.update(session.execute(
            select(customer, func.count()).where(customer.in_(chunk), *where).group_by(customer)).all())
    return counts


def _column(ids: list[int], values: Mapping[int, float], *, impute: bool) -> NDArray[np.float64]:
    fill = (sum(values.values()) / len(values)) if (impute and values) else 0.0
    return np.asarray([values.get(c, fill) for c in ids], dtype=np.float64)
