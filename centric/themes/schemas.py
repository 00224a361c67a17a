"""Pydantic schemas of the themes domain: taxonomy edits, proposals, insight, verbatims."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from centric.db import UtcDatetime

Language = Literal["en", "zh"]
Phrases = dict[Language, list[str]]
Sentiment = Literal["negative", "neutral", "positive"]


def _check_phrases(value: Phrases | None) -> Phrases | None:
    if value is None:
        return None
    for phrases in value.values():
        if len(phrases) > 500:
            raise ValueError("at most 500 phrases per language")
        if any(len(p) > 300 for p in phrases):
            raise ValueError("a phrase has at most 300 characters")
    return value


class ThemeRuleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    label: str | None = Field(default=None, max_length=200)
    description: str | None = Field(default=None, max_length=2000)
    keywords: Phrases | None = None
    examples: Phrases | None = None

    _phrases = field_validator("keywords", "examples")(_check_phrases)


class ThemeIn(ThemeRuleIn):
    """A new theme: ``name`` without "/", under ``parent`` (a theme path) or at the top."""

    name: str = Field(min_length=1, max_length=80, pattern=r"^[^/]*[^/\s][^/]*$")
    parent: str | None = Field(default=None, max_length=200)


class ThemeUpdate(ThemeRuleIn):
    """Rename (``name``), move (``parent``; null moves to the top) or edit the rule."""

    name: str | None = Field(default=None, min_length=1, max_length=80, pattern=r"^[^/]*[^/\s][^/]*$")
    parent: str | None = Field(default=None, max_length=200)


class ThemeOut(BaseModel):
    id: int
    path: str
    name: str
    parent: str | None
    origin: str
    label: str
    description: str
    keywords: dict[str, list[str]]
    examples: dict[str, list[str]]
    items: int = 0


class ImportOut(BaseModel):
    themes: int
    version: str


class DiscoverIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    limit: int = Field(default=5000, ge=20, le=20_000)
    n_themes: int | None = Field(default=None, ge=2, le=30)


class JobQueued(BaseModel):
    job_id: int
    status: str


class ReenrichmentRunOut(BaseModel):
    """The latest re-enrichment run: its version, number, cursor (last id done) and counts."""

    version: str | None
    run: int
    cursor: int
    done: bool
    enriched: int
    failed: int
    started_at: str | None
    finished_at: str | None


class TextStatusOut(BaseModel):
    """Stored items against the current text version (models + rules + taxonomy) and the run updating them."""

    version: str
    label: str = Field(description='e.g. "model centric-sentiment-2+… · rules-2 · taxonomy 0a1b2c"')
    total: int
    current: int = Field(description="items enriched with the current version")
    stale: int = Field(description="items not on it: older version, never enriched or failed")
    never: int
    failed: int
    run: ReenrichmentRunOut
    job_id: int | None = Field(description="the active (queued or running) re-enrichment job")
    job_status: str | None


class ProposalOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    label: str
    language: str
    terms: list[str]
    examples: list[str]
    size: int
    cohesion: float
    status: str
    theme_id: int | None
    created_at: UtcDatetime


class ProposalAction(BaseModel):
    """``accept`` (optional ``name``/``parent``), ``rename`` (``label``), ``merge`` (``theme_id``), ``reject``."""

    model_config = ConfigDict(extra="forbid")

    action: Literal["accept", "rename", "merge", "reject"]
    name: str | None = Field(default=None, min_length=1, max_length=80, pattern=r"^[^/]*[^/\s][^/]*$")
    parent: str | None = Field(default=None, max_length=200)
    label: str | None = Field(default=None, min_length=1, max_length=200)
    theme_id: int | None = Field(default=None, ge=1, le=2**63 - 1)


class InsightFilter(BaseModel):
    """Which items count: touchpoint and segment keys, and a date window (inclusive)."""

    touchpoint: str | None = None
    segment: str | None = None
    since: date | None = None
    until: date | None = None


class Impact(BaseModel):
    impact: float | None
    low: float | None
    high: float | None
    nps_theme: float | None
    nps_without: float | None
    n_theme: int
    n: int


class MonthCount(BaseModel):
    month: str
    count: int


class ThemeInsight(BaseModel):
    id: int
    path: str
    label: str
    volume: int
    share: float
    sentiment: float | None
    negative: int
    neutral: int
    positive: int
    impact: Impact | None
    trend: list[MonthCount]


class EmergingOut(BaseModel):
    path: str
    current: int
    previous: int
    current_share: float
    previous_share: float
    growth: float | None
    z: float
    q_value: float
    emerging: bool


class InsightOut(BaseModel):
    items: int
    nps_responses: int
    themes: list[ThemeInsight]
    emerging: list[EmergingOut]
    period_days: int
    method: str


class ThemeDriver(BaseModel):
    name: str
    importance: float
    low: float | None
    high: float | None
    p_value: float | None
    mentioned: float


class ThemeDriversOut(BaseModel):
    n: int
    r_squared: float | None
    drivers: list[ThemeDriver]
    method: str


class VerbatimQuery(BaseModel):
    """Search and filters of the verbatim explorer."""

    q: str | None = Field(default=None, max_length=200)
    theme: str | None = Field(default=None, max_length=200)
    sentiment: Sentiment | None = None
    touchpoint: str | None = Field(default=None, max_length=80)
    segment: str | None = Field(default=None, max_length=80)
    language: Literal["en", "zh", "und"] | None = None
    min_score: float | None = Field(default=None, ge=-1000, le=1000, allow_inf_nan=False)
    max_score: float | None = Field(default=None, ge=-1000, le=1000, allow_inf_nan=False)
    since: date | None = None
    until: date | None = None


class VerbatimTheme(BaseModel):
    path: str
    sentiment: float | None


class VerbatimOut(BaseModel):
    id: int
    text: str
    highlighted: str = Field(description="HTML: the text escaped, matches wrapped in <mark>")
    customer_id: int | None
    customer_name: str | None = None
    touchpoint: str | None
    channel: str
    rating: float | None
    language: str | None
    sentiment: float | None
    sentiment_label: str | None
    actionable: bool | None
    themes: list[VerbatimTheme]
    occurred_at: UtcDatetime
    error: str | None = None
    text_version: str | None = None
    model: str | None = Field(default=None, description="text models and rules of the enrichment, for display")

