"""Daily rollups of answer statistics: dashboards read these instead of every answer."""

from __future__ import annotations

from datetime import date

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from centric.db import Base


class AnswerRollup(Base):
    """Sufficient statistics of rated answers per day × survey × touchpoint × channel × metric.

    ``touchpoint_id`` is 0 when a response has no touchpoint, so the unique key also
    holds on databases where NULLs never collide.
    """

    __tablename__ = "answer_rollup"
    __table_args__ = (UniqueConstraint("day", "survey_id", "touchpoint_id", "channel", "metric"),)

    id: Mapped[int] = mapped_column(primary_key=True)
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
