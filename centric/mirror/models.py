"""Tables of the mirror: the staff directory, employee pulses and their anonymous answers, maturity.

Anonymity by construction: an invitation knows who was asked and whether they answered,
an answer knows only its wave and the groups it counts in (team, location) — no column
links the two, and responses carry no timestamp finer than their wave. Reports read
answers only through :mod:`centric.mirror.anonymity`, which publishes groups of at least
k respondents with complementary suppression.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from centric.db import Base, JSONType, utcnow

PULSE_KINDS = ("enps", "engagement", "enablement", "mirror", "custom")
CADENCES = ("once", "monthly", "quarterly")
# How an item is answered: eNPS 0–10, agreement 1–5, a guess of the customers' NPS (−100…100),
# CSAT (% satisfied 0…100) or CES (mean 1…7) for a touchpoint, or free text.
ITEM_SCALES = ("enps", "agree5", "guess_nps", "guess_csat", "guess_ces", "text")
COMPETENCIES = ("lead", "realize", "activate", "enlighten", "respond", "disrupt")


class Employee(Base):
    """A member of staff: who may be asked, in which team and location, serving which touchpoints."""

    __tablename__ = "employee"

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str | None] = mapped_column(String(200), unique=True)  # the HR system's id
    email: Mapped[str | None] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"), index=True)
    location: Mapped[str] = mapped_column(String(120), default="")
    job_title: Mapped[str] = mapped_column(String(200), default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))  # when they also log in
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class EmployeeTouchpoint(Base):
    """A touchpoint an employee serves (their mirror items ask about these)."""

    __tablename__ = "employee_touchpoint"

    employee_id: Mapped[int] = mapped_column(ForeignKey("employee.id"), primary_key=True)
    touchpoint_id: Mapped[int] = mapped_column(ForeignKey("touchpoint.id"), primary_key=True, index=True)


class Pulse(Base):
    """An employee survey: its items (JSON list of {key, text, scale, touchpoint?}) and its cadence."""

    __tablename__ = "pulse"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), default="enps")
    items: Mapped[list] = mapped_column(JSONType, default=list)
    cadence: Mapped[str] = mapped_column(String(10), default="monthly")
    open_days: Mapped[int] = mapped_column(default=14)  # how long a wave takes answers
    active: Mapped[bool] = mapped_column(default=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PulseWave(Base):
    """One round of a pulse (``2026-11`` for a monthly one): who is asked is fixed when it opens."""

    __tablename__ = "pulse_wave"
    __table_args__ = (UniqueConstraint("pulse_id", "period_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pulse_id: Mapped[int] = mapped_column(ForeignKey("pulse.id"), index=True)
    period_key: Mapped[str] = mapped_column(String(20))
    opens_on: Mapped[date]
    closes_on: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PulseInvitation(Base):
    """Who was asked in a wave, by a single-use link (only its hash is stored), and whether they answered.

    Deliberately no answer id and no answering time: the answer cannot be traced back here.
    """

    __tablename__ = "pulse_invitation"
    __table_args__ = (UniqueConstraint("wave_id", "employee_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("pulse_wave.id"), index=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employee.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    sent_at: Mapped[datetime | None]
    answered: Mapped[bool] = mapped_column(default=False)


class PulseResponse(Base):
    """One anonymous response: the wave and the groups it counts in, copied when it was given."""

    __tablename__ = "pulse_response"
    __table_args__ = (Index("ix_pulse_response_groups", "wave_id", "team_id", "location"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("pulse_wave.id"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"))
    location: Mapped[str] = mapped_column(String(120), default="")


class PulseAnswer(Base):
    """One item of an anonymous response: a number or a text; mirror items name their touchpoint."""

    __tablename__ = "pulse_answer"
    __table_args__ = (Index("ix_pulse_answer_item", "response_id", "item_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("pulse_response.id"))
    item_key: Mapped[str] = mapped_column(String(80))
    scale: Mapped[str] = mapped_column(String(12))
    touchpoint_id: Mapped[int | None] = mapped_column(ForeignKey("touchpoint.id"))
    number: Mapped[float | None]
    text: Mapped[str | None] = mapped_column(Text)


class MaturityAssessment(Base):
    """One CX maturity self-assessment against a version of the questionnaire."""

    __tablename__ = "maturity_assessment"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200), default="")
    taken_on: Mapped[date]
    notes: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class MaturityRating(Base):
    """The self-rating (stage 1–5) of one questionnaire item, with an optional note."""

    __tablename__ = "maturity_rating"
    __table_args__ = (UniqueConstraint("assessment_id", "item_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("maturity_assessment.id"), index=True)
    item_key: Mapped[str] = mapped_column(String(80))
    rating: Mapped[int]
    note: Mapped[str] = mapped_column(Text, default="")
