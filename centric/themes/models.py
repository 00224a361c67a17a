"""Tables of the themes domain: themes proposed by discovery, awaiting a decision.

The taxonomy itself lives in ``theme`` (:class:`centric.feedback.models.Theme`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from centric.db import Base, JSONType, utcnow

PROPOSAL_STATUSES = ("proposed", "accepted", "merged", "rejected")


class ThemeProposal(Base):
    """A theme found by clustering untagged text; accepted, merged or rejected by a person."""

    __tablename__ = "theme_proposal"

    id: Mapped[int] = mapped_column(primary_key=True)
    label: Mapped[str] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(8))
    terms: Mapped[list] = mapped_column(JSONType, default=list)
    examples: Mapped[list] = mapped_column(JSONType, default=list)
    feedback_ids: Mapped[list] = mapped_column(JSONType, default=list)
    size: Mapped[int] = mapped_column(default=0)
    cohesion: Mapped[float] = mapped_column(default=0.0)
    status: Mapped[str] = mapped_column(String(20), default="proposed", index=True)
    theme_id: Mapped[int | None] = mapped_column(ForeignKey("theme.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]
