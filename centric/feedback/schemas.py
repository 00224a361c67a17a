"""Pydantic schemas for unstructured feedback items."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field

from centric.customers.schemas import CustomerIn
from centric.db import DatetimeIn, UtcDatetime
from centric.text.versions import describe_version

Channel = Literal["survey", "ticket", "chat", "review", "social", "call", "email", "other"]


class FeedbackIn(BaseModel):
    """Customer text from a helpdesk, chat tool, review site, social network or call notes."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=20_000)
    channel: Channel = "other"
    source: str = Field(default="api", min_length=1, max_length=60)
    external_id: str | None = Field(default=None, max_length=200)
    customer: CustomerIn | None = None
    touchpoint: str | None = Field(default=None, description="touchpoint key")
    rating: float | None = Field(default=None, allow_inf_nan=False)
    occurred_at: DatetimeIn | None = None


class FeedbackOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    source: str
    channel: str
    external_id: str | None
    customer_id: int | None
    touchpoint_id: int | None
    text: str
    rating: float | None
    language: str | None
    sentiment: float | None
    sentiment_label: str | None
    text_version: str | None = Field(default=None, description="models, rules and taxonomy of the last enrichment")
    occurred_at: UtcDatetime
    created: bool = True

    @computed_field(description='the text version as shown on staff pages, e.g. "model … · rules-2 · taxonomy 0a1b2c"')
    def model(self) -> str | None:
        return describe_version(self.text_version)
