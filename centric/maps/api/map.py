"""JSON routes of the journey map: the map with its measures, and editing stages and touchpoints."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Path, Query

from centric.maps import editing
from centric.maps.map import journey_map
from centric.maps.schemas import (
    JourneyMap,
    StageNew,
    StageOrder,
    StageOut,
    StagePatch,
    TouchpointNew,
    TouchpointOrder,
    TouchpointPatch,
    TouchpointState,
)
from centric.web.deps import CanConfigure, CanReadMetrics, DbSession, ObjectId, ReadSession

router = APIRouter(tags=["journey maps"])


@router.get("/journeys/{journey_id}/map", response_model=JourneyMap)
def get_map(journey_id: ObjectId, session: ReadSession, _: CanReadMetrics,
            segment: str | None = Query(default=None, max_length=80),
            channel: str | None = Query(default=None, max_length=40),
            start: date | None = None, end: date | None = None) -> JourneyMap:
    """Stages and touchpoints with designed vs measured emotion, score (95% interval, n), volume,
    themes, open/breached cases and impact. Filters: segment key, channel, period [start, end)."""
    return journey_map(session, journey_id, segment=segment, channel=channel, start=start, end=end)


@router.post("/journeys/{journey_id}/stages", response_model=StageOut, status_code=201)
def add_stage(journey_id: ObjectId, data: StageNew, session: DbSession, caller: CanConfigure) -> StageOut:
    """A new stage at the end of the journey."""
    return editing.stage_out(editing.add_stage(session, journey_id, data, caller.user.id))


@router.post("/journeys/{journey_id}/stages/order", response_model=StageOrder)
def order_stages(journey_id: ObjectId, data: StageOrder, session: DbSession, caller: CanConfigure) -> StageOrder:
    """Reorder the journey's stages (every stage key once, in the new order)."""
    stages = editing.reorder_stages(session, journey_id, data.stages, caller.user.id)
    return StageOrder(stages=[s.key for s in stages])


@router.patch("/journeys/{journey_id}/stages/{key}", response_model=StageOut)
def edit_stage(journey_id: ObjectId, data: StagePatch, session: DbSession, caller: CanConfigure,
               key: str = Path(min_length=1, max_length=80)) -> StageOut:
    """Rename a stage or change its description (null fields are left as they are)."""
    return editing.stage_out(editing.edit_stage(session, journey_id, key, data, caller.user.id))


@router.post("/journeys/{journey_id}/stages/{key}/touchpoints", response_model=TouchpointState, status_code=201)
def add_touchpoint(journey_id: ObjectId, data: TouchpointNew, session: DbSession, caller: CanConfigure,
                   key: str = Path(min_length=1, max_length=80)) -> TouchpointState:
    """A new touchpoint in the stage ``key`` (at ``position``, default last)."""
    touchpoint = editing.add_touchpoint(session, journey_id, key, data, caller.user.id)
    return editing.touchpoint_state(session, touchpoint)


@router.post("/journeys/{journey_id}/stages/{key}/touchpoints/order", response_model=TouchpointOrder)
def order_touchpoints(journey_id: ObjectId, data: TouchpointOrder, session: DbSession, caller: CanConfigure,
                      key: str = Path(min_length=1, max_length=80)) -> TouchpointOrder:
    """Reorder the stage's touchpoints (every touchpoint key once, in the new order)."""
    rows = editing.reorder_touchpoints(session, journey_id, key, data.touchpoints, caller.user.id)
    return TouchpointOrder(touchpoints=[t.key for t in rows])


@router.patch("/touchpoints/{key}", response_model=TouchpointState)
def edit_touchpoint(data: TouchpointPatch, session: DbSession, caller: CanConfigure,
                    key: str = Path(min_length=1, max_length=80)) -> TouchpointState:
    """Edit a touchpoint: name, stage and position, channel, description, designed emotion (−2…+2;
    ``clear_designed_emotion`` unsets it), owner team (name) or user (e-mail; "" clears), event kinds,
    and the survey linked to it. Null fields are left as they are."""
    touchpoint = editing.edit_touchpoint(session, key, data, caller.user.id)
    return editing.touchpoint_state(session, touchpoint)
