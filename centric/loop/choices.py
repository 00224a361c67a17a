"""What the inbox filters and the case forms offer: teams, alert rules, possible case owners, queue sizes."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from centric.accounts.models import Team, User
from centric.accounts.roles import ROLES, Permission
from centric.db import count_of
from centric.loop.case_schemas import CaseFilters, View
from centric.loop.inbox import case_query
from centric.loop.models import AlertRule

WORKING_ROLES = tuple(role for role, granted in ROLES.items() if Permission.WORK_CASES in granted)


@dataclass(frozen=True)
class Choice:
    id: int
    name: str


def teams(session: Session) -> list[Choice]:
    return [Choice(i, n) for i, n in session.execute(select(Team.id, Team.name).order_by(Team.name))]


def rules(session: Session) -> list[Choice]:
    return [Choice(i, n) for i, n in session.execute(select(AlertRule.id, AlertRule.name).order_by(AlertRule.name))]


def case_owners(session: Session, team_id: int | None = None) -> list[Choice]:
    """Active users who may own cases; of one team when ``team_id`` is given."""
    query = select(User.id, User.name, User.email).where(User.is_active.is_(True), User.role.in_(WORKING_ROLES))
    if team_id is not None:
        query = query.where(User.team_id == team_id)
    return [Choice(i, name or email) for i, name, email in session.execute(query.order_by(User.name, User.id))]


def queue_sizes(session: Session, user: User, views: tuple[View, ...]) -> dict[str, int]:
    """How many cases each inbox view holds for ``user`` (one count per view)."""
    return {view: count_of(session, case_query(CaseFilters(view=view), user)) for view in views}


def user_names(session: Session, ids: list[int]) -> list[Choice]:
    """The users of ``ids`` with their names, in the order given (one query)."""
    if not ids:
        return []
    found = {i: name or email for i, name, email in session.execute(
        select(User.id, User.name, User.email).where(User.id.in_(ids)))}
    return [Choice(i, found.get(i, f"user {i}")) for i in ids]
