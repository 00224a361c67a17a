"""Handing a conversation to a person: a case in the closed loop, with all the bot knew.

The case (source ``chat``) is opened like any other: prioritised, routed (to the team of
the touchpoint that records chat events, when there is one), its SLA clocks started. Its
text holds the transcript with every candidate the bot weighed and its confidence, the
detected language, the reason and the unverified e-mail address if the customer left one;
its trail's ``created`` entry names the conversation. The conversation then waits for a
person (status ``waiting``) and tells the customer so — that the team is away when the
case's SLA calendar says it is outside working hours.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from centric.chat.locale import say
from centric.chat.models import ChatMessage, Conversation
from centric.chat.timeline import chat_touchpoint_id, note_on_timeline
from centric.chat.transcript import add_message, as_text
from centric.events import ConversationsHandedOff, publish
from centric.loop.calendar import is_working
from centric.loop.cases import CaseDraft, open_cases
from centric.loop.models import BusinessCalendar, Case, SlaPolicy
from centric.loop.sla import calendar_of
from centric.outreach.service import email_of

MAX_CASE_TEXT = 20_000
REASON_WORDS = {"requested": "the customer asked for a person", "abstained": "the bot did not know the answer",
                "unhelpful": "the customer said two answers did not help"}


def hand_off(session: Session, conversation: Conversation, reason: str, *, now: datetime) -> list[ChatMessage]:
    """Open the case and tell the customer a person will reply; nothing when a person has it already."""
    if conversation.status != "bot":
        return []
    messages = list(session.scalars(select(ChatMessage).where(ChatMessage.conversation_id == conversation.id)
                                    .order_by(ChatMessage.id)))
    question = next((m.body for m in messages if m.author == "customer" and not (m.client_key or "")
                     .startswith(("helpful:", "handoff"))), "")
    draft = CaseDraft(
        title=f"Chat: {' '.join(question.split())[:200]}" if question else f"Chat #{conversation.id}",
        source="chat", customer_id=conversation.customer_id, touchpoint_id=chat_touchpoint_id(session),
        verbatim=case_text(conversation, messages, reason),
        detail={"conversation_id": conversation.id, "language": conversation.language, "handoff_reason": reason,
                "channel": conversation.channel,
                "candidates": [{"message_id": m.id, "confidence": m.confidence, "abstained": m.abstained,
                                "candidates": [{"article_id": c.get("article_id"), "title": c.get("title"),
                                                "score": c.get("score")} for c in m.candidates]}
                               for m in messages if m.author == "bot" and (m.article_id or m.abstained)]})
    case = open_cases(session, [draft])[0]
    conversation.case_id = case.id
    conversation.status = "waiting"
    conversation.handoff_reason = reason
    conversation.handed_off_at = now
    lang = conversation.language
    known_email = conversation.customer_id is not None and email_of(session, conversation.customer_id) is not None
    said = (say(lang, "handoff" if _team_at_work(session, case, now) else "handoff_away"),
            say(lang, "handoff_email_known" if known_email else "handoff_email"))
    text = ("" if lang == "zh" else " ").join(said)
    notice = add_message(session, conversation, "system", text, client_key="system:handoff", at=now)
    note_on_timeline(session, conversation)
    publish(session, ConversationsHandedOff((conversation.id,)))
    return [notice]


def case_text(conversation: Conversation, messages: list[ChatMessage], reason: str) -> str:
    """What the case says: who, why, in which language, then the transcript with the bot's candidates."""
    head = [f"Chat #{conversation.id} handed to a person: {REASON_WORDS.get(reason, reason)}.",
            f"Language: {conversation.language} · channel: {conversation.channel}"
            + (f" · page: {conversation.page_url}" if conversation.page_url else "")]
    if conversation.contact_email:
        head.append(f"E-mail left in the chat (not verified): {conversation.contact_email}")
    text = "\n".join([*head, "", as_text(messages, with_candidates=True)])
    return text if len(text) <= MAX_CASE_TEXT else text[:MAX_CASE_TEXT - 1] + "…"


def _team_at_work(session: Session, case: Case, now: datetime) -> bool:
    """Whether now is working time on the calendar of the case's SLA policy (24×7 without one)."""
    if case.sla_policy_id is None:
        return True
    calendar_id = session.scalar(select(SlaPolicy.calendar_id).where(SlaPolicy.id == case.sla_policy_id))
    row = session.get(BusinessCalendar, calendar_id) if calendar_id else None
    return is_working(now, calendar_of(row))
