"""Tables of the ideas portal: boards, ideas, votes, comments, status history, merges, reports."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from centric.db import Base, JSONType, utcnow

STATUSES = ("open", "under_review", "planned", "in_progress", "done", "declined", "duplicate")
OPEN_STATUSES = ("open", "under_review", "planned", "in_progress")  # a vote on these uses the board's budget
MODERATION = ("pending", "approved", "hidden")  # pending: a new identity's first post, awaiting a moderator
SOURCES = ("portal", "survey", "api", "staff", "feedback", "theme", "case")
LINK_KINDS = ("initiative", "theme", "feedback", "case")
REPORT_REASONS = ("spam", "abuse", "personal_data", "off_topic", "other")


class Board(Base):
    """A place for ideas on one subject ("Stays", "App", "Loyalty"), named in each portal language.

    ``vote_budget``: how many ideas a customer may support at once on this board (votes on
    done, declined and duplicate ideas return to the budget); None for no limit.
    """

    __tablename__ = "idea_board"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(60), unique=True)
    names: Mapped[dict] = mapped_column(JSONType, default=dict)  # {"en": "Stays", "zh": "住宿"}
    descriptions: Mapped[dict] = mapped_column(JSONType, default=dict)
    vote_budget: Mapped[int | None]
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Idea(Base):
    """One idea. ``vote_count`` and ``comment_count`` are kept with each vote and comment.

    ``customer_id`` is the author (None when staff wrote it or the author was erased);
    ``author_name`` is the name shown on the portal, chosen by the author. A duplicate
    points at its original (``duplicate_of_id``) and redirects there.
    """

    __tablename__ = "idea"
    __table_args__ = (
        Index("ix_idea_board_status", "board_id", "status"),
        Index("ix_idea_customer", "customer_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("idea_board.id"))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id"))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))  # staff author
    author_name: Mapped[str] = mapped_column(String(80), default="")
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(8), default="en")
    status: Mapped[str] = mapped_column(String(16), default="open")
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("idea.id"))
    moderation: Mapped[str] = mapped_column(String(10), default="approved")
    locked: Mapped[bool] = mapped_column(default=False)  # no more votes or comments
    spam_score: Mapped[float] = mapped_column(default=0.0)
    vote_count: Mapped[int] = mapped_column(default=0)
    comment_count: Mapped[int] = mapped_column(default=0)
    source: Mapped[str] = mapped_column(String(12), default="portal")
    source_ref: Mapped[str] = mapped_column(String(120), default="")  # feedback id, theme key, case id…
    idempotency_key: Mapped[str | None] = mapped_column(String(80), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    status_changed_at: Mapped[datetime] = mapped_column(default=utcnow)


class IdeaVote(Base):
    """One customer's support for one idea: at most one row per (idea, customer).

    ``origin_idea_id`` is the idea the vote was cast on; a merge moves a vote to the
    original (``idea_id``) or, when the customer supports the original already, leaves it
    on the duplicate with ``superseded`` set. Both are undone exactly by the merge's record.
    ``customer_id`` is cleared when the customer is erased: the vote still counts.
    """

    __tablename__ = "idea_vote"
    __table_args__ = (
        UniqueConstraint("idea_id", "customer_id"),
        Index("ix_idea_vote_customer", "customer_id"),
        Index("ix_idea_vote_time", "idea_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("idea.id"))
    origin_idea_id: Mapped[int] = mapped_column(ForeignKey("idea.id"))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id"))
    superseded: Mapped[bool] = mapped_column(default=False)
    source: Mapped[str] = mapped_column(String(12), default="portal")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class IdeaComment(Base):
    """A comment in a thread (``parent_id``), by a customer or a staff member (``user_id``).

    ``official``: the pinned staff answer shown at the top of the idea (one per idea).
    ``idempotency_key`` is the form's nonce: a resubmitted form stores one comment.
    """

    __tablename__ = "idea_comment"
    __table_args__ = (Index("ix_idea_comment_idea", "idea_id", "created_at"),
                      Index("ix_idea_comment_customer", "customer_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("idea.id"))
    origin_idea_id: Mapped[int] = mapped_column(ForeignKey("idea.id"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("idea_comment.id"))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    author_name: Mapped[str] = mapped_column(String(80), default="")
    body: Mapped[str] = mapped_column(Text)
    official: Mapped[bool] = mapped_column(default=False)
    moderation: Mapped[str] = mapped_column(String(10), default="approved")
    spam_score: Mapped[float] = mapped_column(default=0.0)
    idempotency_key: Mapped[str | None] = mapped_column(String(80), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    edited_at: Mapped[datetime | None]


class IdeaStatusChange(Base):
    """The status history: who moved an idea from what to what, with the public note."""

    __tablename__ = "idea_status_change"
    __table_args__ = (Index("ix_idea_status_change_idea", "idea_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("idea.id"))
    from_status: Mapped[str] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class IdeaNotice(Base):
    """One e-mail about one status change to one voter or commenter, sent at most once.

    ``state``: sent | skipped (``reason``: unsubscribed, no_email, frequency) | failed.
    """

    __tablename__ = "idea_notice"
    __table_args__ = (UniqueConstraint("change_id", "customer_id"),
                      Index("ix_idea_notice_customer", "customer_id", "created_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    change_id: Mapped[int] = mapped_column(ForeignKey("idea_status_change.id"))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id"))
    state: Mapped[str] = mapped_column(String(10), default="sent")
    reason: Mapped[str] = mapped_column(String(40), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class IdeaMerge(Base):
    """A duplicate merged into an original, with every row it moved, so that undo is exact."""

    __tablename__ = "idea_merge"

    id: Mapped[int] = mapped_column(primary_key=True)
    duplicate_id: Mapped[int] = mapped_column(ForeignKey("idea.id"))
    original_id: Mapped[int] = mapped_column(ForeignKey("idea.id"))
    previous_status: Mapped[str] = mapped_column(String(16))
    moved_vote_ids: Mapped[list] = mapped_column(JSONType, default=list)
    superseded_vote_ids: Mapped[list] = mapped_column(JSONType, default=list)
    moved_comment_ids: Mapped[list] = mapped_column(JSONType, default=list)
    merged_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    merged_at: Mapped[datetime] = mapped_column(default=utcnow)
    undone_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    undone_at: Mapped[datetime | None]


class IdeaLink(Base):
    """What an idea is tied to: an initiative, a theme, a verbatim (feedback) or a case."""

    __tablename__ = "idea_link"
    __table_args__ = (UniqueConstraint("idea_id", "kind", "ref"), Index("ix_idea_link_ref", "kind", "ref"))

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("idea.id"))
    kind: Mapped[str] = mapped_column(String(12))
    ref: Mapped[str] = mapped_column(String(120))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class IdeaReport(Base):
    """A visitor's report of abuse on an idea or a comment, until a moderator resolves it."""

    __tablename__ = "idea_report"
    __table_args__ = (Index("ix_idea_report_open", "resolved_at", "idea_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("idea.id"))
    comment_id: Mapped[int | None] = mapped_column(ForeignKey("idea_comment.id"))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id"))
    reason: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]
    resolved_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    resolution: Mapped[str] = mapped_column(String(20), default="")  # kept | hidden


class IdeaResurvey(Base):
    """Voters of a done idea invited to answer a survey again ("did shipping it help?")."""

    __tablename__ = "idea_resurvey"

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("idea.id"))
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id"))
    invited: Mapped[int] = mapped_column(default=0)
    skipped: Mapped[int] = mapped_column(default=0)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
