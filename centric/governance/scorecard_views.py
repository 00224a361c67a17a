"""Who opens scorecards: at most one row per user and day, written cheaply and idempotently.

Evidence for the CX maturity assessment ("are the numbers read?"): the share of teams
with a member who opened a scorecard in a month. The write is one ``INSERT … ON CONFLICT
DO NOTHING`` in the request's own transaction, committed before the scorecard is sent.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from centric.accounts.models import Team
from centric.governance.models import ScorecardView


def note_view(session: Session, user_id: int, team_id: int | None, on: date) -> None:
    """Record that ``user_id`` (of ``team_id``) opened a scorecard ``on`` that day; repeats change nothing."""
    builder = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    session.execute(builder(ScorecardView.__table__).values(user_id=user_id, team_id=team_id, viewed_on=on)
                    .on_conflict_do_nothing(index_elements=["user_id", "viewed_on"]))


def teams_reading(session: Session, first: date, last: date) -> tuple[int, int]:
    """(teams with a member who opened a scorecard from ``first`` to ``last``, all teams): two queries."""
    reading = session.scalar(select(func.count(func.distinct(ScorecardView.team_id))).where(
        ScorecardView.viewed_on >= first, ScorecardView.viewed_on <= last, ScorecardView.team_id.is_not(None))) or 0
    teams = session.scalar(select(func.count()).select_from(Team)) or 0
    return int(reading), int(teams)
