"""What a client sends to create or change a target (the answers are in :mod:`centric.governance.schemas`)."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

MAX_ID = 2**63 - 1


class TargetIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    metric: str = Field(max_length=30)
    scope_kind: str = Field("company", max_length=20)
    scope_ref: str = Field("", max_length=200)
    cadence: str = Field("quarter", max_length=10)
    threshold: float = Field(allow_inf_nan=False)
    direction: str | None = Field(None, max_length=10)  # default: the metric's (churn: at_most)
    min_n: int = Field(30, ge=1, le=1_000_000)
    owner_user_id: int | None = Field(None, ge=1, le=MAX_ID)
    owner_team_id: int | None = Field(None, ge=1, le=MAX_ID)
    valid_from: date | None = None  # default: the start of the current period
    valid_until: date | None = None
    notes: str = Field("", max_length=5000)


class TargetPatch(BaseModel):
    """Only the fields sent change. Owners who may not set targets may send only ``notes``."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, min_length=1, max_length=200)
    metric: str | None = Field(None, max_length=30)
    scope_kind: str | None = Field(None, max_length=20)
    scope_ref: str | None = Field(None, max_length=200)
    cadence: str | None = Field(None, max_length=10)
    threshold: float | None = Field(None, allow_inf_nan=False)
    direction: str | None = Field(None, max_length=10)
    min_n: int | None = Field(None, ge=1, le=1_000_000)
    owner_user_id: int | None = Field(None, ge=1, le=MAX_ID)
    owner_team_id: int | None = Field(None, ge=1, le=MAX_ID)
    valid_from: date | None = None
    valid_until: date | None = None
    notes: str | None = Field(None, max_length=5000)
    active: bool | None = None
