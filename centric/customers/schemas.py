"""Pydantic schemas for customers, identities, segments and the timeline."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from centric.db import UtcDatetime


class IdentityIn(BaseModel):
    kind: Literal["email", "phone", "external", "social", "device", "account"]
    value: str = Field(min_length=1, max_length=320)


class CustomerIn(BaseModel):
    """A customer as seen on some channel; identities let Centric recognise them."""

    model_config = ConfigDict(extra="forbid")

    external_id: str | None = Field(default=None, max_length=200)
    name: str = Field(default="", max_length=300)
    email: str | None = Field(default=None, max_length=320)
    phone: str | None = Field(default=None, max_length=64)
    social: str | None = Field(default=None, max_length=200, description="social handle")
    identities: list[IdentityIn] = Field(default_factory=list, max_length=50)
    attributes: dict[str, Any] = Field(default_factory=dict)


class IdentityOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    kind: str
    value: str


class CustomerOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    external_id: str | None
    name: str
    attributes: dict[str, Any]
    created_at: UtcDatetime
    identities: list[IdentityOut] = Field(default_factory=list)
    segments: list[str] = Field(default_factory=list)


class MergeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    survivor_id: int
    merged_id: int
    reason: str
    at: UtcDatetime
    undone_at: UtcDatetime | None


class MergeSuggestionOut(BaseModel):
    """Two profiles one record tied together, and the evidence: which identities, from where, when, by whom."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    customer_id: int = Field(description="the older profile, which survives if the suggestion is accepted")
    other_id: int
    status: Literal["pending", "accepted", "rejected"]
    identities: list[dict[str, Any]] = Field(description="the record's identities: kind, value and whose they were")
    source: str = Field(description="the record that named both profiles")
    user_id: int | None = Field(description="who sent that record")
    created_at: UtcDatetime
    decided_at: UtcDatetime | None
    decided_by_id: int | None
    merge_id: int | None = Field(description="the merge made when it was accepted")


class SegmentCondition(BaseModel):
    attribute: str = Field(min_length=1, max_length=80)
    op: Literal["eq", "ne", "in", "gte", "lte", "contains", "exists"] = "eq"
    value: Any = None


class SegmentIn(BaseModel):
    key: str = Field(min_length=1, max_length=80, pattern=r"^[a-z0-9][a-z0-9_-]*$")
    name: str = Field(min_length=1, max_length=200)
    kind: Literal["persona", "segment"] = "segment"
    description: str = Field(default="", max_length=4000)
    rule: list[SegmentCondition] = Field(default_factory=list)


class SegmentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    key: str
    name: str
    kind: str
    description: str
    rule: list[dict[str, Any]]
    members: int = 0


class TimelineItem(BaseModel):
    """One entry of a customer's unified timeline, from any channel."""

    at: UtcDatetime
    kind: str  # response | feedback | purchase | ticket | chat | …
    channel: str
    title: str
    text: str | None = None
    score: float | None = None
    value: float | None = None
    touchpoint: str | None = None
    sentiment: str | None = None
    model: str | None = Field(default=None, description="text models and rules of the enrichment (feedback)")
    ref: str
