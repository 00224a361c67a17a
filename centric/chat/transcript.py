"""Messages: appending them, reading them back, and showing them to the customer or as plain text."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from centric.accounts.models import User
from centric.chat.bot import article_path, is_sorry
from centric.chat.locale import say
from centric.chat.models import ChatMessage, Conversation
from centric.chat.schemas import ArticleLink, Author, ConversationOut, Kind, MessageOut, Status

#: System messages carry a fixed key: each is written once per conversation.
SYSTEM_KINDS: dict[str, Kind] = {"system:handoff": "handoff", "system:closed": "closed", "system:survey": "survey"}
AUTHOR_LABELS = {"customer": "Customer", "bot": "Bot", "agent": "Agent", "system": "System"}


def add_message(session: Session, conversation: Conversation, author: str, body: str, *,
                at: datetime, client_key: str | None = None, language: str | None = None,
                user_id: int | None = None) -> ChatMessage:
    """Append one message (the conversation's last-message time follows)."""
    message = ChatMessage(conversation_id=conversation.id, author=author, body=body, client_key=client_key,
                          language=language or conversation.language, user_id=user_id, created_at=at)
    session.add(message)
    conversation.last_message_at = max(conversation.last_message_at, at)
    session.flush()
    return message


def messages_after(session: Session, conversation_id: int, after: int = 0, limit: int | None = None,
                   offset: int = 0) -> list[ChatMessage]:
    """The conversation's messages with an id above ``after``, oldest first."""
    query = (select(ChatMessage).where(ChatMessage.conversation_id == conversation_id, ChatMessage.id > after)
             .order_by(ChatMessage.id).limit(limit).offset(offset or None))
    return list(session.scalars(query))


def kind_of(message: ChatMessage) -> Kind:
    if message.author == "system":
        return SYSTEM_KINDS.get(message.client_key or "", "notice")
    if message.author == "bot" and message.article_id is not None:
        return "answer"
    if message.author == "bot" and message.abstained:
        return "abstained"
    return "text"


def agent_names(session: Session, messages: Sequence[ChatMessage]) -> dict[int, str]:
    ids = {m.user_id for m in messages if m.user_id is not None}
    if not ids:
        return {}
    return {uid: name or email.split("@")[0] for uid, name, email in
            session.execute(select(User.id, User.name, User.email).where(User.id.in_(ids)))}


def message_outs(session: Session, conversation: Conversation, messages: Sequence[ChatMessage], *,
                 waiting_id: int | None = None, survey_link: str | None = None) -> list[MessageOut]:
    """Messages as the customer sees them. ``waiting_id``: the answer or abstention that waits
    for the customer's word (see :func:`centric.chat.bot.pending`)."""
    names = agent_names(session, messages)
    lang = conversation.language
    outs = []
    for m in messages:
        kind = kind_of(m)
        waits = m.id == waiting_id and conversation.status == "bot"
        best = m.candidates[0] if kind == "answer" and m.candidates else None
        outs.append(MessageOut(
            id=m.id, author=cast(Author, m.author),
            author_name=names.get(m.user_id or 0, "") if m.author == "agent" else "",
            kind=kind, body=m.body, created_at=m.created_at,
            article=_link(best) if best else None,
            alternatives=[_link(c) for c in m.candidates[1:4]] if kind == "answer" else [],
            asks_helpful=waits and kind == "answer", helpful=m.helpful,
            offers_handoff=waits and (kind == "abstained" or is_sorry(m)),
            prompt=say(m.language or lang, "ask_helpful") if kind == "answer" else "",
            link=survey_link if kind == "survey" else None))
    return outs


def _link(candidate: dict) -> ArticleLink:
    return ArticleLink(title=str(candidate.get("title", "")), url=article_path(str(candidate.get("slug", ""))))


def conversation_out(session: Session, conversation: Conversation, messages: Sequence[ChatMessage], *,
                     waiting_id: int | None = None, survey_link: str | None = None) -> ConversationOut:
    return ConversationOut(
        id=conversation.id, status=cast(Status, conversation.status), language=conversation.language,
        channel=conversation.channel, started_at=conversation.started_at, closed_at=conversation.closed_at,
        messages=message_outs(session, conversation, messages, waiting_id=waiting_id, survey_link=survey_link))


def as_text(messages: Sequence[ChatMessage], *, with_candidates: bool = False) -> str:
    """The transcript as plain lines, ``[HH:MM] Author: text`` (what a case quotes)."""
    lines = []
    for m in messages:
        label = AUTHOR_LABELS.get(m.author, m.author)
        if with_candidates and m.author == "bot" and (m.article_id is not None or m.abstained):
            shown = "abstained" if m.abstained else f"answered with #{m.article_id}"
            label += f" ({shown}, confidence {m.confidence if m.confidence is not None else 0:.2f})"
        lines.append(f"[{m.created_at:%Y-%m-%d %H:%M}] {label}: {m.body}")
        if with_candidates and m.candidates:
            for c in m.candidates:
                score = float(c.get("score", 0))
                lines.append(f"    candidate #{c.get('article_id')} {c.get('title', '')} ({score:.2f})")
    return "\n".join(lines)
