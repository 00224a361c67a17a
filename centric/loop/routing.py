"""Who gets a new case: the rule's team or the touchpoint's owner, else a member of the team.

Within a team, ``team.routing`` decides: ``round_robin`` hands cases to the active
agents and managers in turn (ordered by id, the cursor is ``team.last_assigned_id``);
``least_loaded`` picks the member with the fewest open cases (the lowest id on a tie).
A case without a team stays unassigned.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from centric.accounts.models import Team, User
from centric.journeys.models import Touchpoint
from centric.loop.models import OPEN_STATUSES, Case

ROUTABLE_ROLES = ("agent", "manager")


def route(session: Session, case: Case) -> None:
    """Set the case's team and owner (an owner already set is kept)."""
    if case.team_id is None and case.touchpoint_id is not None:
        touchpoint = session.get(Touchpoint, case.touchpoint_id)
        if touchpoint is not None:
            case.team_id = touchpoint.owner_team_id
            if case.owner_id is None and touchpoint.owner_user_id is not None:
                case.owner_id = touchpoint.owner_user_id
    if case.owner_id is None and case.team_id is not None:
        team = session.get(Team, case.team_id)
        if team is not None:
            case.owner_id = pick_member(session, team)


def members(session: Session, team_id: int) -> list[int]:
    """The team's active agents and managers who can take cases, by id."""
    return list(session.scalars(select(User.id).where(User.team_id == team_id, User.is_active.is_(True),
                                                      User.role.in_(ROUTABLE_ROLES)).order_by(User.id)))


def pick_member(session: Session, team: Team) -> int | None:
    """The member who gets the team's next case, by the team's routing (None: nobody to take it)."""
    ids = members(session, team.id)
    if not ids:
        return None
    if team.routing == "round_robin":
        after = [member for member in ids if team.last_assigned_id is None or member > team.last_assigned_id]
        chosen = after[0] if after else ids[0]
        team.last_assigned_id = chosen
        return chosen
    session.flush()  # cases routed earlier in this batch count towards the load
    load = dict(session.execute(select(Case.owner_id, func.count()).where(
        Case.owner_id.in_(ids), Case.status.in_(OPEN_STATUSES)).group_by(Case.owner_id)).all())
    return min(ids, key=lambda member: (load.get(member, 0), member))
