"""Pydantic schemas for surveys and responses."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from centric.customers.schemas import CustomerIn
from centric.db import DatetimeIn, UtcDatetime
from centric.journeys.schemas import KEY_PATTERN

LINK_PATTERN = r"^https?://[^\s<>\"']+$"
ORIGIN_PATTERN = r"^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?$"
LANGUAGE_PATTERN = r"^[a-z]{2}(-[A-Za-z]{2,4})?$"


class SurveyOptions(BaseModel):
    """Respondent-page settings of a survey."""

    model_config = ConfigDict(extra="forbid")

    review_url: str | None = Field(default=None, max_length=500, pattern=LINK_PATTERN,
                                   description="promoters are invited to leave a review here")
    ideas_url: str | None = Field(default=None, max_length=500, pattern=LINK_PATTERN,
                                  description="passives and detractors are invited to share ideas here")
    frame_origins: list[Annotated[str, Field(max_length=200, pattern=ORIGIN_PATTERN)]] = Field(
        default_factory=list, max_length=20,
        description="sites allowed to embed the survey (widget), e.g. https://www.example.com")
    rate_limit_per_hour: int = Field(default=30, ge=1, le=1_000_000,
                                     description="submissions per address and survey per hour")
    intro: dict[str, str] = Field(default_factory=dict, description="text above the questions, per language")
    thanks: dict[str, str] = Field(default_factory=dict, description="thank-you text, per language")


class SurveyIn(BaseModel):
    key: str = Field(min_length=1, max_length=80, pattern=KEY_PATTERN)
    name: str = Field(min_length=1, max_length=200)
    kind: Literal["nps", "csat", "ces", "custom"] = "nps"
    touchpoint: str | None = Field(default=None, description="touchpoint key")
    languages: list[str] = Field(default_factory=lambda: ["en"])
    questions: list[dict[str, Any]] | None = Field(
        default=None, description="question schema; a template for the kind when omitted"
    )
    template: str | None = Field(default=None, description="start from a ready template (see /survey-templates)")
    status: Literal["draft", "active"] = Field(
        default="active", description="draft: nothing published until POST …/publish")
    options: SurveyOptions | None = None


class SurveyOut(BaseModel):
    id: int
    key: str
    name: str
    kind: str
    status: str
    touchpoint: str | None
    version: int
    questions: list[dict[str, Any]]
    responses: int = 0


class ResponseIn(BaseModel):
    """A survey response; answers are keyed by question key."""

    model_config = ConfigDict(extra="forbid")

    survey: str = Field(description="survey key")
    answers: dict[str, Any]
    customer: CustomerIn | None = None
    touchpoint: str | None = Field(default=None, description="overrides the survey's touchpoint")
    submitted_at: DatetimeIn | None = None
    locale: str = Field(default="en", max_length=10)
    channel: str = Field(default="link", max_length=20)
    external_id: str | None = Field(
        default=None, max_length=200, description="idempotency key for imports and retries"
    )


class ResponseOut(BaseModel):
    id: int
    survey: str
    version: int
    customer_id: int | None
    touchpoint_id: int | None
    submitted_at: UtcDatetime
    answers: dict[str, Any]
    created: bool = True


class SurveyDraftIn(BaseModel):
    """An edit of a survey's draft; published versions never change."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=200)
    touchpoint: str | None = Field(default=None, description="touchpoint key; empty string unlinks")
    languages: list[Annotated[str, Field(pattern=LANGUAGE_PATTERN)]] | None = Field(default=None, min_length=1)
    questions: list[dict[str, Any]] | None = Field(default=None, max_length=100)
    options: SurveyOptions | None = None


class SurveyStatusIn(BaseModel):
    status: Literal["active", "closed"]


class VersionOut(BaseModel):
    version: int
    published_at: UtcDatetime
    questions: list[dict[str, Any]]


class SurveyDetailOut(BaseModel):
    id: int
    key: str
    name: str
    kind: str
    status: str
    touchpoint: str | None
    languages: list[str]
    options: SurveyOptions
    draft: list[dict[str, Any]]
    unpublished_changes: bool
    version: int
    versions: list[VersionOut]
    responses: int
    completed: int


class TemplateOut(BaseModel):
    key: str
    name: str
    kind: str
    description: str
    questions: list[dict[str, Any]]


class LinkIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    customer_id: int | None = Field(default=None, description="omit for the anonymous public link")
    invitation_id: int | None = None
    ttl_days: int = Field(default=30, ge=1, le=365)
    score: int | None = Field(default=None, ge=0, le=10, description="a one-click answer link")


class LinkOut(BaseModel):
    url: str
