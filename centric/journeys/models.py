"""Tables for journeys, their ordered stages, touchpoints with owners, and events."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from centric.db import Base, JSONType, utcnow


class Journey(Base):
    __tablename__ = "journey"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    owner_team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"))
    owner_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # A customer reaches the stages in order within this many days of entering (the funnel's window).
    conversion_window_days: Mapped[int] = mapped_column(default=30)


class Stage(Base):
    __tablename__ = "stage"
    __table_args__ = (UniqueConstraint("journey_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    journey_id: Mapped[int] = mapped_column(ForeignKey("journey.id"), index=True)
    key: Mapped[str] = mapped_column(String(80))
    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(default=0)
    description: Mapped[str] = mapped_column(Text, default="")


class Touchpoint(Base):
    __tablename__ = "touchpoint"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("stage.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    channel: Mapped[str] = mapped_column(String(40), default="web")
    owner_team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"))
    owner_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    position: Mapped[int] = mapped_column(default=0)  # order within its stage on the map
    description: Mapped[str] = mapped_column(Text, default="")
    # What the team designed this moment to feel like, −2 (pain) … +2 (delight); None: not set.
    designed_emotion: Mapped[int | None]
    # Event kinds that place a customer here when the event names no touchpoint ("booking", "chat").
    event_kinds: Mapped[list] = mapped_column(JSONType, default=list)


class Event(Base):
    """Something a customer did or experienced: purchase, ticket, chat, visit, call…"""

    __tablename__ = "event"
    __table_args__ = (
        UniqueConstraint("source", "external_id"),
        Index("ix_event_customer_time", "customer_id", "occurred_at"),
        Index("ix_event_kind_time", "kind", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"))
    touchpoint_id: Mapped[int | None] = mapped_column(ForeignKey("touchpoint.id"))
    kind: Mapped[str] = mapped_column(String(40))
    occurred_at: Mapped[datetime]
    value: Mapped[float | None]
    source: Mapped[str] = mapped_column(String(60), default="api")
    external_id: Mapped[str | None] = mapped_column(String(200))
    payload: Mapped[dict] = mapped_column(JSONType, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class JourneyStep(Base):
    """A customer's in-order progress through a journey's stages: step k reached at ``reached_at``.

    Step 1 is the first event at the journey's first stage; step k the first event at stage k
    after step k − 1, within the journey's conversion window from step 1. Maintained from the
    event log on ingest (one customer at a time), so funnels read summaries, never raw events.
    """

    __tablename__ = "journey_step"
    __table_args__ = (UniqueConstraint("customer_id", "journey_id", "step"),
                      Index("ix_journey_step_journey", "journey_id", "step"))

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"))
    journey_id: Mapped[int] = mapped_column(ForeignKey("journey.id"))
    step: Mapped[int]
    stage_id: Mapped[int] = mapped_column(ForeignKey("stage.id"))
    reached_at: Mapped[datetime]
    since_previous_s: Mapped[float | None]  # seconds since the previous step (None for step 1)


class JourneyPath(Base):
    """One row per customer and journey: the stages in the order first reached, and the funnel depth.

    ``path`` joins stage keys with ``>``; ``steps`` is how many funnel steps were reached in
    order within the window (0 when the customer never reached the first stage). Funnel and
    path counts are both read from these rows, so they reconcile exactly.
    """

    __tablename__ = "journey_path"
    __table_args__ = (UniqueConstraint("customer_id", "journey_id"),
                      Index("ix_journey_path_steps", "journey_id", "steps"),
                      Index("ix_journey_path_path", "journey_id", "steps", "path"))

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"))
    journey_id: Mapped[int] = mapped_column(ForeignKey("journey.id"))
    path: Mapped[str] = mapped_column(String(400))
    steps: Mapped[int] = mapped_column(default=0)
    entered_at: Mapped[datetime]
    last_at: Mapped[datetime]
    entry_channel: Mapped[str] = mapped_column(String(40), default="")
