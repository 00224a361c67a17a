"""The staff page of idea boards: names in English and Chinese, vote budget, order (config:write to edit)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from centric.accounts.roles import Permission
from centric.errors import CentricError, Invalid, explain
from centric.ideas import boards
from centric.ideas.staff_schemas import BoardIn, BoardPatch
from centric.ideas.views.forms import text
from centric.web.deps import Caller, CanConfigure, CanReadMetrics, CheckedForm, DbSession
from centric.web.templating import render

router = APIRouter()
PAGE = "/manage/ideas/boards"


def _page(request: Request, session: Session, caller: Caller, problem: str | None = None,
          status_code: int = 200) -> HTMLResponse:
    return render(request, "ideas/staff/boards.html", status_code=status_code, caller=caller,
                  boards=boards.list_boards(session), problem=problem, can_edit=caller.can(Permission.CONFIGURE))


@router.get(PAGE, response_class=HTMLResponse)
def boards_page(request: Request, session: DbSession, caller: CanReadMetrics) -> HTMLResponse:
    return _page(request, session, caller)


def _fields(form: FormData) -> dict[str, Any]:
    budget, position = text(form, "vote_budget"), text(form, "position")
    for name, value in (("vote_budget", budget), ("position", position)):
        if value and not value.isdigit():
            raise Invalid(f"{name.replace('_', ' ')} is a whole number", field=name)
    return {"names": {"en": text(form, "name_en"), "zh": text(form, "name_zh")},
            "descriptions": {"en": text(form, "description_en"), "zh": text(form, "description_zh")},
            "vote_budget": int(budget) if budget else None, "position": int(position) if position else 0,
            "active": text(form, "active") == "1"}


def _act(request: Request, session: Session, caller: Caller, change: Callable[[], object]) -> Response:
    try:
        change()
    except (CentricError, ValidationError) as exc:
        session.rollback()
        return _page(request, session, caller, explain(exc), getattr(exc, "status_code", 422))
    return RedirectResponse(PAGE, status_code=303)


@router.post(PAGE)
def create_board(request: Request, session: DbSession, caller: CanConfigure, form: CheckedForm) -> Response:
    return _act(request, session, caller, lambda: boards.create_board(
        session, BoardIn.model_validate({"key": text(form, "key"), **_fields(form)}), caller.user.id))


@router.post(PAGE + "/{key}")
def update_board(key: str, request: Request, session: DbSession, caller: CanConfigure, form: CheckedForm) -> Response:
    def change() -> None:
        fields = _fields(form)
        boards.update_board(session, key[:60], BoardPatch.model_validate(
            {**fields, "clear_budget": fields["vote_budget"] is None}), caller.user.id)
    return _act(request, session, caller, change)
