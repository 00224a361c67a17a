"""Schemas of the loop back: status notices, re-surveys and "did shipping it help?"."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from centric.db import UtcDatetime
from centric.ideas.schemas import IdeaOut


class StatusChangedOut(IdeaOut):
    """The body of the ``idea.status_changed`` webhook: the idea now, and the change."""

    change_id: int
    from_status: str = Field(serialization_alias="from")
    to_status: str = Field(serialization_alias="to")
    note: str
    changed_at: UtcDatetime


class NoticeOut(BaseModel):
    """One e-mail about one status change to one voter or commenter (customer data: customers:read)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    change_id: int
    customer_id: int | None
    state: str = Field(description="pending (being sent) | sent | skipped | failed")
    reason: str = Field(description="for skipped: unsubscribed, no_email, frequency; for failed: the error")
    created_at: UtcDatetime


class ChangeNotices(BaseModel):
    """What one status change sent: how many notices went out, were skipped (by reason) or failed."""

    change_id: int
    from_status: str
    to_status: str
    note: str
    changed_at: UtcDatetime
    sent: int = 0
    pending: int = 0
    failed: int = 0
    skipped: dict[str, int] = Field(default_factory=dict)


class ResurveyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    survey: str = Field(min_length=1, max_length=80, description="the key of an active survey")


class ResurveyOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    idea_id: int
    survey_id: int
    survey: str = ""
    invited: int
    skipped: int
    created_by: int | None
    created_at: UtcDatetime


class PairedOut(BaseModel):
    """A group's answers before and after the done day, paired per customer."""

    n: int = Field(description="customers with an answer both before and after")
    mean_before: float | None
    mean_after: float | None
    change: float | None = Field(description="mean of (after − before) per customer")
    low: float | None
    high: float | None
    nps_before: float | None = None
    nps_after: float | None = None
    nps_change: float | None = None
    nps_low: float | None = None
    nps_high: float | None = None


class MetricEffect(BaseModel):
    metric: str
    voters: PairedOut
    others: PairedOut = Field(description="customers who did not vote, over the same windows (comparison)")
    difference: float | None = Field(description="voters' change minus the others' change (difference in differences)")
    difference_low: float | None
    difference_high: float | None
    small_n: bool = Field(description="fewer than 30 paired voters: read with care")


class EffectOut(BaseModel):
    """Did shipping it help? The change in voters' scores around the done day, beside non-voters'."""

    idea_id: int
    done_at: UtcDatetime | None
    window_days: int
    confidence: float
    voters: int
    metrics: list[MetricEffect]
    notes: list[str]
