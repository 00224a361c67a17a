"""HTML pages of the CX council's initiatives: the ranked board, a proposal form, an initiative.

Routes parse the form, call the initiatives service, and redirect (303); a refused action
shows the page again with the service's message and its 4xx status.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from centric import i18n
from centric.accounts.models import User
from centric.accounts.roles import Permission
from centric.errors import CentricError, Invalid, explain
from centric.governance import board as board_module
from centric.governance import impact, initiatives
from centric.governance.dice import METHOD as DICE_METHOD
from centric.governance.schemas import DiceIn, InitiativeIn, InitiativeStatus, StatusIn
from centric.journeys.models import Touchpoint
from centric.web import exports
from centric.web.deps import (
    AppSettings,
    Caller,
    CanApproveInitiatives,
    CanProposeInitiatives,
    CanReadMetrics,
    CheckedForm,
    DbSession,
    ObjectId,
)
from centric.web.templating import render

router = APIRouter()
# Labels are translated where the page shows them ({{ _(label) }}).
STATUS_LABELS = {"proposed": i18n.N_("Proposed"), "approved": i18n.N_("Approved"),
                 "in_progress": i18n.N_("In progress"), "done": i18n.N_("Done"), "dropped": i18n.N_("Dropped")}
DICE_FACTORS = (("duration", i18n.N_("Duration (time between reviews)")), ("integrity", i18n.N_("Team integrity")),
                ("senior_commitment", i18n.N_("Senior commitment")), ("local_commitment", i18n.N_("Local commitment")),
                ("effort", i18n.N_("Effort (extra work)")))


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _list(form: FormData, name: str) -> list[str]:
    return [v.strip() for v in form.getlist(name) if isinstance(v, str) and v.strip()]


def _optional(form: FormData, name: str) -> str | None:
    return _text(form, name) or None


INITIATIVE_COLUMNS: tuple[exports.Column, ...] = (
    "rank", "id", "title", "status", ("owner", "owner.user_name"), ("dice_zone", "dice.zone"),
    ("dice_score", "dice.score"), "metric", "expected_effect", "expected_value", ("measured_effect", "impact.effect"),
    ("measured_effect_low", "impact.low"), ("measured_effect_high", "impact.high"), "measured_value",
)


@router.get("/initiatives", response_class=HTMLResponse)
def board_page(request: Request, session: DbSession, caller: CanReadMetrics,
               status: InitiativeStatus | None = None) -> Response:
    """The board, best value first; filter by status (dropped ones only through the filter)."""
    items = board_module.board(session, status=status, user=caller.user)
    if fmt := exports.requested(request):
        return exports.respond(exports.table_of("initiatives", items, INITIATIVE_COLUMNS), fmt)
    return render(request, "governance/initiatives.html", caller=caller, items=items, status=status,
                  statuses=STATUS_LABELS, value_of=board_module.value_of,
                  can_propose=caller.can(Permission.PROPOSE_INITIATIVES))


def _new_page(request: Request, session: Session, caller: Caller, values: dict[str, Any],
              problem: str | None = None, status_code: int = 200) -> HTMLResponse:
    touchpoints = list(session.execute(select(Touchpoint.key, Touchpoint.name).order_by(Touchpoint.name)))
    users = list(session.execute(select(User.id, User.name, User.email).where(User.is_active.is_(True))
                                 .order_by(User.name, User.email)))
    return render(request, "governance/initiative_new.html", status_code=status_code, caller=caller, v=values,
                  touchpoints=touchpoints, users=users, problem=problem)


@router.get("/initiatives/new", response_class=HTMLResponse)
def new_page(request: Request, session: DbSession, caller: CanProposeInitiatives,
             root_cause: str | None = Query(default=None, max_length=200),
             theme: str | None = Query(default=None, max_length=200),
             idea: str | None = Query(default=None, max_length=120)) -> HTMLResponse:
    """The proposal form; ``?root_cause=CODE`` or ``?theme=KEY`` prefills it from that origin."""
    origin, ref = ("root_cause", root_cause) if root_cause else ("theme", theme) if theme else (
        ("idea", idea) if idea else ("manual", ""))
    values: dict[str, Any] = {"origin": origin, "origin_ref": ref or "", "metric": "nps", "touchpoints": []}
    try:
        filled = initiatives.prefill(session, origin, ref or "")
    except CentricError as exc:
        return _new_page(request, session, caller, values, explain(exc), exc.status_code)
    values.update(title=filled.title, problem=filled.problem, touchpoints=filled.touchpoints)
    return _new_page(request, session, caller, values)


@router.post("/initiatives")
def propose(request: Request, session: DbSession, caller: CanProposeInitiatives, form: CheckedForm) -> Response:
    values: dict[str, Any] = {
        "title": _text(form, "title"), "problem": _text(form, "problem"), "origin": _text(form, "origin") or "manual",
        "origin_ref": _text(form, "origin_ref"), "metric": _text(form, "metric") or "nps",
        "touchpoints": _list(form, "touchpoints"), "owner_user_id": _optional(form, "owner_user_id"),
        "sponsor_user_id": _optional(form, "sponsor_user_id"), "cost": _optional(form, "cost"),
        "expected_effect": _optional(form, "expected_effect")}
    try:
        item = initiatives.propose(session, InitiativeIn.model_validate(values), caller.user)
    except (CentricError, ValidationError) as exc:
        session.rollback()
        return _new_page(request, session, caller, values, explain(exc), getattr(exc, "status_code", 422))
    return RedirectResponse(f"/initiatives/{item.id}", status_code=303)


def _page(request: Request, session: Session, caller: Caller, initiative_id: int, problem: str | None = None,
          status_code: int = 200) -> HTMLResponse:
    item = initiatives.detail(session, initiative_id, caller.user)
    row = initiatives.get(session, initiative_id)
    return render(request, "governance/initiative.html", status_code=status_code, caller=caller, item=item,
                  history=initiatives.dice_history(session, initiative_id), problem=problem,
                  statuses=STATUS_LABELS, factors=DICE_FACTORS, dice_method=DICE_METHOD,
                  can_approve=caller.can(Permission.APPROVE_INITIATIVES),
                  can_edit=initiatives.may_edit(row, caller.user), today=date.today().isoformat(),
                  window=impact.WINDOW_DAYS)


@router.get("/initiatives/{initiative_id}", response_class=HTMLResponse)
def initiative_page(initiative_id: ObjectId, request: Request, session: DbSession,
                    caller: CanReadMetrics) -> HTMLResponse:
    return _page(request, session, caller, initiative_id)


def _act(request: Request, session: Session, caller: Caller, initiative_id: int,
         action: Callable[[], object]) -> Response:
    try:
        action()
    except (CentricError, ValidationError) as exc:
        session.rollback()
        return _page(request, session, caller, initiative_id, explain(exc), getattr(exc, "status_code", 422))
    return RedirectResponse(f"/initiatives/{initiative_id}", status_code=303)


@router.post("/initiatives/{initiative_id}/approve")
def approve(initiative_id: ObjectId, request: Request, session: DbSession, caller: CanApproveInitiatives,
            form: CheckedForm) -> Response:
    return _act(request, session, caller, initiative_id,
                lambda: initiatives.approve(session, initiative_id, caller.user, _text(form, "note")))


@router.post("/initiatives/{initiative_id}/reject")
def reject(initiative_id: ObjectId, request: Request, session: DbSession, caller: CanApproveInitiatives,
           form: CheckedForm) -> Response:
    return _act(request, session, caller, initiative_id,
                lambda: initiatives.reject(session, initiative_id, caller.user, _text(form, "note")))


@router.post("/initiatives/{initiative_id}/status")
def move(initiative_id: ObjectId, request: Request, session: DbSession, caller: CanProposeInitiatives,
         form: CheckedForm) -> Response:
    def act() -> None:
        data = {"status": _text(form, "status"), "note": _text(form, "note")}
        for name, status in (("started_on", "in_progress"), ("done_on", "done")):
            if _text(form, name) and data["status"] == status:
                data[name] = _text(form, name)
        initiatives.move(session, initiative_id, StatusIn.model_validate(data), caller.user)
    return _act(request, session, caller, initiative_id, act)


@router.post("/initiatives/{initiative_id}/dice")
def assess(initiative_id: ObjectId, request: Request, session: DbSession, caller: CanProposeInitiatives,
           form: CheckedForm) -> Response:
    def act() -> None:
        values: dict[str, Any] = {name: _text(form, name) for name, _ in DICE_FACTORS}
        for name, value in values.items():
            if not value:
                raise Invalid(f"rate {name.replace('_', ' ')} from 1 to 4", field=name)
        initiatives.assess(session, initiative_id, DiceIn.model_validate({**values, "note": _text(form, "note")}),
                           caller.user)
    return _act(request, session, caller, initiative_id, act)


@router.post("/initiatives/{initiative_id}/impact")
def measure(initiative_id: ObjectId, request: Request, session: DbSession, settings: AppSettings,
            caller: CanApproveInitiatives, _: CheckedForm) -> Response:
    return _act(request, session, caller, initiative_id, lambda: impact.measure(
        session, initiatives.get(session, initiative_id), window=settings.impact_window_days))
