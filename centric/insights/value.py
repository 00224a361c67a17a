"""Customer value from a purchase log: BG/NBD + Gamma-Gamma CLV, RFM, churn, retention.

The statistics live in :mod:`centric.stats`; this module turns a purchase log (a file or
the ``event`` table) into their inputs and their results into plain reports.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, time

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import case, func, insert, select, update
from sqlalchemy.orm import Session

from centric.customers.models import Customer, CustomerSegment, Segment
from centric.db import in_chunks, utcnow
from centric.errors import Invalid
from centric.events import SegmentsRefilled, publish
from centric.insights.models import CustomerValue
from centric.journeys.models import Event
from centric.stats import (
    BgNbdFit,
    ChurnRate,
    ConvergenceError,
    CxRoi,
    EarnedGrowth,
    Estimate,
    GammaGammaFit,
    LifetimeValue,
    RetentionTable,
    churn_rate,
    customer_lifetime_value,
    cx_roi,
    earned_growth_rate,
    fit_bgnbd,
    fit_gamma_gamma,
    nps_category,
    proportion_estimate,
    retention_cohorts,
    rfm_segments,
    summary_from_transactions,
)
from centric.surveys.models import Answer, Response

PURCHASE_KINDS = ("purchase", "booking", "order")


@dataclass(frozen=True)
class PurchaseLog:
    customer_ids: NDArray
    dates: NDArray[np.datetime64]
    amounts: NDArray[np.float64]

    @property
    def size(self) -> int:
        return int(self.customer_ids.shape[0])


@dataclass(frozen=True)
class ClvReport:
    """Fitted models and per-customer predictions (arrays in ``customer_ids`` order)."""

    purchases: BgNbdFit
    spend: GammaGammaFit
    value: LifetimeValue
    customer_ids: NDArray
    frequency: NDArray[np.int64]
    recency: NDArray[np.float64]
    T: NDArray[np.float64]
    monetary_value: NDArray[np.float64]
    probability_alive: NDArray[np.float64]
    calibration_end: str
    freq_days: float

    def parameters(self) -> dict:
        p, s = self.purchases, self.spend
        return {
            "bgnbd": {"r": p.r, "alpha": p.alpha, "a": p.a, "b": p.b, "log_likelihood": p.log_likelihood,
                      "customers": p.n_customers},
            "gamma_gamma": {"p": s.p, "q": s.q, "gamma": s.gamma, "log_likelihood": s.log_likelihood,
                            "customers": s.n_customers},
            "clv": {"horizon_months": self.value.horizon_months,
                    "monthly_discount_rate": self.value.monthly_discount_rate,
                    "mean": self.value.mean.value, "low": self.value.mean.low, "high": self.value.mean.high,
                    "total": self.value.total, "method": self.value.method},
            "calibration_end": self.calibration_end, "time_unit_days": self.freq_days,
        }

    def per_customer(self) -> list[dict]:
        return [
            {"customer_id": str(cid), "frequency": int(x), "recency": float(r), "T": float(t),
             "monetary_value": float(m), "probability_alive": float(pa),
             "expected_purchases": float(e), "clv": float(v)}
            for cid, x, r, t, m, pa, e, v in zip(
                self.customer_ids, self.frequency, self.recency, self.T, self.monetary_value,
                self.probability_alive, self.value.expected_purchases, self.value.clv, strict=True)
        ]


def fit_clv(log: PurchaseLog, *, calibration_end: date | str | None = None, freq_days: float = 7.0,
            horizon_months: int = 12, monthly_discount_rate: float = 0.01, margin: float = 1.0) -> ClvReport:
    """Fit BG/NBD (Fader, Hardie & Lee 2005) and Gamma-Gamma (Fader & Hardie 2013), then CLV.

    Raises :class:`Invalid` for unusable data and for fits that do not converge — no
    numbers are returned from a failed fit.
    """
    try:
        summary = summary_from_transactions(log.customer_ids, log.dates, log.amounts,
                                            calibration_end=calibration_end, freq_days=freq_days)
        purchases = fit_bgnbd(summary.frequency, summary.recency, summary.T)
        repeaters = summary.frequency > 0
        spend = fit_gamma_gamma(summary.frequency[repeaters], summary.monetary_value[repeaters])
        value = customer_lifetime_value(
            purchases, spend, summary.frequency, summary.recency, summary.T, summary.monetary_value,
            horizon_months=horizon_months, monthly_discount_rate=monthly_discount_rate, margin=margin,
            freq_days=freq_days,
        )
    except ConvergenceError as exc:
        raise Invalid(f"the model did not converge: {exc}") from None
    except ValueError as exc:
        raise Invalid(str(exc)) from None
    alive = purchases.conditional_probability_alive(summary.frequency, summary.recency, summary.T)
    end = str(np.datetime64(calibration_end, "D")) if calibration_end else str(log.dates.max().astype("datetime64[D]"))
    return ClvReport(purchases, spend, value, summary.customer_ids, summary.frequency, summary.recency,
                     summary.T, summary.monetary_value, alive, end, freq_days)


def purchases_from_events(session: Session, kinds: tuple[str, ...] = PURCHASE_KINDS,
                          segment: str | None = None) -> PurchaseLog:
    """Every purchase-like event with a value, as arrays (one query); optionally one segment's."""
    query = select(Event.customer_id, Event.occurred_at, Event.value).where(
        Event.kind.in_(kinds), Event.value.is_not(None))
    if segment:
        members = select(CustomerSegment.customer_id).join(Segment).where(Segment.key == segment)
        query = query.where(Event.customer_id.in_(members))
    rows = session.execute(query).all()
    if not rows:
        raise Invalid("no purchases with a value recorded yet (events of kind purchase, booking or order)"
                      + (f" for segment {segment!r}" if segment else ""))
    ids, moments, values = zip(*rows, strict=True)
    return PurchaseLog(np.asarray(ids), np.asarray(moments, dtype="datetime64[D]"),
                       np.asarray(values, dtype=np.float64))


BANDS = ("low", "medium", "high")


@dataclass(frozen=True)
class ValueScoring:
    """What :func:`score_customer_values` stored: how many customers, and the fitted report."""

    scored: int
    created: int
    report: ClvReport


def tercile_bands(values: NDArray[np.float64]) -> list[str]:
    """low | medium | high by tercile of rank (ties share the average rank, so equal values share a band)."""
    n = values.shape[0]
    if n == 0:
        return []
    order = np.argsort(values, kind="stable")
    ranks = np.empty(n, dtype=np.float64)
    ranks[order] = np.arange(n, dtype=np.float64)
    for value in np.unique(values):  # average the ranks of ties
        tied = values == value
        ranks[tied] = ranks[tied].mean()
    return [BANDS[min(2, int(3 * rank / n))] for rank in ranks]


def score_customer_values(session: Session, log: PurchaseLog, *, horizon_months: int = 12,
                          progress: Callable[[int, int], None] | None = None) -> ValueScoring:
    """Fit BG/NBD + Gamma-Gamma on ``log`` and upsert one :class:`CustomerValue` row per customer.

    ``clv`` is the discounted ``horizon_months`` value, ``p_alive`` the BG/NBD probability
    that the customer is still active, ``churn_risk = 1 − p_alive``; the bands are
    terciles of the scored customers. Customers of the log that no longer exist (or ids
    that are not customer ids, as in a file) are left out. ``progress(done, total)`` is
    called after each chunk written.
    """
    report = fit_clv(log, horizon_months=horizon_months)
    try:
        ids = np.asarray([int(c) for c in report.customer_ids])
    except (TypeError, ValueError):
        raise Invalid("scoring needs the database's numeric customer ids", field="customer_id") from None
    clv = np.asarray(report.value.clv, dtype=np.float64)
    alive = np.asarray(report.probability_alive, dtype=np.float64)
    clv_bands, risk_bands = tercile_bands(clv), tercile_bands(1.0 - alive)
    rows = {int(cid): {"customer_id": int(cid), "clv": float(v), "p_alive": float(pa), "churn_risk": float(1.0 - pa),
                       "clv_band": cb, "risk_band": rb}
            for cid, v, pa, cb, rb in zip(ids, clv, alive, clv_bands, risk_bands, strict=True)}
    now, done, created, scored = utcnow(), 0, 0, 0
    for chunk in in_chunks(sorted(rows)):
        known = set(session.scalars(select(Customer.id).where(Customer.id.in_(chunk))))
        present = set(session.scalars(select(CustomerValue.customer_id).where(CustomerValue.customer_id.in_(chunk))))
        fresh = [{**rows[c], "scored_at": now} for c in chunk if c in known and c not in present]
        stale = [{**rows[c], "scored_at": now} for c in chunk if c in present]
        if fresh:
            session.execute(insert(CustomerValue), fresh)
        if stale:
            session.execute(update(CustomerValue), stale)
        created += len(fresh)
        scored += len(fresh) + len(stale)
        done += len(chunk)
        if progress:
            progress(done, len(rows))
    session.flush()
    return ValueScoring(scored, created, report)


_ROW = re.compile(r"\brow (\d+)\b")


def file_line_message(message: str) -> str:
    """Rewrite 'row N' (0-based data row) as 'line N+2' (1-based, after the header)."""
    return _ROW.sub(lambda m: f"line {int(m.group(1)) + 2}", message)


@dataclass(frozen=True)
class RfmSummary:
    as_of: str
    customers: int
    segments: dict[str, int]
    mean_monetary: dict[str, float]


def rfm_summary(log: PurchaseLog) -> RfmSummary:
    """RFM quintile scores and named segments of every purchasing customer."""
    ids, first, counts, totals, last = _per_customer(log)
    as_of = log.dates.max()
    recency_days = (as_of - last).astype(np.int64)
    scores = rfm_segments(recency_days, counts, totals)
    names = scores.segment.astype(str)
    means = {name: float(totals[names == name].mean()) for name in np.unique(names)}
    return RfmSummary(str(as_of), int(ids.shape[0]), scores.segment_counts(), means)


def _per_customer(log: PurchaseLog) -> tuple[NDArray, NDArray, NDArray, NDArray, NDArray]:
    ids, index = np.unique(log.customer_ids, return_inverse=True)
    counts = np.bincount(index)
    totals = np.bincount(index, weights=log.amounts)
    days = log.dates.astype(np.int64)
    last = np.full(ids.shape[0], np.iinfo(np.int64).min)
    np.maximum.at(last, index, days)
    first = np.full(ids.shape[0], np.iinfo(np.int64).max)
    np.minimum.at(first, index, days)
    return ids, first.astype("datetime64[D]"), counts, totals, last.astype("datetime64[D]")


def churn_in_period(session: Session, start: date, end: date, *, segment: str | None = None,
                    kinds: tuple[str, ...] = PURCHASE_KINDS) -> Estimate:
    """Churn over the days ``start`` … ``end`` (exclusive), counted by two SQL aggregates.

    The definition of :func:`centric.stats.churn_rate` (customers with a purchase before the
    period and none in it, ÷ customers with a purchase before it; Wilson interval), without
    loading the purchase log: scorecards ask it for several periods and scopes.
    """
    bought = [Event.kind.in_(kinds), Event.value.is_not(None)]
    if segment:
        bought.append(Event.customer_id.in_(
            select(CustomerSegment.customer_id).join(Segment).where(Segment.key == segment)))
    first, after = datetime.combine(start, time()), datetime.combine(end, time())
    # one pass: per customer who bought before the period, whether they bought in it
    customers = (select(func.max(case((Event.occurred_at >= first, 1), else_=0)).label("kept"))
                 .where(*bought, Event.occurred_at < after).group_by(Event.customer_id)
                 .having(func.min(Event.occurred_at) < first).subquery())
    at_start, retained = session.execute(select(func.count(), func.coalesce(func.sum(customers.c.kept), 0))).one()
    at_start, retained = int(at_start or 0), int(retained or 0)
    if at_start == 0:
        return Estimate(None, None, None, 0, None, f"no purchases before {start}: nobody who could churn")
    estimate = proportion_estimate(at_start, at_start - retained)
    return replace(estimate, method=f"churn: customers with a purchase before {start} and none until {end}, "
                                    f"÷ customers with a purchase before {start}; {estimate.method}")


def churn_report(log: PurchaseLog, period_start: date | None = None, period_end: date | None = None,
                 months: int = 3) -> ChurnRate:
    """Churn over a period (default: the last ``months`` months of data)."""
    end = np.datetime64(period_end, "D") if period_end else log.dates.max()
    start = np.datetime64(period_start, "D") if period_start else end - np.timedelta64(int(months * 30.44), "D")
    try:
        return churn_rate(log.customer_ids, log.dates, start, end)
    except ValueError as exc:
        raise Invalid(str(exc)) from None


def retention_report(log: PurchaseLog) -> RetentionTable:
    return retention_cohorts(log.customer_ids, log.dates, "M")


@dataclass(frozen=True)
class RoiReport:
    roi: CxRoi
    period_start: str
    period_end: str
    customers: int
    value_definition: str


def roi_report(session: Session, log: PurchaseLog, months: int = 3) -> RoiReport:
    """What promoters, passives and detractors are worth, from the customers' own data.

    Population: customers who bought before the last ``months`` months and answered an
    NPS question before that; churned = no purchase since; value = their revenue in the
    twelve months before the period. Category = their latest NPS answer before it.
    """
    end = log.dates.max()
    start = end - np.timedelta64(int(months * 30.44), "D")
    year_before = start - np.timedelta64(365, "D")
    before = log.dates < start
    category = _nps_categories(session, start)
    ids = np.asarray([c for c in np.unique(log.customer_ids[before]) if c in category])
    if ids.shape[0] == 0:
        raise Invalid("no customer both bought and answered an NPS question before the period")
    active = set(np.unique(log.customer_ids[(log.dates >= start) & (log.dates <= end)]).tolist())
    window = before & (log.dates >= year_before)
    revenue = dict(zip(*_sum_by(log.customer_ids[window], log.amounts[window]), strict=True))
    roi = cx_roi([category[c] for c in ids], [c not in active for c in ids], [revenue.get(c, 0.0) for c in ids])
    return RoiReport(roi, str(start), str(end), int(ids.shape[0]),
                     "revenue in the 12 months before the period (historical value)")


def _sum_by(ids: NDArray, amounts: NDArray) -> tuple[list, list]:
    unique, index = np.unique(ids, return_inverse=True)
    return unique.tolist(), np.bincount(index, weights=amounts).tolist()


def _nps_categories(session: Session, before: np.datetime64) -> dict:
    """Each customer's NPS category from their latest NPS answer before ``before``."""
    cutoff = before.astype("datetime64[s]").astype(object)
    rows = session.execute(
        select(Response.customer_id, Answer.number)
        .join(Answer, Answer.response_id == Response.id)
        .where(Answer.metric == "nps", Response.customer_id.is_not(None), Response.submitted_at < cutoff)
        .order_by(Response.customer_id, Response.submitted_at)
    ).all()
    latest = {customer: score for customer, score in rows if score is not None}
    return {customer: nps_category(int(score)) for customer, score in latest.items()}


EARNED_CHANNELS = frozenset({"referral", "word of mouth", "word-of-mouth", "recommendation", "referred"})


@dataclass(frozen=True)
class EarnedGrowthReport:
    growth: EarnedGrowth
    previous_start: str
    current_start: str
    current_end: str
    customers: int
    earned_new_customers: int
    definition: str


def earned_growth_report(session: Session, log: PurchaseLog, months: int = 6,
                         attribute: str = "acquisition") -> EarnedGrowthReport:
    """Earned Growth Rate of the last ``months`` months against the ``months`` before.

    A new customer (first purchase in the current period) is *earned* when the customer
    attribute ``attribute`` says referral or word of mouth. Needs that referral data:
    without any customer carrying the attribute the answer is a clear 422, not a number.
    """
    end = log.dates.max()
    current_start = end - np.timedelta64(int(months * 30.44), "D")
    previous_start = current_start - np.timedelta64(int(months * 30.44), "D")
    if previous_start < log.dates.min():
        raise Invalid(f"the Earned Growth Rate over {months} months needs {2 * months} months of purchases; "
                      f"the data start on {log.dates.min()}", field="months")
    previous = (log.dates >= previous_start) & (log.dates < current_start)
    current = (log.dates >= current_start) & (log.dates <= end)
    if not previous.any():
        raise Invalid(f"no purchases in the {months} months before the last {months}: retention is undefined")
    ids = np.unique(log.customer_ids[previous | current])
    before = dict(zip(*_sum_by(log.customer_ids[previous], log.amounts[previous]), strict=True))
    now = dict(zip(*_sum_by(log.customer_ids[current], log.amounts[current]), strict=True))
    customer_ids, first, *_ = _per_customer(log)
    first_seen = dict(zip(customer_ids.tolist(), first, strict=True))
    newcomers = [c for c in ids.tolist() if first_seen[c] >= current_start]
    channels = _attribute_values(session, newcomers, attribute)
    if not channels:
        raise Invalid(f"no referral data: no new customer has the attribute {attribute!r} "
                      "(e.g. acquisition = referral)", field="attribute")
    earned = [str(channels.get(c, "")).strip().lower() in EARNED_CHANNELS for c in ids.tolist()]
    try:
        growth = earned_growth_rate([before.get(c, 0.0) for c in ids.tolist()],
                                    [now.get(c, 0.0) for c in ids.tolist()], earned)
    except ValueError as exc:
        raise Invalid(str(exc)) from None
    return EarnedGrowthReport(growth, str(previous_start), str(current_start), str(end), int(ids.shape[0]),
                              int(sum(earned)), f"earned = customer attribute {attribute!r} in "
                              f"{sorted(EARNED_CHANNELS)} and first purchase in the current period")


def _attribute_values(session: Session, ids: list[int], attribute: str) -> dict[int, object]:
    found: dict[int, object] = {}
    for chunk in in_chunks(ids):
        rows = session.execute(select(Customer.id, Customer.attributes).where(Customer.id.in_(chunk))).all()
        found.update((cid, attrs[attribute]) for cid, attrs in rows if attrs and attribute in attrs)
    return found


RFM_PREFIX = "rfm-"


def materialise_rfm_segments(session: Session, log: PurchaseLog) -> dict[str, int]:
    """Store each RFM segment as a shared segment (key ``rfm-<name>``) with its members.

    Afterwards every metric, page and export can be sliced by RFM segment like any
    other segment. Running it again replaces the memberships.
    """
    ids, _first, counts, totals, last = _per_customer(log)
    scores = rfm_segments((log.dates.max() - last).astype(np.int64), counts, totals)
    names = scores.segment.astype(str)
    sizes: dict[str, int] = {}
    refilled: list[int] = []
    for name in np.unique(names):
        key = RFM_PREFIX + re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
        segment = session.scalar(select(Segment).where(Segment.key == key))
        if segment is None:
            segment = Segment(key=key, name=f"RFM: {name}", kind="segment", rule=[],
                              description="Recency-frequency-monetary segment, recomputed from purchases.")
            session.add(segment)
            session.flush()
        session.execute(CustomerSegment.__table__.delete().where(CustomerSegment.segment_id == segment.id))
        members = [{"customer_id": int(c), "segment_id": segment.id} for c in ids[names == name]]
        for start in range(0, len(members), 5000):
            session.execute(CustomerSegment.__table__.insert(), members[start:start + 5000])
        sizes[key] = len(members)
        refilled.append(segment.id)
    publish(session, SegmentsRefilled(tuple(refilled)))
    return sizes
