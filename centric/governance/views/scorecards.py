"""The scorecards page: pick an owner, a team or the company and a period; verdicts, intervals, ranks, trend."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from centric.accounts.models import Team, User
from centric.db import utcnow
from centric.errors import Invalid
from centric.governance.scorecard_views import note_view
from centric.governance.scorecards import scorecard
from centric.web import exports
from centric.web.deps import MAX_ID, CanReadMetrics, DbSession
from centric.web.templating import render

router = APIRouter()


def _id(value: str | None, field: str) -> int | None:
    if not value:
        return None
    if not value.isdigit() or not 1 <= int(value) <= MAX_ID:
        raise Invalid(f"{field}: expected an id (a positive whole number), got {value[:40]!r}", field=field)
    return int(value)


SCORECARD_COLUMNS: tuple[exports.Column, ...] = (
    ("target", "target.name"), ("metric", "target.metric"), ("scope", "target.scope_label"),
    ("owner", "target.owner.user_name"), ("team", "target.owner.team_name"), "period",
    ("direction", "target.direction"), ("threshold", "target.threshold"), "value", "low", "high", "n", "verdict",
    "reason", "rank", "rank_group_size",
)


@router.get("/scorecards", response_class=HTMLResponse)
def scorecards_page(request: Request, session: DbSession, caller: CanReadMetrics,
                    user: str | None = Query(None, max_length=20), team: str | None = Query(None, max_length=20),
                    period: str | None = Query(None, max_length=10)) -> Response:
    """Scorecards; an empty picker means "not given" (an HTML form sends empty fields)."""
    user_id, team_id = _id(user, "user"), _id(team, "team")
    card = scorecard(session, user_id=user_id, team_id=team_id, period=period or None)
    if fmt := exports.requested(request):
        return exports.respond(exports.table_of("scorecard", card.rows, SCORECARD_COLUMNS), fmt)
    note_view(session, caller.user.id, caller.user.team_id, utcnow().date())
    users = session.execute(select(User.id, User.name, User.email).where(User.is_active.is_(True))
                            .order_by(User.name)).all()
    teams = session.execute(select(Team.id, Team.name).order_by(Team.name)).all()
    query = "&".join(f"{k}={v}" for k, v in (("user_id", user_id), ("team_id", team_id), ("period", period or ""))
                     if v)
    return render(request, "governance/scorecards.html", caller=caller, card=card, users=users, teams=teams,
                  user_id=user_id, team_id=team_id, period=period or "", export_query=query)
