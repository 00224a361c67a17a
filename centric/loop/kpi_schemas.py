"""Pydantic shapes of the follow-up, the loop KPIs and the root causes by revenue at risk (no customer PII)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from centric.db import UtcDatetime


class CaseEmailIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    subject: str = Field(min_length=1, max_length=200)
    body: str = Field(min_length=1, max_length=20_000)


class CaseEmailOut(BaseModel):
    id: int
    case_id: int
    status: str  # queued | sent | suppressed
    at: UtcDatetime


class SurveyFollowup(BaseModel):
    invitation_id: int
    survey: str
    status: str  # scheduled | sent | answered | suppressed | failed
    send_at: UtcDatetime | None
    sent_at: UtcDatetime | None
    answered_at: UtcDatetime | None
    metric: str | None
    score: float | None


class FollowupOut(BaseModel):
    case_id: int
    emails: list[CaseEmailOut]
    recovery: SurveyFollowup | None
    resurvey: SurveyFollowup | None
    original_metric: str | None
    original_score: float | None
    change: float | None  # re-survey score − original score, once answered


class Interval(BaseModel):
    """A figure and its interval; ``None`` where undefined (no cases)."""

    value: float | None
    low: float | None
    high: float | None
    n: int
    method: str = ""


class TeamSla(BaseModel):
    team_id: int | None
    team: str
    hit_rate: Interval


class Uplift(BaseModel):
    difference: float | None
    low: float | None
    high: float | None
    n_contacted: int
    n_not_contacted: int
    strata: int
    contacted_without_match: int
    naive_difference: float | None
    method: str
    caveat: str


class LoopKpis(BaseModel):
    since: UtcDatetime
    until: UtcDatetime
    team_id: int | None
    cases: int
    detractors_contacted_48h: Interval  # percent
    first_contact_median_h: Interval
    first_contact_p90_h: Interval
    close_median_h: Interval
    close_p90_h: Interval
    sla_hit_rate: Interval  # percent
    sla_hit_rate_by_team: list[TeamSla]
    closed_with_root_cause: Interval  # percent
    recovery_rate: Interval  # percent
    resurvey_uplift: Uplift


class RootCauseImpact(BaseModel):
    root_cause_id: int
    code: str
    name: str
    cases: int
    customers: int
    mean_churn_risk: float | None
    total_clv: float
    revenue_at_risk: float
    themes: list[str]
    touchpoints: list[str]
