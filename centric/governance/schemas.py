"""Schemas shared by governance's services, API, pages, digests and the council overview."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationInfo, field_validator

from centric.db import UtcDatetime, utcnow


class OwnerOut(BaseModel):
    """Who owns a target or a touchpoint: a user, a team, or both (names for display)."""

    user_id: int | None = None
    user_name: str | None = None
    team_id: int | None = None
    team_name: str | None = None


class TargetOut(BaseModel):
    id: int
    name: str
    metric: str
    scope_kind: str
    scope_ref: str
    scope_label: str  # "Touchpoint: Front desk", "Company"
    cadence: str
    threshold: float
    direction: str
    min_n: int
    owner: OwnerOut
    valid_from: date
    valid_until: date | None
    notes: str
    active: bool


class TrendPoint(BaseModel):
    period: str  # 2026-Q3, 2026-11
    value: float | None
    low: float | None
    high: float | None
    n: int
    verdict: str


class ScorecardRow(BaseModel):
    """One target in one period: the actual value with its 95% interval, n and a noise-aware verdict."""

    target: TargetOut
    period: str
    value: float | None
    low: float | None
    high: float | None
    n: int
    verdict: str  # met | missed | not_distinguishable
    reason: str  # why, in words: "interval 31–44 contains the target 40", "n 12 below the minimum 30"
    rank: int | None = None  # among owners with a target on the same metric; shared when not significant
    rank_group_size: int | None = None
    trend: list[TrendPoint] = []
    method: str = ""


class Scorecard(BaseModel):
    owner: OwnerOut | None  # None: the company scorecard (every company-scope target)
    period: str
    rows: list[ScorecardRow]
    method: str  # how values, intervals, verdicts and ranks are computed, printed on exports


class DiceOut(BaseModel):
    id: int
    duration: int
    integrity: int
    senior_commitment: int
    local_commitment: int
    effort: int
    score: int
    zone: str  # win | worry | woe
    note: str
    assessed_by_name: str | None = None
    assessed_by: int | None
    assessed_at: UtcDatetime


class ApprovalOut(BaseModel):
    user_id: int | None
    user_name: str | None
    decision: str
    note: str
    at: UtcDatetime


class LinkOut(BaseModel):
    kind: str  # touchpoint | theme | root_cause
    ref_id: int
    label: str


class ImpactOut(BaseModel):
    """Difference-in-differences on the linked scope vs untouched scopes; observational."""

    metric: str
    effect: float | None
    low: float | None
    high: float | None
    n_treated: int
    n_control: int
    revenue_effect: float | None
    churn_effect: float | None
    method: str
    assumptions: list[str]
    detail: dict
    computed_at: UtcDatetime


class InitiativeOut(BaseModel):
    id: int
    title: str
    problem: str
    status: str
    origin: str
    origin_ref: str
    owner: OwnerOut
    sponsor: OwnerOut
    cost: float | None
    target_id: int | None
    metric: str
    expected_effect: float | None
    started_on: date | None
    done_on: date | None
    links: list[LinkOut]
    dice: DiceOut | None  # the current (newest) assessment
    approvals: list[ApprovalOut]
    impact: ImpactOut | None
    expected_value: float | None  # expected effect translated into revenue per year
    measured_value: float | None  # measured revenue effect per year, once done and measured
    value_note: str = ""  # how the value was translated, or why it is missing
    rank: int | None = None  # on the board: 1 = best value
    allowed_moves: list[str] = []  # the statuses it may move to next
    created_at: UtcDatetime
    updated_at: UtcDatetime


# --- initiatives: input ---------------------------------------------------------------------

InitiativeOrigin = Literal["manual", "root_cause", "theme", "idea"]
InitiativeStatus = Literal["proposed", "approved", "in_progress", "done", "dropped"]
InitiativeMetric = Literal["nps", "csat", "ces", "contacted_48h", "sla_hit", "recovery", "root_cause_share", "churn"]
Ref = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class InitiativeIn(BaseModel):
    """A proposal. From a root cause (code) or a theme (key) the problem, title and links are prefilled."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(default="", max_length=200)
    problem: str = Field(default="", max_length=10_000)
    origin: InitiativeOrigin = "manual"
    origin_ref: str = Field(default="", max_length=120)
    owner_user_id: int | None = Field(default=None, ge=1)
    sponsor_user_id: int | None = Field(default=None, ge=1)
    cost: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    target_id: int | None = Field(default=None, ge=1)
    metric: InitiativeMetric = "nps"
    expected_effect: float | None = Field(default=None, ge=-1000, le=1000, allow_inf_nan=False)
    touchpoints: list[Ref] = Field(default_factory=list, max_length=50)  # touchpoint keys
    themes: list[Ref] = Field(default_factory=list, max_length=50)  # theme keys (names)
    root_causes: list[Ref] = Field(default_factory=list, max_length=50)  # root-cause codes


class InitiativePatch(BaseModel):
    """Changes to an initiative; the status moves only through its own call."""

    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(default=None, min_length=1, max_length=200)
    problem: str | None = Field(default=None, max_length=10_000)
    owner_user_id: int | None = Field(default=None, ge=1)
    sponsor_user_id: int | None = Field(default=None, ge=1)
    cost: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    target_id: int | None = Field(default=None, ge=1)
    metric: InitiativeMetric | None = None
    expected_effect: float | None = Field(default=None, ge=-1000, le=1000, allow_inf_nan=False)
    touchpoints: list[Ref] | None = Field(default=None, max_length=50)
    themes: list[Ref] | None = Field(default=None, max_length=50)
    root_causes: list[Ref] | None = Field(default=None, max_length=50)


EARLIEST = date(2000, 1, 1)  # older dates are typing mistakes, not initiatives


class StatusIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: InitiativeStatus
    note: str = Field(default="", max_length=2000)
    started_on: date | None = Field(default=None, ge=EARLIEST)  # for in_progress: the day work started (today)
    done_on: date | None = Field(default=None, ge=EARLIEST)  # for done: the day the change took effect (today)

    @field_validator("started_on", "done_on")
    @classmethod
    def _not_in_future(cls, value: date | None, info: ValidationInfo) -> date | None:
        if value is not None and value > utcnow().date() + timedelta(days=1):
            raise ValueError(f"{info.field_name} lies in the future: a status records what has happened")
        return value


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: str = Field(default="", max_length=2000)


class DiceIn(BaseModel):
    """A DICE assessment: each factor 1 (best) … 4 (worst)."""

    model_config = ConfigDict(extra="forbid")

    duration: int = Field(ge=1, le=4)
    integrity: int = Field(ge=1, le=4)
    senior_commitment: int = Field(ge=1, le=4)
    local_commitment: int = Field(ge=1, le=4)
    effort: int = Field(ge=1, le=4)
    note: str = Field(default="", max_length=2000)
