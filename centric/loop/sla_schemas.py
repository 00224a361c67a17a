"""Pydantic shapes of SLA policies, business calendars and a case's SLA clocks."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from centric.db import UtcDatetime

Stage = Literal["at_risk", "breached"]
Target = Literal["first_contact", "next_response", "resolution"]
Action = Literal["notify_owner", "notify_lead", "notify_manager", "reassign"]
Minutes = Field(default=None, ge=1, le=10_000_000)


class CalendarIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=120)
    timezone: str = Field(default="UTC", max_length=60)
    periods: dict[str, list[tuple[str, str]]] = Field(
        description='local working periods per weekday, e.g. {"mon": [["09:00", "12:30"], ["13:30", "17:00"]]}')
    holiday_country: str | None = Field(default=None, max_length=8)
    holiday_subdivision: str | None = Field(default=None, max_length=16)
    extra_holidays: list[str] = Field(default_factory=list, max_length=5000, description="ISO dates")


class CalendarPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=120)
    timezone: str | None = Field(default=None, max_length=60)
    periods: dict[str, list[tuple[str, str]]] | None = None
    holiday_country: str | None = Field(default=None, max_length=8)
    holiday_subdivision: str | None = Field(default=None, max_length=16)
    extra_holidays: list[str] | None = Field(default=None, max_length=5000)


class CalendarOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    timezone: str
    periods: dict[str, Any]
    holiday_country: str | None
    holiday_subdivision: str | None
    extra_holidays: list[str]


class EscalationStep(BaseModel):
    model_config = ConfigDict(extra="forbid")

    when: Stage
    target: Target
    action: Action
    to_user_id: int | None = Field(default=None, ge=1)
    to_team_id: int | None = Field(default=None, ge=1)


class PolicyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=120)
    position: int = Field(default=0, ge=0, le=1_000_000)
    conditions: dict[str, Any] = Field(default_factory=dict,
                                       description='{"all"|"any": [{"field", "op", "value"}, …]}; {} matches all')
    calendar_id: int | None = Field(default=None, ge=1)
    first_contact_minutes: int | None = Minutes
    next_response_minutes: int | None = Minutes
    resolution_minutes: int | None = Minutes
    at_risk_ratio: float = Field(default=0.8, gt=0, lt=1)
    escalation: list[EscalationStep] = Field(default_factory=list, max_length=50)
    active: bool = True


class PolicyPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=120)
    position: int | None = Field(default=None, ge=0, le=1_000_000)
    conditions: dict[str, Any] | None = None
    calendar_id: int | None = Field(default=None, ge=1)
    first_contact_minutes: int | None = Minutes
    next_response_minutes: int | None = Minutes
    resolution_minutes: int | None = Minutes
    at_risk_ratio: float | None = Field(default=None, gt=0, lt=1)
    escalation: list[EscalationStep] | None = Field(default=None, max_length=50)
    active: bool | None = None


class PolicyOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    position: int
    conditions: dict[str, Any]
    calendar_id: int | None
    first_contact_minutes: int | None
    next_response_minutes: int | None
    resolution_minutes: int | None
    at_risk_ratio: float
    escalation: list[dict[str, Any]]
    active: bool
    version: int


class TargetClock(BaseModel):
    """One SLA target of a case: when it is due, how many business minutes are left, whether it was met."""

    target: Target
    started_at: UtcDatetime
    due_at: UtcDatetime
    at_risk_at: UtcDatetime
    met_at: UtcDatetime | None
    minutes_left: int  # business minutes; negative once overdue
    state: Literal["ok", "at_risk", "breached", "met"]


class EscalationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    target: str
    stage: str
    step: int
    action: str
    due_at: UtcDatetime
    fired_at: UtcDatetime
    detail: dict[str, Any]


class CaseSlaOut(BaseModel):
    case_id: int
    status: str
    policy_id: int | None
    policy_name: str | None
    sla_state: str
    paused_since: UtcDatetime | None
    paused_minutes: int
    clocks: list[TargetClock]
    escalations: list[EscalationOut]

