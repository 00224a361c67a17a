"""What the delivery gap and the EX↔CX linkage reports return (API, pages and CLI share them)."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel


class GapRow(BaseModel):
    """One scope's delivery gap; every number is ``None`` when its staff group may not be shown."""

    scope: str  # company | team | touchpoint
    key: str  # "company", the team's id, the touchpoint's key
    name: str
    metric: str  # nps | csat | ces
    shown: bool
    note: str = ""  # why it is hidden, or why there is no gap
    predicted: float | None = None
    actual: float | None = None
    gap: float | None = None
    low: float | None = None
    high: float | None = None
    n_staff: int | None = None
    n_customers: int | None = None
    overestimates: bool | None = None
    clearly_overestimates: bool | None = None


class GapHeadline(BaseModel):
    """Bain's 80/8 inside one company: how many shown team scores exceed what customers give."""

    groups: int
    over: int
    clearly_over: int
    share: float | None
    clearly_share: float | None
    text: str


class DeliveryGap(BaseModel):
    since: date
    until: date  # inclusive
    window: str  # where the dates come from
    k: int
    headline: GapHeadline
    company: list[GapRow]
    teams: list[GapRow]
    touchpoints: list[GapRow]
    method: str
    reference: str


class Figure(BaseModel):
    """A value with its 95% interval; ``None`` where undefined."""

    value: float | None
    low: float | None = None
    high: float | None = None
    n: int
    method: str = ""


class TeamLinkage(BaseModel):
    team_id: int
    team: str
    ex_shown: bool
    ex_note: str = ""
    enps: Figure | None = None
    engagement: Figure | None = None
    nps: Figure
    csat: Figure
    nps_previous: Figure
    cx_change: float | None = None  # NPS points (CSAT where the team has no NPS) this window minus the previous
    cx_trend: str | None = None  # rising | falling | flat
    recovery_rate: Figure
    sla_hit_rate: Figure
    contacted_48h: Figure
    quadrant: str | None = None
    flagged: bool = False


class CorrelationOut(BaseModel):
    x: str
    y: str
    n: int
    pearson: float | None = None
    pearson_low: float | None = None
    pearson_high: float | None = None
    spearman: float | None = None
    spearman_low: float | None = None
    spearman_high: float | None = None
    method: str = ""
    note: str = ""


class Quadrant(BaseModel):
    key: str
    label: str
    teams: list[str]


class Linkage(BaseModel):
    since: date
    until: date  # inclusive
    previous_since: date
    k: int
    company_enps: Figure | None
    teams: list[TeamLinkage]
    correlations: list[CorrelationOut]
    quadrants: list[Quadrant]
    churn: str
    caveat: str
