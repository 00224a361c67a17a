"""The staff page of help-centre categories: names in English and Chinese, order (kb:write to change)."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from centric.accounts.roles import Permission
from centric.errors import CentricError, Invalid, explain
from centric.kb import categories
from centric.kb.schemas import CategoryIn, CategoryPatch
from centric.kb.views.forms import text
from centric.web.deps import Caller, CanWriteKb, CheckedForm, CurrentCaller, DbSession
from centric.web.templating import render

router = APIRouter()
PAGE = "/kb/categories"


def _page(request: Request, session: Session, caller: Caller, problem: str | None = None,
          status_code: int = 200) -> HTMLResponse:
    return render(request, "kb/staff/categories.html", status_code=status_code, caller=caller,
                  categories=categories.list_categories(session), problem=problem,
                  can_write=caller.can(Permission.WRITE_KB))


@router.get(PAGE, response_class=HTMLResponse)
def categories_page(request: Request, session: DbSession, caller: CurrentCaller) -> HTMLResponse:
    return _page(request, session, caller)


def _fields(form: FormData) -> dict[str, object]:
    position = text(form, "position") or "0"
    if not position.isdigit() or len(position) > 6:
        raise Invalid("the position is a whole number", field="position")
    return {"names": {"en": text(form, "name_en", 200), "zh": text(form, "name_zh", 200)}, "position": int(position)}


def _act(request: Request, session: Session, caller: Caller, change: Callable[[], object]) -> Response:
    try:
        change()
    except (CentricError, ValidationError) as exc:
        session.rollback()
        return _page(request, session, caller, explain(exc), getattr(exc, "status_code", 422))
    return RedirectResponse(PAGE, status_code=303)


@router.post(PAGE)
def create(request: Request, session: DbSession, caller: CanWriteKb, form: CheckedForm) -> Response:
    return _act(request, session, caller, lambda: categories.create_category(
        session, CategoryIn.model_validate({"key": text(form, "key", 80), **_fields(form)}), caller.user.id))


@router.post(PAGE + "/{key}")
def update(key: str, request: Request, session: DbSession, caller: CanWriteKb, form: CheckedForm) -> Response:
    return _act(request, session, caller, lambda: categories.update_category(
        session, key[:60], CategoryPatch.model_validate(_fields(form)), caller.user.id))


@router.post(PAGE + "/{key}/delete")
def delete(key: str, request: Request, session: DbSession, caller: CanWriteKb, form: CheckedForm) -> Response:
    return _act(request, session, caller, lambda: categories.delete_category(session, key[:60], caller.user.id))
