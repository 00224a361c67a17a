"""Schemas of the digests (e-mail and in-app), the biggest moves and the CX council's overview."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel

from centric.db import UtcDatetime
from centric.governance.schemas import InitiativeOut, Scorecard
from centric.loop.kpi_schemas import RootCauseImpact

Frequency = Literal["weekly", "daily", "off"]


class Move(BaseModel):
    """One metric on one touchpoint: this period against the equally long period before it."""

    metric: str  # nps | csat | ces
    touchpoint: str  # the touchpoint's name, or "All touchpoints" for the company
    current: float | None
    previous: float | None
    difference: float | None  # current − previous, in the metric's units (NPS points, CSAT pp, CES points)
    low: float | None  # 95% interval of the difference
    high: float | None
    p_value: float | None
    adjusted_p_value: float | None  # Holm-adjusted across every move tested together
    significant: bool  # adjusted p below alpha
    n_current: int
    n_previous: int
    method: str


class Moves(BaseModel):
    start: date  # the period [start, end)
    end: date
    previous_start: date  # the period before it, [previous_start, start)
    tested: int  # how many comparisons the adjustment covered
    alpha: float
    correction: str
    rows: list[Move]  # the biggest first
    method: str


class DigestCase(BaseModel):
    """A case in a digest: no customer name; the title only for roles that may read cases."""

    id: int
    title: str | None
    status: str
    priority: str
    sla_state: str
    created_at: UtcDatetime


class CaseList(BaseModel):
    total: int
    items: list[DigestCase]  # the newest first, at most a few


class Verbatim(BaseModel):
    """A customer's words, without the customer: the newest comment of one of the period's top themes."""

    feedback_id: int
    text: str
    theme: str | None  # None: no theme (filling up when fewer themes were mentioned)
    theme_mentions: int
    touchpoint: str | None
    channel: str
    occurred_at: UtcDatetime


class DigestOut(BaseModel):
    user_id: int
    user_name: str
    frequency: str  # the period's length: weekly (7 days) or daily (1 day)
    period_key: str  # 2026-W49 | 2026-12-02
    start: date  # [start, end)
    end: date
    scope: str  # whose touchpoints the moves and verbatims cover, in words
    scorecard: Scorecard
    new_cases: CaseList
    breached_cases: CaseList
    moves: Moves | None  # None: no touchpoint in scope
    verbatims: list[Verbatim]
    verbatims_note: str  # why there are none, when there are none
    generated_at: UtcDatetime


class SubscriptionIn(BaseModel):
    frequency: Frequency


class SubscriptionOut(BaseModel):
    user_id: int
    frequency: Frequency
    is_default: bool  # no choice stored: the default for the user's role and ownership
    default: Frequency
    weekday: int  # the weekly digest's day (0 Monday … 6 Sunday)


class TeamBreaches(BaseModel):
    team_id: int | None
    team: str  # "(no team)" for cases without one
    breached: int


class CouncilOut(BaseModel):
    """The CX council's one page: no customer is named anywhere on it."""

    generated_at: UtcDatetime
    scorecard: Scorecard
    moves: Moves
    breached_total: int
    breached_by_team: list[TeamBreaches]
    root_causes: list[RootCauseImpact]
    initiatives: list[InitiativeOut]
