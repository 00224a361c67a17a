"""The targets page: every target with its owner; managers get a form to set one."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from centric.accounts.models import Team, User
from centric.accounts.roles import Permission
from centric.errors import CentricError, explain
from centric.governance import targets
from centric.governance.measure import CADENCES, METRICS, NOT_YET, SCOPES
from centric.governance.target_schemas import TargetIn
from centric.web import exports
from centric.web.deps import Caller, CanReadMetrics, CanSetTargets, CheckedForm, DbSession
from centric.web.templating import render

router = APIRouter()


def _page(request: Request, session: Session, caller: Caller, *, form: dict[str, Any] | None = None,
          error: str | None = None, status_code: int = 200) -> HTMLResponse:
    can_set = caller.can(Permission.SET_TARGETS)
    users = session.execute(select(User.id, User.name, User.email).where(User.is_active.is_(True))
                            .order_by(User.name)).all() if can_set else []
    teams = session.execute(select(Team.id, Team.name).order_by(Team.name)).all() if can_set else []
    return render(request, "governance/targets.html", status_code=status_code, caller=caller,
                  targets=targets.list_targets(session), can_set=can_set, metrics=METRICS, not_yet=NOT_YET,
                  scopes=SCOPES, cadences=CADENCES, users=users, teams=teams, error=error,
                  form=form or {"metric": "nps", "scope_kind": "company", "cadence": "quarter", "min_n": 30})


@router.get("/targets", response_class=HTMLResponse)
def targets_page(request: Request, session: DbSession, caller: CanReadMetrics) -> Response:
    if fmt := exports.requested(request):
        return exports.respond(exports.table_of("targets", targets.list_targets(session), TARGET_COLUMNS), fmt)
    return _page(request, session, caller)


TARGET_COLUMNS: tuple[exports.Column, ...] = (
    "id", "name", "metric", "scope_label", "cadence", "direction", "threshold", "min_n",
    ("owner", "owner.user_name"), ("team", "owner.team_name"), "valid_from", "valid_until", "notes", "active",
)


def _id(value: str) -> int | None:
    return int(value) if value.strip().isdigit() and len(value.strip()) < 19 else None


@router.post("/targets")
def create_target(request: Request, session: DbSession, caller: CanSetTargets, _: CheckedForm,
                  name: str = Form(max_length=200), metric: str = Form(max_length=30),
                  scope_kind: str = Form("company", max_length=20), scope_ref: str = Form("", max_length=200),
                  cadence: str = Form("quarter", max_length=10), threshold: str = Form(max_length=40),
                  direction: str = Form("", max_length=10), min_n: str = Form("30", max_length=10),
                  owner_user_id: str = Form("", max_length=20), owner_team_id: str = Form("", max_length=20),
                  notes: str = Form("", max_length=5000)) -> Response:
    form = {"name": name, "metric": metric, "scope_kind": scope_kind, "scope_ref": scope_ref, "cadence": cadence,
            "threshold": threshold, "direction": direction, "min_n": min_n, "owner_user_id": owner_user_id,
            "owner_team_id": owner_team_id, "notes": notes}
    try:
        data = TargetIn.model_validate({
            "name": name, "metric": metric, "scope_kind": scope_kind, "scope_ref": scope_ref, "cadence": cadence,
            "threshold": threshold, "direction": direction or None, "min_n": min_n or 30,
            "owner_user_id": _id(owner_user_id), "owner_team_id": _id(owner_team_id), "notes": notes})
        targets.create_target(session, data, caller.user.id)
    except (CentricError, ValidationError) as problem:
        session.rollback()
        return _page(request, session, caller, form=form, error=explain(problem), status_code=422)
    return RedirectResponse("/targets", status_code=303)
