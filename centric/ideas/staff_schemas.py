"""Schemas of the staff side of the ideas portal: boards, statuses, merges, links, demand, moderation."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from centric.db import UtcDatetime
from centric.ideas.schemas import IdeaOut, Moderation

LinkKind = Literal["initiative", "theme", "feedback", "case"]
SourceKind = Literal["feedback", "theme", "case"]
StaffStatus = Literal["open", "under_review", "planned", "in_progress", "done", "declined"]
IdeaSort = Literal["top", "new", "trending", "revenue"]
Resolution = Literal["kept", "hidden"]
KEY_PATTERN = r"^[a-z0-9][a-z0-9-]{0,59}$"


class BoardIn(BaseModel):
    key: str = Field(pattern=KEY_PATTERN, description="lower-case letters, digits and dashes; used in the URL")
    names: dict[str, str] = Field(description='the name per portal language, e.g. {"en": "Stays", "zh": "住宿"}')
    descriptions: dict[str, str] = Field(default_factory=dict)
    vote_budget: int | None = Field(default=None, ge=1, le=1000,
                                    description="open ideas a customer may support at once; null for no limit")
    position: int = Field(default=0, ge=0, le=10_000)
    active: bool = True


class BoardPatch(BaseModel):
    """Fields to change; a null or absent field is kept (``clear_budget`` removes the vote budget)."""

    names: dict[str, str] | None = None
    descriptions: dict[str, str] | None = None
    vote_budget: int | None = Field(default=None, ge=1, le=1000)
    clear_budget: bool = False
    position: int | None = Field(default=None, ge=0, le=10_000)
    active: bool | None = None


class SegmentCount(BaseModel):
    key: str
    name: str
    voters: int


class DemandOut(BaseModel):
    """Raw and value-weighted demand of one idea (see ``centric.ideas.demand`` for the definitions)."""

    votes: int = Field(description="active (not superseded) votes")
    scored_voters: int = Field(description="voters with a CLV score")
    clv_sum: float = Field(description="sum of the voters' customer lifetime value")
    churn_risk_mean: float | None = Field(description="mean churn risk of the scored voters (0-1)")
    high_risk_share: float | None = Field(description="share of scored voters in the high churn-risk band")
    revenue_at_stake: float = Field(description="sum over voters of CLV × churn risk")
    segments: list[SegmentCount] = Field(description="the voters' most common segments, with counts")
    rank_votes: int = Field(description="rank by raw votes among the ideas listed (1 = most)")
    rank_revenue: int = Field(description="rank by revenue at stake among the ideas listed (1 = most)")


class StaffIdeaOut(IdeaOut):
    demand: DemandOut


class StatusChangeOut(BaseModel):
    id: int
    idea_id: int
    from_status: str
    to_status: str
    note: str
    user_id: int | None
    created_at: UtcDatetime


class MergeOut(BaseModel):
    id: int
    duplicate_id: int
    original_id: int
    previous_status: str
    moved_votes: int
    superseded_votes: int
    moved_comments: int
    merged_by: int | None
    merged_at: UtcDatetime
    undone_by: int | None
    undone_at: UtcDatetime | None


class LinkOut(BaseModel):
    id: int
    idea_id: int
    kind: str
    ref: str
    label: str = Field(description="what the link points at, in words")
    url: str = Field(description="the staff page of the linked object, when there is one")
    created_at: UtcDatetime


class IdeaDetailOut(StaffIdeaOut):
    history: list[StatusChangeOut]
    merges: list[MergeOut] = Field(description="merges into this idea and of this idea, newest first")
    links: list[LinkOut]
    official_answer: str | None


class IdeaCreate(BaseModel):
    """A staff-written idea; optionally on behalf of a customer named by e-mail or external id."""

    board: str = Field(max_length=60)
    title: str = Field(min_length=1, max_length=200)
    body: str = Field(default="", max_length=20_000)
    language: str = Field(default="en", pattern=r"^[a-z]{2}(-[A-Za-z]{2,4})?$")
    author_name: str = Field(default="", max_length=80)
    customer_email: str | None = Field(default=None, max_length=320)
    customer_external_id: str | None = Field(default=None, max_length=200)


class IdeaPatch(BaseModel):
    """Fields to change; null or absent fields are kept. Title and body edits are audited."""

    title: str | None = Field(default=None, min_length=1, max_length=200)
    body: str | None = Field(default=None, max_length=20_000)
    moderation: Moderation | None = None
    locked: bool | None = None


class StatusIn(BaseModel):
    status: StaffStatus = Field(description="'duplicate' is set only by a merge")
    note: str = Field(default="", max_length=5000, description="public note shown on the idea and in the e-mail")


class MergeIn(BaseModel):
    original_id: int = Field(ge=1, le=2**63 - 1, description="the idea the duplicate is merged into")


class CommentIn(BaseModel):
    body: str = Field(min_length=1, max_length=10_000)
    official: bool = Field(default=False, description="pin as the official answer (replaces a previous one)")
    parent_id: int | None = Field(default=None, ge=1, le=2**63 - 1)


class CommentOut(BaseModel):
    id: int
    idea_id: int
    origin_idea_id: int
    parent_id: int | None
    customer_id: int | None
    user_id: int | None
    author_name: str
    body: str
    official: bool
    moderation: Moderation
    created_at: UtcDatetime
    edited_at: UtcDatetime | None


class VoterOut(BaseModel):
    vote_id: int
    customer_id: int | None
    name: str
    clv: float | None
    churn_risk: float | None
    risk_band: str | None
    segments: list[str]
    origin_idea_id: int
    superseded: bool
    created_at: UtcDatetime


class LinkIn(BaseModel):
    kind: LinkKind
    ref: str = Field(min_length=1, max_length=120,
                     description="initiative id, theme name, feedback id or case id")


class CreateFromIn(BaseModel):
    kind: SourceKind
    ref: str = Field(min_length=1, max_length=120)
    board: str = Field(max_length=60)
    title: str = Field(default="", max_length=200, description="empty: taken from the source")
    body: str = Field(default="", max_length=20_000, description="empty: taken from the source")


class ReportOut(BaseModel):
    id: int
    idea_id: int
    idea_title: str
    comment_id: int | None
    reason: str
    text: str
    created_at: UtcDatetime
    resolved_at: UtcDatetime | None
    resolution: str


class ResolveIn(BaseModel):
    resolution: Resolution = Field(description="kept: nothing wrong; hidden: hide the reported idea or comment")
