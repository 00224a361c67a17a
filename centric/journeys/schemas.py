"""Pydantic schemas for journeys, stages, touchpoints and events."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from centric.customers.schemas import CustomerIn
from centric.db import DatetimeIn, UtcDatetime

KEY_PATTERN = r"^[a-z0-9][a-z0-9_.-]*$"


class StageIn(BaseModel):
    key: str = Field(min_length=1, max_length=80, pattern=KEY_PATTERN)
    name: str = Field(min_length=1, max_length=200)


class JourneyIn(BaseModel):
    key: str = Field(min_length=1, max_length=80, pattern=KEY_PATTERN)
    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=4000)
    owner_team: str | None = None
    stages: list[StageIn] = Field(default_factory=list, max_length=50)


class TouchpointIn(BaseModel):
    key: str = Field(min_length=1, max_length=80, pattern=KEY_PATTERN)
    name: str = Field(min_length=1, max_length=200)
    journey: str = Field(description="journey key")
    stage: str = Field(description="stage key within the journey")
    channel: str = Field(default="web", max_length=40)
    owner_team: str | None = Field(default=None, description="team name")
    owner_email: str | None = Field(default=None, description="owning user's e-mail")


class TouchpointOut(BaseModel):
    id: int
    key: str
    name: str
    channel: str
    journey: str
    stage: str
    stage_position: int
    owner_team: str | None
    owner: str | None


class JourneyOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    key: str
    name: str
    description: str
    stages: list[dict[str, Any]] = Field(default_factory=list)


class EventIn(BaseModel):
    """Something a customer did or experienced on a channel."""

    model_config = ConfigDict(extra="forbid")

    customer: CustomerIn
    kind: str = Field(min_length=1, max_length=40, pattern=r"^[a-z][a-z0-9_.-]*$")
    occurred_at: DatetimeIn
    touchpoint: str | None = Field(default=None, description="touchpoint key")
    value: float | None = Field(default=None, allow_inf_nan=False)
    source: str = Field(default="api", max_length=60)
    external_id: str | None = Field(default=None, max_length=200)
    payload: dict[str, Any] = Field(default_factory=dict)


class EventOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    customer_id: int
    kind: str
    occurred_at: UtcDatetime
    value: float | None
    touchpoint_id: int | None
    created: bool = True


# --- journey analytics (funnels, paths, timing, drop-off) ------------------------------------

class FunnelStageOut(BaseModel):
    """Customers who reached a stage in order within the window, and how many of the previous stage got there."""

    step: int
    stage: str
    name: str
    customers: int
    conversion_from_previous: float | None = Field(description="customers / customers of the previous step")
    conversion_from_entry: float | None = Field(description="customers / customers of step 1")
    dropped: int = Field(description="customers of the previous step who did not reach this one")


class FunnelOut(BaseModel):
    journey_id: int
    journey: str
    conversion_window_days: int
    entrants: int = Field(description="customers who reached the first stage (step 1)")
    not_entered: int = Field(description="customers with events in the journey but none at its first stage")
    stages: list[FunnelStageOut]


class PathOut(BaseModel):
    """A path (stages in order of first reach) and funnel depth; ``other``: the rest of the entrants at that depth."""

    path: str | None
    stages: list[str]
    steps: int
    customers: int
    share: float = Field(description="customers / entrants")
    other: bool = False


class TransitionOut(BaseModel):
    """Time from step − 1 to step among customers who reached ``step``."""

    step: int
    from_stage: str
    to_stage: str
    customers: int
    median_s: float | None
    p90_s: float | None


class TimingOut(BaseModel):
    journey_id: int
    journey: str
    method: str
    transitions: list[TransitionOut]


class DropoffOut(BaseModel):
    """The funnel of one segment or entry channel: entrants, customers per step, where most were lost."""

    group: str
    name: str
    entrants: int
    reached: list[int]
    completion: float | None = Field(description="customers of the last step / entrants")
    largest_drop: str | None = Field(description="the stage the most customers of the previous step did not reach")
