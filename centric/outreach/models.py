"""Tables for sending invitations: delivery state, unsubscribes, trigger and contact rules, skips."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from centric.db import Base, JSONType, utcnow

CHANNELS = ("email", "sms", "whatsapp", "link", "all")


class InvitationDelivery(Base):
    """How an invitation travels: scheduled → sent (or skipped/failed), and its reminders."""

    __tablename__ = "invitation_delivery"

    invitation_id: Mapped[int] = mapped_column(ForeignKey("invitation.id", ondelete="CASCADE"), primary_key=True)
    status: Mapped[str] = mapped_column(String(12), default="scheduled", index=True)
    address: Mapped[str | None] = mapped_column(String(320))
    source: Mapped[str] = mapped_column(String(120), default="manual", index=True)
    send_at: Mapped[datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    reminders_sent: Mapped[int] = mapped_column(default=0)
    last_reminded_at: Mapped[datetime | None]


class Suppression(Base):
    """A customer who asked not to be contacted on a channel (``all``: on any channel)."""

    __tablename__ = "suppression"
    __table_args__ = (UniqueConstraint("customer_id", "channel"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    channel: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(String(200), default="unsubscribed")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ContactRule(Base):
    """At most ``max_contacts`` invitations per ``window_days`` for the customers it matches.

    Global (no survey) or per survey; ``conditions`` are attribute conditions as in
    segments (``[{"attribute": "tier", "op": "eq", "value": "vip"}]``; empty: everyone).
    Invitations on every channel count.
    """

    __tablename__ = "contact_rule"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    survey_id: Mapped[int | None] = mapped_column(ForeignKey("survey.id"), index=True)
    conditions: Mapped[list] = mapped_column(JSONType, default=list)
    max_contacts: Mapped[int]
    window_days: Mapped[int]
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class TriggerRule(Base):
    """When an event of ``event_kind`` (at ``touchpoint_id``, if set) arrives, invite after ``delay_minutes``."""

    __tablename__ = "trigger_rule"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    event_kind: Mapped[str] = mapped_column(String(40), index=True)
    touchpoint_id: Mapped[int | None] = mapped_column(ForeignKey("touchpoint.id"))
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id"))
    channel: Mapped[str] = mapped_column(String(20), default="email")
    delay_minutes: Mapped[int] = mapped_column(default=0)
    max_event_age_hours: Mapped[int] = mapped_column(default=168)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ContactSkip(Base):
    """An invitation that was not made, and why (the contact rule, an unsubscribe, no address…)."""

    __tablename__ = "contact_skip"
    __table_args__ = (Index("ix_contact_skip_customer_time", "customer_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"))
    channel: Mapped[str] = mapped_column(String(20))
    rule_id: Mapped[int | None] = mapped_column(ForeignKey("contact_rule.id"))
    reason: Mapped[str] = mapped_column(String(300))
    source: Mapped[str] = mapped_column(String(120), default="manual", index=True)
    detail: Mapped[dict] = mapped_column(JSONType, default=dict)
