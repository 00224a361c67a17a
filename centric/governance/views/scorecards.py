"""The scorecards page: pick an owner, a team or the company and a period; verdicts, intervals, ranks, trend."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, BackgroundTasks, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select

from centric.accounts.models import Team, User
from centric.db import Database, utcnow
from centric.errors import Invalid
from centric.governance.scorecard_views import note_view_apart
from centric.governance.scorecards import scorecard
from centric.web.deps import MAX_ID, Caller, CanReadMetrics, DbSession
from centric.web.templating import render

router = APIRouter()


def _id(value: str | None, field: str) -> int | None:
    if not value:
        return None
    if not value.isdigit() or not 1 <= int(value) <= MAX_ID:
        raise Invalid(f"{field}: expected an id (a positive whole number), got {value[:40]!r}", field=field)
    return int(value)


def remember_view(request: Request, background: BackgroundTasks, caller: Caller) -> None:
    """Note (once per user and day, after the response) that the caller opened a scorecard.

    A per-process memo of today's recorded users skips the write on repeated views; the
    write itself is idempotent, so two processes or a lost memo only repeat a no-op.
    """
    today = utcnow().date()
    memo: tuple[date, set[int]] | None = getattr(request.app.state, "scorecard_views_noted", None)
    if memo is None or memo[0] != today:
        memo = (today, set())
        request.app.state.scorecard_views_noted = memo
    if caller.user.id in memo[1]:
        return
    db: Database = request.app.state.db

    def write(user_id: int, team_id: int | None) -> None:
        note_view_apart(db, user_id, team_id, today)
        memo[1].add(user_id)

    background.add_task(write, caller.user.id, caller.user.team_id)


@router.get("/scorecards", response_class=HTMLResponse)
def scorecards_page(request: Request, session: DbSession, caller: CanReadMetrics, background: BackgroundTasks,
                    user: str | None = Query(None, max_length=20), team: str | None = Query(None, max_length=20),
                    period: str | None = Query(None, max_length=10)) -> HTMLResponse:
    """Scorecards; an empty picker means "not given" (an HTML form sends empty fields)."""
    user_id, team_id = _id(user, "user"), _id(team, "team")
    card = scorecard(session, user_id=user_id, team_id=team_id, period=period or None)
    remember_view(request, background, caller)
    users = session.execute(select(User.id, User.name, User.email).where(User.is_active.is_(True))
                            .order_by(User.name)).all()
    teams = session.execute(select(Team.id, Team.name).order_by(Team.name)).all()
    query = "&".join(f"{k}={v}" for k, v in (("user_id", user_id), ("team_id", team_id), ("period", period or ""))
                     if v)
    return render(request, "governance/scorecards.html", caller=caller, card=card, users=users, teams=teams,
                  user_id=user_id, team_id=team_id, period=period or "", export_query=query)
