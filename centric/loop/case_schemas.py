"""What the cases API takes and gives: cases, their trail, bulk actions, root causes, saved views."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from centric.db import DatetimeIn, UtcDatetime

Status = Literal["new", "open", "waiting", "resolved", "closed", "reopened"]
Priority = Literal["low", "normal", "high", "urgent"]
Recovered = Literal["yes", "no", "unknown"]
View = Literal["mine", "team", "unassigned", "at_risk", "breached", "all"]
Sort = Literal["newest", "oldest", "priority", "due", "updated"]
Channel = Literal["email", "phone", "chat", "sms", "in_person"]
Outcome = Literal["reached", "no_answer", "left_message", "sent", "replied"]
Id = Field(ge=1, le=2**63 - 1)


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CaseIn(_In):
    """A case opened by hand."""

    title: str = Field(min_length=1, max_length=300)
    customer_id: int | None = Field(default=None, ge=1)
    touchpoint_id: int | None = Field(default=None, ge=1)
    verbatim: str = Field(default="", max_length=20_000)
    severity: int = Field(default=2, ge=1, le=4)
    team_id: int | None = Field(default=None, ge=1)
    owner_id: int | None = Field(default=None, ge=1)
    source: Literal["manual", "chat"] = "manual"


class CasePatch(_In):
    """Fields to change; those left out stay as they are."""

    title: str | None = Field(default=None, min_length=1, max_length=300)
    status: Status | None = None
    priority: Priority | None = None
    action_taken: str | None = Field(default=None, max_length=20_000)
    recovered: Recovered | None = None
    root_cause: str | None = Field(default=None, max_length=200, description="root-cause code")


class NoteIn(_In):
    body: str = Field(min_length=1, max_length=20_000)


class ContactIn(_In):
    channel: Channel
    outcome: Outcome
    body: str = Field(default="", max_length=20_000)
    at: DatetimeIn | None = None


class WatcherIn(_In):
    user_id: int = Field(ge=1)
    remove: bool = False


class AssignIn(_In):
    owner_id: int | None = Field(default=None, ge=1)
    team_id: int | None = Field(default=None, ge=1)
    unassign: bool = Field(default=False, description="clear the owner")

    @model_validator(mode="after")
    def _something(self) -> AssignIn:
        if self.owner_id is None and self.team_id is None and not self.unassign:
            raise ValueError("give owner_id, team_id or unassign")
        return self


class CloseIn(_In):
    root_cause: str | None = Field(default=None, max_length=200, description="root-cause code; required")
    action_taken: str | None = Field(default=None, max_length=20_000)
    recovered: Recovered | None = None
    resolution: str = Field(default="", max_length=20_000)


class ReopenIn(_In):
    reason: str = Field(default="", max_length=20_000)


class MergeIn(_In):
    into: int = Field(ge=1, description="the case that stays")


class BulkIn(_In):
    ids: list[int] = Field(min_length=1, max_length=500)
    action: Literal["assign", "status", "close", "note"]
    owner_id: int | None = Field(default=None, ge=1)
    team_id: int | None = Field(default=None, ge=1)
    status: Status | None = None
    root_cause: str | None = Field(default=None, max_length=200)
    body: str | None = Field(default=None, max_length=20_000)


class BulkOut(BaseModel):
    action: str
    ids: list[int]


class CaseOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str
    source: str
    status: str
    priority: str
    priority_score: float
    severity: int
    customer_id: int | None
    customer_name: str | None = None
    rule_id: int | None
    touchpoint_id: int | None
    metric: str | None
    score: float | None
    verbatim: str
    owner_id: int | None
    owner_name: str | None = None
    team_id: int | None
    team_name: str | None = None
    root_cause: str | None = None
    action_taken: str
    recovered: str
    auto_closed: bool
    merged_into_id: int | None
    sla_state: str
    first_contact_due_at: UtcDatetime | None
    resolution_due_at: UtcDatetime | None
    first_contact_at: UtcDatetime | None
    created_at: UtcDatetime
    updated_at: UtcDatetime
    resolved_at: UtcDatetime | None
    closed_at: UtcDatetime | None


class ActivityOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    case_id: int
    at: UtcDatetime
    user_id: int | None
    user_name: str | None = None
    kind: str
    channel: str | None
    outcome: str | None
    body: str
    detail: dict[str, Any]


class TriggerOut(BaseModel):
    """What opened the case: the response or feedback item, in short."""

    kind: str
    id: int
    at: UtcDatetime | None = None
    survey: str | None = None
    channel: str | None = None
    text: str | None = None
    answers: dict[str, Any] = Field(default_factory=dict)


class CustomerValueOut(BaseModel):
    clv: float
    clv_band: str
    churn_risk: float
    risk_band: str


class CaseDetailOut(CaseOut):
    priority_reason: dict[str, Any]
    activity: list[ActivityOut]
    watchers: list[int]
    merged_cases: list[int]
    trigger: TriggerOut | None
    customer_value: CustomerValueOut | None
    segments: list[str]
    previous_cases: list[CaseOut]


class RootCauseIn(_In):
    code: str = Field(min_length=1, max_length=200, pattern=r"^[a-z0-9][a-z0-9_\-]*(/[a-z0-9][a-z0-9_\-]*)*$")
    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=5000)
    theme_id: int | None = Field(default=None, ge=1)
    position: int = Field(default=0, ge=0, le=100_000)


class RootCausePatch(_In):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=5000)
    theme_id: int | None = Field(default=None, ge=1)
    position: int | None = Field(default=None, ge=0, le=100_000)
    active: bool | None = None


class RootCauseOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    name: str
    parent_id: int | None
    theme_id: int | None
    description: str
    active: bool
    position: int


class CaseFilters(_In):
    """An inbox filter, as saved in a view and as the list endpoint takes it."""

    view: View = "all"
    status: Status | Literal["active"] | None = None
    priority: Priority | None = None
    owner_id: int | None = Field(default=None, ge=1)
    team_id: int | None = Field(default=None, ge=1)
    rule_id: int | None = Field(default=None, ge=1)
    customer_id: int | None = Field(default=None, ge=1)
    q: str | None = Field(default=None, max_length=200)
    sort: Sort = "newest"


class SavedViewIn(_In):
    name: str = Field(min_length=1, max_length=120)
    filters: CaseFilters


class SavedViewOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    filters: dict[str, Any]
    created_at: UtcDatetime


class WorkloadRow(BaseModel):
    id: int | None
    name: str
    open: int
    at_risk: int
    breached: int


class WorkloadOut(BaseModel):
    by_owner: list[WorkloadRow]
    by_team: list[WorkloadRow]
