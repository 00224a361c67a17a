"""A customer's unified timeline: responses, feedback and events from every channel."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, select, union
from sqlalchemy.orm import Session

from centric.customers.schemas import TimelineItem
from centric.db import count_of
from centric.feedback.models import Feedback
from centric.journeys.models import Event, Touchpoint
from centric.surveys.models import Answer, Response, Survey
from centric.text.versions import describe_version

EVENT_TITLES = {"purchase": "Purchase", "booking": "Booking", "ticket": "Support ticket",
                "chat": "Chat", "visit": "Visit", "call": "Call",
                "idea": "Posted an idea", "idea_vote": "Voted for an idea", "idea_comment": "Commented on an idea"}


@dataclass(frozen=True)
class _Only:
    """The timeline's filters: a channel (a response's or feedback's channel, an event's source), a touchpoint id."""

    channel: str | None = None
    touchpoint_id: int | None = None

    def response(self) -> list[ColumnElement[bool]]:
        return self._where(Response.channel, Response.touchpoint_id)

    def feedback(self) -> list[ColumnElement[bool]]:
        return self._where(Feedback.channel, Feedback.touchpoint_id)

    def event(self) -> list[ColumnElement[bool]]:
        return self._where(Event.source, Event.touchpoint_id)

    def _where(self, channel: Any, touchpoint: Any) -> list[ColumnElement[bool]]:
        out = []
        if self.channel:
            out.append(channel == self.channel)
        if self.touchpoint_id is not None:
            out.append(touchpoint == self.touchpoint_id)
        return out


def timeline(session: Session, customer_id: int, limit: int = 200, offset: int = 0, *,
             channel: str | None = None, touchpoint: str | None = None) -> tuple[list[TimelineItem], int]:
    """Newest first, ``limit`` items from ``offset``, and how many items there are in all.

    ``channel`` keeps the items of one channel (a response's or feedback item's channel, an
    event's source); ``touchpoint`` (a key) those at one touchpoint (an unknown key: none).
    Each source is read with one query, limited to ``offset + limit`` rows before merging
    (no source can contribute more to the slice), and counted with one more.
    """
    rows = session.execute(select(Touchpoint.id, Touchpoint.key, Touchpoint.name)).all()
    names = {tid: name for tid, _, name in rows}
    only = _Only(channel=channel or None,
                 touchpoint_id=None if not touchpoint else next((tid for tid, key, _ in rows if key == touchpoint), 0))
    upto = offset + limit
    items = _responses(session, customer_id, upto, names, only)
    items += _feedback(session, customer_id, upto, names, only)
    items += _events(session, customer_id, upto, names, only)
    items.sort(key=lambda item: item.at, reverse=True)
    total = sum(count_of(session, query) for query in _sources(customer_id, only))
    return items[offset:upto], total


def timeline_channels(session: Session, customer_id: int) -> list[str]:
    """The channels the customer's timeline has items on, sorted: one query (the filter's choices)."""
    parts = union(
        select(Response.channel.label("c")).where(Response.customer_id == customer_id),
        select(Feedback.channel.label("c")).where(Feedback.customer_id == customer_id, Feedback.response_id.is_(None)),
        select(Event.source.label("c")).where(Event.customer_id == customer_id),
    ).subquery()
    return sorted(str(c) for c in session.scalars(select(parts.c.c)) if c)


def _sources(customer_id: int, only: _Only = _Only()) -> tuple[Select[Any], ...]:
    return (
        select(Response.id).where(Response.customer_id == customer_id, *only.response()),
        select(Feedback.id).where(Feedback.customer_id == customer_id, Feedback.response_id.is_(None),
                                  *only.feedback()),
        select(Event.id).where(Event.customer_id == customer_id, *only.event()),
    )


def _responses(session: Session, customer_id: int, limit: int, names: dict, only: _Only) -> list[TimelineItem]:
    responses = session.execute(
        select(Response, Survey.name, Survey.kind).join(Survey, Response.survey_id == Survey.id)
        .where(Response.customer_id == customer_id, *only.response())
        .order_by(Response.submitted_at.desc()).limit(limit)
    ).all()
    ids = [r.id for r, _, _ in responses]
    answers: dict[int, list[Answer]] = {}
    if ids:
        for answer in session.scalars(select(Answer).where(Answer.response_id.in_(ids))):
            answers.setdefault(answer.response_id, []).append(answer)
    items = []
    for response, survey_name, kind in responses:
        mine = answers.get(response.id, [])
        score = next((a.number for a in mine if a.metric == kind), None)
        if score is None:
            score = next((a.number for a in mine if a.number is not None), None)
        comment = next((a.text for a in mine if a.metric == "text" and a.text), None)
        items.append(TimelineItem(
            at=response.submitted_at, kind="response", channel=response.channel,
            title=f"{survey_name} ({kind.upper()})", text=comment, score=score,
            touchpoint=names.get(response.touchpoint_id), ref=f"response:{response.id}",
        ))
    return items


def _feedback(session: Session, customer_id: int, limit: int, names: dict, only: _Only) -> list[TimelineItem]:
    rows = session.scalars(
        select(Feedback).where(Feedback.customer_id == customer_id, Feedback.response_id.is_(None), *only.feedback())
        .order_by(Feedback.occurred_at.desc()).limit(limit)
    )
    return [
        TimelineItem(
            at=f.occurred_at, kind="feedback", channel=f.channel, title=f"{f.channel.title()} via {f.source}",
            text=f.text, score=f.rating, touchpoint=names.get(f.touchpoint_id),
            sentiment=f.sentiment_label, model=describe_version(f.text_version), ref=f"feedback:{f.id}",
        )
        for f in rows
    ]


def _events(session: Session, customer_id: int, limit: int, names: dict, only: _Only) -> list[TimelineItem]:
    rows = session.scalars(
        select(Event).where(Event.customer_id == customer_id, *only.event())
        .order_by(Event.occurred_at.desc()).limit(limit)
    )
    return [
        TimelineItem(
            at=e.occurred_at, kind=e.kind, channel=e.source,
            title=EVENT_TITLES.get(e.kind, e.kind.replace("_", " ").title()),
            value=e.value, touchpoint=names.get(e.touchpoint_id), ref=f"event:{e.id}",
            text=(e.payload or {}).get("subject") if isinstance(e.payload, dict) else None,
        )
        for e in rows
    ]
