"""JSON routes for experience metrics, comparisons, customer value, drivers and ROI."""

from __future__ import annotations

from datetime import date
from typing import Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from centric.accounts.roles import Permission
from centric.insights import comparisons, outcomes, reports, service, value
from centric.insights.comparisons import ComparisonResult, GroupComparison
from centric.insights.drivers import survey_drivers
from centric.insights.reports import TOP_CUSTOMERS
from centric.insights.schemas import (
    ChurnOut,
    ClvOut,
    Dimension,
    DriversOut,
    EarnedGrowthOut,
    EstimateOut,
    MetricKind,
    MetricResult,
    MetricRow,
    RetentionOut,
    RfmOut,
    RoiOut,
)
from centric.stats import Estimate, happiness_score
from centric.web import exports
from centric.web.deps import CanConfigure, CanReadMetrics, DbSession, ReadSession

router = APIRouter(tags=["metrics"])


def _filter(start: date | None, end: date | None, touchpoint: str | None, segment: str | None,
            survey: str | None) -> service.MetricFilter:
    return service.MetricFilter(start=start, end=end, touchpoint=touchpoint, segment=segment, survey=survey)


@router.get("/metrics/happiness", response_model=EstimateOut)
def happiness(session: ReadSession, _: CanReadMetrics, start: date | None = None, end: date | None = None,
              touchpoint: str | None = None, segment: str | None = None) -> EstimateOut:
    """Customer Happiness Score 0–100: weighted NPS, CSAT and CES (definition in docs/statistics.md)."""
    where = _filter(start, end, touchpoint, segment, None)
    parts = {kind: service.metric(session, kind, "none", where).overall for kind in ("nps", "csat", "ces")}
    estimates = {kind: Estimate(row.value, row.low, row.high, row.n, None, row.method) for kind, row in parts.items()}
    return reports.estimate_out(happiness_score(nps=estimates["nps"], csat=estimates["csat"], ces=estimates["ces"]))


@router.get("/metrics/{kind}", response_model=MetricResult, responses=exports.FILE_RESPONSES)
def metric(request: Request, kind: MetricKind, session: ReadSession, _: CanReadMetrics, by: Dimension = "none",
           start: date | None = None, end: date | None = None, touchpoint: str | None = None,
           segment: str | None = None, survey: str | None = None) -> MetricResult | Response:
    """NPS, CSAT or CES with 95% intervals, overall and per group of ``by``.

    ``Accept: text/csv`` (or the XLSX type): the groups as a table (``by=none``: the overall row)."""
    result = service.metric(session, kind, by, _filter(start, end, touchpoint, segment, survey))
    if fmt := exports.requested(request):
        rows = result.rows if by != "none" else [result.overall]
        return exports.respond(exports.table_of(f"{kind}-by-{by}", rows, exports.columns_of(MetricRow)), fmt)
    return result


@router.get("/metrics/{kind}/compare", response_model=ComparisonResult)
def compare_groups(kind: MetricKind, session: ReadSession, _: CanReadMetrics, by: Dimension = "touchpoint",
                   correction: Literal["holm", "bh"] = "holm", start: date | None = None,
                   end: date | None = None, touchpoint: str | None = None, segment: str | None = None,
                   survey: str | None = None) -> ComparisonResult:
    """Each group against the rest: difference, interval, p-value adjusted for many groups."""
    return comparisons.groups_vs_rest(session, kind, by, _filter(start, end, touchpoint, segment, survey),
                                      correction)


@router.get("/metrics/{kind}/trend", response_model=GroupComparison)
def compare_periods(kind: MetricKind, start: date, end: date, session: ReadSession, _: CanReadMetrics,
                    touchpoint: str | None = None, segment: str | None = None,
                    survey: str | None = None) -> GroupComparison:
    """The period [start, end) against the equally long period before it."""
    return comparisons.period_vs_previous(session, kind, start, end,
                                          _filter(None, None, touchpoint, segment, survey))


@router.get("/drivers/{survey}", response_model=DriversOut)
def drivers(survey: str, session: ReadSession, _: CanReadMetrics,
            by: Literal["items", "touchpoints"] = "items") -> DriversOut:
    """Key drivers of a survey's outcome: its other rated items, or the customers' touchpoint scores.

    Relative weights with bootstrap intervals and importance–performance quadrants.
    """
    analyse = survey_drivers if by == "items" else outcomes.touchpoint_drivers
    return reports.drivers_out(survey, analyse(session, survey))


@router.get("/value/clv", response_model=ClvOut, tags=["customer value"])
def clv(session: ReadSession, caller: CanReadMetrics, horizon_months: int = Query(default=12, ge=1, le=120),
        discount: float = Query(default=0.01, ge=0, lt=1)) -> ClvOut:
    """BG/NBD + Gamma-Gamma fitted on the stored purchases; parameters, and top customers for
    callers with ``customers:read`` (a viewer gets aggregates only)."""
    log = value.purchases_from_events(session)
    report = value.fit_clv(log, horizon_months=horizon_months, monthly_discount_rate=discount)
    return reports.clv_out(report, top=TOP_CUSTOMERS if caller.can(Permission.READ_CUSTOMERS) else 0)


@router.get("/value/rfm", response_model=RfmOut, tags=["customer value"])
def rfm(session: ReadSession, _: CanReadMetrics, segment: str | None = None) -> RfmOut:
    return reports.rfm_out(value.rfm_summary(value.purchases_from_events(session, segment=segment)))


@router.post("/value/rfm/segments", tags=["customer value"])
def store_rfm_segments(session: DbSession, _: CanConfigure) -> dict[str, int]:
    """Store the RFM segments as shared segments (``rfm-champions`` …) usable everywhere."""
    return value.materialise_rfm_segments(session, value.purchases_from_events(session))


@router.get("/value/churn", response_model=ChurnOut, tags=["customer value"])
def churn(session: ReadSession, _: CanReadMetrics, start: date | None = None, end: date | None = None,
          months: int = Query(default=3, ge=1, le=24), segment: str | None = None) -> ChurnOut:
    """Customers lost in the period ÷ customers active before it (new customers excluded)."""
    log = value.purchases_from_events(session, segment=segment)
    return reports.churn_out(value.churn_report(log, start, end, months))


@router.get("/value/churn/drivers", response_model=DriversOut, tags=["customer value"])
def churn_drivers(session: ReadSession, _: CanReadMetrics, months: int = Query(default=3, ge=1, le=24)) -> DriversOut:
    """Which experiences go with leaving: logistic regression of churn on NPS, tickets, complaints."""
    analysis = outcomes.churn_driver_analysis(session, value.purchases_from_events(session), months)
    return reports.drivers_out("churn", analysis)


@router.get("/value/earned-growth", response_model=EarnedGrowthOut, tags=["customer value"])
def earned_growth(session: ReadSession, _: CanReadMetrics, months: int = Query(default=6, ge=1, le=36),
                  attribute: str = Query(default="acquisition", min_length=1, max_length=60)) -> EarnedGrowthOut:
    """Earned Growth Rate = net revenue retention + earned new customer revenue − 100%.

    A new customer counts as earned when its ``attribute`` says referral or word of mouth.
    """
    log = value.purchases_from_events(session)
    return reports.earned_growth_out(value.earned_growth_report(session, log, months, attribute))


@router.get("/value/retention", response_model=RetentionOut, tags=["customer value"])
def retention(session: ReadSession, _: CanReadMetrics, segment: str | None = None) -> RetentionOut:
    """Share of each first-purchase-month cohort still buying k months later."""
    return reports.retention_out(value.retention_report(value.purchases_from_events(session, segment=segment)))


@router.get("/value/roi", response_model=RoiOut, tags=["customer value"])
def roi(session: ReadSession, _: CanReadMetrics, months: int = Query(default=3, ge=1, le=24)) -> RoiOut:
    """Churn and value of promoters, passives and detractors; revenue at risk."""
    return reports.roi_out(value.roi_report(session, value.purchases_from_events(session), months))


