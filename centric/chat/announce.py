"""Webhooks of chat: ``chat.handoff`` with the transcript, ``chat.closed`` with how it ended.

``chat.handoff`` carries the conversation (as ``GET /api/v1/chats/{id}`` shows it: the
transcript, the bot's candidates and confidences, the case id), so a helpdesk can open a
ticket from it; ``chat.closed`` the conversation's summary (status, resolution, who closed
it, the case, the survey) without the transcript.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from centric.chat.models import Conversation
from centric.chat.reads import chat_detail, chat_outs
from centric.db import in_chunks
from centric.events import ConversationsClosed, ConversationsHandedOff
from centric.webhooks.service import emit, wanted

HANDOFF_EVENT = "chat.handoff"
CLOSED_EVENT = "chat.closed"


def _conversations(session: Session, ids: Sequence[int]) -> list[Conversation]:
    found: list[Conversation] = []
    for chunk in in_chunks(sorted(set(ids))):
        found += session.scalars(select(Conversation).where(Conversation.id.in_(chunk)).order_by(Conversation.id))
    return found


def announce_handoff(session: Session, event: ConversationsHandedOff) -> None:
    """Reaction: ``chat.handoff`` for each conversation handed to a person."""
    if not wanted(session, HANDOFF_EVENT):
        return
    for conversation in _conversations(session, event.ids):
        emit(session, HANDOFF_EVENT, chat_detail(session, conversation))


def announce_closed(session: Session, event: ConversationsClosed) -> None:
    """Reaction: ``chat.closed`` for each conversation that ended."""
    if not wanted(session, CLOSED_EVENT):
        return
    for out in chat_outs(session, _conversations(session, event.ids)):
        emit(session, CLOSED_EVENT, out)
