"""Staff pages of ideas: the list with raw and value-weighted rankings side by side, one idea, a new idea."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from centric.accounts.roles import Permission
from centric.errors import CentricError, explain
from centric.ideas import authoring, boards, links, moderation, staff_reads, statuses
from centric.ideas.demand import SORTS
from centric.ideas.models import MODERATION, STATUSES
from centric.ideas.service import get_idea
from centric.ideas.similar import suggest
from centric.ideas.views.forms import SORT_LABELS, STATUS_LABELS, text
from centric.web import exports
from centric.web.deps import Caller, CanModerateIdeas, CanReadMetrics, CheckedForm, DbSession, ObjectId
from centric.web.templating import render

router = APIRouter()
LIST_ROWS = 300
SHORT = Annotated[str | None, Query(max_length=60)]
SOURCE_KINDS = ("feedback", "theme", "case")


def _choice(value: str | None, allowed: tuple[str, ...]) -> str | None:
    return value if value in allowed else None


IDEA_COLUMNS: tuple[exports.Column, ...] = (
    "id", ("rank_by_votes", "demand.rank_votes"), ("rank_by_revenue", "demand.rank_revenue"), "title", "board",
    "status", "moderation", ("votes", "demand.votes"), ("voters_clv", "demand.clv_sum"),
    ("mean_churn_risk", "demand.churn_risk_mean"), ("revenue_at_stake", "demand.revenue_at_stake"),
)
"""The staff idea list's columns: demand figures, no voter or author (viewers may read it)."""


@router.get("/manage/ideas", response_class=HTMLResponse)
def list_page(request: Request, session: DbSession, caller: CanReadMetrics, board: SHORT = None,
              status: SHORT = None, moderation_state: Annotated[str | None, Query(alias="moderation",
                                                                                  max_length=20)] = None,
              q: Annotated[str | None, Query(max_length=200)] = None, sort: SHORT = "top") -> Response:
    """Every idea with its rank by raw votes and its rank by revenue at stake, both shown."""
    sort = _choice(sort, SORTS) or "top"
    items = staff_reads.list_ideas(session, board=board or None, status=_choice(status, STATUSES),
                                   moderation_state=_choice(moderation_state, MODERATION), q=q, sort=sort)
    if fmt := exports.requested(request):
        return exports.respond(exports.table_of("ideas", items, IDEA_COLUMNS, len(items)), fmt)
    return render(request, "ideas/staff/list.html", caller=caller, items=items[:LIST_ROWS], total=len(items),
                  boards=boards.list_boards(session), pending=moderation.pending_count(session),
                  f={"board": board or "", "status": status or "", "moderation": moderation_state or "",
                     "q": q or "", "sort": sort},
                  statuses=STATUS_LABELS, sorts=SORT_LABELS, moderations=MODERATION,
                  can_write=caller.can(Permission.MODERATE_IDEAS))


def _new_page(request: Request, session: Session, caller: Caller, values: dict[str, Any],
              problem: str | None = None, status_code: int = 200) -> HTMLResponse:
    return render(request, "ideas/staff/new.html", status_code=status_code, caller=caller, v=values,
                  boards=boards.list_boards(session, include_inactive=False), problem=problem)


@router.get("/manage/ideas/new", response_class=HTMLResponse)
def new_page(request: Request, session: DbSession, caller: CanModerateIdeas,
             origin: Annotated[str | None, Query(alias="from", max_length=20)] = None,
             ref: Annotated[str | None, Query(max_length=120)] = None) -> HTMLResponse:
    """The form for a new idea; ``?from=feedback|theme|case&ref=…`` prefills it from that source."""
    values: dict[str, Any] = {"origin": "", "ref": "", "title": "", "body": "", "board": ""}
    if origin in SOURCE_KINDS and ref:
        try:
            source = links.source_of(session, origin, ref)
        except CentricError as exc:
            return _new_page(request, session, caller, values, explain(exc), exc.status_code)
        values.update(origin=origin, ref=source.ref, title=source.title, body=source.body)
    return _new_page(request, session, caller, values)


@router.post("/manage/ideas/new")
def create(request: Request, session: DbSession, caller: CanModerateIdeas, form: CheckedForm) -> Response:
    values = {name: text(form, name) for name in ("origin", "ref", "title", "body", "board")}
    try:
        if values["origin"] in SOURCE_KINDS:
            idea = links.create_from(session, values["origin"], values["ref"], values["board"], values["title"],
                                     values["body"], caller.user.id)
        else:
            idea = authoring.create_idea(session, board_key=values["board"], title=values["title"],
                                         body=values["body"], user_id=caller.user.id, source="staff")
    except CentricError as exc:
        session.rollback()
        return _new_page(request, session, caller, values, explain(exc), exc.status_code)
    return RedirectResponse(f"/manage/ideas/{idea.id}", status_code=303)


def detail_page(request: Request, session: Session, caller: Caller, idea_id: int, problem: str | None = None,
                status_code: int = 200) -> HTMLResponse:
    item = staff_reads.detail(session, idea_id)
    idea = get_idea(session, idea_id)
    can_voters = caller.can(Permission.READ_CUSTOMERS)
    voters = staff_reads.voters(session, idea_id, limit=100, offset=0)[0] if can_voters else []
    candidates = [] if idea.status == "duplicate" else suggest(
        session, f"{idea.title} {idea.body}"[:500], board_id=idea.board_id, limit=5, exclude=idea.id)
    comments = moderation.comments(session, idea_id, limit=200, offset=0)[0]
    return render(request, "ideas/staff/detail.html", status_code=status_code, caller=caller, item=item,
                  moves=statuses.allowed_moves(idea), statuses=STATUS_LABELS, candidates=candidates,
                  voters=voters, can_voters=can_voters, comments=comments, problem=problem,
                  can_write=caller.can(Permission.MODERATE_IDEAS),
                  can_propose=caller.can(Permission.PROPOSE_INITIATIVES))


@router.get("/manage/ideas/{idea_id}", response_class=HTMLResponse)
def idea_page(idea_id: ObjectId, request: Request, session: DbSession, caller: CanReadMetrics) -> HTMLResponse:
    return detail_page(request, session, caller, idea_id)


def act(request: Request, session: Session, caller: Caller, idea_id: int, action: Callable[[], object]) -> Response:
    """Run a change; on a refusal show the idea again with the message and its 4xx status."""
    try:
        action()
    except (CentricError, ValidationError) as exc:
        session.rollback()
        return detail_page(request, session, caller, idea_id, explain(exc), getattr(exc, "status_code", 422))
    return RedirectResponse(f"/manage/ideas/{idea_id}", status_code=303)
