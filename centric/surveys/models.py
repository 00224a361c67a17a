"""Tables for surveys, their immutable versions, invitations, responses and answers.

Answers are stored one typed row per answer (never one column per question), so a
survey may hold several rated questions and metric queries aggregate by kind.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from centric.db import Base, JSONType, utcnow


class Survey(Base):
    __tablename__ = "survey"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), default="nps")
    status: Mapped[str] = mapped_column(String(20), default="active")
    touchpoint_id: Mapped[int | None] = mapped_column(ForeignKey("touchpoint.id"))
    languages: Mapped[list] = mapped_column(JSONType, default=lambda: ["en"])
    throttle_days: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The builder edits ``draft``; publishing copies it into a new immutable version.
    draft: Mapped[list | None] = mapped_column(JSONType)
    # Respondent-page settings: review/ideas links, texts, framing origins, rate limit.
    options: Mapped[dict] = mapped_column(JSONType, default=dict)


class SurveyVersion(Base):
    """A published question schema; responses keep the version they answered."""

    __tablename__ = "survey_version"
    __table_args__ = (UniqueConstraint("survey_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id"), index=True)
    version: Mapped[int]
    questions: Mapped[list] = mapped_column(JSONType)
    published_at: Mapped[datetime] = mapped_column(default=utcnow)


class Invitation(Base):
    __tablename__ = "invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    channel: Mapped[str] = mapped_column(String(20), default="email")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    opened_at: Mapped[datetime | None]
    answered_at: Mapped[datetime | None]


class Response(Base):
    __tablename__ = "response"
    __table_args__ = (
        Index("ix_response_touchpoint_time", "touchpoint_id", "submitted_at"),
        Index("ix_response_customer_time", "customer_id", "submitted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("survey_version.id"))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id"))
    invitation_id: Mapped[int | None] = mapped_column(ForeignKey("invitation.id"))
    touchpoint_id: Mapped[int | None] = mapped_column(ForeignKey("touchpoint.id"))
    channel: Mapped[str] = mapped_column(String(20), default="link")
    locale: Mapped[str] = mapped_column(String(10), default="en")
    submitted_at: Mapped[datetime] = mapped_column(index=True)
    completed: Mapped[bool] = mapped_column(default=True)
    idempotency_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Answer(Base):
    """One typed answer; ``metric`` is nps|csat|ces|rating|choice|text|hidden."""

    __tablename__ = "answer"
    __table_args__ = (
        UniqueConstraint("response_id", "question_key"),
        Index("ix_answer_metric_response", "metric", "response_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("response.id", ondelete="CASCADE"))
    question_key: Mapped[str] = mapped_column(String(80))
    metric: Mapped[str] = mapped_column(String(20))
    number: Mapped[float | None]
    text: Mapped[str | None] = mapped_column(Text)


class RateLimitBucket(Base):
    """Submissions per (pseudonymous address, survey) in the current fixed window.

    Stored in the database so that every web process shares the count; ``bucket`` is an
    HMAC of the address, never the address itself.
    """

    __tablename__ = "rate_limit_bucket"

    bucket: Mapped[str] = mapped_column(String(64), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(index=True)
    hits: Mapped[int] = mapped_column(default=0)
