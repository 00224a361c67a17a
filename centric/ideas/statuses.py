"""Status changes of ideas: the allowed moves, the history row, and the event the loop back listens to.

Staff move an idea freely between open, under review, planned, in progress, done and
declined. "duplicate" is reached only through a merge (``centric.ideas.merging``), and left
only by undoing it, so an idea never claims an original it was not merged into.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from centric.db import utcnow
from centric.errors import Conflict, Invalid
from centric.events import IdeaStatusesChanged, publish
from centric.ideas.models import Idea, IdeaStatusChange
from centric.ideas.service import get_idea
from centric.ideas.staff_schemas import StatusChangeOut

STAFF_STATUSES = ("open", "under_review", "planned", "in_progress", "done", "declined")
MAX_NOTE = 5000


def allowed_moves(idea: Idea) -> list[str]:
    """The statuses staff may move ``idea`` to now (none for a duplicate: undo its merge)."""
    if idea.status == "duplicate":
        return []
    return [status for status in STAFF_STATUSES if status != idea.status]


def record_change(session: Session, idea: Idea, to: str, note: str, user_id: int | None) -> IdeaStatusChange:
    """Set the status, write the history row and publish the event (shared by merges and their undo)."""
    change = IdeaStatusChange(idea_id=idea.id, from_status=idea.status, to_status=to, note=note, user_id=user_id)
    idea.status = to
    idea.status_changed_at = utcnow()
    session.add(change)
    session.flush()
    publish(session, IdeaStatusesChanged((change.id,)))
    return change


def change_status(session: Session, idea_id: int, to: str, note: str = "", user_id: int | None = None
                  ) -> IdeaStatusChange:
    """Move an idea to ``to`` with a public ``note``; 409 names the allowed moves."""
    idea = get_idea(session, idea_id)
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise Invalid(f"the note is longer than {MAX_NOTE} characters", field="note")
    if to == "duplicate":
        raise Invalid("an idea becomes a duplicate by merging it into its original", field="status")
    if to not in STAFF_STATUSES:
        raise Invalid(f"unknown status {to!r}; use one of {', '.join(STAFF_STATUSES)}", field="status")
    if idea.status == "duplicate":
        raise Conflict("this idea was merged as a duplicate; undo the merge to change its status", field="status")
    if to == idea.status:
        raise Conflict(f"the idea is {to} already; allowed: {', '.join(allowed_moves(idea))}", field="status")
    return record_change(session, idea, to, note, user_id)


def history(session: Session, idea_id: int) -> list[StatusChangeOut]:
    """The idea's status changes, newest first."""
    rows = session.scalars(select(IdeaStatusChange).where(IdeaStatusChange.idea_id == idea_id)
                           .order_by(IdeaStatusChange.created_at.desc(), IdeaStatusChange.id.desc()))
    return [change_out(row) for row in rows]


def change_out(row: IdeaStatusChange) -> StatusChangeOut:
    return StatusChangeOut(id=row.id, idea_id=row.idea_id, from_status=row.from_status, to_status=row.to_status,
                           note=row.note, user_id=row.user_id, created_at=row.created_at)
