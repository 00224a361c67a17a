"""Pydantic schemas for invitations, reminders, trigger and contact rules, skips."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from centric.customers.schemas import CustomerIn, SegmentCondition
from centric.db import UtcDatetime

Channel = Literal["email", "sms", "whatsapp", "link"]
Key = Field(min_length=1, max_length=80)


class InvitationIn(BaseModel):
    """Invite one customer (by id, or by identities resolved like any ingest) to a survey."""

    model_config = ConfigDict(extra="forbid")

    survey: str = Key
    customer_id: int | None = Field(default=None, ge=1, le=2**63 - 1)
    customer: CustomerIn | None = None
    channel: Channel = "email"
    delay_minutes: int = Field(default=0, ge=0, le=60 * 24 * 365)

    @model_validator(mode="after")
    def _one_customer(self) -> InvitationIn:
        if (self.customer_id is None) == (self.customer is None):
            raise ValueError("give either customer_id or customer")
        return self


class SkipOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    at: UtcDatetime
    survey: str
    customer_id: int
    channel: str
    rule_id: int | None
    rule: str | None
    reason: str
    source: str


class InvitationOut(BaseModel):
    id: int
    survey: str
    customer_id: int
    channel: str
    status: str
    address: str | None
    source: str
    send_at: UtcDatetime
    sent_at: UtcDatetime | None
    answered_at: UtcDatetime | None
    attempts: int
    last_error: str | None
    reminders_sent: int


class InviteResult(BaseModel):
    """Either the invitation made, or the record of why it was skipped."""

    invited: bool
    invitation: InvitationOut | None = None
    skip: SkipOut | None = None


class ReminderIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    survey: str = Key
    after_days: float = Field(default=3, ge=0, le=365)
    max_reminders: int = Field(default=1, ge=1, le=5)


class ReminderResult(BaseModel):
    scheduled: int
    invitation_ids: list[int]


class ContactRuleIn(BaseModel):
    """"VIP accounts at most once per 60 days": conditions [tier eq vip], max 1, window 60."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    survey: str | None = Field(default=None, max_length=80, description="omit for a global rule")
    conditions: list[SegmentCondition] = Field(default_factory=list, max_length=20)
    max_contacts: int = Field(ge=0, le=1000)
    window_days: int = Field(ge=1, le=3650)


class ContactRuleOut(BaseModel):
    id: int
    name: str
    survey: str | None
    conditions: list[dict]
    max_contacts: int
    window_days: int
    active: bool
    created_at: UtcDatetime


class TriggerIn(BaseModel):
    """Invite to ``survey`` ``delay_minutes`` after an event of ``event_kind`` (at ``touchpoint``)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    event_kind: str = Field(min_length=1, max_length=40, pattern=r"^[a-z0-9][a-z0-9_.-]*$",
                            examples=["ticket_solved", "chat_ended", "order_delivered"])
    touchpoint: str | None = Field(default=None, max_length=80)
    survey: str = Key
    channel: Channel = "email"
    delay_minutes: int = Field(default=0, ge=0, le=60 * 24 * 90)
    max_event_age_hours: int = Field(default=168, ge=1, le=24 * 3650,
                                     description="older events (e.g. imported history) invite nobody")


class TriggerOut(BaseModel):
    id: int
    name: str
    event_kind: str
    touchpoint: str | None
    survey: str
    channel: str
    delay_minutes: int
    max_event_age_hours: int
    active: bool
    created_at: UtcDatetime


class UnsubscribeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    customer_id: int = Field(ge=1, le=2**63 - 1)
    channel: Literal["email", "sms", "whatsapp", "all"] = "email"
    reason: str = Field(default="unsubscribed", max_length=200)


class SuppressionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    customer_id: int
    channel: str
    reason: str
    created_at: UtcDatetime
