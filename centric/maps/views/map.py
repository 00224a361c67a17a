"""Journey map pages: the list of journeys, the live map with filters, persona comparison and in-place edits,
and the SVG exports (poster and emotion curve)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from centric import i18n
from centric.accounts.models import Team, User
from centric.accounts.roles import Permission
from centric.customers.models import Segment
from centric.errors import CentricError, Invalid, explain
from centric.journeys import service as journeys
from centric.journeys.models import Journey
from centric.maps import editing
from centric.maps.map import EMOTION_MAPPING, VERDICT_RULE, journey_map
from centric.maps.schemas import JourneyMap, StageNew, StagePatch, TouchpointNew, TouchpointPatch
from centric.maps.svg import curve_geometry, curve_svg, poster_svg
from centric.surveys.models import Survey
from centric.web.deps import (
    Caller,
    CanConfigure,
    CanReadMetrics,
    CheckedForm,
    DbSession,
    ObjectId,
    ReadSession,
    form_day,
)
from centric.web.templating import page_locale, render

router = APIRouter()
SVG = "image/svg+xml"


def _text() -> Any:
    """A fresh optional text query parameter (FastAPI keeps per-parameter state in it: never share one)."""
    return Query(default="", max_length=80)


@router.get("/journeys", response_class=HTMLResponse)
def journeys_page(request: Request, session: ReadSession, caller: CanReadMetrics) -> HTMLResponse:
    rows, _ = journeys.list_journeys(session)
    return render(request, "maps/map_list.html", caller=caller, journeys=journeys.journey_outs(session, rows))


def _label(session: Session, segment: str | None) -> str:
    if not segment:
        return i18n.N_("all customers")  # the page shows it translated; the SVG exports in English
    return session.scalar(select(Segment.name).where(Segment.key == segment)) or segment


def _filters(start: str, end: str) -> tuple[Any, Any]:
    return form_day(start, "start"), form_day(end, "end")


def _maps(session: Session, journey_id: int, segment: str, compare: str, channel: str, start: str,
          end: str) -> list[tuple[str, JourneyMap]]:
    day_from, day_to = _filters(start, end)
    found = [(_label(session, segment), journey_map(session, journey_id, segment=segment or None,
                                                    channel=channel or None, start=day_from, end=day_to))]
    if compare:
        found.append((_label(session, compare), journey_map(
            session, journey_id, segment=compare, channel=channel or None, start=day_from, end=day_to, impact=False)))
    return found


def _page(request: Request, session: Session, caller: Caller, journey_id: int, query: dict[str, str], *,
          error: str | None = None, status_code: int = 200) -> HTMLResponse:
    journey = session.get(Journey, journey_id)
    if journey is None:
        return render(request, "maps/map.html", caller=caller, status_code=404, journey=None, error="no such journey",
                      query=query)
    try:
        maps = _maps(session, journey_id, **query)
    except CentricError as problem:
        query = {k: "" for k in query}
        maps = _maps(session, journey_id, **query)
        error, status_code = explain(problem), 422
    can_edit = caller.can(Permission.CONFIGURE)
    compared = {t.key: t for s in maps[1][1].stages for t in s.touchpoints} if len(maps) > 1 else {}
    channels = editing.channels(session, journey_id)
    return render(
        request, "maps/map.html", caller=caller, status_code=status_code, journey=journey, m=maps[0][1],
        label=maps[0][0], compare_label=maps[1][0] if len(maps) > 1 else None, compared=compared,
        curve=curve_geometry(maps), query=query, error=error, can_edit=can_edit, channels=channels,
        segments=session.execute(select(Segment.key, Segment.name, Segment.kind).order_by(Segment.name)).all(),
        teams=session.scalars(select(Team.name).order_by(Team.name)).all() if can_edit else [],
        users=session.execute(select(User.email, User.name).where(User.is_active.is_(True))
                              .order_by(User.name)).all() if can_edit else [],
        surveys=session.execute(select(Survey.key, Survey.name, Survey.kind).order_by(Survey.name)).all()
        if can_edit else [],
        qs=urlencode({k: v for k, v in query.items() if v}), **_method_notes(request, caller),
    )


def _method_notes(request: Request, caller: Caller) -> dict[str, str]:
    """The long method notes in the page's language (translated here: they hold "%" signs)."""
    with i18n.use_locale(page_locale(request, caller.user)):
        return {"emotion_mapping": i18n._(EMOTION_MAPPING), "verdict_rule": i18n._(VERDICT_RULE)}


@router.get("/journeys/{journey_id}/map", response_class=HTMLResponse)
def map_page(request: Request, journey_id: ObjectId, session: ReadSession, caller: CanReadMetrics,
             segment: str = _text(), compare: str = _text(), channel: str = _text(), start: str = _text(),
             end: str = _text()) -> HTMLResponse:
    query = {"segment": segment, "compare": compare, "channel": channel, "start": start, "end": end}
    return _page(request, session, caller, journey_id, query)


@router.get("/journeys/{journey_id}/map.svg")
def map_svg(journey_id: ObjectId, session: ReadSession, _: CanReadMetrics, segment: str = _text(),
            channel: str = _text(), start: str = _text(), end: str = _text()) -> Response:
    maps = _maps(session, journey_id, segment, "", channel, start, end)
    return Response(poster_svg(maps[0][1], maps[0][0]), media_type=SVG,
                    headers={"Content-Disposition": f'inline; filename="journey-{journey_id}.svg"'})


@router.get("/journeys/{journey_id}/curve.svg")
def emotion_curve_svg(journey_id: ObjectId, session: ReadSession, _: CanReadMetrics, segment: str = _text(),
                      compare: str = _text(), channel: str = _text(), start: str = _text(),
                      end: str = _text()) -> Response:
    """The emotion curve alone (designed and measured, a second persona with ``compare``), for ``<img>``."""
    maps = _maps(session, journey_id, segment, compare, channel, start, end)
    return Response(curve_svg(maps), media_type=SVG)


def _back(journey_id: int, qs: str) -> RedirectResponse:
    clean = qs if len(qs) < 500 and "\n" not in qs and "\r" not in qs else ""
    return RedirectResponse(f"/journeys/{journey_id}/map" + (f"?{clean}" if clean else ""), status_code=303)


def _failed(request: Request, session: Session, caller: Caller, journey_id: int, problem: Exception) -> HTMLResponse:
    session.rollback()
    return _page(request, session, caller, journey_id, {k: "" for k in ("segment", "compare", "channel", "start",
                                                                       "end")},
                 error=explain(problem), status_code=422)


@router.post("/journeys/{journey_id}/map/touchpoints/{key}")
def edit_touchpoint(request: Request, journey_id: ObjectId, key: str, session: DbSession, caller: CanConfigure,
                    _: CheckedForm, name: str = Form("", max_length=200), channel: str = Form("", max_length=40),
                    description: str | None = Form(None, max_length=5000),
                    designed_emotion: str = Form("", max_length=4), owner_team: str = Form("", max_length=200),
                    owner_user: str = Form("", max_length=320), event_kinds: str = Form("", max_length=2000),
                    survey: str = Form("", max_length=80), qs: str = Form("", max_length=600)) -> Response:
    try:
        emotion = designed_emotion.strip()
        if emotion and emotion.lstrip("+-") not in ("0", "1", "2"):
            raise Invalid("designed emotion: −2, −1, 0, +1, +2 or empty", field="designed_emotion")
        data = TouchpointPatch.model_validate({
            "name": name.strip() or None, "channel": channel.strip() or None, "description": description,
            "designed_emotion": int(emotion) if emotion else None, "clear_designed_emotion": not emotion,
            "owner_team": owner_team, "owner_user": owner_user,
            "event_kinds": [k for k in event_kinds.replace("\n", ",").split(",") if k.strip()],
            "survey": survey or None})
        editing.edit_touchpoint(session, key, data, caller.user.id)
    except (CentricError, ValidationError) as problem:
        return _failed(request, session, caller, journey_id, problem)
    return _back(journey_id, qs)


@router.post("/journeys/{journey_id}/map/touchpoints/{key}/move")
def move_touchpoint(request: Request, journey_id: ObjectId, key: str, session: DbSession, caller: CanConfigure,
                    _: CheckedForm, direction: str = Form("down", max_length=10),
                    qs: str = Form("", max_length=600)) -> Response:
    try:
        state = editing.touchpoint_state(session, editing.find_touchpoint(session, key))
        position = max(0, state.position + (1 if direction == "down" else -1))
        editing.edit_touchpoint(session, key, TouchpointPatch(position=position), caller.user.id)
    except (CentricError, ValidationError) as problem:
        return _failed(request, session, caller, journey_id, problem)
    return _back(journey_id, qs)


@router.post("/journeys/{journey_id}/map/stages")
def add_stage(request: Request, journey_id: ObjectId, session: DbSession, caller: CanConfigure, _: CheckedForm,
              key: str = Form(max_length=80), name: str = Form(max_length=200),
              qs: str = Form("", max_length=600)) -> Response:
    try:
        editing.add_stage(session, journey_id, StageNew(key=key.strip(), name=name.strip()), caller.user.id)
    except (CentricError, ValidationError) as problem:
        return _failed(request, session, caller, journey_id, problem)
    return _back(journey_id, qs)


@router.post("/journeys/{journey_id}/map/stages/{key}")
def rename_stage(request: Request, journey_id: ObjectId, key: str, session: DbSession, caller: CanConfigure,
                 _: CheckedForm, name: str = Form(max_length=200), qs: str = Form("", max_length=600)) -> Response:
    try:
        editing.edit_stage(session, journey_id, key, StagePatch(name=name.strip()), caller.user.id)
    except (CentricError, ValidationError) as problem:
        return _failed(request, session, caller, journey_id, problem)
    return _back(journey_id, qs)


@router.post("/journeys/{journey_id}/map/stages/{key}/move")
def move_stage(request: Request, journey_id: ObjectId, key: str, session: DbSession, caller: CanConfigure,
               _: CheckedForm, direction: str = Form("right", max_length=10),
               qs: str = Form("", max_length=600)) -> Response:
    try:
        keys = editing.stage_keys(session, journey_id)
        if key not in keys:
            raise Invalid(f"no stage {key!r} in this journey", field="stage")
        i = keys.index(key)
        j = i + (1 if direction == "right" else -1)
        if 0 <= j < len(keys):
            keys[i], keys[j] = keys[j], keys[i]
            editing.reorder_stages(session, journey_id, keys, caller.user.id)
    except (CentricError, ValidationError) as problem:
        return _failed(request, session, caller, journey_id, problem)
    return _back(journey_id, qs)


@router.post("/journeys/{journey_id}/map/stages/{key}/touchpoints")
def add_touchpoint(request: Request, journey_id: ObjectId, key: str, session: DbSession, caller: CanConfigure,
                   _: CheckedForm, tp_key: str = Form(max_length=80), name: str = Form(max_length=200),
                   channel: str = Form("web", max_length=40), qs: str = Form("", max_length=600)) -> Response:
    try:
        editing.add_touchpoint(session, journey_id, key, TouchpointNew(key=tp_key.strip(), name=name.strip(),
                                                                       channel=channel.strip() or "web"),
                               caller.user.id)
    except (CentricError, ValidationError) as problem:
        return _failed(request, session, caller, journey_id, problem)
    return _back(journey_id, qs)
