"""JSON routes of scorecards: a user's, a team's or the company's, and the CSV export for reviews."""

from __future__ import annotations

from fastapi import APIRouter, Query
from fastapi.responses import Response

from centric.db import utcnow
from centric.governance.schemas import Scorecard
from centric.governance.scorecard_views import note_view
from centric.governance.scorecards import scorecard, scorecard_csv
from centric.web.deps import MAX_ID, CanReadMetrics, DbSession, ReadSession

router = APIRouter(tags=["targets"])
PERIOD = Query(None, max_length=10, description="2026-11 (month), 2026-Q4 (quarter) or 2026 (year)")


@router.get("/scorecards", response_model=Scorecard)
def get_scorecard(session: DbSession, caller: CanReadMetrics,
                  user_id: int | None = Query(None, ge=1, le=MAX_ID),
                  team_id: int | None = Query(None, ge=1, le=MAX_ID), period: str | None = PERIOD) -> Scorecard:
    """A user's targets, a team's, or (neither given) the company-scope targets, with noise-aware verdicts."""
    card = scorecard(session, user_id=user_id, team_id=team_id, period=period)
    note_view(session, caller.user.id, caller.user.team_id, utcnow().date())
    return card


@router.get("/scorecards/me", response_model=Scorecard)
def my_scorecard(session: DbSession, caller: CanReadMetrics,
                 period: str | None = PERIOD) -> Scorecard:
    card = scorecard(session, user_id=caller.user.id, period=period)
    note_view(session, caller.user.id, caller.user.team_id, utcnow().date())
    return card


@router.get("/scorecards/export.csv", response_class=Response,
            responses={200: {"content": {"text/csv": {}}, "description": "one row per target, method included"}})
def export_scorecard(session: ReadSession, _: CanReadMetrics, user_id: int | None = Query(None, ge=1, le=MAX_ID),
                     team_id: int | None = Query(None, ge=1, le=MAX_ID), period: str | None = PERIOD) -> Response:
    card = scorecard(session, user_id=user_id, team_id=team_id, period=period)
    who = f"user-{user_id}" if user_id else f"team-{team_id}" if team_id else "company"
    name = f"scorecard-{who}-{card.period}.csv"
    return Response(scorecard_csv(card), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
