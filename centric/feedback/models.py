"""Tables for unstructured feedback items and their themes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from centric.db import Base, JSONType, utcnow

FEEDBACK_CHANNELS = ("survey", "ticket", "chat", "review", "social", "call", "email", "other")


class Feedback(Base):
    """A piece of customer text from any channel; every open-text answer is one too."""

    __tablename__ = "feedback"
    __table_args__ = (
        UniqueConstraint("source", "external_id"),
        Index("ix_feedback_customer_time", "customer_id", "occurred_at"),
        Index("ix_feedback_time", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(60))
    channel: Mapped[str] = mapped_column(String(20))
    external_id: Mapped[str | None] = mapped_column(String(200))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id"))
    touchpoint_id: Mapped[int | None] = mapped_column(ForeignKey("touchpoint.id"))
    response_id: Mapped[int | None] = mapped_column(
        ForeignKey("response.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(Text)
    rating: Mapped[float | None]
    language: Mapped[str | None] = mapped_column(String(8))
    sentiment: Mapped[float | None]
    sentiment_label: Mapped[str | None] = mapped_column(String(10))
    enrichment: Mapped[dict] = mapped_column(JSONType, default=dict)
    enriched_at: Mapped[datetime | None]
    # filterable copies of the enrichment: effort score in [0, 1], needs a reply
    effort: Mapped[float | None]
    actionable: Mapped[bool | None]
    # "<sentiment model>/<rules>+tx<taxonomy hash>" of the last enrichment; re-runs pick
    # the items whose version differs from the current one
    text_version: Mapped[str | None] = mapped_column(String(120), index=True)
    occurred_at: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Theme(Base):
    """A taxonomy theme; ``name`` is its full path ("delivery/late"), unique.

    ``rule`` holds the label, description, keywords and example phrases per language
    (the node form of :class:`centric.text.Taxonomy`, without children).
    """

    __tablename__ = "theme"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("theme.id"))
    origin: Mapped[str] = mapped_column(String(20), default="rule")  # rule | discovered
    rule: Mapped[dict] = mapped_column(JSONType, default=dict)


class FeedbackTheme(Base):
    __tablename__ = "feedback_theme"

    feedback_id: Mapped[int] = mapped_column(
        ForeignKey("feedback.id", ondelete="CASCADE"), primary_key=True
    )
    theme_id: Mapped[int] = mapped_column(ForeignKey("theme.id"), primary_key=True, index=True)
    sentiment: Mapped[float | None]
