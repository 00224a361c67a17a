"""Tables of the closed loop: alert rules, cases and their activity, root causes, SLAs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from centric.db import Base, JSONType, utcnow

CASE_SOURCES = ("response", "feedback", "manual", "chat")
CASE_STATUSES = ("new", "open", "waiting", "resolved", "closed", "reopened")
OPEN_STATUSES = ("new", "open", "waiting", "reopened")  # the SLA clocks and the inbox count these
PRIORITIES = ("low", "normal", "high", "urgent")
RECOVERED = ("yes", "no", "unknown")
SLA_TARGETS = ("first_contact", "next_response", "resolution")


class AlertRule(Base):
    """When a stored response or enriched feedback item matches ``condition``, act.

    ``condition`` is a tree of ``{"all": [...]}`` / ``{"any": [...]}`` nodes whose leaves
    are ``{"field": ..., "op": ..., "value": ...}``; ``actions`` says whether to open a
    case and whom to notify; ``followup`` names the recovery survey and re-survey delay.
    """

    __tablename__ = "alert_rule"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    applies_to: Mapped[str] = mapped_column(String(20))  # response | feedback
    condition: Mapped[dict] = mapped_column(JSONType, default=dict)
    actions: Mapped[dict] = mapped_column(JSONType, default=dict)  # {"open_case": bool, "notify": {...}}
    followup: Mapped[dict] = mapped_column(JSONType, default=dict)  # {"recovery_survey", "resurvey_days"}
    severity: Mapped[int] = mapped_column(default=2)  # 1 low … 4 critical; feeds the case priority
    dedupe_hours: Mapped[int] = mapped_column(default=72)  # one open case per customer and rule within
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"))  # route here instead of the touchpoint owner
    active: Mapped[bool] = mapped_column(default=True)
    version: Mapped[int] = mapped_column(default=1)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class RuleMatch(Base):
    """A source (response or feedback item) that matched a rule, and what came of it.

    Unique per rule and source: evaluating the same response twice (a re-delivered job,
    a retroactive run over a range already seen) matches once.
    """

    __tablename__ = "rule_match"
    __table_args__ = (
        UniqueConstraint("rule_id", "source", "source_id"),
        Index("ix_rule_match_customer", "customer_id", "rule_id", "matched_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    rule_id: Mapped[int] = mapped_column(ForeignKey("alert_rule.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(String(20))  # response | feedback
    source_id: Mapped[int]
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_record.id"), index=True)
    outcome: Mapped[str] = mapped_column(String(20), default="case")  # case | deduplicated | notified
    retroactive: Mapped[bool] = mapped_column(default=False)
    matched_at: Mapped[datetime] = mapped_column(default=utcnow)


class RootCause(Base):
    """An editable, hierarchical root-cause code ("delivery/courier-late"); required to close a case."""

    __tablename__ = "root_cause"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(200), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("root_cause.id"))
    theme_id: Mapped[int | None] = mapped_column(ForeignKey("theme.id"))  # the text theme it explains
    description: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(default=True)
    position: Mapped[int] = mapped_column(default=0)


class BusinessCalendar(Base):
    """Working hours for SLA clocks: periods per weekday in a time zone, minus holidays.

    ``periods`` maps "mon".."sun" to lists of ``["09:00", "12:30"]`` pairs (several per
    day for split shifts); ``holiday_country``/``holiday_subdivision`` pick public
    holidays from the ``holidays`` library and ``extra_holidays`` adds the company's own
    ISO dates.
    """

    __tablename__ = "business_calendar"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    timezone: Mapped[str] = mapped_column(String(60), default="UTC")
    periods: Mapped[dict] = mapped_column(JSONType, default=dict)
    holiday_country: Mapped[str | None] = mapped_column(String(8))
    holiday_subdivision: Mapped[str | None] = mapped_column(String(16))
    extra_holidays: Mapped[list] = mapped_column(JSONType, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class SlaPolicy(Base):
    """Targets for a case, chosen by ordered first match of ``conditions`` (lowest ``position`` first).

    Targets are business minutes on ``calendar`` (24×7 when None). ``escalation`` is an
    ordered list of steps ``{"when": "at_risk"|"breached", "target": "first_contact"|…,
    "action": "notify_owner"|"reassign"|"notify_lead"|"notify_manager", "to_user_id"?,
    "to_team_id"?}``.
    """

    __tablename__ = "sla_policy"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    position: Mapped[int] = mapped_column(default=0)
    conditions: Mapped[dict] = mapped_column(JSONType, default=dict)
    calendar_id: Mapped[int | None] = mapped_column(ForeignKey("business_calendar.id"))
    first_contact_minutes: Mapped[int | None]
    next_response_minutes: Mapped[int | None]
    resolution_minutes: Mapped[int | None]
    at_risk_ratio: Mapped[float] = mapped_column(default=0.8)
    escalation: Mapped[list] = mapped_column(JSONType, default=list)
    active: Mapped[bool] = mapped_column(default=True)
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


KPI_COLUMNS = ("created_at", "merged_into_id", "status", "team_id", "metric", "score", "first_contact_at",
               "resolved_at", "closed_at", "resolution_due_at", "root_cause_id", "recovered")


class Case(Base):
    """One customer problem that a person owns until it is resolved and the customer heard back."""

    __tablename__ = "case_record"
    __table_args__ = (
        Index("ix_case_status_owner", "status", "owner_id"),
        Index("ix_case_team_status", "team_id", "status"),
        Index("ix_case_customer_rule", "customer_id", "rule_id", "status"),
        Index("ix_case_created", "created_at"),
        Index("ix_case_resolution_due", "resolution_due_at"),
        # 0009: the outer loop reads cases by when they finished, the inbox's SLA tabs by state
        Index("ix_case_finished", "closed_at", "resolved_at"),
        Index("ix_case_sla_state", "sla_state", "status"),
        Index("ix_case_kpis", *KPI_COLUMNS),  # the loop KPIs read a date range from this index alone
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    source: Mapped[str] = mapped_column(String(20))  # CASE_SOURCES
    response_id: Mapped[int | None] = mapped_column(ForeignKey("response.id", ondelete="SET NULL"))
    feedback_id: Mapped[int | None] = mapped_column(ForeignKey("feedback.id", ondelete="SET NULL"))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id"))
    rule_id: Mapped[int | None] = mapped_column(ForeignKey("alert_rule.id", ondelete="SET NULL"))
    touchpoint_id: Mapped[int | None] = mapped_column(ForeignKey("touchpoint.id"))
    metric: Mapped[str | None] = mapped_column(String(10))  # nps | csat | ces | rating | sentiment
    score: Mapped[float | None]
    verbatim: Mapped[str] = mapped_column(Text, default="")
    severity: Mapped[int] = mapped_column(default=2)
    priority: Mapped[str] = mapped_column(String(10), default="normal")  # PRIORITIES
    priority_score: Mapped[float] = mapped_column(default=0.0)
    priority_reason: Mapped[dict] = mapped_column(JSONType, default=dict)  # how the priority was computed
    status: Mapped[str] = mapped_column(String(12), default="new")  # CASE_STATUSES
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"))
    root_cause_id: Mapped[int | None] = mapped_column(ForeignKey("root_cause.id"), index=True)
    action_taken: Mapped[str] = mapped_column(Text, default="")
    recovered: Mapped[str] = mapped_column(String(8), default="unknown")  # RECOVERED
    auto_closed: Mapped[bool] = mapped_column(default=False)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("case_record.id"), index=True)
    # SLA: the policy that applies, the due times (UTC) and when the clock stood still
    sla_policy_id: Mapped[int | None] = mapped_column(ForeignKey("sla_policy.id", ondelete="SET NULL"))
    first_contact_due_at: Mapped[datetime | None]
    next_response_due_at: Mapped[datetime | None]
    resolution_due_at: Mapped[datetime | None]
    paused_since: Mapped[datetime | None]  # waiting on the customer: the clock stands still
    paused_minutes: Mapped[int] = mapped_column(default=0)  # business minutes paused so far
    sla_state: Mapped[str] = mapped_column(String(10), default="ok")  # ok | at_risk | breached
    first_contact_at: Mapped[datetime | None]
    last_contact_at: Mapped[datetime | None]
    # follow-up: the recovery CSAT invitation and the re-survey of the original question
    recovery_invitation_id: Mapped[int | None] = mapped_column(ForeignKey("invitation.id", ondelete="SET NULL"))
    resurvey_invitation_id: Mapped[int | None] = mapped_column(ForeignKey("invitation.id", ondelete="SET NULL"))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    resolved_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]


class CaseWatcher(Base):
    __tablename__ = "case_watcher"

    case_id: Mapped[int] = mapped_column(ForeignKey("case_record.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), primary_key=True, index=True)


class CaseActivity(Base):
    """The case's full trail: every change, internal note, contact with the customer and escalation.

    ``kind``: created, status, assigned, priority, note, contact, root_cause, recovered,
    merged, unmerged, escalated, sla, mail, survey, edited. A contact has ``channel``
    (email, phone, chat, sms, in_person) and ``outcome`` (reached, no_answer, left_message,
    sent, replied).
    """

    __tablename__ = "case_activity"
    __table_args__ = (Index("ix_case_activity_case", "case_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_record.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    kind: Mapped[str] = mapped_column(String(20))
    channel: Mapped[str | None] = mapped_column(String(20))
    outcome: Mapped[str | None] = mapped_column(String(20))
    body: Mapped[str] = mapped_column(Text, default="")
    detail: Mapped[dict] = mapped_column(JSONType, default=dict)


class SlaEscalation(Base):
    """An SLA step that fired. Unique per case, target, stage, step and due time: fires exactly once."""

    __tablename__ = "sla_escalation"
    __table_args__ = (UniqueConstraint("case_id", "target", "stage", "step", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_record.id", ondelete="CASCADE"), index=True)
    target: Mapped[str] = mapped_column(String(20))  # SLA_TARGETS
    stage: Mapped[str] = mapped_column(String(10))  # at_risk | breached
    step: Mapped[int] = mapped_column(default=0)
    due_at: Mapped[datetime]
    action: Mapped[str] = mapped_column(String(30), default="")
    fired_at: Mapped[datetime] = mapped_column(default=utcnow)
    detail: Mapped[dict] = mapped_column(JSONType, default=dict)


class SavedView(Base):
    """An agent's saved inbox filter."""

    __tablename__ = "saved_view"
    __table_args__ = (UniqueConstraint("user_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(120))
    filters: Mapped[dict] = mapped_column(JSONType, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
