"""What the customer's side shows: the conversation and its messages, and the public routes' rate limits.

The survey link of a conversation is signed when it is shown (never stored), so a message
list needs the installation's signing key and the settings (the public address).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy.orm import Session

from centric.chat import bot
from centric.chat.models import ChatMessage, Conversation
from centric.chat.schemas import ConversationOut, MessageOut, Status, TurnOut
from centric.chat.service import Turn
from centric.chat.survey import survey_link
from centric.chat.transcript import conversation_out, message_outs, messages_after
from centric.config import Settings
from centric.errors import TooManyRequests
from centric.surveys import ratelimit

#: Hits per hour: per client address, and per conversation (writes only; reads need the token).
LIMITS = {"start": (60, 0), "send": (600, 240)}
RETRY_AFTER_S = 600


def limit(session: Session, key: bytes, address: str, action: str, conversation_id: int | None = None) -> None:
    """Count one ``action``; over either limit: 429 (the window is an hour)."""
    per_address, per_conversation = LIMITS[action]
    over = ratelimit.hit(session, ratelimit.bucket_for(key, address, f"chat:{action}")) > per_address
    if conversation_id is not None and per_conversation:
        over |= ratelimit.hit(session, ratelimit.bucket_for(key, f"conversation:{conversation_id}",
                                                            f"chat:{action}")) > per_conversation
    if over:
        raise TooManyRequests("too many chat messages from here; wait a while", retry_after=RETRY_AFTER_S)


def view(session: Session, settings: Settings, key: bytes, conversation: Conversation,
         after: int = 0) -> ConversationOut:
    """The conversation with its messages after ``after``."""
    return conversation_out(session, conversation, messages_after(session, conversation.id, after),
                            **_extras(session, settings, key, conversation))


def outs(session: Session, settings: Settings, key: bytes, conversation: Conversation,
         messages: Sequence[ChatMessage]) -> list[MessageOut]:
    return message_outs(session, conversation, messages, **_extras(session, settings, key, conversation))


def turn_out(session: Session, settings: Settings, key: bytes, turn: Turn) -> TurnOut:
    conversation = turn.conversation
    return TurnOut(status=cast(Status, conversation.status),
                   messages=outs(session, settings, key, conversation, turn.messages))


def _extras(session: Session, settings: Settings, key: bytes, conversation: Conversation) -> dict[str, Any]:
    waiting = bot.pending(session, conversation) if conversation.status == "bot" else None
    return {"waiting_id": waiting.id if waiting else None,
            "survey_link": survey_link(session, settings, conversation, key)}
