"""A person's side of a handed-off conversation: replying and closing.

A reply is an ``agent`` message the customer sees in the widget (live, or on the next
poll or reload). It is also a contact with the customer on the case the hand-off opened
(channel ``chat``): the first reply meets the case's first-contact SLA target and opens a
new case, exactly as a logged call or e-mail does. Only conversations handed to a person
take replies — the bot does not share a conversation with an agent — and only from staff
who may work their case.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from centric.accounts.models import User
from centric.chat import closing
from centric.chat.models import ChatMessage, Conversation
from centric.chat.reads import get_chat
from centric.chat.transcript import add_message
from centric.db import utcnow
from centric.errors import Conflict, Invalid
from centric.loop.cases import get_case, log_contact

MAX_REPLY = 5000


def reply(session: Session, conversation_id: int, user: User | None, text: str, client_key: str | None = None, *,
          now: datetime | None = None) -> ChatMessage:
    """Send ``text`` to the customer as ``user``; a retried send (same ``client_key``) is stored once."""
    text = text.strip()
    if not text:
        raise Invalid("write the reply first", field="text")
    if len(text) > MAX_REPLY:
        raise Invalid(f"a reply holds at most {MAX_REPLY} characters", field="text")
    conversation = get_chat(session, conversation_id, user)
    if client_key is not None:
        sent = session.scalar(select(ChatMessage).where(ChatMessage.conversation_id == conversation.id,
                                                        ChatMessage.client_key == f"agent:{client_key}"))
        if sent is not None:
            return sent
    if conversation.status == "closed":
        raise Conflict("this conversation has ended; contact the customer from the case instead", field="status")
    if conversation.status == "bot":
        raise Conflict("the bot is still answering; a person replies once the conversation is handed off",
                       field="status")
    at = now or utcnow()
    message = add_message(session, conversation, "agent", text, at=at, user_id=user.id if user else None,
                          client_key=f"agent:{client_key}" if client_key else None)
    conversation.status = "agent"
    if conversation.case_id is not None:
        case = get_case(session, conversation.case_id, user)
        log_contact(session, case, user.id if user else None, channel="chat", outcome="sent", body=text, at=at,
                    detail={"conversation_id": conversation.id, "message_id": message.id})
    closing.keep_sweeping(session, at)
    return message


def close_by_agent(session: Session, conversation_id: int, user: User | None, *,
                   now: datetime | None = None) -> Conversation:
    """An agent ends the conversation (its case stays as it is); closing twice changes nothing."""
    conversation = get_chat(session, conversation_id, user)
    closing.close(session, conversation, "agent", now=now)
    return conversation
