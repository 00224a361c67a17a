"""Moderation of the portal: the queue, approve or hide, staff edits (audited), locks, reports, the official answer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import Session

from centric.accounts.models import User
from centric.accounts.service import audit
from centric.db import utcnow
from centric.errors import Conflict, Invalid, NotFound
from centric.ideas.counts import recount
from centric.ideas.models import MODERATION, Idea, IdeaComment, IdeaReport
from centric.ideas.schemas import Moderation
from centric.ideas.service import get_idea
from centric.ideas.staff_schemas import CommentIn, CommentOut, IdeaPatch, ReportOut

ENTITY = "idea"
QUEUE_LIMIT = 200


@dataclass(frozen=True)
class Queue:
    """What waits for a moderator (oldest first), and how much in all."""

    ideas: list[Idea]
    comments: list[IdeaComment]
    reports: list[ReportOut]
    pending: int


def pending_count(session: Session) -> int:
    """Pending ideas and comments plus open reports (three counts)."""
    ideas = session.scalar(select(func.count(Idea.id)).where(Idea.moderation == "pending")) or 0
    comments = session.scalar(select(func.count(IdeaComment.id)).where(IdeaComment.moderation == "pending")) or 0
    return int(ideas) + int(comments) + count_reports(session, open_only=True)


def queue(session: Session, limit: int = QUEUE_LIMIT) -> Queue:
    ideas = list(session.scalars(select(Idea).where(Idea.moderation == "pending")
                                 .order_by(Idea.created_at, Idea.id).limit(limit)))
    comments = list(session.scalars(select(IdeaComment).where(IdeaComment.moderation == "pending")
                                    .order_by(IdeaComment.created_at, IdeaComment.id).limit(limit)))
    return Queue(ideas, comments, list_reports(session, open_only=True, limit=limit), pending_count(session))


def set_moderation(session: Session, idea_id: int, moderation: str, user_id: int | None) -> Idea:
    """Approve (show on the portal) or hide an idea."""
    if moderation not in MODERATION:
        raise Invalid(f"moderation is one of {', '.join(MODERATION)}", field="moderation")
    idea = get_idea(session, idea_id)
    if idea.moderation != moderation:
        audit(session, user_id, f"idea.{moderation}", ENTITY, idea.id, {"from": idea.moderation})
        idea.moderation = moderation
        session.flush()
    return idea


def set_locked(session: Session, idea_id: int, locked: bool, user_id: int | None) -> Idea:
    """Lock (no more votes or comments) or unlock an idea."""
    idea = get_idea(session, idea_id)
    if idea.locked != locked:
        idea.locked = locked
        audit(session, user_id, "idea.lock" if locked else "idea.unlock", ENTITY, idea.id, {})
        session.flush()
    return idea


def edit(session: Session, idea_id: int, title: str | None, body: str | None, user_id: int | None) -> Idea:
    """Change an idea's title or body; the audit log keeps the words before and after."""
    idea = get_idea(session, idea_id)
    before: dict[str, str] = {}
    if title is not None:
        title = title.strip()
        if not title:
            raise Invalid("the title cannot be empty", field="title")
        if title != idea.title:
            before["title"], idea.title = idea.title, title[:200]
    if body is not None and body.strip() != idea.body:
        before["body"], idea.body = idea.body, body.strip()
    if before:
        audit(session, user_id, "idea.edit", ENTITY, idea.id,
              {"before": before, "after": {name: getattr(idea, name) for name in before}})
        session.flush()
    return idea


def patch(session: Session, idea_id: int, data: IdeaPatch, user_id: int | None) -> Idea:
    """Apply the given fields of ``data`` (nulls are kept as they are)."""
    edit(session, idea_id, data.title, data.body, user_id)
    if data.moderation is not None:
        set_moderation(session, idea_id, data.moderation, user_id)
    if data.locked is not None:
        set_locked(session, idea_id, data.locked, user_id)
    return get_idea(session, idea_id)


def get_comment(session: Session, comment_id: int, idea_id: int | None = None) -> IdeaComment:
    comment = session.get(IdeaComment, comment_id)
    if comment is None or (idea_id is not None and comment.idea_id != idea_id):
        raise NotFound(f"no comment with id {comment_id}" + (f" on idea {idea_id}" if idea_id else ""))
    return comment


def moderate_comment(session: Session, comment_id: int, moderation: str, user_id: int | None) -> IdeaComment:
    if moderation not in MODERATION:
        raise Invalid(f"moderation is one of {', '.join(MODERATION)}", field="moderation")
    comment = get_comment(session, comment_id)
    if comment.moderation != moderation:
        audit(session, user_id, f"idea_comment.{moderation}", "idea_comment", comment.id, {"from": comment.moderation})
        comment.moderation = moderation
        session.flush()
        recount(session, (comment.idea_id,))
    return comment


def add_comment(session: Session, idea_id: int, data: CommentIn, user: User) -> IdeaComment:
    """A staff comment (approved at once); ``official`` pins it as the idea's answer."""
    idea = get_idea(session, idea_id)
    if data.parent_id is not None:
        get_comment(session, data.parent_id, idea.id)
    comment = IdeaComment(idea_id=idea.id, origin_idea_id=idea.id, parent_id=data.parent_id, user_id=user.id,
                          author_name=(user.name or "Team")[:80], body=data.body.strip(), moderation="approved")
    session.add(comment)
    session.flush()
    if data.official:
        pin(session, comment.id, user.id)
    recount(session, (idea.id,))
    return comment


def pin(session: Session, comment_id: int, user_id: int | None) -> IdeaComment:
    """Make a staff comment the idea's official answer, unpinning the previous one."""
    comment = get_comment(session, comment_id)
    if comment.user_id is None:
        raise Invalid("only a staff comment can be the official answer", field="comment_id")
    if comment.moderation != "approved":
        raise Conflict("a hidden or pending comment cannot be the official answer")
    session.execute(update(IdeaComment).where(IdeaComment.idea_id == comment.idea_id, IdeaComment.official.is_(True),
                                              IdeaComment.id != comment.id).values(official=False)
                    .execution_options(synchronize_session=False))
    comment.official = True
    session.flush()
    audit(session, user_id, "idea.pin_answer", ENTITY, comment.idea_id, {"comment_id": comment.id})
    return comment


def unpin(session: Session, idea_id: int, user_id: int | None) -> None:
    """The idea has no official answer any more (the comment stays)."""
    get_idea(session, idea_id)
    session.execute(update(IdeaComment).where(IdeaComment.idea_id == idea_id, IdeaComment.official.is_(True))
                    .values(official=False).execution_options(synchronize_session=False))
    for row in list(session.identity_map.values()):
        if isinstance(row, IdeaComment) and row.idea_id == idea_id:
            session.expire(row, ["official"])
    audit(session, user_id, "idea.unpin_answer", ENTITY, idea_id, {})


def official_answer(session: Session, idea_id: int) -> IdeaComment | None:
    return session.scalar(select(IdeaComment).where(IdeaComment.idea_id == idea_id, IdeaComment.official.is_(True))
                          .order_by(IdeaComment.id.desc()).limit(1))


def comments(session: Session, idea_id: int, *, limit: int, offset: int) -> tuple[list[CommentOut], int]:
    """Every comment on the idea (staff see pending and hidden too), oldest first."""
    where = IdeaComment.idea_id == idea_id
    total = session.scalar(select(func.count(IdeaComment.id)).where(where)) or 0
    rows = session.scalars(select(IdeaComment).where(where).order_by(IdeaComment.created_at, IdeaComment.id)
                           .limit(limit).offset(offset))
    return [comment_out(row) for row in rows], int(total)


def comment_out(row: IdeaComment) -> CommentOut:
    return CommentOut(id=row.id, idea_id=row.idea_id, origin_idea_id=row.origin_idea_id, parent_id=row.parent_id,
                      customer_id=row.customer_id, user_id=row.user_id, author_name=row.author_name, body=row.body,
                      official=row.official, moderation=cast(Moderation, row.moderation),
                      created_at=row.created_at, edited_at=row.edited_at)


def _reports_query(open_only: bool) -> Select[IdeaReport, str]:
    query = select(IdeaReport, Idea.title).join(Idea, Idea.id == IdeaReport.idea_id)
    return query.where(IdeaReport.resolved_at.is_(None)) if open_only else query


def count_reports(session: Session, *, open_only: bool) -> int:
    query = select(func.count(IdeaReport.id))
    if open_only:
        query = query.where(IdeaReport.resolved_at.is_(None))
    return int(session.scalar(query) or 0)


def list_reports(session: Session, *, open_only: bool, limit: int, offset: int = 0) -> list[ReportOut]:
    rows = session.execute(_reports_query(open_only).order_by(IdeaReport.created_at, IdeaReport.id)
                           .limit(limit).offset(offset)).all()
    return [report_out(report, title) for report, title in rows]


def report_out(report: IdeaReport, title: str) -> ReportOut:
    return ReportOut(id=report.id, idea_id=report.idea_id, idea_title=title, comment_id=report.comment_id,
                     reason=report.reason, text=report.text, created_at=report.created_at,
                     resolved_at=report.resolved_at, resolution=report.resolution)


def resolve_report(session: Session, report_id: int, resolution: str, user_id: int | None) -> ReportOut:
    """Close a report: ``kept`` (nothing wrong) or ``hidden`` (hide the reported comment, or else the idea)."""
    report = session.get(IdeaReport, report_id)
    if report is None:
        raise NotFound(f"no idea report with id {report_id}")
    if resolution not in ("kept", "hidden"):
        raise Invalid("resolve a report as kept or hidden", field="resolution")
    if report.resolved_at is not None:
        raise Conflict(f"report {report_id} was resolved already ({report.resolution})")
    if resolution == "hidden":
        if report.comment_id is not None:
            moderate_comment(session, report.comment_id, "hidden", user_id)
        else:
            set_moderation(session, report.idea_id, "hidden", user_id)
    report.resolved_at, report.resolved_by, report.resolution = utcnow(), user_id, resolution
    session.flush()
    audit(session, user_id, "idea_report.resolve", "idea_report", report.id, {"resolution": resolution})
    return report_out(report, get_idea(session, report.idea_id).title)
