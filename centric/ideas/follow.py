"""Ideas follow their customers: merges and their undo, and erasure's clean-up of names.

A customer merge moves the merged profile's ideas, comments, reports, votes and notices to
the survivor, and notes every row it touched on the merge record so an undo is exact.
Two rows may not move: a vote on an idea the survivor voted for too (one customer, one
vote) and a notice of a change the survivor was told of already. Those stay with the
merged profile; the vote is marked ``superseded`` (it stops counting, the survivor's vote
stays) and noted under ``idea_vote:superseded``, so the undo makes it count again.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from centric.customers.models import CustomerMerge
from centric.customers.service import move_rows_on_merge, move_rows_on_undo
from centric.db import changed_rows, in_chunks
from centric.events import CustomerMergeUndone, CustomersMerged
from centric.ideas.models import Idea, IdeaComment, IdeaNotice, IdeaReport, IdeaVote

SUPERSEDED_KEY = "idea_vote:superseded"


def ideas_follow_merge(session: Session, merged: CustomersMerged) -> None:
    """Reaction: the merged customer's ideas, comments, reports, votes and notices go to the survivor."""
    for model in (Idea, IdeaComment, IdeaReport):
        move_rows_on_merge(session, model, merged)
    moved, superseded = _votes_on_merge(session, merged)
    notices = _notices_on_merge(session, merged)
    _note(session, merged.merge_id, {IdeaVote.__tablename__: moved, SUPERSEDED_KEY: superseded,
                                     IdeaNotice.__tablename__: notices})


def ideas_follow_undo(session: Session, undone: CustomerMergeUndone) -> None:
    """Reaction: the undone merge's rows go back; the votes it superseded count again."""
    for model in (Idea, IdeaComment, IdeaReport, IdeaVote, IdeaNotice):
        move_rows_on_undo(session, model, undone)
    superseded = list(undone.moved.get(SUPERSEDED_KEY, ()))
    for chunk in in_chunks(superseded):
        session.execute(update(IdeaVote).where(IdeaVote.id.in_(chunk)).values(superseded=False))
    touched = list(undone.moved.get(IdeaVote.__tablename__, ())) + superseded
    recount_votes(session, _ideas_of_votes(session, touched))


def _votes_on_merge(session: Session, merged: CustomersMerged) -> tuple[list[int], list[int]]:
    survivor_ideas = set(session.scalars(select(IdeaVote.idea_id).where(IdeaVote.customer_id == merged.survivor_id)))
    moved: list[int] = []
    superseded: list[int] = []
    touched: set[int] = set()
    for vote_id, idea_id, was_superseded in session.execute(
            select(IdeaVote.id, IdeaVote.idea_id, IdeaVote.superseded)
            .where(IdeaVote.customer_id == merged.merged_id).order_by(IdeaVote.id)):
        if idea_id not in survivor_ideas:
            moved.append(vote_id)
        elif not was_superseded:
            superseded.append(vote_id)
            touched.add(idea_id)
    _set_customer(session, IdeaVote, moved, merged.survivor_id)
    for chunk in in_chunks(superseded):
        session.execute(update(IdeaVote).where(IdeaVote.id.in_(chunk)).values(superseded=True))
    recount_votes(session, touched)
    return moved, superseded


def _notices_on_merge(session: Session, merged: CustomersMerged) -> list[int]:
    told = set(session.scalars(select(IdeaNotice.change_id).where(IdeaNotice.customer_id == merged.survivor_id)))
    moved = [notice_id for notice_id, change_id in session.execute(
        select(IdeaNotice.id, IdeaNotice.change_id).where(IdeaNotice.customer_id == merged.merged_id))
        if change_id not in told]
    _set_customer(session, IdeaNotice, moved, merged.survivor_id)
    return moved


def _set_customer(session: Session, model: type[IdeaVote] | type[IdeaNotice], ids: Sequence[int],
                  customer_id: int) -> None:
    for chunk in in_chunks(list(ids)):
        session.execute(update(model).where(model.id.in_(chunk)).values(customer_id=customer_id))


def _note(session: Session, merge_id: int, rows: dict[str, list[int]]) -> None:
    record = session.get(CustomerMerge, merge_id)
    assert record is not None
    snapshot = dict(record.snapshot)
    snapshot["moved"] = {**snapshot.get("moved", {}), **rows}
    record.snapshot = snapshot  # a new dict: JSON columns track assignment, not mutation


def _ideas_of_votes(session: Session, vote_ids: Sequence[int]) -> set[int]:
    ideas: set[int] = set()
    for chunk in in_chunks(list(vote_ids)):
        ideas.update(session.scalars(select(IdeaVote.idea_id).where(IdeaVote.id.in_(chunk))))
    return ideas


def recount_votes(session: Session, idea_ids: Iterable[int]) -> None:
    """``Idea.vote_count`` recomputed from the rows that count (never incremented blindly)."""
    counted = (select(func.count()).select_from(IdeaVote)
               .where(IdeaVote.idea_id == Idea.id, IdeaVote.superseded.is_(False)).scalar_subquery())
    for chunk in in_chunks(sorted(set(idea_ids))):
        session.execute(update(Idea).where(Idea.id.in_(chunk)).values(vote_count=counted))


# --- erasure -------------------------------------------------------------------------------

ERASED_TEXT = "[erased]"


def erase_authorship(session: Session, customer_ids: Sequence[int]) -> int:
    """Blank the author's name on erased customers' ideas and comments, and their comments' words.

    Ideas keep their title and text (others voted for them, staff answered them) but no
    longer name their author; comments are the person's own words and are replaced. Called
    by the privacy domain before it clears ``customer_id`` (its generic foreign-key
    handling); the rows stay, so counts keep. Returns the rows changed.
    """
    changed = 0
    for chunk in in_chunks(list(customer_ids)):
        changed += changed_rows(session, update(Idea).where(Idea.customer_id.in_(chunk)).values(author_name=""))
        changed += changed_rows(session, update(IdeaComment).where(IdeaComment.customer_id.in_(chunk))
                                .values(author_name="", body=ERASED_TEXT))
    return changed
