"""Turning analytics results (frozen dataclasses of arrays) into API/page schemas."""

from __future__ import annotations

import math
from dataclasses import asdict

from centric.insights.schemas import (
    CategoryOut,
    ChurnOut,
    ClvOut,
    DriverOut,
    DriversOut,
    EarnedGrowthOut,
    EstimateOut,
    RetentionOut,
    RfmOut,
    RoiOut,
)
from centric.insights.value import ClvReport, EarnedGrowthReport, RfmSummary, RoiReport
from centric.stats import ChurnRate, DriverAnalysis, Estimate, RetentionTable
from centric.themes.schemas import ThemeDriversOut


def estimate_out(estimate: Estimate) -> EstimateOut:
    return EstimateOut(value=estimate.value, low=estimate.low, high=estimate.high, n=estimate.n,
                       method=estimate.method)


TOP_CUSTOMERS = 20


def clv_out(report: ClvReport, top: int = TOP_CUSTOMERS) -> ClvOut:
    """Fitted parameters, and the ``top`` customers by CLV (0 for callers who may not see customers)."""
    customers = sorted(report.per_customer(), key=lambda row: row["clv"], reverse=True)[:top]
    return ClvOut(parameters=report.parameters(), top_customers=customers)


def rfm_out(summary: RfmSummary) -> RfmOut:
    return RfmOut(**asdict(summary))


def churn_out(churn: ChurnRate) -> ChurnOut:
    return ChurnOut(rate=estimate_out(churn.rate), customers_at_start=churn.customers_at_start, lost=churn.lost,
                    retained=churn.retained, new=churn.new, period_start=str(churn.period_start),
                    period_end=str(churn.period_end), definition=churn.definition)


def retention_out(table: RetentionTable) -> RetentionOut:
    shares = [[None if math.isnan(v) else round(float(v), 2) for v in row] for row in table.shares]
    return RetentionOut(cohorts=[str(c) for c in table.cohorts], sizes=[int(s) for s in table.sizes], shares=shares)


def roi_out(report: RoiReport) -> RoiOut:
    roi = report.roi
    moved = roi.detractor_to_passive_value
    return RoiOut(
        period_start=report.period_start, period_end=report.period_end, customers=report.customers,
        value_definition=report.value_definition,
        categories=[CategoryOut(category=c.category, n=c.n, churn_rate=estimate_out(c.churn_rate),
                                mean_value=estimate_out(c.mean_value), total_value=c.total_value)
                    for c in roi.categories],
        revenue_at_risk=estimate_out(roi.revenue_at_risk),
        detractor_to_passive={"difference": moved.difference, "low": moved.low, "high": moved.high,
                              "p_value": moved.p_value, "method": moved.method},
        method=roi.method,
    )


def earned_growth_out(report: EarnedGrowthReport) -> EarnedGrowthOut:
    growth = report.growth
    return EarnedGrowthOut(
        previous_start=report.previous_start, current_start=report.current_start, current_end=report.current_end,
        customers=report.customers, earned_new_customers=report.earned_new_customers,
        earned_growth_rate=estimate_out(growth.earned_growth_rate),
        net_revenue_retention=estimate_out(growth.net_revenue_retention),
        earned_new_customer_revenue=estimate_out(growth.earned_new_customers),
        previous_revenue=growth.previous_revenue, definition=report.definition, method=growth.method,
    )


def theme_drivers_out(out: ThemeDriversOut) -> DriversOut:
    """Themes as drivers in the shape of the drivers page; performance = % of comments mentioning it."""
    return DriversOut(survey="themes", n=out.n, r_squared=out.r_squared, method=out.method, drivers=[
        DriverOut(name=d.name, importance=d.importance, low=d.low, high=d.high, p_value=d.p_value,
                  performance=100.0 * d.mentioned, quadrant=None) for d in out.drivers])


def drivers_out(survey: str, analysis: DriverAnalysis) -> DriversOut:
    return DriversOut(survey=survey, n=analysis.n, r_squared=analysis.r_squared, method=analysis.method,
                      drivers=[DriverOut(**asdict(d)) for d in analysis.drivers])
