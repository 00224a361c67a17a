"""JSON routes for journeys, touchpoints and events."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from centric.accounts.roles import Permission
from centric.journeys import service
from centric.journeys.schemas import (
    EventIn,
    EventOut,
    JourneyIn,
    JourneyOut,
    TouchpointIn,
    TouchpointOut,
)
from centric.web.deps import CanConfigure, CanIngest, CanReadMetrics, DbSession, Page, Paging
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


@router.get("/touchpoints", response_model=Page[TouchpointOut])
def list_touchpoints(session: DbSession, _: CanReadMetrics, paging: Paging) -> Page[TouchpointOut]:
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
