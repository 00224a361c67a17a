"""Schemas of the journey map: a journey's stages and touchpoints with their measured figures, and edits."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

Verdict = Literal["good", "bad", "neutral", "unknown"]


class Score(BaseModel):
    """The touchpoint's main metric in the period: value with its 95% interval and n."""

    metric: Literal["nps", "csat", "ces"]
    value: float | None
    low: float | None
    high: float | None
    n: int
    scale: str


class Emotion(BaseModel):
    """The measured score mapped onto the designed −2…+2 scale, the interval mapped alike."""

    value: float | None
    low: float | None
    high: float | None


class ThemeCount(BaseModel):
    name: str
    mentions: int
    sentiment: float | None  # mean sentiment of those mentions, −1…+1; None when not scored


class Impact(BaseModel):
    """The touchpoint's effect on relationship NPS (share of R²) and on churn (log-odds per SD)."""

    nps_importance: float | None = None  # share of the relationship score's explained variance, 0…1
    nps_low: float | None = None
    nps_high: float | None = None
    churn_coefficient: float | None = None  # change in log-odds of churn per SD of the touchpoint score
    churn_low: float | None = None
    churn_high: float | None = None
    churn_p_value: float | None = None


class TouchpointCard(BaseModel):
    id: int
    key: str
    name: str
    position: int
    channel: str
    description: str
    owner_team: str | None
    owner_user: str | None
    owner_team_id: int | None
    owner_user_id: int | None
    designed_emotion: int | None
    event_kinds: list[str]
    surveys: list[str]  # keys of the surveys linked to this touchpoint
    score: Score | None
    measured: Emotion
    gap: float | None  # designed − measured (positive: it feels worse than designed)
    verdict: Verdict
    volume: int  # events at the touchpoint in the period
    themes: list[ThemeCount]
    open_cases: int
    breached_cases: int
    impact: Impact


class StageColumn(BaseModel):
    id: int
    key: str
    name: str
    position: int
    description: str
    touchpoints: list[TouchpointCard]


class ImpactNote(BaseModel):
    """What the impact figures are, and why one is missing when it is."""

    nps_survey: str | None
    nps_note: str
    churn_note: str


class JourneyMap(BaseModel):
    id: int
    key: str
    name: str
    description: str
    segment: str | None
    channel: str | None
    start: date | None
    end: date | None
    stages: list[StageColumn]
    impact: ImpactNote
    emotion_mapping: str
    verdict_rule: str


class StageNew(BaseModel):
    key: str = Field(min_length=1, max_length=80, pattern=r"^[a-z0-9][a-z0-9_-]*$")
    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=5000)


class StagePatch(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=5000)


class StageOrder(BaseModel):
    stages: list[str] = Field(max_length=200)  # stage keys, in the new order (every stage once)


class TouchpointNew(BaseModel):
    key: str = Field(min_length=1, max_length=80, pattern=r"^[a-z0-9][a-z0-9_-]*$")
    name: str = Field(min_length=1, max_length=200)
    channel: str = Field(default="web", min_length=1, max_length=40)
    position: int | None = Field(default=None, ge=0, le=10_000)  # None: last in the stage


class TouchpointPatch(BaseModel):
    """A partial edit: fields left out or null stay as they are (``clear_*`` empties one)."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    stage: str | None = Field(default=None, max_length=80)  # move to this stage of the same journey
    position: int | None = Field(default=None, ge=0, le=10_000)
    channel: str | None = Field(default=None, min_length=1, max_length=40)
    description: str | None = Field(default=None, max_length=5000)
    designed_emotion: int | None = Field(default=None, ge=-2, le=2)
    clear_designed_emotion: bool = False
    owner_team: str | None = Field(default=None, max_length=200)  # team name; "" clears
    owner_user: str | None = Field(default=None, max_length=320)  # user e-mail; "" clears
    event_kinds: list[str] | None = Field(default=None, max_length=50)
    survey: str | None = Field(default=None, max_length=80)  # link this survey (its touchpoint becomes this one)


class TouchpointOrder(BaseModel):
    touchpoints: list[str] = Field(max_length=500)  # the stage's touchpoint keys, in the new order


class StageOut(BaseModel):
    id: int
    key: str
    name: str
    position: int
    description: str


class TouchpointState(BaseModel):
    """A touchpoint's editable fields after an edit."""

    id: int
    key: str
    name: str
    stage: str
    position: int
    channel: str
    description: str
    designed_emotion: int | None
    owner_team: str | None
    owner_user: str | None
    event_kinds: list[str]
    surveys: list[str]
