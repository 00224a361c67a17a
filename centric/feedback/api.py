"""JSON routes for unstructured feedback."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from centric.accounts.roles import Permission
from centric.feedback import service
from centric.feedback.models import Feedback
from centric.feedback.schemas import FeedbackIn, FeedbackOut
from centric.web.deps import MAX_ID, Caller, get_session, require
from centric.web.responses import created

router = APIRouter(tags=["feedback"])


@router.get("/feedback", response_model=list[FeedbackOut])
def list_feedback(
    channel: str | None = None,
    customer_id: int | None = Query(default=None, ge=1, le=MAX_ID),
    limit: int = Query(default=50, ge=1, le=500),
    offset: int = Query(default=0, ge=0, le=10**9),
    session: Session = Depends(get_session),
    _: Caller = Depends(require(Permission.READ_CUSTOMERS)),
) -> list:
    query = select(Feedback)
    if channel:
        query = query.where(Feedback.channel == channel)
    if customer_id:
        query = query.where(Feedback.customer_id == customer_id)
    return list(session.scalars(query.order_by(Feedback.occurred_at.desc()).limit(limit).offset(offset)))


@router.post("/feedback", response_model=FeedbackOut, status_code=201)
def record_feedback(data: FeedbackIn, request: Request, session: Session = Depends(get_session),
                    caller: Caller = Depends(require(Permission.INGEST))):  # type: ignore[no-untyped-def]
    def make() -> tuple[FeedbackOut, bool]:
        out = service.record_feedback(session, data, caller.user.id)
        return out, out.created

    return created(request, session, caller, data, make)
