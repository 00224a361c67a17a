"""The editable, hierarchical root-cause code list ("delivery/courier-late" under "delivery").

A code's parent is the code before its last ``/``, and must exist. A code that a case
uses is deactivated rather than deleted, so closed cases keep their explanation.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from centric.errors import Conflict, Invalid, NotFound
from centric.feedback.models import Theme
from centric.loop.case_schemas import RootCauseIn, RootCausePatch
from centric.loop.models import Case, RootCause


def list_root_causes(session: Session, *, include_inactive: bool = False) -> list[RootCause]:
    """Every code, in tree order (a parent before its children)."""
    query = select(RootCause).order_by(RootCause.code)
    if not include_inactive:
        query = query.where(RootCause.active.is_(True))
    return list(session.scalars(query))


def get_root_cause(session: Session, root_cause_id: int) -> RootCause:
    found = session.get(RootCause, root_cause_id)
    if found is None:
        raise NotFound(f"no root cause {root_cause_id}")
    return found


def by_code(session: Session, code: str, *, field: str = "root_cause") -> RootCause:
    """The active root cause of this code (Invalid naming ``field`` when there is none)."""
    found = session.scalar(select(RootCause).where(RootCause.code == code.strip()))
    if found is None:
        raise Invalid(f"no root-cause code '{code}'; pick one from the code list", field=field)
    if not found.active:
        raise Invalid(f"root-cause code '{code}' is deactivated", field=field)
    return found


def create_root_cause(session: Session, data: RootCauseIn) -> RootCause:
    if session.scalar(select(RootCause.id).where(RootCause.code == data.code)) is not None:
        raise Conflict(f"root-cause code '{data.code}' exists already", field="code")
    parent_id = None
    if "/" in data.code:
        parent_code = data.code.rsplit("/", 1)[0]
        parent_id = session.scalar(select(RootCause.id).where(RootCause.code == parent_code))
        if parent_id is None:
            raise Invalid(f"create the parent code '{parent_code}' first", field="code")
    _check_theme(session, data.theme_id)
    found = RootCause(code=data.code, name=data.name, description=data.description, theme_id=data.theme_id,
                      position=data.position, parent_id=parent_id)
    session.add(found)
    session.flush()
    return found


def update_root_cause(session: Session, root_cause_id: int, data: RootCausePatch) -> RootCause:
    found = get_root_cause(session, root_cause_id)
    changes = data.model_dump(exclude_unset=True)
    if "theme_id" in changes:
        _check_theme(session, changes["theme_id"])
    for name, value in changes.items():
        if name != "theme_id" and value is None:
            raise Invalid(f"{name} cannot be empty", field=name)
        setattr(found, name, value)
    session.flush()
    return found


def delete_root_cause(session: Session, root_cause_id: int) -> bool:
    """Delete an unused code; a used one (or one with children) is deactivated. True when deleted."""
    found = get_root_cause(session, root_cause_id)
    used = session.scalar(select(Case.id).where(Case.root_cause_id == found.id).limit(1)) is not None
    children = session.scalar(select(RootCause.id).where(RootCause.parent_id == found.id).limit(1)) is not None
    if used or children:
        found.active = False
        session.flush()
        return False
    session.delete(found)
    session.flush()
    return True


def _check_theme(session: Session, theme_id: int | None) -> None:
    if theme_id is not None and session.get(Theme, theme_id) is None:
        raise Invalid(f"no theme {theme_id}", field="theme_id")
