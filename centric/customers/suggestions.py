"""Merge suggestions: two profiles one ingested record tied together, awaiting a manager.

A caller without ``customers:write`` (an agent's or connector's token) must not merge two
people's histories by naming both in one record; ingest records a suggestion instead, and
:func:`centric.customers.service.accept_suggestion` performs the merge once a manager agrees.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from centric.customers.models import MergeSuggestion
from centric.db import utcnow
from centric.errors import Conflict, NotFound

STATUSES = ("pending", "accepted", "rejected")


def record_suggestion(session: Session, customer_id: int, other_id: int, identities: list[dict[str, object]],
                      *, origin: str, user_id: int | None) -> None:
    """Suggest merging ``other_id`` into ``customer_id`` (the older); a pair is suggested once, ever.

    ``ON CONFLICT DO NOTHING`` keeps concurrent ingests of the same pair from failing or doubling.
    """
    builder = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = builder(MergeSuggestion.__table__).values(
        customer_id=customer_id, other_id=other_id, status="pending", identities=identities,
        source=origin[:200], user_id=user_id, created_at=utcnow(),
    ).on_conflict_do_nothing(index_elements=["customer_id", "other_id"])
    session.execute(statement)


def list_suggestions(session: Session, *, status: str = "pending", limit: int = 50,
                     offset: int = 0) -> tuple[list[MergeSuggestion], int]:
    query = select(MergeSuggestion).where(MergeSuggestion.status == status)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(MergeSuggestion.id).limit(limit).offset(offset))
    return list(rows), total


def pending_suggestion(session: Session, suggestion_id: int) -> MergeSuggestion:
    """The suggestion, if nobody decided on it yet (a second decision is a conflict)."""
    suggestion = session.get(MergeSuggestion, suggestion_id, with_for_update=True)
    if suggestion is None:
        raise NotFound(f"merge suggestion {suggestion_id} not found")
    if suggestion.status != "pending":
        raise Conflict(f"merge suggestion {suggestion_id} was {suggestion.status} already")
    return suggestion


def decide(suggestion: MergeSuggestion, status: str, user_id: int | None, merge_id: int | None = None) -> None:
    suggestion.status = status
    suggestion.decided_at = utcnow()
    suggestion.decided_by_id = user_id
    suggestion.merge_id = merge_id
