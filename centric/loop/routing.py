"""Who gets a new case: the touchpoint's owner, else a member of the owning team."""

from __future__ import annotations

from sqlalchemy.orm import Session

from centric.journeys.models import Touchpoint
from centric.loop.models import Case


def route(session: Session, case: Case) -> None:
    """Set the case's team and owner from its touchpoint's owner."""
    if case.touchpoint_id is None:
        return
    touchpoint = session.get(Touchpoint, case.touchpoint_id)
    if touchpoint is None:
        return
    if case.team_id is None:
        case.team_id = touchpoint.owner_team_id
    if case.owner_id is None and touchpoint.owner_user_id is not None:
        case.owner_id = touchpoint.owner_user_id
