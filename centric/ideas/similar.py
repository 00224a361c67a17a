"""Duplicate suggestions: the existing ideas most like a title being typed (English and Chinese).

Placeholder ranking by shared words; replaced by BM25 (``bm25s``) over the project's
own text features. The signature is the contract the portal and the staff pages use.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from centric.ideas.models import Idea


@dataclass(frozen=True)
class Suggestion:
    idea_id: int
    title: str
    status: str
    votes: int
    score: float


def suggest(session: Session, text: str, *, board_id: int | None = None, limit: int = 5,
            exclude: int | None = None) -> list[Suggestion]:
    """Up to ``limit`` visible ideas (approved, not merged away) most like ``text``, best first."""
    words = {w for w in text.lower().split() if len(w) > 2}
    if not words:
        return []
    query = select(Idea).where(Idea.moderation == "approved", Idea.status != "duplicate")
    if board_id is not None:
        query = query.where(Idea.board_id == board_id)
    scored = []
    for idea in session.scalars(query):
        if idea.id == exclude:
            continue
        overlap = len(words & set(idea.title.lower().split()))
        if overlap:
            scored.append(Suggestion(idea.id, idea.title, idea.status, idea.vote_count, float(overlap)))
    scored.sort(key=lambda s: (-s.score, -s.votes))
    return scored[:limit]
