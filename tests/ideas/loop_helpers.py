"""Test data for the loop back: boards, ideas, votes, comments and status changes written directly.

``change_status`` follows the contract of the staff side's status change (a history row,
``status_changed_at``, and the :class:`IdeaStatusesChanged` event), so these tests do not
depend on how staff pages make it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from centric.customers.schemas import CustomerIn
from centric.customers.service import upsert_customer
from centric.db import utcnow
from centric.events import IdeasSubmitted, IdeaStatusesChanged, publish
from centric.ideas.follow import recount_votes
from centric.ideas.models import Board, Idea, IdeaComment, IdeaStatusChange, IdeaVote


def customer(session: Session, email: str | None, name: str = "") -> int:
    data = CustomerIn(email=email, name=name) if email else CustomerIn(external_id=f"no-mail-{name}", name=name)
    return upsert_customer(session, data).id


def idea(session: Session, title: str = "Late checkout on Sundays", *, language: str = "en",
         board: str = "stays", author: int | None = None) -> Idea:
    found = session.query(Board).filter_by(key=board).one_or_none()
    if found is None:
        found = Board(key=board, names={"en": board.title(), "zh": "住宿"})
        session.add(found)
        session.flush()
    made = Idea(board_id=found.id, title=title, body="Please.", language=language, customer_id=author,
                author_name="Ann" if author else "")
    session.add(made)
    session.flush()
    publish(session, IdeasSubmitted((made.id,)))
    return made


def vote(session: Session, idea_id: int, customer_id: int, *, superseded: bool = False) -> IdeaVote:
    made = IdeaVote(idea_id=idea_id, origin_idea_id=idea_id, customer_id=customer_id, superseded=superseded)
    session.add(made)
    session.flush()
    recount_votes(session, [idea_id])
    return made


def comment(session: Session, idea_id: int, customer_id: int, body: str = "Yes please", **values) -> IdeaComment:  # type: ignore[no-untyped-def]
    made = IdeaComment(idea_id=idea_id, origin_idea_id=idea_id, customer_id=customer_id, body=body,
                       author_name="Commenter", **values)
    session.add(made)
    session.flush()
    return made


def change_status(session: Session, idea_id: int, to: str, note: str = "", *,
                  at: datetime | None = None) -> IdeaStatusChange:
    target = session.get(Idea, idea_id)
    assert target is not None
    change = IdeaStatusChange(idea_id=idea_id, from_status=target.status, to_status=to, note=note,
                              created_at=at or utcnow())
    session.add(change)
    target.status, target.status_changed_at = to, change.created_at
    session.flush()
    publish(session, IdeaStatusesChanged((change.id,)))
    return change
