"""JSON routes for unstructured feedback."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from centric.accounts.roles import Permission
from centric.feedback import service
from centric.feedback.schemas import FeedbackIn, FeedbackOut
from centric.web.deps import MAX_ID, CanIngest, CanReadCustomers, DbSession, Page, Paging
from centric.web.responses import created

router = APIRouter(tags=["feedback"])


@router.get("/feedback", response_model=Page[FeedbackOut])
def list_feedback(session: DbSession, _: CanReadCustomers, paging: Paging, channel: str | None = None,
                  customer_id: int | None = Query(default=None, ge=1, le=MAX_ID)) -> Page[FeedbackOut]:
    rows, total = service.list_feedback(session, channel=channel, customer_id=customer_id, limit=paging.limit,
                                        offset=paging.offset)
    return paging.of([FeedbackOut.model_validate(f) for f in rows], total)


@router.post("/feedback", response_model=FeedbackOut, status_code=201)
def record_feedback(data: FeedbackIn, request: Request, session: DbSession, caller: CanIngest) -> JSONResponse:
    def make() -> tuple[FeedbackOut, bool]:
        out = service.record_feedback(session, data, caller.user.id,
                                      may_merge=caller.can(Permission.WRITE_CUSTOMERS))
        return out, out.created

    return created(request, session, caller, data, make)
