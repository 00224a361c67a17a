"""Staff page of the missing-answers queue: customers' questions (``kb:write``), grouped, to write articles from."""

from __future__ import annotations

import re
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from centric.chat import missing
from centric.chat.metrics import scope_of
from centric.chat.missing_schemas import MAX_DISMISS
from centric.chat.views.metrics import day_range
from centric.errors import Invalid
from centric.web.deps import CanWriteKb, CheckedForm, DbSession
from centric.web.templating import render

router = APIRouter()
GROUPS_SHOWN = 100
QUESTIONS_LISTED = 50  # per group, under "every question"
SAFE_QUERY = re.compile(r"[A-Za-z0-9=&%._+-]{0,300}")


@router.get("/kb/missing", response_class=HTMLResponse)
def missing_page(request: Request, session: DbSession, caller: CanWriteKb,
                 since: str | None = Query(None, max_length=40), until: str | None = Query(None, max_length=40),
                 language: str | None = Query(None, max_length=8)) -> HTMLResponse:
    """The questions the knowledge base does not answer yet, grouped, with a link to write each article."""
    start, end, last = day_range(since, until)
    scope = scope_of(start, end, language or None)
    groups = missing.missing_groups(session, since=scope.start, until=scope.end, language=scope.language)
    questions = {q.message_id: q for q in missing.missing_questions(session, since=scope.start, until=scope.end,
                                                                    language=scope.language)}
    filters = {"since": since or "", "until": until or "", "language": language or ""}
    return render(request, "chat/missing.html", caller=caller, groups=groups[:GROUPS_SHOWN], total=len(groups),
                  questions=questions, listed=QUESTIONS_LISTED, since=scope.start.date().isoformat(),
                  until=(last or scope.end.date()).isoformat(), language=scope.language or "",
                  back=urlencode({k: v for k, v in filters.items() if v}),
                  dismissed=request.query_params.get("dismissed"))


@router.post("/kb/missing/dismiss")
def dismiss_form(session: DbSession, caller: CanWriteKb, form: CheckedForm) -> RedirectResponse:
    """Dismiss a group or one question (``ids``: message ids separated by commas), then back to the queue."""
    raw = form.get("ids")
    ids = _ids(raw if isinstance(raw, str) else "")
    result = missing.dismiss(session, ids, caller.user.id)
    back = form.get("back")
    query = back if isinstance(back, str) and SAFE_QUERY.fullmatch(back) else ""
    return RedirectResponse(f"/kb/missing?{query}{'&' if query else ''}dismissed={result.dismissed}", status_code=303)


def _ids(raw: str) -> list[int]:
    parts = [p.strip() for p in raw.split(",") if p.strip()]
    if not parts or len(parts) > MAX_DISMISS or not all(p.isdigit() and len(p) <= 12 for p in parts):
        raise Invalid("ids: expected message ids separated by commas", field="ids")
    return [int(p) for p in parts]
