"""Vote and comment counts of ideas, always recomputed from the rows (never incremented blindly)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from centric.ideas.models import Idea, IdeaComment, IdeaVote


def recount(session: Session, idea_ids: Iterable[int]) -> None:
    """Set ``vote_count`` (active votes) and ``comment_count`` (approved comments) of the ideas from their rows."""
    ids = sorted(set(idea_ids))
    if not ids:
        return
    votes = (select(func.count(IdeaVote.id))
             .where(IdeaVote.idea_id == Idea.id, IdeaVote.superseded.is_(False)).scalar_subquery())
    comments = (select(func.count(IdeaComment.id))
                .where(IdeaComment.idea_id == Idea.id, IdeaComment.moderation == "approved").scalar_subquery())
    session.execute(update(Idea).where(Idea.id.in_(ids)).values(vote_count=votes, comment_count=comments)
                    .execution_options(synchronize_session=False))
    for idea in session.identity_map.values():
        if isinstance(idea, Idea) and idea.id in ids:
            session.expire(idea, ["vote_count", "comment_count"])
