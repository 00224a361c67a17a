"""JSON routes for customers, identity merges, timelines and segments."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from centric.accounts.roles import Permission
from centric.customers import service
from centric.customers.models import CustomerMerge, MergeSuggestion
from centric.customers.schemas import (
    CustomerIn,
    CustomerOut,
    MergeOut,
    MergeSuggestionOut,
    SegmentIn,
    SegmentOut,
    TimelineItem,
)
from centric.customers.suggestions import list_suggestions
from centric.insights.timeline import timeline
from centric.maps import personas
from centric.search import COUNT_CAP
from centric.web import exports
from centric.web.deps import (
    MAX_ID,
    CanConfigure,
    CanIngest,
    CanReadCustomers,
    CanReadMetrics,
    CanWriteCustomers,
    DbSession,
    ObjectId,
    Page,
    Paging,
)
from centric.web.responses import created

router = APIRouter(tags=["customers"])


@router.get("/customers", response_model=Page[CustomerOut], responses=exports.FILE_RESPONSES)
def list_customers(request: Request, session: DbSession, _: CanReadCustomers, paging: Paging,
                   search: str | None = Query(default=None, max_length=200),
                   segment: str | None = None) -> Page[CustomerOut] | Response:
    """Customers, oldest first; ``Accept: text/csv`` (or the XLSX type) for every matching one as a file."""
    def fetch(s: Session, limit: int, offset: int) -> tuple[list[CustomerOut], int]:
        rows, count = service.list_customers(s, search=search, segment=segment, limit=limit, offset=offset)
        return service.customer_outs(s, rows), count

    if file := exports.listing(request, session, "customers", exports.columns_of(CustomerOut), fetch):
        return file
    rows, total = service.list_customers(session, search=search, segment=segment, limit=paging.limit,
                                         offset=paging.offset, count_cap=COUNT_CAP)
    return paging.of(service.customer_outs(session, rows), total, COUNT_CAP)


@router.post("/customers", response_model=CustomerOut, status_code=201)
def upsert_customer(data: CustomerIn, request: Request, session: DbSession, caller: CanIngest) -> JSONResponse:
    def make() -> tuple[CustomerOut, bool]:
        customer = service.upsert_customer(session, data, caller.user.id,
                                           may_merge=caller.can(Permission.WRITE_CUSTOMERS), origin="customer")
        return service.customer_outs(session, [customer])[0], True

    return created(request, session, caller, data, make)


@router.get("/customers/{customer_id}", response_model=CustomerOut)
def get_customer(customer_id: ObjectId, session: DbSession, _: CanReadCustomers) -> CustomerOut:
    return service.customer_outs(session, [service.get_customer(session, customer_id)])[0]


@router.get("/customers/{customer_id}/timeline", response_model=Page[TimelineItem])
def customer_timeline(customer_id: ObjectId, session: DbSession, _: CanReadCustomers, paging: Paging,
                      channel: str | None = Query(default=None, max_length=60,
                                                  description="only items on this channel (an event's source)"),
                      touchpoint: str | None = Query(default=None, max_length=80,
                                                     description="only items at this touchpoint (key)"),
                      ) -> Page[TimelineItem]:
    customer = service.get_customer(session, customer_id)
    items, total = timeline(session, customer.id, paging.limit, paging.offset, channel=channel,
                            touchpoint=touchpoint)
    return paging.of(items, total)


class MergeIn(BaseModel):
    other_id: int = Field(ge=1, le=MAX_ID)
    reason: str = Field(default="merged by hand", max_length=300)


@router.get("/customers/{customer_id}/merges", response_model=Page[MergeOut])
def list_merges(customer_id: ObjectId, session: DbSession, _: CanReadCustomers, paging: Paging) -> Page[MergeOut]:
    rows, total = service.merges_of(session, customer_id, paging.limit, paging.offset)
    return paging.of([MergeOut.model_validate(m) for m in rows], total)


@router.post("/customers/{customer_id}/merge", response_model=MergeOut, status_code=201)
def merge(customer_id: ObjectId, data: MergeIn, session: DbSession, caller: CanWriteCustomers) -> CustomerMerge:
    survivor = service.get_customer(session, customer_id)
    other = service.get_customer(session, data.other_id)
    return service.merge_customers(session, survivor, other, reason=data.reason[:300], user_id=caller.user.id)


@router.post("/merges/{merge_id}/undo", response_model=MergeOut)
def undo_merge(merge_id: ObjectId, session: DbSession, caller: CanWriteCustomers) -> CustomerMerge:
    return service.undo_merge(session, merge_id, caller.user.id)


@router.get("/merge-suggestions", response_model=Page[MergeSuggestionOut])
def list_merge_suggestions(session: DbSession, _: CanWriteCustomers, paging: Paging,
                           status: Literal["pending", "accepted", "rejected"] = "pending") -> Page[MergeSuggestionOut]:
    rows, total = list_suggestions(session, status=status, limit=paging.limit, offset=paging.offset)
    return paging.of([MergeSuggestionOut.model_validate(r) for r in rows], total)


@router.post("/merge-suggestions/{suggestion_id}/accept", response_model=MergeSuggestionOut)
def accept_merge_suggestion(suggestion_id: ObjectId, session: DbSession, caller: CanWriteCustomers) -> MergeSuggestion:
    return service.accept_suggestion(session, suggestion_id, caller.user.id)


@router.post("/merge-suggestions/{suggestion_id}/reject", response_model=MergeSuggestionOut)
def reject_merge_suggestion(suggestion_id: ObjectId, session: DbSession, caller: CanWriteCustomers) -> MergeSuggestion:
    return service.reject_suggestion(session, suggestion_id, caller.user.id)


@router.get("/segments", response_model=Page[SegmentOut])
def list_segments(session: DbSession, _: CanReadMetrics, paging: Paging) -> Page[SegmentOut]:
    rows, total = service.list_segments(session, paging.limit, paging.offset)
    return paging.of([service.segment_out(s, n) for s, n in rows], total)


@router.post("/segments", response_model=SegmentOut, status_code=201)
def create_segment(data: SegmentIn, session: DbSession, caller: CanConfigure) -> SegmentOut:
    segment = service.create_segment(session, data, caller.user.id)
    if personas.names_metric(segment.rule):  # figures (clv, last_nps…) are evaluated above customers
        personas.refresh_members(session, segment)
    return service.segment_out(segment, service.segment_members(session, segment.id))
