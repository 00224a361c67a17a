"""Merge a duplicate idea into its original, losslessly and undoably.

A merge, in one savepoint (all or nothing):

* votes of customers who do not support the original yet move to it (``idea_id``);
  votes of customers who do stay on the duplicate with ``superseded`` set, so each
  customer counts once; ``origin_idea_id`` keeps where every vote was cast;
* comments move to the original, keeping ``origin_idea_id``; the duplicate's pinned
  official answer stays on it (the original keeps its own, one per idea);
* the duplicate becomes "duplicate" of the original (a status-history row whose note
  names the original, and ``IdeaStatusesChanged``), and redirects there;
* both ideas' counts are recomputed from the rows; an ``IdeaMerge`` keeps every id moved.

Undo puts exactly those rows back, clears ``superseded``, restores the previous status
and recounts. Refused: merging an idea into itself, into a duplicate, an idea already
merged, a circular merge, and a second undo.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from centric.accounts.service import audit
from centric.db import utcnow
from centric.errors import Conflict, Invalid, NotFound
from centric.ideas.counts import recount
from centric.ideas.models import Idea, IdeaComment, IdeaMerge, IdeaVote
from centric.ideas.service import get_idea, original_of
from centric.ideas.staff_schemas import MergeOut
from centric.ideas.statuses import record_change

ENTITY = "idea"


def _check_mergeable(session: Session, duplicate: Idea, original: Idea) -> None:
    if duplicate.id == original.id:
        raise Invalid("an idea cannot be merged into itself", field="original_id")
    if duplicate.status == "duplicate":
        raise Conflict(f"idea {duplicate.id} is merged already (into {duplicate.duplicate_of_id}); undo that first")
    if original.status == "duplicate":
        target = original_of(session, original)
        raise Conflict(f"idea {original.id} is itself a duplicate; merge into its original, idea {target.id}",
                       field="original_id")
    if original_of(session, original).id == duplicate.id:
        raise Conflict("this merge would be circular", field="original_id")


def merge(session: Session, duplicate_id: int, original_id: int, user_id: int | None) -> IdeaMerge:
    """Merge ``duplicate_id`` into ``original_id`` (module docstring); returns the merge record."""
    duplicate, original = get_idea(session, duplicate_id), get_idea(session, original_id)
    _check_mergeable(session, duplicate, original)
    with session.begin_nested():
        record = _merge(session, duplicate, original, user_id)
    return record


def _merge(session: Session, duplicate: Idea, original: Idea, user_id: int | None) -> IdeaMerge:
    supporters = set(session.scalars(select(IdeaVote.customer_id).where(
        IdeaVote.idea_id == original.id, IdeaVote.customer_id.is_not(None))))
    votes = session.execute(select(IdeaVote.id, IdeaVote.customer_id).where(
        IdeaVote.idea_id == duplicate.id, IdeaVote.superseded.is_(False)).order_by(IdeaVote.id)).all()
    superseded = [vote_id for vote_id, customer_id in votes if customer_id is not None and customer_id in supporters]
    moved = [vote_id for vote_id, customer_id in votes if customer_id is None or customer_id not in supporters]
    comments = list(session.scalars(select(IdeaComment.id).where(
        IdeaComment.idea_id == duplicate.id, IdeaComment.official.is_(False)).order_by(IdeaComment.id)))
    _move_votes(session, moved, original.id)
    if superseded:
        session.execute(update(IdeaVote).where(IdeaVote.id.in_(superseded)).values(superseded=True)
                        .execution_options(synchronize_session=False))
    _move_comments(session, comments, original.id)
    record = IdeaMerge(duplicate_id=duplicate.id, original_id=original.id, previous_status=duplicate.status,
                       moved_vote_ids=moved, superseded_vote_ids=superseded, moved_comment_ids=comments,
                       merged_by=user_id)
    session.add(record)
    duplicate.duplicate_of_id = original.id
    record_change(session, duplicate, "duplicate", f"Merged into idea {original.id}: {original.title}", user_id)
    recount(session, (duplicate.id, original.id))
    session.flush()
    audit(session, user_id, "idea.merge", ENTITY, duplicate.id,
          {"original_id": original.id, "merge_id": record.id, "moved_votes": len(moved),
           "superseded_votes": len(superseded), "moved_comments": len(comments)})
    _expire_rows(session)
    return record


def _move_votes(session: Session, ids: list[int], idea_id: int) -> None:
    if ids:
        session.execute(update(IdeaVote).where(IdeaVote.id.in_(ids)).values(idea_id=idea_id)
                        .execution_options(synchronize_session=False))


def _move_comments(session: Session, ids: list[int], idea_id: int) -> None:
    if ids:
        session.execute(update(IdeaComment).where(IdeaComment.id.in_(ids)).values(idea_id=idea_id)
                        .execution_options(synchronize_session=False))


def _expire_rows(session: Session) -> None:
    """Loaded votes and comments may have moved in bulk: read them again on next access."""
    for row in list(session.identity_map.values()):
        if isinstance(row, IdeaVote | IdeaComment):
            session.expire(row)


def undo_merge(session: Session, merge_id: int, user_id: int | None) -> IdeaMerge:
    """Put back exactly what merge ``merge_id`` moved and restore the duplicate's previous status.

    Votes a customer withdrew from the original since the merge stay withdrawn. Refused when
    the merge was undone already, or when the original was merged on since (undo that first).
    """
    record = session.get(IdeaMerge, merge_id)
    if record is None:
        raise NotFound(f"no idea merge with id {merge_id}")
    if record.undone_at is not None:
        raise Conflict(f"merge {merge_id} was undone already")
    duplicate = get_idea(session, record.duplicate_id)
    if duplicate.status != "duplicate" or duplicate.duplicate_of_id != record.original_id:
        raise Conflict(f"idea {duplicate.id} is no longer a duplicate of idea {record.original_id}")
    moved_votes = [int(i) for i in record.moved_vote_ids]
    moved_comments = [int(i) for i in record.moved_comment_ids]
    elsewhere = session.scalar(select(IdeaVote.id).where(
        IdeaVote.id.in_(moved_votes), IdeaVote.idea_id != record.original_id).limit(1)) if moved_votes else None
    elsewhere = elsewhere or (session.scalar(select(IdeaComment.id).where(
        IdeaComment.id.in_(moved_comments), IdeaComment.idea_id != record.original_id).limit(1))
        if moved_comments else None)
    if elsewhere is not None:
        raise Conflict(f"idea {record.original_id} was merged on since; undo that merge first")
    with session.begin_nested():
        _move_votes(session, _movable_back(session, moved_votes, duplicate.id), duplicate.id)
        superseded = [int(i) for i in record.superseded_vote_ids]
        if superseded:
            session.execute(update(IdeaVote).where(IdeaVote.id.in_(superseded)).values(superseded=False)
                            .execution_options(synchronize_session=False))
        _move_comments(session, moved_comments, duplicate.id)
        duplicate.duplicate_of_id = None
        record_change(session, duplicate, record.previous_status,
                      f"No longer a duplicate of idea {record.original_id}", user_id)
        record.undone_at, record.undone_by = utcnow(), user_id
        recount(session, (duplicate.id, record.original_id))
        session.flush()
        audit(session, user_id, "idea.unmerge", ENTITY, duplicate.id,
              {"original_id": record.original_id, "merge_id": record.id})
    _expire_rows(session)
    return record


def _movable_back(session: Session, vote_ids: list[int], duplicate_id: int) -> list[int]:
    """The moved votes that can go back: not those whose customer holds a vote on the duplicate again.

    A customer merge after the idea merge can give the same person a vote on each idea; the
    one on the original then stays there (it still counts once), so undo never breaks the
    one-vote-per-customer rule.
    """
    if not vote_ids:
        return []
    back = IdeaVote.__table__.alias("back")
    taken = set(session.scalars(select(IdeaVote.id).join(back, back.c.customer_id == IdeaVote.customer_id).where(
        IdeaVote.id.in_(vote_ids), back.c.idea_id == duplicate_id)))
    return [vote_id for vote_id in vote_ids if vote_id not in taken]


def merges_of(session: Session, idea_id: int) -> list[MergeOut]:
    """Merges into ``idea_id`` and of ``idea_id``, newest first."""
    rows = session.scalars(select(IdeaMerge).where(
        (IdeaMerge.original_id == idea_id) | (IdeaMerge.duplicate_id == idea_id))
        .order_by(IdeaMerge.merged_at.desc(), IdeaMerge.id.desc()))
    return [merge_out(row) for row in rows]


def merge_out(row: IdeaMerge) -> MergeOut:
    return MergeOut(id=row.id, duplicate_id=row.duplicate_id, original_id=row.original_id,
                    previous_status=row.previous_status, moved_votes=len(row.moved_vote_ids),
                    superseded_votes=len(row.superseded_vote_ids), moved_comments=len(row.moved_comment_ids),
                    merged_by=row.merged_by, merged_at=row.merged_at, undone_by=row.undone_by,
                    undone_at=row.undone_at)
