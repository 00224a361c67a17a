"""JSON routes for journeys, touchpoints and events."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from sqlalchemy.orm import Session

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
from centric.web.deps import Caller, get_session, require
from centric.web.responses import created

router = APIRouter(tags=["journeys"])


def _journey_out(journey, stages) -> JourneyOut:  # type: ignore[no-untyped-def]
    return JourneyOut(id=journey.id, key=journey.key, name=journey.name, description=journey.description,
                      stages=[{"key": s.key, "name": s.name, "position": s.position} for s in stages])


@router.get("/journeys", response_model=list[JourneyOut])
def list_journeys(session: Session = Depends(get_session),
                  _: Caller = Depends(require(Permission.READ_METRICS))) -> list[JourneyOut]:
    return [_journey_out(j, stages) for j, stages in service.list_journeys(session)]


@router.post("/journeys", response_model=JourneyOut, status_code=201)
def create_journey(data: JourneyIn, session: Session = Depends(get_session),
                   caller: Caller = Depends(require(Permission.CONFIGURE))) -> JourneyOut:
    journey = service.create_journey(session, data, caller.user.id)
    stages = dict(service.list_journeys(session))[journey]
    return _journey_out(journey, stages)


@router.get("/touchpoints", response_model=list[TouchpointOut])
def list_touchpoints(session: Session = Depends(get_session),
                     _: Caller = Depends(require(Permission.READ_METRICS))) -> list[TouchpointOut]:
    return service.list_touchpoints(session)


@router.post("/touchpoints", response_model=TouchpointOut, status_code=201)
def create_touchpoint(data: TouchpointIn, session: Session = Depends(get_session),
                      caller: Caller = Depends(require(Permission.CONFIGURE))) -> TouchpointOut:
    touchpoint = service.create_touchpoint(session, data, caller.user.id)
    return next(t for t in service.list_touchpoints(session) if t.id == touchpoint.id)


@router.post("/events", response_model=EventOut, status_code=201)
def record_event(data: EventIn, request: Request, session: Session = Depends(get_session),
                 caller: Caller = Depends(require(Permission.INGEST))):  # type: ignore[no-untyped-def]
    def make() -> tuple[EventOut, bool]:
        event, is_new = service.record_event(session, data, caller.user.id)
        return EventOut.model_validate(event).model_copy(update={"created": is_new}), is_new

    return created(request, session, caller, data, make)
