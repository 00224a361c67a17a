"""The CX council's one page: company scores against targets, significant moves, breached SLAs,
root causes by revenue at risk and the initiatives with their impact. No customer is named on it."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from centric.accounts.models import Team
from centric.db import utcnow
from centric.errors import Invalid
from centric.governance.board import board
from centric.governance.digest_schemas import CouncilOut, TeamBreaches
from centric.governance.moves import biggest_moves
from centric.governance.scorecards import scorecard
from centric.loop.models import OPEN_STATUSES, Case
from centric.loop.outer import root_cause_impact

DEFAULT_DAYS = 28
MAX_DAYS = 366
TOP_MOVES = 8
TOP_ROOT_CAUSES = 5
NO_TEAM = "(no team)"


def breached_by_team(session: Session) -> list[TeamBreaches]:
    """Open cases past an SLA target, counted per team (one query), most first."""
    breached = func.count().label("breached")
    rows = session.execute(
        select(Case.team_id, Team.name, breached).outerjoin(Team, Team.id == Case.team_id)
        .where(Case.status.in_(OPEN_STATUSES), Case.sla_state == "breached", func.coalesce(Case.merged_into_id, 0) == 0)
        .group_by(Case.team_id, Team.name).order_by(breached.desc(), Team.name)).all()
    return [TeamBreaches(team_id=team_id, team=name or NO_TEAM, breached=int(n)) for team_id, name, n in rows]


def council_overview(session: Session, *, days: int = DEFAULT_DAYS, today: date | None = None) -> CouncilOut:
    """The overview; moves compare the last ``days`` days (today included) with the ``days`` before."""
    if not 1 <= days <= MAX_DAYS:
        raise Invalid(f"days must be between 1 and {MAX_DAYS}", field="days")
    end = (today or utcnow().date()) + timedelta(days=1)
    teams = breached_by_team(session)
    return CouncilOut(
        generated_at=utcnow(),
        scorecard=scorecard(session),
        moves=biggest_moves(session, start=end - timedelta(days=days), end=end, limit=TOP_MOVES,
                            only_significant=True),
        breached_total=sum(t.breached for t in teams),
        breached_by_team=teams,
        root_causes=root_cause_impact(session, limit=TOP_ROOT_CAUSES),
        initiatives=board(session),
    )
