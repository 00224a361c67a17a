"""Scorecards: every target of an owner (or the company) in one period, with noise-aware verdicts.

PLACEHOLDER until the scorecard work lands: returns no rows.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from centric.governance.schemas import Scorecard


def scorecard(session: Session, *, user_id: int | None = None, team_id: int | None = None,
              period: str | None = None) -> Scorecard:
    """The scorecard of a user, a team, or (neither given) the company-scope targets, for ``period``.

    ``period`` is ``2026-Q4``, ``2026-11`` or ``2026``; by default the current period of each target's cadence.
    """
    return Scorecard(owner=None, period=period or "", rows=[], method="")
