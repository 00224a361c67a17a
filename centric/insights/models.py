"""Daily rollups of answer statistics: dashboards read these instead of every answer."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from centric.db import Base, utcnow


class _RollupColumns:
    """The key (day × survey × touchpoint × channel × metric) and sufficient statistics of a rollup row."""

    day: Mapped[date]
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id"))
    touchpoint_id: Mapped[int] = mapped_column(default=0)
    channel: Mapped[str] = mapped_column(String(20))
    metric: Mapped[str] = mapped_column(String(20))
    n: Mapped[int] = mapped_column(default=0)
    promoters: Mapped[int] = mapped_column(default=0)
    detractors: Mapped[int] = mapped_column(default=0)
    satisfied: Mapped[int] = mapped_column(default=0)
    agree: Mapped[int] = mapped_column(default=0)
    total: Mapped[float] = mapped_column(default=0.0)
    total_sq: Mapped[float] = mapped_column(default=0.0)


class AnswerRollup(_RollupColumns, Base):
    """Sufficient statistics of rated answers per day × survey × touchpoint × channel × metric.

    ``touchpoint_id`` is 0 when a response has no touchpoint, so the unique key also
    holds on databases where NULLs never collide.
    """

    __tablename__ = "answer_rollup"
    __table_args__ = (UniqueConstraint("day", "survey_id", "touchpoint_id", "channel", "metric"),)

    id: Mapped[int] = mapped_column(primary_key=True)


class SegmentRollup(_RollupColumns, Base):
    """The same sufficient statistics per segment (or persona) of the answering customer.

    One row per segment × day × survey × touchpoint × channel × metric: an answer counts once
    in every segment its customer belongs to when it is stored, and membership changes move
    the customer's answers in or out (:mod:`centric.insights.segment_rollups`). Segment,
    persona and every other slice filtered by a segment read these rows, never the answers.
    """

    __tablename__ = "segment_rollup"
    __table_args__ = (
        UniqueConstraint("segment_id", "day", "survey_id", "touchpoint_id", "channel", "metric"),
        # covering for "by segment" over a period: read in segment order, never the table
        Index("ix_segment_rollup_metric_segment", "metric", "segment_id", "day", "n", "promoters", "detractors",
              "satisfied", "agree", "total", "total_sq"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    segment_id: Mapped[int] = mapped_column(ForeignKey("segment.id", ondelete="CASCADE"))


class CustomerValue(Base):
    """Each customer's expected value and churn risk, as last scored from purchases (BG/NBD + Gamma-Gamma).

    ``clv_band`` and ``risk_band`` (low | medium | high) are terciles of the scored
    customers, so alert rules, case priorities and revenue-at-risk read one row.
    """

    __tablename__ = "customer_value"

    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"), primary_key=True)
    clv: Mapped[float] = mapped_column(default=0.0)
    p_alive: Mapped[float] = mapped_column(default=1.0)
    churn_risk: Mapped[float] = mapped_column(default=0.0)
    clv_band: Mapped[str] = mapped_column(String(8), default="low")
    risk_band: Mapped[str] = mapped_column(String(8), default="low")
    scored_at: Mapped[datetime] = mapped_column(default=utcnow)
