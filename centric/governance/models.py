"""Tables of governance: targets with owners, initiatives (links, approvals, DICE, impact), digests."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from centric.db import Base, JSONType, utcnow

# What a target can measure. Survey scores come from answers; loop KPIs from cases; churn
# from purchase events. eNPS joins when the Mirror domain (employee surveys) exists.
TARGET_METRICS = ("nps", "csat", "ces", "contacted_48h", "sla_hit", "recovery", "root_cause_share", "churn")
SCOPE_KINDS = ("company", "journey", "stage", "touchpoint", "team", "segment", "attribute")
CADENCES = ("month", "quarter", "year")
DIRECTIONS = ("at_least", "at_most")  # at_most: lower is better (churn, CES when reversed)
VERDICTS = ("met", "missed", "not_distinguishable")

INITIATIVE_STATUSES = ("proposed", "approved", "in_progress", "done", "dropped")
ORIGINS = ("manual", "root_cause", "theme", "idea")
LINK_KINDS = ("touchpoint", "theme", "root_cause")
DICE_ZONES = ("win", "worry", "woe")
DIGEST_FREQUENCIES = ("weekly", "daily", "off")
DIGEST_STATUSES = ("pending", "sending", "sent", "skipped", "unknown")


class Target(Base):
    """A metric × scope × cadence with a threshold and an owner (a user, a team, or both).

    The target applies to every period of its cadence from ``valid_from`` until
    ``valid_until`` (open-ended when None); a scorecard evaluates one period at a time.
    ``scope_ref`` names the scope: a journey/stage/touchpoint/segment key, a team id, or
    ``attribute=value`` for a customer attribute (a location, a plan); empty for company.
    """

    __tablename__ = "target"
    __table_args__ = (Index("ix_target_owner", "owner_user_id", "owner_team_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    metric: Mapped[str] = mapped_column(String(30))
    scope_kind: Mapped[str] = mapped_column(String(20), default="company")
    scope_ref: Mapped[str] = mapped_column(String(200), default="")
    cadence: Mapped[str] = mapped_column(String(10), default="quarter")
    threshold: Mapped[float]
    direction: Mapped[str] = mapped_column(String(10), default="at_least")
    min_n: Mapped[int] = mapped_column(default=30)  # below it the verdict is "not distinguishable"
    owner_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    owner_team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"))
    valid_from: Mapped[date]
    valid_until: Mapped[date | None]
    notes: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(default=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Initiative(Base):
    """An improvement project on the CX council's board, from proposal to measured impact."""

    __tablename__ = "initiative"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    problem: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(12), default="proposed", index=True)
    origin: Mapped[str] = mapped_column(String(12), default="manual")  # manual | root_cause | theme | idea
    origin_ref: Mapped[str] = mapped_column(String(120), default="")  # the root cause code, theme key, idea id
    owner_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    sponsor_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))  # the executive sponsor
    cost: Mapped[float | None]  # in the installation's currency
    target_id: Mapped[int | None] = mapped_column(ForeignKey("target.id"))  # the target it should move
    metric: Mapped[str] = mapped_column(String(30), default="nps")  # the metric the effect is expected on
    expected_effect: Mapped[float | None]  # in the metric's units (NPS points, CSAT percentage points…)
    started_on: Mapped[date | None]
    done_on: Mapped[date | None]  # the change took effect: the impact compares before and after this day
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class InitiativeLink(Base):
    """An initiative's touchpoint, theme or root cause (the scope its impact is measured on)."""

    __tablename__ = "initiative_link"
    __table_args__ = (UniqueConstraint("initiative_id", "kind", "ref_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiative.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))  # touchpoint | theme | root_cause
    ref_id: Mapped[int]


class InitiativeApproval(Base):
    """A recorded decision on an initiative: who approved (or rejected) it, when, and why."""

    __tablename__ = "initiative_approval"

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiative.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decision: Mapped[str] = mapped_column(String(10))  # approved | rejected
    note: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(default=utcnow)


class DiceAssessment(Base):
    """One DICE assessment of an initiative (Sirkin, Keenan & Jackson 2005); the newest is current.

    Each factor is 1 (best) … 4 (worst); score = D + 2·I + 2·C1 + C2 + E, 7…28.
    """

    __tablename__ = "dice_assessment"

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiative.id"), index=True)
    duration: Mapped[int]
    integrity: Mapped[int]
    senior_commitment: Mapped[int]
    local_commitment: Mapped[int]
    effort: Mapped[int]
    score: Mapped[int]
    zone: Mapped[str] = mapped_column(String(6))
    note: Mapped[str] = mapped_column(Text, default="")
    assessed_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    assessed_at: Mapped[datetime] = mapped_column(default=utcnow)


class InitiativeImpact(Base):
    """The measured effect of a done initiative (difference-in-differences), kept with its method.

    Recomputed by a job when the initiative is done and on request; ``detail`` holds the
    cell means and counts, the control scopes, the churn and revenue translation and the
    assumptions shown next to the number.
    """

    __tablename__ = "initiative_impact"

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiative.id"), unique=True)
    metric: Mapped[str] = mapped_column(String(30))
    effect: Mapped[float | None]
    low: Mapped[float | None]
    high: Mapped[float | None]
    n_treated: Mapped[int] = mapped_column(default=0)
    n_control: Mapped[int] = mapped_column(default=0)
    revenue_effect: Mapped[float | None]  # change in revenue at risk per year (negative: less at risk)
    churn_effect: Mapped[float | None]  # percentage points
    method: Mapped[str] = mapped_column(Text, default="")
    detail: Mapped[dict] = mapped_column(JSONType, default=dict)
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)


class DigestSubscription(Base):
    """How often a user gets the digest; no row means the default for their role."""

    __tablename__ = "digest_subscription"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), primary_key=True)
    frequency: Mapped[str] = mapped_column(String(8), default="weekly")  # weekly | daily | off
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class DigestRun(Base):
    """One digest of one user for one period: unique, so a period is mailed at most once.

    ``pending`` → ``sending`` (claimed by one worker) → ``sent``; a worker that dies while
    sending leaves ``sending``, which a retry turns into ``unknown`` instead of mailing again.
    """

    __tablename__ = "digest_run"
    __table_args__ = (UniqueConstraint("user_id", "frequency", "period_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    frequency: Mapped[str] = mapped_column(String(8))
    period_key: Mapped[str] = mapped_column(String(20))  # 2026-W49 | 2026-12-02
    status: Mapped[str] = mapped_column(String(10), default="pending")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]


class ScorecardView(Base):
    """Someone opened a scorecard on a day (at most one row per user and day), with their team then.

    Only evidence that scorecards are read (the CX maturity "enlighten" competency): no
    page, no target and no time of day is kept.
    """

    __tablename__ = "scorecard_view"
    __table_args__ = (UniqueConstraint("user_id", "viewed_on"), Index("ix_scorecard_view_day", "viewed_on", "team_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"))
    viewed_on: Mapped[date]
