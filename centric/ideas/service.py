"""The ideas domain's shared reads: boards and ideas by key or id, and their outputs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from centric.errors import NotFound
from centric.ideas.models import Board, Idea
from centric.ideas.schemas import BoardOut, IdeaOut, IdeaStatus, Moderation

MAX_DUPLICATE_HOPS = 20


def get_board(session: Session, key: str) -> Board:
    board = session.scalar(select(Board).where(Board.key == key))
    if board is None:
        raise NotFound(f"no idea board with key {key!r}")
    return board


def get_idea(session: Session, idea_id: int) -> Idea:
    idea = session.get(Idea, idea_id)
    if idea is None:
        raise NotFound(f"no idea with id {idea_id}")
    return idea


def original_of(session: Session, idea: Idea) -> Idea:
    """The idea a duplicate was merged into, following chains (a duplicate of a duplicate)."""
    seen = {idea.id}
    while idea.duplicate_of_id is not None and len(seen) < MAX_DUPLICATE_HOPS:
        target = session.get(Idea, idea.duplicate_of_id)
        if target is None or target.id in seen:
            break
        seen.add(target.id)
        idea = target
    return idea


def public_path(idea_id: int) -> str:
    return f"/ideas/i/{idea_id}"


def board_out(board: Board, ideas: int = 0) -> BoardOut:
    return BoardOut(id=board.id, key=board.key, names=dict(board.names or {}),
                    descriptions=dict(board.descriptions or {}), vote_budget=board.vote_budget,
                    position=board.position, active=board.active, ideas=ideas)


def idea_outs(session: Session, ideas: Sequence[Idea]) -> list[IdeaOut]:
    """Outputs for ``ideas`` with one query for their boards' keys, whatever their number."""
    board_ids = {idea.board_id for idea in ideas}
    keys = dict(session.execute(select(Board.id, Board.key).where(Board.id.in_(board_ids))).all()) \
        if board_ids else {}
    return [idea_out(idea, keys[idea.board_id]) for idea in ideas]


def idea_out(idea: Idea, board_key: str) -> IdeaOut:
    return IdeaOut(
        id=idea.id, board=board_key, title=idea.title, body=idea.body, language=idea.language,
        status=cast(IdeaStatus, idea.status), duplicate_of=idea.duplicate_of_id,
        moderation=cast(Moderation, idea.moderation),
        locked=idea.locked, votes=idea.vote_count, comments=idea.comment_count, author_name=idea.author_name,
        customer_id=idea.customer_id, source=idea.source, source_ref=idea.source_ref, spam_score=idea.spam_score,
        created_at=idea.created_at, updated_at=idea.updated_at, status_changed_at=idea.status_changed_at,
        url=public_path(idea.id),
    )
