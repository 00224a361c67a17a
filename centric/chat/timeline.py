"""Every conversation of a known customer is on their timeline: one customer event of kind ``chat``.

The timeline (:mod:`centric.insights.timeline`) reads customer events with their source as
the channel, so a conversation shows as "Chat" on channel ``chat``, its first question as
the subject. The event is written when a known customer first writes (or when the
conversation gets its customer later: the post-chat survey's anonymous visitor) and is
updated as the conversation is handed off and closed; one event per conversation (source
``chat``, external id ``conversation:<id>``), at the touchpoint that records chat events if there is one.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from centric.chat.models import ChatMessage, Conversation
from centric.events import EventsRecorded, publish
from centric.journeys.models import Event, Touchpoint

SOURCE = "chat"
SUBJECT_CHARS = 200


def chat_touchpoint_id(session: Session) -> int | None:
    """The touchpoint that records chat events (the first whose event kinds name ``chat``), if any:
    hand-off cases are routed to its team, and conversations land on the timeline there."""
    for touchpoint_id, kinds in session.execute(select(Touchpoint.id, Touchpoint.event_kinds).order_by(Touchpoint.id)):
        if "chat" in (kinds or []):
            return int(touchpoint_id)
    return None


def external_id(conversation_id: int) -> str:
    return f"conversation:{conversation_id}"


def note_on_timeline(session: Session, conversation: Conversation) -> None:
    """Write or refresh the conversation's timeline event (nothing while the customer is unknown)."""
    if conversation.customer_id is None:
        return
    first = session.scalar(select(ChatMessage.body).where(
        ChatMessage.conversation_id == conversation.id, ChatMessage.author == "customer")
        .order_by(ChatMessage.id).limit(1))
    if first is None:
        return
    payload = {"conversation_id": conversation.id, "subject": first[:SUBJECT_CHARS], "status": conversation.status,
               "resolution": conversation.resolution, "case_id": conversation.case_id,
               "language": conversation.language}
    event = session.scalar(select(Event).where(Event.source == SOURCE,
                                               Event.external_id == external_id(conversation.id)))
    if event is not None:
        if event.payload != payload or event.customer_id != conversation.customer_id:
            event.payload, event.customer_id = payload, conversation.customer_id
        return
    event = Event(customer_id=conversation.customer_id, kind="chat", occurred_at=conversation.started_at,
                  touchpoint_id=chat_touchpoint_id(session),
                  source=SOURCE, external_id=external_id(conversation.id), payload=payload)
    session.add(event)
    session.flush()
    publish(session, EventsRecorded((event.id,)))
