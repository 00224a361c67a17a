"""Editing the journey map (``config:write``): stages and touchpoints, their order, owners and designed emotions.

Every edit is audited (``stage.*`` / ``touchpoint.*`` with the changed fields, before and
after). Positions are kept dense (0, 1, 2 … within the journey or the stage). Bad input is
an :class:`~centric.errors.Invalid` naming the field.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from centric.accounts.models import Team, User
from centric.accounts.service import audit
from centric.errors import Conflict, Invalid, NotFound
from centric.journeys.models import Journey, Stage, Touchpoint
from centric.maps.schemas import StageNew, StageOut, StagePatch, TouchpointNew, TouchpointPatch, TouchpointState
from centric.surveys.models import Survey

EVENT_KIND = re.compile(r"^[a-z0-9][a-z0-9_.:-]{0,39}$")
MAX_EVENT_KINDS = 50


def _journey(session: Session, journey_id: int) -> Journey:
    journey = session.get(Journey, journey_id)
    if journey is None:
        raise NotFound(f"journey {journey_id} not found")
    return journey


def _stages(session: Session, journey_id: int) -> list[Stage]:
    return list(session.scalars(select(Stage).where(Stage.journey_id == journey_id).order_by(Stage.position, Stage.id)))


def _stage(session: Session, journey_id: int, key: str, *, field: str = "stage") -> Stage:
    stage = session.scalar(select(Stage).where(Stage.journey_id == journey_id, Stage.key == key))
    if stage is None:
        raise Invalid(f"no stage {key!r} in this journey", field=field)
    return stage


def _in_stage(session: Session, stage_id: int) -> list[Touchpoint]:
    return list(session.scalars(select(Touchpoint).where(Touchpoint.stage_id == stage_id)
                                .order_by(Touchpoint.position, Touchpoint.id)))


def _renumber(rows: list[Any]) -> None:
    for position, row in enumerate(rows):
        if row.position != position:
            row.position = position


def add_stage(session: Session, journey_id: int, data: StageNew, user_id: int | None) -> Stage:
    """A new stage at the end of the journey."""
    journey = _journey(session, journey_id)
    if session.scalar(select(Stage.id).where(Stage.journey_id == journey.id, Stage.key == data.key)) is not None:
        raise Conflict(f"stage {data.key!r} exists already in this journey", field="key")
    last = session.scalar(select(func.max(Stage.position)).where(Stage.journey_id == journey.id))
    stage = Stage(journey_id=journey.id, key=data.key, name=data.name, description=data.description,
                  position=0 if last is None else last + 1)
    session.add(stage)
    session.flush()
    audit(session, user_id, "stage.create", "stage", stage.id, {"journey": journey.key, "key": data.key,
                                                                "name": data.name})
    return stage


def edit_stage(session: Session, journey_id: int, key: str, data: StagePatch, user_id: int | None) -> Stage:
    """Rename a stage or change its description (null fields stay)."""
    stage = _stage(session, _journey(session, journey_id).id, key, field="key")
    changes = {}
    for name in ("name", "description"):
        value = getattr(data, name)
        if value is not None and value != getattr(stage, name):
            changes[name] = {"from": getattr(stage, name), "to": value}
            setattr(stage, name, value)
    if changes:
        session.flush()
        audit(session, user_id, "stage.edit", "stage", stage.id, {"key": stage.key, "changes": changes})
    return stage


def reorder_stages(session: Session, journey_id: int, keys: list[str], user_id: int | None) -> list[Stage]:
    """Put the journey's stages in the order of ``keys`` (every stage exactly once)."""
    stages = _stages(session, _journey(session, journey_id).id)
    by_key = {s.key: s for s in stages}
    if sorted(keys) != sorted(by_key):
        raise Invalid("list every stage of the journey exactly once: " + ", ".join(s.key for s in stages),
                      field="stages")
    before = [s.key for s in stages]
    ordered = [by_key[k] for k in keys]
    _renumber(ordered)
    session.flush()
    if before != keys:
        audit(session, user_id, "stage.reorder", "journey", journey_id, {"from": before, "to": keys})
    return ordered


def add_touchpoint(session: Session, journey_id: int, stage_key: str, data: TouchpointNew,
                   user_id: int | None) -> Touchpoint:
    """A new touchpoint in a stage, at ``position`` (default: last)."""
    stage = _stage(session, _journey(session, journey_id).id, stage_key)
    if session.scalar(select(Touchpoint.id).where(Touchpoint.key == data.key)) is not None:
        raise Conflict(f"touchpoint {data.key!r} exists already", field="key")
    touchpoint = Touchpoint(key=data.key, name=data.name, stage_id=stage.id, channel=data.channel,
                            event_kinds=[], description="")
    session.add(touchpoint)
    session.flush()
    rows = [t for t in _in_stage(session, stage.id) if t.id != touchpoint.id]
    rows.insert(len(rows) if data.position is None else min(data.position, len(rows)), touchpoint)
    _renumber(rows)
    session.flush()
    audit(session, user_id, "touchpoint.create", "touchpoint", touchpoint.id,
          {"key": data.key, "stage": stage.key, "channel": data.channel})
    return touchpoint


def reorder_touchpoints(session: Session, journey_id: int, stage_key: str, keys: list[str],
                        user_id: int | None) -> list[Touchpoint]:
    """Put a stage's touchpoints in the order of ``keys`` (every one of them exactly once)."""
    stage = _stage(session, _journey(session, journey_id).id, stage_key)
    rows = _in_stage(session, stage.id)
    by_key = {t.key: t for t in rows}
    if sorted(keys) != sorted(by_key):
        raise Invalid("list every touchpoint of the stage exactly once: " + ", ".join(t.key for t in rows),
                      field="touchpoints")
    before = [t.key for t in rows]
    ordered = [by_key[k] for k in keys]
    _renumber(ordered)
    session.flush()
    if before != keys:
        audit(session, user_id, "touchpoint.reorder", "stage", stage.id, {"from": before, "to": keys})
    return ordered


def checked_event_kinds(session: Session, touchpoint: Touchpoint, kinds: list[str]) -> list[str]:
    """Lower-case event kinds, unique, each listed by no other touchpoint of the same journey."""
    cleaned: list[str] = []
    for raw in kinds:
        kind = raw.strip().lower()
        if not kind:
            continue
        if not EVENT_KIND.match(kind):
            raise Invalid(f"event kind {raw[:50]!r}: 1–40 characters a–z, 0–9, _ . : - (starting with a letter or "
                          f"digit)", field="event_kinds")
        if kind not in cleaned:
            cleaned.append(kind)
    if len(cleaned) > MAX_EVENT_KINDS:
        raise Invalid(f"at most {MAX_EVENT_KINDS} event kinds", field="event_kinds")
    journey_id = select(Stage.journey_id).where(Stage.id == touchpoint.stage_id).scalar_subquery()
    others = session.execute(select(Touchpoint.key, Touchpoint.event_kinds).join(Stage)
                             .where(Stage.journey_id == journey_id, Touchpoint.id != touchpoint.id)).all()
    for key, listed in others:
        taken = sorted(set(cleaned) & {str(k) for k in (listed or [])})
        if taken:
            raise Invalid(f"event kind {taken[0]!r} already places events at touchpoint {key!r} of this journey",
                          field="event_kinds")
    return cleaned


def edit_touchpoint(session: Session, key: str, data: TouchpointPatch, user_id: int | None) -> Touchpoint:
    """Apply the fields given (null: unchanged); audit what changed."""
    touchpoint = find_touchpoint(session, key)
    changes: dict[str, dict[str, Any]] = {}

    def change(name: str, value: Any) -> None:
        old = getattr(touchpoint, name)
        if old != value:
            changes[name] = {"from": old, "to": value}
            setattr(touchpoint, name, value)

    for name in ("name", "channel", "description"):
        value = getattr(data, name)
        if value is not None:
            change(name, value.strip() if name != "description" else value)
    if not touchpoint.name or not touchpoint.channel:
        raise Invalid("name and channel cannot be blank", field="name" if not touchpoint.name else "channel")
    if data.clear_designed_emotion:
        change("designed_emotion", None)
    elif data.designed_emotion is not None:
        change("designed_emotion", data.designed_emotion)
    if data.owner_team is not None:
        change("owner_team_id", _team(session, data.owner_team))
    if data.owner_user is not None:
        change("owner_user_id", _user(session, data.owner_user))
    if data.event_kinds is not None:
        change("event_kinds", checked_event_kinds(session, touchpoint, data.event_kinds))
    if data.stage is not None or data.position is not None:
        _move(session, touchpoint, data.stage, data.position, changes)
    if data.survey is not None and data.survey.strip():
        survey = session.scalar(select(Survey).where(Survey.key == data.survey.strip()))
        if survey is None:
            raise Invalid(f"unknown survey {data.survey!r}", field="survey")
        if survey.touchpoint_id != touchpoint.id:
            changes["survey"] = {"key": survey.key, "from_touchpoint": survey.touchpoint_id, "to": touchpoint.id}
            survey.touchpoint_id = touchpoint.id
    session.flush()
    if changes:
        audit(session, user_id, "touchpoint.edit", "touchpoint", touchpoint.id, {"key": touchpoint.key,
                                                                                 "changes": changes})
    return touchpoint


def _team(session: Session, name: str) -> int | None:
    name = name.strip()
    if not name:
        return None
    team_id = session.scalar(select(Team.id).where(Team.name == name))
    if team_id is None:
        raise Invalid(f"no team named {name!r}", field="owner_team")
    return team_id


def _user(session: Session, email: str) -> int | None:
    email = email.strip().lower()
    if not email:
        return None
    user_id = session.scalar(select(User.id).where(func.lower(User.email) == email))
    if user_id is None:
        raise Invalid(f"no user with e-mail {email!r}", field="owner_user")
    return user_id


def _move(session: Session, touchpoint: Touchpoint, stage_key: str | None, position: int | None,
          changes: dict[str, dict[str, Any]]) -> None:
    current = session.get(Stage, touchpoint.stage_id)
    if current is None:  # never: the foreign key holds
        raise NotFound("the touchpoint's stage is gone")
    target = current if not stage_key else _stage(session, current.journey_id, stage_key)
    old_rows = _in_stage(session, current.id)
    old_position = [t.id for t in old_rows].index(touchpoint.id)
    rows = [t for t in (old_rows if target.id == current.id else _in_stage(session, target.id))
            if t.id != touchpoint.id]
    at = len(rows) if position is None and target.id != current.id else (
        old_position if position is None else min(position, len(rows)))
    rows.insert(at, touchpoint)
    if target.id != current.id:
        changes["stage"] = {"from": current.key, "to": target.key}
        touchpoint.stage_id = target.id
        _renumber([t for t in old_rows if t.id != touchpoint.id])
    if at != old_position or target.id != current.id:
        changes["position"] = {"from": old_position, "to": at}
    _renumber(rows)


def stage_keys(session: Session, journey_id: int) -> list[str]:
    """The journey's stage keys in order."""
    return [s.key for s in _stages(session, _journey(session, journey_id).id)]


def channels(session: Session, journey_id: int) -> list[str]:
    """The channels of the journey's touchpoints."""
    return list(session.scalars(select(Touchpoint.channel).join(Stage).where(Stage.journey_id == journey_id)
                                .distinct().order_by(Touchpoint.channel)))


def find_touchpoint(session: Session, key: str) -> Touchpoint:
    found = session.scalar(select(Touchpoint).where(Touchpoint.key == key))
    if found is None:
        raise NotFound(f"touchpoint {key!r} not found")
    return found


def stage_out(stage: Stage) -> StageOut:
    return StageOut(id=stage.id, key=stage.key, name=stage.name, position=stage.position,
                    description=stage.description)


def touchpoint_state(session: Session, touchpoint: Touchpoint) -> TouchpointState:
    """The touchpoint's editable fields with names for its stage and owners."""
    stage = session.get(Stage, touchpoint.stage_id)
    team = session.get(Team, touchpoint.owner_team_id) if touchpoint.owner_team_id else None
    user = session.get(User, touchpoint.owner_user_id) if touchpoint.owner_user_id else None
    surveys = list(session.scalars(select(Survey.key).where(Survey.touchpoint_id == touchpoint.id)
                                   .order_by(Survey.key)))
    return TouchpointState(
        id=touchpoint.id, key=touchpoint.key, name=touchpoint.name, stage=stage.key if stage else "",
        position=touchpoint.position, channel=touchpoint.channel, description=touchpoint.description,
        designed_emotion=touchpoint.designed_emotion, owner_team=team.name if team else None,
        owner_user=user.email if user else None, event_kinds=[str(k) for k in touchpoint.event_kinds or []],
        surveys=surveys)
