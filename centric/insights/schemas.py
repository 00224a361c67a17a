"""Schemas for metric results."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

MetricKind = Literal["nps", "csat", "ces"]
Dimension = Literal["touchpoint", "touchpoint_key", "stage", "journey", "team", "segment", "month", "quarter",
                    "channel", "survey", "none"]


class MetricRow(BaseModel):
    """A score with its interval for one group, plus the sufficient statistics behind it."""

    group: str
    n: int
    value: float | None
    low: float | None
    high: float | None
    method: str
    promoters: int | None = None
    detractors: int | None = None
    satisfied: int | None = None
    mean: float | None = None
    agree_share: float | None = None
    total: float | None = None
    total_sq: float | None = None


class MetricResult(BaseModel):
    metric: MetricKind
    by: Dimension
    scale: str
    overall: MetricRow
    rows: list[MetricRow]


class EstimateOut(BaseModel):
    value: float | None
    low: float | None
    high: float | None
    n: int
    method: str = ""


class ClvOut(BaseModel):
    parameters: dict
    top_customers: list[dict]


class RfmOut(BaseModel):
    as_of: str
    customers: int
    segments: dict[str, int]
    mean_monetary: dict[str, float]


class ChurnOut(BaseModel):
    rate: EstimateOut
    customers_at_start: int
    lost: int
    retained: int
    new: int
    period_start: str
    period_end: str
    definition: str


class RetentionOut(BaseModel):
    cohorts: list[str]
    sizes: list[int]
    shares: list[list[float | None]]


class CategoryOut(BaseModel):
    category: str
    n: int
    churn_rate: EstimateOut
    mean_value: EstimateOut
    total_value: float


class RoiOut(BaseModel):
    period_start: str
    period_end: str
    customers: int
    value_definition: str
    categories: list[CategoryOut]
    revenue_at_risk: EstimateOut
    detractor_to_passive: dict
    method: str


class EarnedGrowthOut(BaseModel):
    previous_start: str
    current_start: str
    current_end: str
    customers: int
    earned_new_customers: int
    earned_growth_rate: EstimateOut
    net_revenue_retention: EstimateOut
    earned_new_customer_revenue: EstimateOut
    previous_revenue: float
    definition: str
    method: str


class DriverOut(BaseModel):
    name: str
    importance: float
    low: float | None
    high: float | None
    p_value: float | None
    performance: float | None
    quadrant: str | None


class DriversOut(BaseModel):
    survey: str
    n: int
    r_squared: float | None
    method: str
    drivers: list[DriverOut]
