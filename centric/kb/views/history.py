"""An entry's history: every version with who saved it and when, a diff of two, restoring an old one."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from centric.accounts.roles import Permission
from centric.errors import CentricError, explain
from centric.kb import articles, versions
from centric.kb.views.forms import STATUS_LABELS, text
from centric.web.deps import Caller, CanWriteKb, CheckedForm, CurrentCaller, DbSession, ObjectId
from centric.web.templating import render

router = APIRouter()
MAX_VERSIONS = 500


def _number(value: str) -> int | None:
    return int(value) if value.isdigit() and len(value) < 10 else None


@router.get("/kb/articles/{article_id}/history", response_class=HTMLResponse)
def history_page(article_id: ObjectId, request: Request, session: DbSession, caller: CurrentCaller, a: str = "",
                 b: str = "") -> HTMLResponse:
    """The versions, newest first, and the diff from version ``a`` to ``b`` (default: the last change)."""
    return _history(request, session, caller, article_id, a, b)


def _history(request: Request, session: Session, caller: Caller, article_id: int, a: str = "", b: str = "",
             problem: str = "", status_code: int = 200) -> HTMLResponse:
    article = articles.article_outs(session, [articles.get_article(session, article_id)])[0]
    items, total = versions.list_versions(session, article_id, limit=MAX_VERSIONS)
    new = _number(b) or article.version
    old = _number(a) or max(new - 1, 1)
    try:
        diff = versions.diff_versions(session, article_id, old, new)
    except CentricError as exc:
        diff, problem, status_code = None, explain(exc), exc.status_code
    return render(request, "kb/staff/history.html", status_code=status_code, caller=caller, article=article,
                  items=items, total=total, diff=diff, old=old, new=new, problem=problem[:300],
                  can_write=caller.can(Permission.WRITE_KB), statuses=STATUS_LABELS)


@router.post("/kb/articles/{article_id}/restore")
def restore(article_id: ObjectId, request: Request, session: DbSession, caller: CanWriteKb,
            form: CheckedForm) -> Response:
    """Make an old version's content current again, as a new version."""
    try:
        versions.restore_version(session, article_id, _number(text(form, "restore")) or 0,
                                 _number(text(form, "version")), caller.user.id)
    except CentricError as exc:
        session.rollback()
        return _history(request, session, caller, article_id, problem=explain(exc), status_code=exc.status_code)
    return RedirectResponse(f"/kb/articles/{article_id}/history", status_code=303)
