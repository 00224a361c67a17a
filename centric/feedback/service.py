"""Unstructured feedback: tickets, chats, reviews, social posts, call notes, comments.

Every new item gets a background job that enriches its text (:mod:`centric.themes.enrichment`).
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from centric.customers.service import upsert_customer
from centric.db import as_utc, count_of, utcnow, where_given
from centric.errors import Invalid
from centric.feedback.models import Feedback
from centric.feedback.schemas import FeedbackIn, FeedbackOut


def enqueue_enrichment(session: Session, ids: list[int]) -> None:
    """Queue text enrichment of new items (imported lazily: themes depends on feedback)."""
    from centric.themes.enrichment import enqueue_enrichment as enqueue

    enqueue(session, ids)


def record_feedback(session: Session, data: FeedbackIn, user_id: int | None = None) -> FeedbackOut:
    """Store a feedback item once per (source, external_id); retries return the first."""
    from centric.journeys.service import touchpoint_id_for
    from centric.webhooks.service import emit

    if data.external_id:
        existing = session.scalar(
            select(Feedback).where(Feedback.source == data.source, Feedback.external_id == data.external_id)
        )
        if existing is not None:
            return FeedbackOut.model_validate(existing).model_copy(update={"created": False})
    if not data.text.strip():
        raise Invalid("text is empty", field="text")
    occurred_at = as_utc(data.occurred_at) if data.occurred_at else utcnow()
    if occurred_at > utcnow() + timedelta(days=1):
        raise Invalid("occurred_at lies in the future", field="occurred_at")
    touchpoint_id = touchpoint_id_for(session, data.touchpoint)
    customer = upsert_customer(session, data.customer, user_id) if data.customer else None
    item = Feedback(
        source=data.source, channel=data.channel, external_id=data.external_id,
        customer_id=customer.id if customer else None, touchpoint_id=touchpoint_id,
        text=data.text, rating=data.rating, occurred_at=occurred_at,
    )
    session.add(item)
    session.flush()
    enqueue_enrichment(session, [item.id])
    out = FeedbackOut.model_validate(item)
    emit(session, "feedback.created", out)
    return out


def add_survey_comment(session: Session, response, question_key: str, text: str, rating: float | None) -> Feedback:  # type: ignore[no-untyped-def]
    """Every open-text answer is also a feedback item on the same customer and touchpoint."""
    item = Feedback(
        source="survey", channel="survey", external_id=f"response:{response.id}:{question_key}",
        customer_id=response.customer_id, touchpoint_id=response.touchpoint_id,
        response_id=response.id, text=text, rating=rating, occurred_at=response.submitted_at,
    )
    session.add(item)
    session.flush()
    enqueue_enrichment(session, [item.id])
    return item


def _feedback_query(channel: str | None, customer_id: int | None) -> Select[tuple[Feedback]]:
    return where_given(select(Feedback), (Feedback.channel, channel), (Feedback.customer_id, customer_id))


def list_feedback(session: Session, *, channel: str | None = None, customer_id: int | None = None,
                  limit: int = 50, offset: int = 0) -> tuple[list[Feedback], int]:
    """One page of feedback items, newest first, and how many match in all."""
    query = _feedback_query(channel, customer_id)
    rows = session.scalars(query.order_by(Feedback.occurred_at.desc()).limit(limit).offset(offset)).all()
    return list(rows), count_of(session, query)
