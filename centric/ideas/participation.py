"""What a signed-in visitor does on the portal: post an idea, vote, withdraw a vote, comment, report.

* **Votes**: one row per (idea, customer). The insert ignores the unique conflict (``ON
  CONFLICT DO NOTHING`` on SQLite and PostgreSQL), so a retried or concurrent vote counts
  once; ``vote_count`` is then recomputed from the rows that are not superseded.
* **Refusals**: no vote or comment on a locked idea; no vote on done, declined or
  duplicate ideas; comments stay open on done and declined ones.
* **Budget**: a customer's active votes on open ideas of a board may not exceed
  ``Board.vote_budget``.
* **Moderation**: a customer's first post (no approved idea or comment yet) waits as
  ``pending``; later posts are approved unless their spam score (``centric.text.spam``)
  reaches the threshold.
* **Idempotency**: an idea's form nonce is its ``idempotency_key``, a comment's likewise.
* **Timeline**: each idea, vote and comment lands on the customer's timeline as an Event
  (source ``ideas``, kinds ``idea``, ``idea_vote``, ``idea_comment``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import CursorResult, exists, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from centric.db import utcnow
from centric.errors import Conflict, Invalid, NotFound
from centric.events import EventsRecorded, IdeasSubmitted, publish
from centric.ideas.models import (
    OPEN_STATUSES,
    REPORT_REASONS,
    Board,
    Idea,
    IdeaComment,
    IdeaReport,
    IdeaVote,
)
from centric.journeys.models import Event
from centric.text.language import detect_language
from centric.text.spam import spam_score

TITLE_MIN, TITLE_MAX = 3, 200
BODY_MAX = 5000
COMMENT_MAX = 3000
NAME_MAX = 80
REPORT_TEXT_MAX = 1000


class Refused(Conflict):
    """A vote or comment the idea does not take: ``code`` is locked | closed | duplicate | budget."""

    def __init__(self, code: str, message: str, *, used: int = 0) -> None:
        super().__init__(message)
        self.code = code
        self.used = used


@dataclass(frozen=True)
class Posted:
    """What a post became: its id and whether it waits for a moderator."""

    id: int
    pending: bool
    created: bool


# --- ideas -------------------------------------------------------------------------------

def submit_idea(session: Session, board: Board, customer_id: int, *, title: str, body: str, author_name: str,
                nonce: str) -> Posted:
    """Store the visitor's idea once per form (``nonce``); publishes ``IdeasSubmitted``."""
    key = f"portal:{nonce}"[:80]
    existing = session.scalar(select(Idea).where(Idea.idempotency_key == key))
    if existing is not None:
        return Posted(existing.id, existing.moderation == "pending", False)
    title, body, author_name = check_idea(title, body, author_name)
    moderation, score = moderation_for(session, customer_id, f"{title}\n{body}")
    language = detect_language(f"{title} {body}")
    idea = Idea(board_id=board.id, customer_id=customer_id, author_name=author_name, title=title, body=body,
                language=language if language != "und" else "en", moderation=moderation, spam_score=score,
                source="portal", idempotency_key=key)
    session.add(idea)
    session.flush()
    record_on_timeline(session, customer_id, "idea", f"idea:{idea.id}", idea)
    publish(session, IdeasSubmitted((idea.id,)))
    return Posted(idea.id, moderation == "pending", True)


def check_idea(title: str, body: str, author_name: str) -> tuple[str, str, str]:
    title, body, author_name = title.strip(), body.strip(), " ".join(author_name.split())
    if not TITLE_MIN <= len(title) <= TITLE_MAX:
        raise Invalid(f"a title has {TITLE_MIN} to {TITLE_MAX} characters", field="title")
    if len(body) > BODY_MAX:
        raise Invalid(f"a description has at most {BODY_MAX} characters", field="body")
    if len(author_name) > NAME_MAX:
        raise Invalid(f"a name has at most {NAME_MAX} characters", field="name")
    return title, body, author_name


# --- votes -------------------------------------------------------------------------------

def vote(session: Session, idea_id: int, customer_id: int, *, source: str = "portal") -> bool:
    """Support an idea; True when this call added the vote, False when it was there already."""
    idea = _public_idea(session, idea_id, customer_id)
    if session.scalar(select(IdeaVote.id).where(IdeaVote.idea_id == idea.id,
                                                IdeaVote.customer_id == customer_id)) is not None:
        return False
    _check_votable(idea)
    board = session.get(Board, idea.board_id)
    if board is not None and board.vote_budget is not None:
        used = votes_used(session, board.id, customer_id)
        if used >= board.vote_budget:
            raise Refused("budget", f"the board's vote budget ({board.vote_budget}) is used up", used=used)
    vote_id = _insert_vote(session, idea.id, customer_id, source)
    recount_votes(session, idea.id)
    if vote_id is not None:
        record_on_timeline(session, customer_id, "idea_vote", f"vote:{vote_id}", idea)
    return vote_id is not None


def unvote(session: Session, idea_id: int, customer_id: int) -> bool:
    """Withdraw the visitor's vote (not on a locked idea); True when there was one."""
    idea = _public_idea(session, idea_id, customer_id)
    if idea.locked:
        raise Refused("locked", "this idea is locked")
    table = IdeaVote.__table__
    deleted = session.execute(table.delete().where(table.c.idea_id == idea.id, table.c.customer_id == customer_id))
    removed = cast(CursorResult[Any], deleted).rowcount
    recount_votes(session, idea.id)
    return bool(removed)


def votes_used(session: Session, board_id: int, customer_id: int) -> int:
    """The customer's active votes on the board's open ideas (what counts against its budget)."""
    return session.scalar(
        select(func.count(IdeaVote.id)).join(Idea, Idea.id == IdeaVote.idea_id)
        .where(IdeaVote.customer_id == customer_id, IdeaVote.superseded.is_(False), Idea.board_id == board_id,
               Idea.status.in_(OPEN_STATUSES))) or 0


def recount_votes(session: Session, idea_id: int) -> None:
    """``vote_count`` from the rows themselves, never incremented blindly."""
    counted = (select(func.count(IdeaVote.id))
               .where(IdeaVote.idea_id == idea_id, IdeaVote.superseded.is_(False)).scalar_subquery())
    session.execute(update(Idea).where(Idea.id == idea_id).values(vote_count=counted)
                    .execution_options(synchronize_session=False))
    _expire(session, idea_id, "vote_count")


def _insert_vote(session: Session, idea_id: int, customer_id: int, source: str) -> int | None:
    """The new vote's id, or None when the customer's vote was there already (the conflict is ignored)."""
    builder = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    table = IdeaVote.__table__
    statement = builder(table).values(
        idea_id=idea_id, origin_idea_id=idea_id, customer_id=customer_id, superseded=False, source=source,
        created_at=utcnow(),
    ).on_conflict_do_nothing(index_elements=["idea_id", "customer_id"]).returning(table.c.id)
    inserted = session.execute(statement).scalar_one_or_none()
    return None if inserted is None else int(inserted)


def _check_votable(idea: Idea) -> None:
    if idea.locked:
        raise Refused("locked", "this idea is locked")
    if idea.status == "duplicate":
        raise Refused("duplicate", "this idea was merged into another one")
    if idea.status not in OPEN_STATUSES or idea.moderation != "approved":
        raise Refused("closed", "this idea takes no votes")


# --- comments ----------------------------------------------------------------------------

def comment(session: Session, idea_id: int, customer_id: int, *, body: str, author_name: str, nonce: str,
            parent_id: int | None = None) -> Posted:
    """Add the visitor's comment once per form (``nonce``); refused on locked and merged ideas."""
    key = f"comment:{nonce}"[:80]
    existing = session.scalar(select(IdeaComment).where(IdeaComment.idempotency_key == key))
    if existing is not None:
        return Posted(existing.id, existing.moderation == "pending", False)
    idea = _public_idea(session, idea_id, customer_id)
    if idea.locked:
        raise Refused("locked", "this idea is locked")
    if idea.status == "duplicate":
        raise Refused("duplicate", "this idea was merged into another one")
    body, author_name = body.strip(), " ".join(author_name.split())
    if not body:
        raise Invalid("a comment needs some text", field="body")
    if len(body) > COMMENT_MAX:
        raise Invalid(f"a comment has at most {COMMENT_MAX} characters", field="body")
    if parent_id is not None and session.scalar(select(IdeaComment.id).where(
            IdeaComment.id == parent_id, IdeaComment.idea_id == idea.id)) is None:
        raise Invalid("the comment answered is not on this idea", field="parent_id")
    moderation, score = moderation_for(session, customer_id, body)
    row = IdeaComment(idea_id=idea.id, origin_idea_id=idea.id, parent_id=parent_id, customer_id=customer_id,
                      author_name=author_name[:NAME_MAX], body=body, moderation=moderation, spam_score=score,
                      idempotency_key=key)
    session.add(row)
    session.flush()
    recount_comments(session, idea.id)
    record_on_timeline(session, customer_id, "idea_comment", f"comment:{row.id}", idea)
    return Posted(row.id, moderation == "pending", True)


def recount_comments(session: Session, idea_id: int) -> None:
    counted = (select(func.count(IdeaComment.id))
               .where(IdeaComment.idea_id == idea_id, IdeaComment.moderation == "approved").scalar_subquery())
    session.execute(update(Idea).where(Idea.id == idea_id).values(comment_count=counted)
                    .execution_options(synchronize_session=False))
    _expire(session, idea_id, "comment_count")


# --- reports -----------------------------------------------------------------------------

def report(session: Session, idea_id: int, customer_id: int | None, *, reason: str, text: str = "",
           comment_id: int | None = None) -> IdeaReport:
    """A visitor's report of abuse on an idea or one of its comments, for the moderators."""
    idea = _public_idea(session, idea_id, customer_id)
    if reason not in REPORT_REASONS:
        raise Invalid(f"reason is one of {', '.join(REPORT_REASONS)}", field="reason")
    if comment_id is not None and session.scalar(select(IdeaComment.id).where(
            IdeaComment.id == comment_id, IdeaComment.idea_id == idea.id)) is None:
        raise Invalid("the comment reported is not on this idea", field="comment_id")
    row = IdeaReport(idea_id=idea.id, comment_id=comment_id, customer_id=customer_id, reason=reason,
                     text=text.strip()[:REPORT_TEXT_MAX])
    session.add(row)
    session.flush()
    return row


# --- moderation and timeline ---------------------------------------------------------------

def is_new_identity(session: Session, customer_id: int) -> bool:
    """True until the customer has an approved idea or comment."""
    approved_idea = exists().where(Idea.customer_id == customer_id, Idea.moderation == "approved")
    approved_comment = exists().where(IdeaComment.customer_id == customer_id, IdeaComment.moderation == "approved")
    return not session.scalar(select(approved_idea | approved_comment))


def moderation_for(session: Session, customer_id: int, text: str) -> tuple[str, float]:
    """``pending`` for a first post or a spammy one, else ``approved``; and the spam score."""
    scored = spam_score(text)
    pending = scored.pending or is_new_identity(session, customer_id)
    return ("pending" if pending else "approved"), scored.score


def record_on_timeline(session: Session, customer_id: int, kind: str, external_id: str, idea: Idea) -> None:
    """The customer's timeline event for an idea, vote or comment (once per external id)."""
    if session.scalar(select(Event.id).where(Event.source == "ideas", Event.external_id == external_id)) is not None:
        return
    event = Event(customer_id=customer_id, kind=kind, occurred_at=utcnow(), source="ideas", external_id=external_id,
                  payload={"idea_id": idea.id, "title": idea.title, "subject": idea.title})
    session.add(event)
    session.flush()
    publish(session, EventsRecorded((event.id,)))


def _public_idea(session: Session, idea_id: int, viewer_id: int | None) -> Idea:
    idea = session.get(Idea, idea_id)
    if idea is None or idea.moderation == "hidden" or (
            idea.moderation == "pending" and (viewer_id is None or idea.customer_id != viewer_id)):
        raise NotFound(f"no idea with id {idea_id}")
    return idea


def _expire(session: Session, idea_id: int, attribute: str) -> None:
    idea = session.identity_map.get(session.identity_key(Idea, idea_id)) if session.identity_map else None
    if idea is not None:
        session.expire(idea, [attribute])
