"""What the staff directory, the pulses and the EX reports take and give (API contract).

No schema here carries an employee next to an answer: reports hold group aggregates only.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

PulseKind = Literal["enps", "engagement", "enablement", "mirror", "custom"]
Cadence = Literal["once", "monthly", "quarterly"]
EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
Scale = Literal["enps", "agree5", "guess_nps", "guess_csat", "guess_ces", "text"]


class EmployeeIn(BaseModel):
    """A member of staff; ``team`` and ``touchpoints`` are names/keys, created or looked up."""

    model_config = ConfigDict(extra="forbid")

    external_id: str | None = Field(default=None, min_length=1, max_length=200)
    email: str | None = Field(default=None, max_length=320, pattern=EMAIL)
    name: str = Field(default="", max_length=200)
    team: str | None = Field(default=None, max_length=120)
    location: str = Field(default="", max_length=120)
    job_title: str = Field(default="", max_length=200)
    touchpoints: list[str] = Field(default_factory=list, max_length=200)
    active: bool = True

    @field_validator("external_id", "team", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("email", mode="before")
    @classmethod
    def _blank_email(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("name", "location", "job_title", mode="after")
    @classmethod
    def _strip(cls, value: str) -> str:
        return value.strip()


class EmployeeUpdate(BaseModel):
    """A partial change; fields left out stay as they are (``team: null`` removes the team)."""

    model_config = ConfigDict(extra="forbid")

    external_id: str | None = Field(default=None, min_length=1, max_length=200)
    email: str | None = Field(default=None, max_length=320, pattern=EMAIL)
    name: str | None = Field(default=None, max_length=200)
    team: str | None = Field(default=None, max_length=120)
    location: str | None = Field(default=None, max_length=120)
    job_title: str | None = Field(default=None, max_length=200)
    touchpoints: list[str] | None = Field(default=None, max_length=200)
    active: bool | None = None


class EmployeeOut(BaseModel):
    id: int
    external_id: str | None
    email: str | None
    name: str
    team: str | None
    location: str
    job_title: str
    touchpoints: list[str]
    active: bool


class ImportError_(BaseModel):
    line: int
    field: str | None
    message: str


class StaffImportReport(BaseModel):
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    errors: list[ImportError_] = Field(default_factory=list)


class PulseItem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: str = Field(min_length=1, max_length=80, pattern=r"^[a-z0-9][a-z0-9_:.-]*$")
    text: str = Field(min_length=1, max_length=500)
    scale: Scale
    optional: bool = False
    touchpoint_id: int | None = None


class PulseIn(BaseModel):
    """A new pulse: from a template (``kind``) unless ``items`` are given (kind ``custom``)."""

    model_config = ConfigDict(extra="forbid")

    key: str = Field(min_length=1, max_length=80, pattern=r"^[a-z0-9][a-z0-9_-]*$")
    name: str = Field(default="", max_length=200)
    kind: PulseKind = "enps"
    cadence: Cadence = "monthly"
    open_days: int = Field(default=14, ge=1, le=90)
    items: list[PulseItem] | None = Field(default=None, max_length=50)


class PulseOut(BaseModel):
    id: int
    key: str
    name: str
    kind: str
    cadence: str
    open_days: int
    active: bool
    items: list[PulseItem]


class WaveOut(BaseModel):
    """A wave: who was asked is a head count; answers are a count shown only from k upwards."""

    id: int
    pulse_id: int
    period_key: str
    opens_on: date
    closes_on: date
    open: bool
    invited: int
    answered: int | None = Field(description="null while fewer than k answered (it would point at people)")


class GroupFigure(BaseModel):
    """One published group: its figures; a hidden group has no figures at all."""

    dimension: Literal["company", "team", "location"]
    key: str
    label: str
    status: Literal["published", "hidden", "combined"]
    reason: str = ""
    n: int | None = None
    value: float | None = None
    low: float | None = None
    high: float | None = None
    agree: float | None = Field(default=None, description="% agreeing (4–5), agree5 items only")
    method: str = ""
    response_rate: float | None = None
    verbatims: list[str] = Field(default_factory=list)


class ExReport(BaseModel):
    """Aggregates of one item (or the eNPS of a pulse kind) over waves that opened in a period."""

    k: int
    kind: str | None
    item: str
    scale: str
    since: date
    until: date
    waves: int
    groups: list[GroupFigure]
    notes: list[str] = Field(default_factory=list)
