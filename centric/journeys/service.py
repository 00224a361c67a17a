"""Journeys → stages → touchpoints with owners, and the events that happen on them."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from centric.accounts.models import Team, User
from centric.accounts.service import audit
from centric.customers.service import move_rows_on_merge, move_rows_on_undo, upsert_customer
from centric.db import count_of, in_chunks, not_in_future, page_of
from centric.errors import Conflict, NotFound
from centric.events import CustomerMergeUndone, CustomersMerged, EventsRecorded, publish
from centric.journeys.models import Event, Journey, Stage, Touchpoint
from centric.journeys.schemas import EventIn, JourneyIn, JourneyOut, TouchpointIn, TouchpointOut


def create_journey(session: Session, data: JourneyIn, user_id: int | None = None) -> Journey:
    if session.scalar(select(Journey.id).where(Journey.key == data.key)) is not None:
        raise Conflict(f"journey {data.key!r} exists already", field="key")
    journey = Journey(key=data.key, name=data.name, description=data.description,
                      owner_team_id=_team_id(session, data.owner_team))
    session.add(journey)
    session.flush()
    for position, stage in enumerate(data.stages):
        session.add(Stage(journey_id=journey.id, key=stage.key, name=stage.name, position=position))
    session.flush()
    audit(session, user_id, "journey.create", "journey", journey.id, {"key": data.key})
    return journey


def list_journeys(session: Session, limit: int | None = None, offset: int = 0) -> tuple[list[Journey], int]:
    """Journeys by name (a slice of them) and how many there are; ``journey_outs`` adds their stages."""
    return page_of(session, select(Journey).order_by(Journey.name), limit, offset)


def _team_id(session: Session, name: str | None) -> int | None:
    if not name:
        return None
    team_id = session.scalar(select(Team.id).where(Team.name == name))
    if team_id is None:
        team = Team(name=name)
        session.add(team)
        session.flush()
        team_id = team.id
    return team_id


def create_touchpoint(session: Session, data: TouchpointIn, user_id: int | None = None) -> Touchpoint:
    if session.scalar(select(Touchpoint.id).where(Touchpoint.key == data.key)) is not None:
        raise Conflict(f"touchpoint {data.key!r} exists already", field="key")
    stage_id = session.scalar(
        select(Stage.id).join(Journey).where(Journey.key == data.journey, Stage.key == data.stage)
    )
    if stage_id is None:
        raise NotFound(f"no stage {data.stage!r} in journey {data.journey!r}", field="stage")
    owner_id = None
    if data.owner_email:
        owner_id = session.scalar(select(User.id).where(User.email == data.owner_email.lower()))
        if owner_id is None:
            raise NotFound(f"no user with e-mail {data.owner_email!r}", field="owner_email")
    touchpoint = Touchpoint(
        key=data.key, name=data.name, stage_id=stage_id, channel=data.channel,
        owner_team_id=_team_id(session, data.owner_team), owner_user_id=owner_id,
    )
    session.add(touchpoint)
    session.flush()
    audit(session, user_id, "touchpoint.create", "touchpoint", touchpoint.id, {"key": data.key})
    return touchpoint


def touchpoint_id_for(session: Session, key: str | None, *, field: str = "touchpoint") -> int | None:
    """The id of the touchpoint with this key; unknown keys are an error, never ignored."""
    if key is None or key == "":
        return None
    touchpoint_id = session.scalar(select(Touchpoint.id).where(Touchpoint.key == key))
    if touchpoint_id is None:
        raise NotFound(f"unknown touchpoint {key!r}", field=field)
    return touchpoint_id


def list_touchpoints(session: Session, *, ids: Sequence[int] | None = None, limit: int | None = None,
                     offset: int = 0) -> list[TouchpointOut]:
    """Touchpoints in journey order with their stage and owners (only ``ids`` when given), in one query.

    ``limit`` and ``offset`` take a slice of that order; ``count_touchpoints`` counts them all.
    """
    query = (
        select(Touchpoint, Stage, Journey, Team.name, User.email)
        .join(Stage, Touchpoint.stage_id == Stage.id)
        .join(Journey, Stage.journey_id == Journey.id)
        .outerjoin(Team, Touchpoint.owner_team_id == Team.id)
        .outerjoin(User, Touchpoint.owner_user_id == User.id)
        .order_by(Journey.name, Stage.position, Touchpoint.name)
    )
    if ids is not None:
        query = query.where(Touchpoint.id.in_(ids))
    rows = session.execute(query.limit(limit).offset(offset or None)).all()
    return [
        TouchpointOut(
            id=t.id, key=t.key, name=t.name, channel=t.channel, journey=j.name, stage=s.name,
            stage_position=s.position, owner_team=team, owner=owner,
        )
        for t, s, j, team, owner in rows
    ]


def count_touchpoints(session: Session) -> int:
    """How many touchpoints ``list_touchpoints`` lists (each belongs to a stage of a journey)."""
    return count_of(session, select(Touchpoint.id).join(Stage, Touchpoint.stage_id == Stage.id)
                    .join(Journey, Stage.journey_id == Journey.id))


def record_event(session: Session, data: EventIn, user_id: int | None = None, *,
                 may_merge: bool = False) -> tuple[Event, bool]:
    """Store an event once; a retry with the same (source, external_id) returns the first.

    ``may_merge``: whether the caller may merge two profiles its customer names (see ``upsert_customer``).
    """
    if data.external_id:
        existing = session.scalar(
            select(Event).where(Event.source == data.source, Event.external_id == data.external_id)
        )
        if existing is not None:
            return existing, False
    occurred_at = not_in_future(data.occurred_at, "occurred_at")
    touchpoint_id = touchpoint_id_for(session, data.touchpoint)
    customer = upsert_customer(session, data.customer, user_id, may_merge=may_merge,
                               origin=f"event {data.source}/{data.external_id or ''}")
    event = Event(
        customer_id=customer.id, touchpoint_id=touchpoint_id, kind=data.kind, occurred_at=occurred_at,
        value=data.value, source=data.source, external_id=data.external_id, payload=data.payload,
    )
    session.add(event)
    session.flush()
    publish(session, EventsRecorded((event.id,)))
    return event, True


def events_follow_merge(session: Session, merged: CustomersMerged) -> None:
    """Reaction: a merged customer's events belong to the survivor."""
    move_rows_on_merge(session, Event, merged)


def events_follow_undo(session: Session, undone: CustomerMergeUndone) -> None:
    """Reaction: an undone merge gives the events back."""
    move_rows_on_undo(session, Event, undone)


# --- API output ---------------------------------------------------------------------------

def journey_out(journey: Journey, stages: Sequence[Stage]) -> JourneyOut:
    return JourneyOut(id=journey.id, key=journey.key, name=journey.name, description=journey.description,
                      stages=[{"key": s.key, "name": s.name, "position": s.position} for s in stages])


def journey_outs(session: Session, journeys: Sequence[Journey]) -> list[JourneyOut]:
    """Journeys with their ordered stages, read in one query per thousand journeys."""
    stages: dict[int, list[Stage]] = {}
    for chunk in in_chunks([j.id for j in journeys]):
        for stage in session.scalars(select(Stage).where(Stage.journey_id.in_(chunk)).order_by(Stage.position)):
            stages.setdefault(stage.journey_id, []).append(stage)
    return [journey_out(j, stages.get(j.id, [])) for j in journeys]
