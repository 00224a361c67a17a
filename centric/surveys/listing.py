"""Stored responses as a filtered list, for the API and its exports."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from centric.journeys.models import Touchpoint
from centric.surveys.models import Response, Survey
from centric.surveys.schemas import ResponseOut
from centric.surveys.service import response_outs


def list_responses(session: Session, *, survey: str | None = None, touchpoint: str | None = None,
                   start: date | None = None, end: date | None = None, customer_id: int | None = None,
                   limit: int = 50, offset: int = 0) -> tuple[list[ResponseOut], int]:
    """Responses newest first, filtered by survey key, touchpoint key, day range [start, end) and customer.

    Four queries whatever the page's size: the count, the ids, the responses and their answers.
    """
    query = select(Response.id)
    if survey:
        query = query.join(Survey, Response.survey_id == Survey.id).where(Survey.key == survey)
    if touchpoint:
        query = query.join(Touchpoint, Response.touchpoint_id == Touchpoint.id).where(Touchpoint.key == touchpoint)
    if start:
        query = query.where(Response.submitted_at >= datetime.combine(start, time.min))
    if end:
        query = query.where(Response.submitted_at < datetime.combine(end, time.min))
    if customer_id:
        query = query.where(Response.customer_id == customer_id)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    ids = list(session.scalars(query.order_by(Response.submitted_at.desc(), Response.id.desc())
                               .limit(limit).offset(offset)))
    by_id = {r.id: r for r in response_outs(session, ids)}
    return [by_id[i] for i in ids if i in by_id], total
