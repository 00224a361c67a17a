"""The staff moderation queue: pending ideas and comments, open reports; approve, hide, resolve."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from centric.accounts.roles import Permission
from centric.errors import CentricError, explain
from centric.ideas import moderation
from centric.ideas.views.forms import text
from centric.web.deps import Caller, CanModerateIdeas, CanReadMetrics, CheckedForm, DbSession, ObjectId
from centric.web.templating import render

router = APIRouter()
QUEUE = "/manage/ideas/moderation"


def _page(request: Request, session: Session, caller: Caller, problem: str | None = None,
          status_code: int = 200) -> HTMLResponse:
    return render(request, "ideas/staff/moderation.html", status_code=status_code, caller=caller,
                  queue=moderation.queue(session), problem=problem, can_write=caller.can(Permission.MODERATE_IDEAS))


@router.get(QUEUE, response_class=HTMLResponse)
def queue_page(request: Request, session: DbSession, caller: CanReadMetrics) -> HTMLResponse:
    return _page(request, session, caller)


def _act(request: Request, session: Session, caller: Caller, action: Callable[[], object]) -> Response:
    try:
        action()
    except CentricError as exc:
        session.rollback()
        return _page(request, session, caller, explain(exc), exc.status_code)
    return RedirectResponse(QUEUE, status_code=303)


@router.post(QUEUE + "/ideas/{idea_id}")
def moderate_idea(idea_id: ObjectId, request: Request, session: DbSession, caller: CanModerateIdeas,
                  form: CheckedForm) -> Response:
    return _act(request, session, caller, lambda: moderation.set_moderation(
        session, idea_id, text(form, "moderation"), caller.user.id))


@router.post(QUEUE + "/comments/{comment_id}")
def moderate_comment(comment_id: ObjectId, request: Request, session: DbSession, caller: CanModerateIdeas,
                     form: CheckedForm) -> Response:
    return _act(request, session, caller, lambda: moderation.moderate_comment(
        session, comment_id, text(form, "moderation"), caller.user.id))


@router.post(QUEUE + "/reports/{report_id}")
def resolve(report_id: ObjectId, request: Request, session: DbSession, caller: CanModerateIdeas,
            form: CheckedForm) -> Response:
    return _act(request, session, caller, lambda: moderation.resolve_report(
        session, report_id, text(form, "resolution"), caller.user.id))
