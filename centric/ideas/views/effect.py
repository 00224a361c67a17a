"""Staff page of the loop back: notices per status change, the re-survey form, and "did shipping it help?"."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from centric.accounts.roles import Permission
from centric.errors import CentricError, explain
from centric.ideas import notify, resurvey
from centric.ideas.service import get_idea
from centric.stats.shipped import SMALL_N
from centric.web.deps import Caller, CanModerateIdeas, CanReadMetrics, CheckedForm, DbSession, ObjectId
from centric.web.templating import render

router = APIRouter()


def _page(request: Request, session: Session, caller: Caller, idea_id: int, problem: str | None = None,
          status_code: int = 200) -> HTMLResponse:
    idea = get_idea(session, idea_id)
    effect = resurvey.shipped_effect(session, idea_id) if idea.status == "done" else None
    items, total = resurvey.list_resurveys(session, idea_id, limit=20)
    return render(request, "ideas/staff/effect.html", status_code=status_code, caller=caller, idea=idea,
                  changes=notify.notices_by_change(session, idea_id), resurveys=items, resurvey_total=total,
                  surveys=resurvey.survey_choices(session), effect=effect, small_n=SMALL_N, problem=problem,
                  can_resurvey=caller.can(Permission.MODERATE_IDEAS), done=request.query_params.get("done"))


@router.get("/manage/ideas/{idea_id}/effect", response_class=HTMLResponse)
def effect_page(idea_id: ObjectId, request: Request, session: DbSession, caller: CanReadMetrics) -> HTMLResponse:
    return _page(request, session, caller, idea_id)


@router.post("/manage/ideas/{idea_id}/resurveys")
def resurvey_form(idea_id: ObjectId, request: Request, session: DbSession, caller: CanModerateIdeas,
                  form: CheckedForm) -> Response:
    survey = form.get("survey")
    try:
        record = resurvey.resurvey_voters(session, idea_id, survey.strip() if isinstance(survey, str) else "",
                                          caller.user.id)
    except (CentricError, ValidationError) as exc:
        session.rollback()
        return _page(request, session, caller, idea_id, explain(exc), getattr(exc, "status_code", 422))
    return RedirectResponse(f"/manage/ideas/{idea_id}/effect?done={record.id}", status_code=303)
