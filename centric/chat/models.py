"""Tables of chat: conversations (widget, no-JS form, API) and their messages."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from centric.db import Base, JSONType, utcnow

CHANNELS = ("widget", "web", "api", "email", "messenger", "other")  # web: the no-JS form
STATUSES = ("bot", "waiting", "agent", "closed")  # waiting: handed off, no agent reply yet
AUTHORS = ("customer", "bot", "agent", "system")
#: How a conversation ended, as reported (never inferred from silence alone — see docs/kb-and-chat.md):
#: confirmed: the customer said an answer helped; assumed: the bot answered and the customer went quiet;
#: handed_off: a person took over; abandoned: the customer left before any answer.
RESOLUTIONS = ("confirmed", "assumed", "handed_off", "abandoned")
HANDOFF_REASONS = ("requested", "abstained", "unhelpful")
CLOSERS = ("customer", "agent", "auto")  # auto: closed after inactivity (never surveyed)


class Conversation(Base):
    """One chat between a customer (known or not) and the bot, then possibly a person.

    The customer holds a random token for it (only its SHA-256 is stored). A hand-off opens
    a case (``case_id``); the transcript becomes a feedback item (``feedback_id``) for text
    analytics when the conversation closes.
    """

    __tablename__ = "chat_conversation"
    __table_args__ = (
        Index("ix_chat_conversation_status", "status", "last_message_at"),
        Index("ix_chat_conversation_customer", "customer_id", "started_at"),
        Index("ix_chat_conversation_started", "started_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    start_key: Mapped[str | None] = mapped_column(String(80), unique=True)  # a retried start returns the same one
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id"))
    contact_email: Mapped[str | None] = mapped_column(String(320))  # given in the chat, not yet verified
    channel: Mapped[str] = mapped_column(String(20), default="widget")  # CHANNELS
    language: Mapped[str] = mapped_column(String(8), default="en")
    status: Mapped[str] = mapped_column(String(10), default="bot")  # STATUSES
    resolution: Mapped[str | None] = mapped_column(String(12))  # RESOLUTIONS
    handoff_reason: Mapped[str | None] = mapped_column(String(12))  # HANDOFF_REASONS
    closed_by: Mapped[str | None] = mapped_column(String(10))  # CLOSERS
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_record.id", ondelete="SET NULL"), index=True)
    feedback_id: Mapped[int | None] = mapped_column(ForeignKey("feedback.id", ondelete="SET NULL"))
    page_url: Mapped[str] = mapped_column(String(500), default="")
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_message_at: Mapped[datetime] = mapped_column(default=utcnow)
    handed_off_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    survey_sent_at: Mapped[datetime | None]
    # the post-chat survey's invitation: its response is this chat's CSAT/CES (bot-only vs human)
    survey_invitation_id: Mapped[int | None] = mapped_column(ForeignKey("invitation.id", ondelete="SET NULL"))
    survey_skip_reason: Mapped[str | None] = mapped_column(String(40))  # why no post-chat survey was sent


class ChatMessage(Base):
    """One message. A bot answer records the article, the candidates it weighed, its confidence,
    whether it abstained, and what the customer said of it (``helpful``)."""

    __tablename__ = "chat_message"
    __table_args__ = (
        UniqueConstraint("conversation_id", "client_key"),  # a retried send is stored once
        Index("ix_chat_message_conversation", "conversation_id", "id"),
        Index("ix_chat_message_article", "article_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("chat_conversation.id", ondelete="CASCADE"))
    author: Mapped[str] = mapped_column(String(10))  # AUTHORS
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))  # the agent
    body: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(8), default="en")
    client_key: Mapped[str | None] = mapped_column(String(80))
    article_id: Mapped[int | None] = mapped_column(ForeignKey("kb_article.id", ondelete="SET NULL"))
    candidates: Mapped[list] = mapped_column(JSONType, default=list)  # [{"article_id", "title", "score"}]
    confidence: Mapped[float | None]
    abstained: Mapped[bool] = mapped_column(default=False)
    helpful: Mapped[bool | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
