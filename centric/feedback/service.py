"""Unstructured feedback: tickets, chats, reviews, social posts, call notes, comments.

Every new item is announced with :class:`~centric.events.FeedbackStored`; the reactions
(text enrichment, ``feedback.created`` webhooks) are listed in :mod:`centric.wiring`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple, Protocol

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from centric.customers.service import move_rows_on_merge, move_rows_on_undo, upsert_customer
from centric.db import count_of, insert_ids, not_in_future, utcnow, where_given
from centric.errors import Invalid
from centric.events import CustomerMergeUndone, CustomersMerged, FeedbackStored, publish
from centric.feedback.models import Feedback
from centric.feedback.schemas import FeedbackIn, FeedbackOut
from centric.journeys.service import touchpoint_id_for


def record_feedback(session: Session, data: FeedbackIn, user_id: int | None = None, *,
                    may_merge: bool = False, origin: str = "feedback") -> FeedbackOut:
    """Store a feedback item once per (source, external_id); retries return the first.

    ``may_merge``: whether the caller may merge two profiles its customer names (see ``upsert_customer``);
    ``origin`` says who sent it, for a merge suggestion's evidence.
    """
    if data.external_id:
        existing = session.scalar(
            select(Feedback).where(Feedback.source == data.source, Feedback.external_id == data.external_id)
        )
        if existing is not None:
            return FeedbackOut.model_validate(existing).model_copy(update={"created": False})
    if not data.text.strip():
        raise Invalid("text is empty", field="text")
    occurred_at = not_in_future(data.occurred_at, "occurred_at")
    touchpoint_id = touchpoint_id_for(session, data.touchpoint)
    customer = upsert_customer(session, data.customer, user_id, may_merge=may_merge,
                               origin=f"{origin} {data.source}/{data.external_id or ''}") if data.customer else None
    item = Feedback(
        source=data.source, channel=data.channel, external_id=data.external_id,
        customer_id=customer.id if customer else None, touchpoint_id=touchpoint_id,
        text=data.text, rating=data.rating, occurred_at=occurred_at,
    )
    session.add(item)
    session.flush()
    publish(session, FeedbackStored((item.id,)))
    return FeedbackOut.model_validate(item)


class CommentedResponse(Protocol):
    """What a comment's feedback item takes from its response (a stored one, or a row of an import)."""

    @property
    def id(self) -> int: ...
    @property
    def customer_id(self) -> int | None: ...
    @property
    def touchpoint_id(self) -> int | None: ...
    @property
    def submitted_at(self) -> datetime: ...


class ResponseRef(NamedTuple):
    """A response of a bulk import, before any ORM object exists for it."""

    id: int
    customer_id: int | None
    touchpoint_id: int | None
    submitted_at: datetime


class SurveyComment(NamedTuple):
    """An open-text answer: its response, the question it answers, its text and the response's headline score."""

    response: CommentedResponse
    question_key: str
    text: str
    rating: float | None


def add_survey_comments(session: Session, comments: Sequence[SurveyComment]) -> list[int]:
    """Every open-text answer is also a feedback item on the same customer, touchpoint and time
    as its response: inserted in one statement and announced as one :class:`FeedbackStored`."""
    if not comments:
        return []
    now = utcnow()
    rows = [{
        "source": "survey", "channel": "survey", "external_id": f"response:{c.response.id}:{c.question_key}",
        "customer_id": c.response.customer_id, "touchpoint_id": c.response.touchpoint_id,
        "response_id": c.response.id, "text": c.text, "rating": c.rating,
        "occurred_at": c.response.submitted_at, "created_at": now,
    } for c in comments]
    ids = insert_ids(session, Feedback.__table__, rows)
    publish(session, FeedbackStored(tuple(ids), origin="survey"))
    return ids


def feedback_follows_merge(session: Session, merged: CustomersMerged) -> None:
    """Reaction: a merged customer's feedback belongs to the survivor."""
    move_rows_on_merge(session, Feedback, merged)


def feedback_follows_undo(session: Session, undone: CustomerMergeUndone) -> None:
    """Reaction: an undone merge gives the feedback back."""
    move_rows_on_undo(session, Feedback, undone)


def _feedback_query(channel: str | None, customer_id: int | None) -> Select[Feedback]:
    return where_given(select(Feedback), (Feedback.channel, channel), (Feedback.customer_id, customer_id))


def list_feedback(session: Session, *, channel: str | None = None, customer_id: int | None = None,
                  limit: int = 50, offset: int = 0) -> tuple[list[Feedback], int]:
    """One page of feedback items, newest first, and how many match in all."""
    query = _feedback_query(channel, customer_id)
    rows = session.scalars(query.order_by(Feedback.occurred_at.desc()).limit(limit).offset(offset)).all()
    return list(rows), count_of(session, query)
