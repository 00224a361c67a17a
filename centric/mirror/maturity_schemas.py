"""API shapes of the CX maturity assessment: what is posted, and results with evidence and trend."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from centric.db import UtcDatetime


class RatingIn(BaseModel):
    item_key: str = Field(min_length=1, max_length=80)
    rating: int = Field(description="stage 1–5")
    note: str = Field(default="", max_length=2000)


class AssessmentIn(BaseModel):
    title: str = Field(default="", max_length=200)
    taken_on: date | None = Field(default=None, description="the day it was taken; today when omitted")
    notes: str = Field(default="", max_length=10_000)
    ratings: list[RatingIn] = Field(max_length=200, description="one rating per item of the current questionnaire")


class EvidenceOut(BaseModel):
    key: str
    label: str
    value: float | None = Field(description="a share in percent; None when there was nothing to count")
    stage: int | None
    n: int
    sentence: str


class QuestionOut(BaseModel):
    key: str
    competency: str
    statement: str
    stages: list[str]
    evidence: EvidenceOut | None = None


class CompetencyQuestions(BaseModel):
    key: str
    title: str
    items: list[QuestionOut]


class QuestionnaireOut(BaseModel):
    version: str
    stages: dict[int, str]
    aggregation: str
    competencies: list[CompetencyQuestions]


class ItemResult(BaseModel):
    key: str
    competency: str
    statement: str
    rating: int
    stage_name: str
    note: str
    evidence: EvidenceOut | None
    disagrees: bool = Field(description="self-rating and evidence stage are 2 or more stages apart")


class CompetencyResult(BaseModel):
    key: str
    title: str
    stage: int | None
    stage_name: str
    previous_stage: int | None
    change: int | None
    next_steps: list[str]


class AssessmentSummary(BaseModel):
    id: int
    version: str
    title: str
    taken_on: date
    overall_stage: int | None
    stages: dict[str, int | None]


class AssessmentOut(BaseModel):
    id: int
    version: str
    title: str
    taken_on: date
    notes: str
    created_by: int | None
    created_at: UtcDatetime
    overall_stage: int | None
    overall_stage_name: str
    previous_id: int | None
    previous_overall_stage: int | None
    competencies: list[CompetencyResult]
    ratings: list[ItemResult] = Field(description="each item's self-rating beside its evidence")
    disagreements: int
    aggregation: str
    evidence_note: str


class IndexWeightOut(BaseModel):
    item: str
    label: str
    weight: float
    low: float | None
    high: float | None


class IndexGroupOut(BaseModel):
    key: str
    label: str
    index: float | None = Field(description="0–100: Σ weight × % of top-2-box answers")
    n: int


class CxIndexOut(BaseModel):
    since: date
    until: date
    weights: list[IndexWeightOut]
    estimated: bool = Field(description="False: equal weights (too few responses to estimate them)")
    n_weights: int = Field(description="complete responses (three items and the 0–10 answer) behind the weights")
    r_squared: float | None
    overall: IndexGroupOut
    by_month: list[IndexGroupOut]
    by_touchpoint: list[IndexGroupOut]
    method: str
