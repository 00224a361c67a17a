"""Ending conversations: by the customer, by an agent, or after a silence; and how each one ended.

**Resolution**, set once when the conversation closes and reported as it is (see
docs/kb-and-chat.md):

* ``handed_off`` — a person took over (a case was opened), whatever happened next;
* ``confirmed`` — the customer said "yes" to an answer;
* ``assumed`` — the bot answered, the customer never said "no" to an answer and left or
  ended the chat: the answer is *assumed* to have done;
* ``abandoned`` — the customer left without a usable answer: the bot only abstained, the
  customer said "no" and went, or nobody asked anything.

**Silence.** A sweep closes bot-only conversations after ``chat_idle_bot_minutes`` without a
message, and those where a person replied last after ``chat_idle_customer_minutes`` (the
customer did not come back); conversations waiting for a person are never closed by it.
The sweep is a job that queues its own next run (every :data:`SWEEP_S` seconds) while open
conversations remain; each new conversation makes sure it is queued. Auto-closed
conversations are never surveyed.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from centric.chat.locale import say
from centric.chat.models import ChatMessage, Conversation
from centric.chat.timeline import note_on_timeline
from centric.chat.transcript import add_message
from centric.config import Settings
from centric.db import in_chunks, utcnow
from centric.events import ConversationsClosed, FeedbackStored, publish
from centric.feedback.models import Feedback
from centric.jobs.service import enqueue

SWEEP_TASK = "chat.close_idle"
SWEEP_S = 300
SWEEP_BATCH = 500
CLICK_KEYS = ("helpful:", "handoff")  # the customer's clicks, stored as their words ("Yes", "Talk to a person")
MAX_FEEDBACK_TEXT = 20_000


def close(session: Session, conversation: Conversation, by: str, *, now: datetime | None = None) -> list[ChatMessage]:
    """Close one conversation (``by``: customer, agent or auto) and announce it; no-op when closed."""
    if conversation.status == "closed":
        return []
    notice = _finish(session, conversation, by, now or utcnow())
    publish(session, ConversationsClosed((conversation.id,)))
    return [notice]


def _finish(session: Session, conversation: Conversation, by: str, at: datetime) -> ChatMessage:
    conversation.resolution = resolution_of(session, conversation)
    conversation.status = "closed"
    conversation.closed_by = by
    conversation.closed_at = at
    notice = add_message(session, conversation, "system", say(conversation.language, f"closed_{by}"),
                         client_key="system:closed", at=at)
    note_on_timeline(session, conversation)
    return notice


def resolution_of(session: Session, conversation: Conversation) -> str:
    """How the conversation ended, from its case and the customer's yes/no (see the module's notes)."""
    if conversation.case_id is not None or conversation.handed_off_at is not None:
        return "handed_off"
    answers, yes, no = session.execute(select(
        func.count(ChatMessage.article_id),
        func.coalesce(func.sum(case((ChatMessage.helpful.is_(True), 1), else_=0)), 0),
        func.coalesce(func.sum(case((ChatMessage.helpful.is_(False), 1), else_=0)), 0))
        .where(ChatMessage.conversation_id == conversation.id, ChatMessage.author == "bot")).one()
    if yes:
        return "confirmed"
    if answers and not no:
        return "assumed"
    return "abandoned"


# --- the sweep -----------------------------------------------------------------------------------


def keep_sweeping(session: Session, now: datetime | None = None) -> None:
    """Make sure the next sweep is queued (one job per :data:`SWEEP_S` slot, whoever asks)."""
    current = utcnow()
    slot = math.floor(current.timestamp() / SWEEP_S) + 1
    enqueue(session, SWEEP_TASK, {}, delay_s=max(slot * SWEEP_S - current.timestamp(), 0.0),
            idempotency_key=f"{SWEEP_TASK}:{slot}")


def close_idle(session: Session, settings: Settings, now: datetime | None = None) -> list[int]:
    """Close the conversations silent for too long (see the module's notes); one event for the batch."""
    now = now or utcnow()
    bot_due = now - timedelta(minutes=settings.chat_idle_bot_minutes)
    agent_due = now - timedelta(minutes=settings.chat_idle_customer_minutes)
    found = list(session.scalars(select(Conversation).where(
        ((Conversation.status == "bot") & (Conversation.last_message_at < bot_due))
        | ((Conversation.status == "agent") & (Conversation.last_message_at < agent_due)))
        .order_by(Conversation.last_message_at).limit(SWEEP_BATCH)))
    last_authors = _last_authors(session, [c.id for c in found if c.status == "agent"])
    closing = [c for c in found if c.status == "bot" or last_authors.get(c.id) == "agent"]
    for conversation in closing:
        _finish(session, conversation, "auto", now)
    if closing:
        publish(session, ConversationsClosed(tuple(c.id for c in closing)))
    return [c.id for c in closing]


def _last_authors(session: Session, conversation_ids: Sequence[int]) -> dict[int, str]:
    authors: dict[int, str] = {}
    for chunk in in_chunks(list(conversation_ids)):
        last = (select(func.max(ChatMessage.id)).where(ChatMessage.conversation_id.in_(chunk))
                .group_by(ChatMessage.conversation_id))
        authors.update({conversation_id: author for conversation_id, author in session.execute(
            select(ChatMessage.conversation_id, ChatMessage.author).where(ChatMessage.id.in_(last)))})
    return authors


def any_open(session: Session) -> bool:
    """Whether a sweep could still find something to close later."""
    return session.scalar(select(Conversation.id).where(Conversation.status.in_(("bot", "agent"))).limit(1)) \
        is not None


# --- the transcript as feedback ------------------------------------------------------------------


def transcripts_to_feedback(session: Session, event: ConversationsClosed) -> None:
    """Reaction: each closed conversation's customer messages become one feedback item (channel and
    source ``chat``), so text enrichment, themes and alert rules treat them like any feedback."""
    made: list[int] = []
    for chunk in in_chunks(sorted(set(event.ids))):
        conversations = {c.id: c for c in session.scalars(select(Conversation).where(Conversation.id.in_(chunk)))}
        texts: dict[int, list[str]] = {}
        for conversation_id, body, key in session.execute(
                select(ChatMessage.conversation_id, ChatMessage.body, ChatMessage.client_key)
                .where(ChatMessage.conversation_id.in_(chunk), ChatMessage.author == "customer")
                .order_by(ChatMessage.id)):
            if not (key or "").startswith(CLICK_KEYS):
                texts.setdefault(conversation_id, []).append(body)
        for conversation_id, lines in texts.items():
            conversation = conversations[conversation_id]
            if conversation.feedback_id is not None:
                continue
            text = "\n".join(lines)
            item = Feedback(source="chat", channel="chat", external_id=f"conversation:{conversation_id}",
                            customer_id=conversation.customer_id, text=text[:MAX_FEEDBACK_TEXT],
                            occurred_at=conversation.started_at)
            session.add(item)
            session.flush()
            conversation.feedback_id = item.id
            made.append(item.id)
    if made:
        publish(session, FeedbackStored(tuple(made)))
