"""Pydantic shapes of alert rules, their matches and retroactive runs."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from centric.db import DatetimeIn, UtcDatetime

DETRACTOR_EXAMPLE = {"all": [{"field": "nps", "op": "lte", "value": 6}]}


class NotifyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    user_ids: list[int] = Field(default_factory=list, max_length=50)
    emails: list[str] = Field(default_factory=list, max_length=50)
    webhook: bool = False


class ActionsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    open_case: bool = True
    notify: NotifyIn = Field(default_factory=NotifyIn)


class FollowupIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    recovery_survey: str | None = Field(default=None, max_length=80, description="survey key sent on resolution")
    resurvey_days: int | None = Field(default=None, ge=1, le=365, description="re-ask the original question after")


class RuleIn(BaseModel):
    """A new alert rule; the condition is checked by :func:`centric.loop.rules.validate`."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=2000)
    applies_to: Literal["response", "feedback"] = "response"
    condition: dict[str, Any] = Field(examples=[DETRACTOR_EXAMPLE])
    severity: int = Field(default=2, ge=1, le=4, description="1 low … 4 critical")
    dedupe_hours: int = Field(default=72, ge=0, le=24 * 365, description="one open case per customer within")
    team_id: int | None = Field(default=None, ge=1)
    actions: ActionsIn = Field(default_factory=ActionsIn)
    followup: FollowupIn = Field(default_factory=FollowupIn)
    active: bool = True


class RulePatch(BaseModel):
    """Changes to a rule; fields left out stay as they are."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=2000)
    applies_to: Literal["response", "feedback"] | None = None
    condition: dict[str, Any] | None = None
    severity: int | None = Field(default=None, ge=1, le=4)
    dedupe_hours: int | None = Field(default=None, ge=0, le=24 * 365)
    team_id: int | None = Field(default=None, ge=1)
    actions: ActionsIn | None = None
    followup: FollowupIn | None = None
    active: bool | None = None


class RuleOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    description: str
    applies_to: str
    condition: dict[str, Any]
    severity: int
    dedupe_hours: int
    team_id: int | None
    actions: dict[str, Any]
    followup: dict[str, Any]
    active: bool
    version: int
    created_at: UtcDatetime
    updated_at: UtcDatetime
    matches: int = 0
    cases: int = 0


class MatchOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    rule_id: int
    source: str
    source_id: int
    customer_id: int | None
    case_id: int | None
    outcome: str
    retroactive: bool
    matched_at: UtcDatetime


class RangeIn(BaseModel):
    """A period of stored responses (by submission time) or feedback (by occurrence time)."""

    model_config = ConfigDict(extra="forbid")

    since: DatetimeIn
    until: DatetimeIn | None = None


class PreviewOut(BaseModel):
    """What applying the rule to the range would do; nothing is written."""

    rule_id: int
    since: UtcDatetime
    until: UtcDatetime
    scanned: int = Field(description="sources in the range")
    matching: int = Field(description="sources the condition matches")
    already_matched: int = Field(description="matched before: applying skips them")
    new_cases: int
    deduplicated: int = Field(description="would join a case open for the same customer and rule")
    notified: int = Field(description="matches of a rule that opens no case")


class ApplyOut(BaseModel):
    rule_id: int
    job_id: int
    since: UtcDatetime
    until: UtcDatetime
