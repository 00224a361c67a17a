"""Conversations follow their customers: merges and their undo, and erasure of the customer's words."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from centric.chat.models import ChatMessage, Conversation
from centric.customers.service import move_rows_on_merge, move_rows_on_undo
from centric.db import in_chunks
from centric.events import CustomerMergeUndone, CustomersMerged

ERASED_TEXT = "[erased]"


def chats_follow_merge(session: Session, merged: CustomersMerged) -> None:
    """Reaction: the merged customer's conversations belong to the survivor."""
    move_rows_on_merge(session, Conversation, merged)


def chats_follow_undo(session: Session, undone: CustomerMergeUndone) -> None:
    """Reaction: an undone merge gives the conversations back."""
    move_rows_on_undo(session, Conversation, undone)


def erase_chat_text(session: Session, customer_ids: Sequence[int]) -> int:
    """Blank these customers' conversations (erasure): every message, the page and the e-mail left.

    The rows stay, so the resolution figures keep counting them; returns the conversations touched.
    """
    touched = 0
    for chunk in in_chunks(list(customer_ids)):
        ids = list(session.scalars(select(Conversation.id).where(Conversation.customer_id.in_(chunk))))
        for part in in_chunks(ids):
            session.execute(update(ChatMessage).where(ChatMessage.conversation_id.in_(part))
                            .values(body=ERASED_TEXT))
            session.execute(update(Conversation).where(Conversation.id.in_(part))
                            .values(contact_email=None, page_url=""))
        touched += len(ids)
    return touched
