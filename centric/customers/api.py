"""JSON routes for customers, identity merges, timelines and segments."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from centric.accounts.roles import Permission
from centric.customers import service
from centric.customers.schemas import (
    CustomerIn,
    CustomerOut,
    IdentityOut,
    MergeOut,
    SegmentIn,
    SegmentOut,
    TimelineItem,
)
from centric.insights.timeline import timeline
from centric.web.deps import MAX_ID, Caller, ObjectId, get_session, require
from centric.web.responses import created

router = APIRouter(tags=["customers"])


def customer_out(session: Session, customer) -> CustomerOut:  # type: ignore[no-untyped-def]
    return CustomerOut(
        id=customer.id, external_id=customer.external_id, name=customer.name,
        attributes=customer.attributes or {}, created_at=customer.created_at,
        identities=[IdentityOut.model_validate(i) for i in service.identities_for(session, customer.id)],
        segments=service.segment_keys_for(session, customer.id),
    )


class CustomerPage(BaseModel):
    total: int
    items: list[CustomerOut]


@router.get("/customers", response_model=CustomerPage)
def list_customers(
    search: str | None = Query(default=None, max_length=200),
    segment: str | None = None,
    limit: int = Query(default=50, ge=1, le=500),
    offset: int = Query(default=0, ge=0, le=10**9),
    session: Session = Depends(get_session),
    _: Caller = Depends(require(Permission.READ_CUSTOMERS)),
) -> CustomerPage:
    rows, total = service.list_customers(session, search=search, segment=segment, limit=limit, offset=offset)
    return CustomerPage(total=total, items=[customer_out(session, c) for c in rows])


@router.post("/customers", response_model=CustomerOut, status_code=201)
def upsert_customer(data: CustomerIn, request: Request, session: Session = Depends(get_session),
                    caller: Caller = Depends(require(Permission.INGEST))):  # type: ignore[no-untyped-def]
    def make() -> tuple[CustomerOut, bool]:
        customer = service.upsert_customer(session, data, caller.user.id)
        return customer_out(session, customer), True

    return created(request, session, caller, data, make)


@router.get("/customers/{customer_id}", response_model=CustomerOut)
def get_customer(customer_id: ObjectId, session: Session = Depends(get_session),
                 _: Caller = Depends(require(Permission.READ_CUSTOMERS))) -> CustomerOut:
    return customer_out(session, service.get_customer(session, customer_id))


@router.get("/customers/{customer_id}/timeline", response_model=list[TimelineItem])
def customer_timeline(customer_id: ObjectId, limit: int = Query(default=200, ge=1, le=2000),
                      session: Session = Depends(get_session),
                      _: Caller = Depends(require(Permission.READ_CUSTOMERS))) -> list[TimelineItem]:
    customer = service.get_customer(session, customer_id)
    return timeline(session, customer.id, limit)


class MergeIn(BaseModel):
    other_id: int = Field(ge=1, le=MAX_ID)
    reason: str = Field(default="merged by hand", max_length=300)


@router.get("/customers/{customer_id}/merges", response_model=list[MergeOut])
def list_merges(customer_id: ObjectId, session: Session = Depends(get_session),
                _: Caller = Depends(require(Permission.READ_CUSTOMERS))) -> list:
    return service.merges_of(session, customer_id)


@router.post("/customers/{customer_id}/merge", response_model=MergeOut, status_code=201)
def merge(customer_id: ObjectId, data: MergeIn, session: Session = Depends(get_session),
          caller: Caller = Depends(require(Permission.WRITE_CUSTOMERS))) -> object:
    survivor = service.get_customer(session, customer_id)
    other = service.get_customer(session, data.other_id)
    return service.merge_customers(session, survivor, other, reason=data.reason[:300], user_id=caller.user.id)


@router.post("/merges/{merge_id}/undo", response_model=MergeOut)
def undo_merge(merge_id: ObjectId, session: Session = Depends(get_session),
               caller: Caller = Depends(require(Permission.WRITE_CUSTOMERS))) -> object:
    return service.undo_merge(session, merge_id, caller.user.id)


@router.get("/segments", response_model=list[SegmentOut])
def list_segments(session: Session = Depends(get_session),
                  _: Caller = Depends(require(Permission.READ_METRICS))) -> list[SegmentOut]:
    return [SegmentOut.model_validate(s).model_copy(update={"members": n})
            for s, n in service.list_segments(session)]


@router.post("/segments", response_model=SegmentOut, status_code=201)
def create_segment(data: SegmentIn, session: Session = Depends(get_session),
                   caller: Caller = Depends(require(Permission.CONFIGURE))) -> SegmentOut:
    segment = service.create_segment(session, data, caller.user.id)
    members = dict((s.id, n) for s, n in service.list_segments(session)).get(segment.id, 0)
    return SegmentOut.model_validate(segment).model_copy(update={"members": members})
