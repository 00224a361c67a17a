"""Pydantic schemas for webhook subscriptions and deliveries."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from centric.db import UtcDatetime

EVENT_FAMILIES = ("response", "feedback", "case", "invitation", "alert", "idea", "chat", "ping")


def check_event_pattern(pattern: str) -> str:
    """``family.action`` or ``family.*``; families are those Centric emits."""
    family, _, action = pattern.partition(".")
    if pattern == "*" or (family in EVENT_FAMILIES and action and (action == "*" or action.replace("_", "").isalnum())):
        return pattern
    raise ValueError(f"unknown event {pattern!r}: use e.g. response.created, feedback.created or case.*")


class SubscriptionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str = Field(min_length=8, max_length=2000, examples=["https://hooks.example.com/centric"])
    events: list[str] = Field(min_length=1, max_length=30, examples=[["response.created", "case.*"]])
    description: str = Field(default="", max_length=300)

    @field_validator("url")
    @classmethod
    def _http(cls, url: str) -> str:
        url = url.strip()
        if not url.startswith(("http://", "https://")) or any(c.isspace() for c in url):
            raise ValueError("the URL must start with http:// or https://")
        return url

    @field_validator("events")
    @classmethod
    def _events(cls, events: list[str]) -> list[str]:
        return list(dict.fromkeys(check_event_pattern(e.strip()) for e in events))


class SubscriptionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    url: str
    events: list[str]
    description: str
    active: bool
    created_at: UtcDatetime


class SubscriptionCreated(SubscriptionOut):
    secret: str = Field(description="signs every delivery; shown only now")


class DeliveryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    subscription_id: int
    event: str
    event_id: str
    payload: dict[str, Any]
    status: str
    attempts: int
    response_code: int | None
    last_error: str | None
    created_at: UtcDatetime
    delivered_at: UtcDatetime | None
