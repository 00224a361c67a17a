"""JSON routes for journeys, touchpoints and events."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response

from centric.accounts.roles import Permission
from centric.journeys import funnels, service
from centric.journeys.schemas import (
    DropoffOut,
    EventIn,
    EventOut,
    FunnelOut,
    JourneyIn,
    JourneyOut,
    PathOut,
    TimingOut,
    TouchpointIn,
    TouchpointOut,
)
from centric.web import exports
from centric.web.deps import CanConfigure, CanIngest, CanReadMetrics, DbSession, ObjectId, Page, Paging
from centric.web.responses import created

router = APIRouter(tags=["journeys"])


@router.get("/journeys", response_model=Page[JourneyOut])
def list_journeys(session: DbSession, _: CanReadMetrics, paging: Paging) -> Page[JourneyOut]:
    rows, total = service.list_journeys(session, paging.limit, paging.offset)
    return paging.of(service.journey_outs(session, rows), total)


@router.post("/journeys", response_model=JourneyOut, status_code=201)
def create_journey(data: JourneyIn, session: DbSession, caller: CanConfigure) -> JourneyOut:
    journey = service.create_journey(session, data, caller.user.id)
    return service.journey_outs(session, [journey])[0]


@router.get("/touchpoints", response_model=Page[TouchpointOut], responses=exports.FILE_RESPONSES)
def list_touchpoints(request: Request, session: DbSession, _: CanReadMetrics, paging: Paging
                     ) -> Page[TouchpointOut] | Response:
    if file := exports.listing(request, session, "touchpoints", exports.columns_of(TouchpointOut),
                               lambda s, limit, offset: (service.list_touchpoints(s, limit=limit, offset=offset),
                                                         service.count_touchpoints(s))):
        return file
    rows = service.list_touchpoints(session, limit=paging.limit, offset=paging.offset)
    return paging.of(rows, service.count_touchpoints(session))


@router.post("/touchpoints", response_model=TouchpointOut, status_code=201)
def create_touchpoint(data: TouchpointIn, session: DbSession, caller: CanConfigure) -> TouchpointOut:
    touchpoint = service.create_touchpoint(session, data, caller.user.id)
    return service.list_touchpoints(session, ids=[touchpoint.id])[0]


@router.post("/events", response_model=EventOut, status_code=201)
def record_event(data: EventIn, request: Request, session: DbSession, caller: CanIngest) -> JSONResponse:
    def make() -> tuple[EventOut, bool]:
        event, is_new = service.record_event(session, data, caller.user.id,
                                             may_merge=caller.can(Permission.WRITE_CUSTOMERS))
        return EventOut.model_validate(event).model_copy(update={"created": is_new}), is_new

    return created(request, session, caller, data, make)


# --- analytics: read from the per-customer summaries, never raw events ----------------------

def _filter(segment: str | None = Query(None, max_length=80, description="segment or persona key"),
            channel: str | None = Query(None, max_length=40, description="entry channel"),
            start: date | None = Query(None, description="entered on or after this day"),
            end: date | None = Query(None, description="entered on or before this day")) -> funnels.JourneyFilter:
    return funnels.JourneyFilter(segment=segment or None, channel=channel or None, start=start, end=end)


JourneyFilterQuery = Annotated[funnels.JourneyFilter, Depends(_filter)]


@router.get("/journeys/{journey_id}/funnel", response_model=FunnelOut)
def journey_funnel(journey_id: ObjectId, session: DbSession, _: CanReadMetrics, where: JourneyFilterQuery) -> FunnelOut:
    """Customers reaching each stage in order within the journey's conversion window."""
    return funnels.funnel(session, journey_id, where)


@router.get("/journeys/{journey_id}/paths", response_model=Page[PathOut])
def journey_paths(journey_id: ObjectId, session: DbSession, _: CanReadMetrics, where: JourneyFilterQuery,
                  paging: Paging, top: int = Query(10, ge=0, le=100)) -> Page[PathOut]:
    """The top paths of the entrants, then "other" buckets per depth: the rows add up to the funnel."""
    return paging.cut(funnels.paths(session, journey_id, top, where))


@router.get("/journeys/{journey_id}/timing", response_model=TimingOut)
def journey_timing(journey_id: ObjectId, session: DbSession, _: CanReadMetrics, where: JourneyFilterQuery) -> TimingOut:
    """Median and p90 time between consecutive stages."""
    return funnels.timing(session, journey_id, where)


@router.get("/journeys/{journey_id}/dropoff", response_model=Page[DropoffOut])
def journey_dropoff(journey_id: ObjectId, session: DbSession, _: CanReadMetrics, where: JourneyFilterQuery,
                    paging: Paging, by: Literal["segment", "channel"] = "segment") -> Page[DropoffOut]:
    """The funnel per segment/persona or per entry channel, with the stage that loses the most."""
    return paging.cut(funnels.dropoff(session, journey_id, by, where))
