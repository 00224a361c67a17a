"""What the public ideas portal shows: boards, an idea list sorted three ways, an idea with its thread.

Visibility (the shared rule): an idea or comment is shown when approved; a pending one
only to its author ("awaiting review"); a hidden one to nobody. Duplicates are not
listed; their page redirects to the original. Every read here runs a constant number of
queries, whatever the number of ideas, votes or comments.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Literal

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from centric.db import count_of, utcnow
from centric.errors import NotFound
from centric.ideas.models import OPEN_STATUSES, STATUSES, Board, Idea, IdeaComment, IdeaStatusChange, IdeaVote
from centric.ideas.service import original_of

Sort = Literal["trending", "top", "new"]
SORTS: tuple[Sort, ...] = ("trending", "top", "new")
PER_PAGE = 20
MAX_PAGE = 500
TRENDING_DAYS = 14
MAX_DEPTH = 5  # replies deeper than this are drawn at this depth


@dataclass(frozen=True)
class BoardSummary:
    board: Board
    ideas: int


@dataclass(frozen=True)
class IdeaList:
    board: Board
    ideas: list[Idea]
    total: int
    page: int
    pages: int
    sort: Sort
    status: str | None
    voted: set[int] = field(default_factory=set)


@dataclass(frozen=True)
class ThreadItem:
    comment: IdeaComment
    depth: int


@dataclass(frozen=True)
class IdeaPage:
    idea: Idea
    board: Board
    official: IdeaComment | None
    thread: list[ThreadItem]
    history: list[IdeaStatusChange]
    voted: bool

    @property
    def can_vote(self) -> bool:
        return not self.idea.locked and self.idea.status in OPEN_STATUSES and self.idea.moderation == "approved"

    @property
    def can_comment(self) -> bool:
        return not self.idea.locked and self.idea.status != "duplicate" and self.idea.moderation == "approved"


@dataclass(frozen=True)
class MovedTo:
    """A duplicate's page: go to the original."""

    idea_id: int


def visible_to(viewer_id: int | None) -> ColumnElement[bool]:
    """Ideas a visitor may see: approved ones, and their own pending ones."""
    shown: ColumnElement[bool] = Idea.moderation == "approved"
    if viewer_id is not None:
        shown = or_(shown, and_(Idea.moderation == "pending", Idea.customer_id == viewer_id))
    return shown


def boards(session: Session) -> list[BoardSummary]:
    """Active boards in their order, each with its number of listed ideas (two queries)."""
    rows = list(session.scalars(select(Board).where(Board.active.is_(True)).order_by(Board.position, Board.id)))
    counts = dict(session.execute(
        select(Idea.board_id, func.count(Idea.id))
        .where(Idea.moderation == "approved", Idea.status != "duplicate").group_by(Idea.board_id)
    ).all())
    return [BoardSummary(board, counts.get(board.id, 0)) for board in rows]


def active_board(session: Session, key: str) -> Board:
    board = session.scalar(select(Board).where(Board.key == key[:60], Board.active.is_(True)))
    if board is None:
        raise NotFound(f"no idea board with key {key[:60]!r}")
    return board


def trending_score(now_days: int = TRENDING_DAYS) -> Any:
    """The recency-weighted vote sum per idea over the last ``now_days`` days, as a subquery.

    A vote cast within the last day weighs 1, one cast d days ago (14 − d)/14 — a linear
    decay by day, written as a CASE so it runs the same on SQLite and PostgreSQL.
    """
    now = utcnow()
    weight = case(*[(IdeaVote.created_at >= now - timedelta(days=d + 1), (now_days - d) / now_days)
                    for d in range(now_days)], else_=0.0)
    return (select(IdeaVote.idea_id.label("idea_id"), func.sum(weight).label("score"))
            .where(IdeaVote.created_at >= now - timedelta(days=now_days), IdeaVote.superseded.is_(False))
            .group_by(IdeaVote.idea_id).subquery("trend"))


def board_ideas(session: Session, board: Board, *, sort: str = "trending", status: str | None = None,
                page: int = 1, viewer_id: int | None = None) -> IdeaList:
    """One page of a board's ideas (four queries: page, count, the viewer's votes)."""
    chosen: Sort = sort if sort in SORTS else "trending"
    wanted = status if status in STATUSES and status != "duplicate" else None
    page = min(max(page, 1), MAX_PAGE)
    base = select(Idea).where(Idea.board_id == board.id, Idea.status != "duplicate", visible_to(viewer_id))
    if wanted:
        base = base.where(Idea.status == wanted)
    query = base
    if chosen == "trending":
        trend = trending_score()
        query = query.outerjoin(trend, trend.c.idea_id == Idea.id).order_by(
            func.coalesce(trend.c.score, 0.0).desc(), Idea.vote_count.desc(), Idea.id.desc())
    elif chosen == "top":
        query = query.order_by(Idea.vote_count.desc(), Idea.id.desc())
    else:
        query = query.order_by(Idea.created_at.desc(), Idea.id.desc())
    ideas = list(session.scalars(query.limit(PER_PAGE).offset((page - 1) * PER_PAGE)))
    total = count_of(session, base) if ideas or page > 1 else 0  # the trend join adds no rows
    pages = max(1, -(-total // PER_PAGE))
    return IdeaList(board, ideas, total, page, pages, chosen, wanted, voted_ideas(session, viewer_id, ideas))


def voted_ideas(session: Session, viewer_id: int | None, ideas: list[Idea]) -> set[int]:
    if viewer_id is None or not ideas:
        return set()
    return set(session.scalars(select(IdeaVote.idea_id).where(
        IdeaVote.customer_id == viewer_id, IdeaVote.idea_id.in_([i.id for i in ideas]))))


def idea_page(session: Session, idea_id: int, viewer_id: int | None) -> IdeaPage | MovedTo:
    """An idea with its pinned answer, its thread and its history; a duplicate moves to its original."""
    idea = session.get(Idea, idea_id)
    if idea is None or not _may_see(idea, viewer_id):
        raise NotFound(f"no idea with id {idea_id}")
    if idea.status == "duplicate":
        original = original_of(session, idea)
        if original.id != idea.id:
            return MovedTo(original.id)
    board = session.get(Board, idea.board_id)
    if board is None:
        raise NotFound(f"no idea with id {idea_id}")
    comments = list(session.scalars(
        select(IdeaComment).where(IdeaComment.idea_id == idea.id, _comment_visible(viewer_id))
        .order_by(IdeaComment.created_at, IdeaComment.id)))
    official = next((c for c in reversed(comments) if c.official and c.moderation == "approved"), None)
    thread = threaded([c for c in comments if c is not official])
    history = list(session.scalars(select(IdeaStatusChange).where(IdeaStatusChange.idea_id == idea.id)
                                   .order_by(IdeaStatusChange.created_at, IdeaStatusChange.id)))
    voted = viewer_id is not None and session.scalar(select(IdeaVote.id).where(
        IdeaVote.idea_id == idea.id, IdeaVote.customer_id == viewer_id)) is not None
    return IdeaPage(idea, board, official, thread, history, voted)


def threaded(comments: list[IdeaComment]) -> list[ThreadItem]:
    """Comments in reading order: each followed by its replies (a reply to an unseen comment starts a thread)."""
    known = {c.id for c in comments}
    children: dict[int | None, list[IdeaComment]] = {}
    for comment in comments:
        parent = comment.parent_id if comment.parent_id in known else None
        children.setdefault(parent, []).append(comment)
    out: list[ThreadItem] = []
    stack = [(c, 0) for c in reversed(children.get(None, []))]
    while stack:
        comment, depth = stack.pop()
        out.append(ThreadItem(comment, min(depth, MAX_DEPTH)))
        stack.extend((c, depth + 1) for c in reversed(children.get(comment.id, [])))
    return out


def _may_see(idea: Idea, viewer_id: int | None) -> bool:
    if idea.moderation == "approved":
        return True
    return idea.moderation == "pending" and viewer_id is not None and idea.customer_id == viewer_id


def _comment_visible(viewer_id: int | None) -> ColumnElement[bool]:
    shown: ColumnElement[bool] = IdeaComment.moderation == "approved"
    if viewer_id is not None:
        shown = or_(shown, and_(IdeaComment.moderation == "pending", IdeaComment.customer_id == viewer_id))
    return shown
