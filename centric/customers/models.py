"""Tables for customer profiles, their identities, merges and segments/personas."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from centric.db import Base, JSONType, utcnow

IDENTITY_KINDS = ("email", "phone", "external", "social", "device", "account")


class Customer(Base):
    __tablename__ = "customer"

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str | None] = mapped_column(String(200), unique=True)
    name: Mapped[str] = mapped_column(String(300), default="")
    attributes: Mapped[dict] = mapped_column(JSONType, default=dict)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Identity(Base):
    """One way to recognise a customer on a channel; (kind, value) is globally unique."""

    __tablename__ = "identity"
    __table_args__ = (UniqueConstraint("kind", "value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    value: Mapped[str] = mapped_column(String(320))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CustomerMerge(Base):
    """A logged merge; ``snapshot`` holds everything needed to undo it."""

    __tablename__ = "customer_merge"

    id: Mapped[int] = mapped_column(primary_key=True)
    survivor_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    merged_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    reason: Mapped[str] = mapped_column(String(300), default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    snapshot: Mapped[dict] = mapped_column(JSONType, default=dict)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    undone_at: Mapped[datetime | None]


class MergeSuggestion(Base):
    """Two profiles that one ingested record tied together, for a manager to merge or not.

    Written instead of a merge when the caller may not merge customers (``customers:write``):
    an ingest token must not be able to fuse two people's histories. ``customer_id`` is the
    older profile (the survivor if accepted); one suggestion per pair, whatever its status.
    """

    __tablename__ = "merge_suggestion"
    __table_args__ = (UniqueConstraint("customer_id", "other_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"))
    other_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)  # pending | accepted | rejected
    identities: Mapped[list] = mapped_column(JSONType, default=list)  # [{kind, value, customer_id}] of the record
    source: Mapped[str] = mapped_column(String(200), default="")  # which record named them, e.g. "feedback twitter/42"
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    merge_id: Mapped[int | None] = mapped_column(ForeignKey("customer_merge.id"))


class Segment(Base):
    """A persona or segment: the shared vocabulary of who the customer is."""

    __tablename__ = "segment"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), default="segment")  # persona | segment
    description: Mapped[str] = mapped_column(Text, default="")
    rule: Mapped[list] = mapped_column(JSONType, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CustomerSegment(Base):
    __tablename__ = "customer_segment"

    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), primary_key=True)
    segment_id: Mapped[int] = mapped_column(
        ForeignKey("segment.id"), primary_key=True, index=True
    )
