"""The post-chat survey: CSAT (1-5), CES (1-7) and an optional comment, a real Centric survey.

After a conversation that its customer or an agent closed — bot-only or human alike, never
an auto-closed one — the customer is invited to the survey keyed ``post-chat`` (created on
first need, in English and Chinese). The invitation goes through the outreach rules like
any other (unsubscribes, the survey's throttle, contact-frequency rules); when one forbids
it, the conversation keeps the reason in ``survey_skip_reason`` and the skip is listed with
every other.

**Where.** In the conversation itself — a last message with a personal survey link — when
the customer closed it from the widget or the no-JS page (they are there to see it), or
when the customer is not known by e-mail. By e-mail when an agent closed it (the customer
may have left) or the chat came from another channel, and the customer is known with an
e-mail address.

**Anonymous visitors.** An invitation needs a customer, so a visitor nobody knows gets an
anonymous customer profile (identity ``device`` = ``chat:<conversation id>``, no name, no
address) the moment the survey is offered in the chat: their answers, the conversation and
its feedback item then stay together on one timeline. Frequency rules cannot recognise a
returning anonymous visitor; each such conversation is a new profile.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from centric.accounts.signing import signing_key
from centric.chat.locale import say
from centric.chat.models import ChatMessage, Conversation
from centric.chat.timeline import note_on_timeline
from centric.chat.transcript import add_message
from centric.config import Settings
from centric.customers.models import Customer
from centric.customers.schemas import CustomerIn, IdentityIn
from centric.customers.service import get_customer, upsert_customer
from centric.db import in_chunks, utcnow
from centric.events import ConversationsClosed
from centric.outreach.service import email_of, schedule
from centric.surveys.links import base_url, public_path, survey_token
from centric.surveys.models import Invitation, Survey
from centric.surveys.schemas import SurveyIn
from centric.surveys.service import create_survey
from centric.surveys.templates import SATISFIED

KEY = "post-chat"
IN_CHAT = "chat"  # the invitation's channel when the link is shown in the conversation
LINK_TTL_DAYS = 7
AGREE = ({"en": "Strongly disagree", "zh": "非常不同意"}, {"en": "Strongly agree", "zh": "非常同意"})
QUESTIONS = [
    {"key": "csat", "type": "csat", "required": True, "low_label": SATISFIED[0], "high_label": SATISFIED[1],
     "label": {"en": "How satisfied are you with the help you got in the chat?",
               "zh": "您对本次在线咨询获得的帮助满意吗？"}},
    {"key": "ces", "type": "ces", "low_label": AGREE[0], "high_label": AGREE[1],
     "label": {"en": "It was easy to get what I needed.", "zh": "我很轻松地得到了所需要的帮助。"}},
    {"key": "comment", "type": "text",
     "label": {"en": "Anything you would like to tell us? (optional)", "zh": "还有什么想告诉我们的吗？（选填）"}},
]


def post_chat_survey(session: Session) -> Survey:
    """The ``post-chat`` survey, created (active, EN + ZH) when it does not exist yet."""
    survey = session.scalar(select(Survey).where(Survey.key == KEY))
    if survey is None:
        survey = create_survey(session, SurveyIn(key=KEY, name="Post-chat CSAT", kind="csat", languages=["en", "zh"],
                                                 questions=QUESTIONS))
    return survey


def survey_after_close(session: Session, event: ConversationsClosed) -> None:
    """Reaction: invite each closed conversation's customer, within the rules (see the module's notes)."""
    for chunk in in_chunks(sorted(set(event.ids))):
        for conversation in session.scalars(select(Conversation).where(Conversation.id.in_(chunk))
                                            .order_by(Conversation.id)):
            invite_after(session, conversation)


def invite_after(session: Session, conversation: Conversation, now: datetime | None = None) -> None:
    if conversation.survey_invitation_id is not None or conversation.survey_skip_reason is not None:
        return
    reason = _not_surveyed(session, conversation)
    if reason is not None:
        conversation.survey_skip_reason = reason
        return
    survey = post_chat_survey(session)
    if survey.status != "active":
        conversation.survey_skip_reason = f"survey {KEY} is {survey.status}"
        return
    at = now or utcnow()
    channel = _channel(session, conversation)
    customer = get_customer(session, conversation.customer_id) if conversation.customer_id else _anonymous(
        session, conversation)
    result = schedule(session, survey, customer, channel=channel, send_at=at, source="chat")
    if not result.invited or result.invitation is None:
        skip = result.skip
        conversation.survey_skip_reason = (f"contact rule #{skip.rule_id}" if skip and skip.rule_id
                                           else (skip.reason if skip else "not invited"))[:40]
        return
    conversation.survey_invitation_id = result.invitation.id
    conversation.survey_sent_at = at
    add_message(session, conversation, "system", say(conversation.language, "survey" if channel == IN_CHAT
                                                     else "survey_by_email"), client_key="system:survey", at=at)


def _not_surveyed(session: Session, conversation: Conversation) -> str | None:
    if conversation.closed_by == "auto":
        return "auto-closed"
    if conversation.closed_by not in ("customer", "agent"):
        return "not closed"
    asked = session.scalar(select(ChatMessage.id).where(ChatMessage.conversation_id == conversation.id,
                                                        ChatMessage.author == "customer").limit(1))
    return None if asked is not None else "nothing was asked"


def _channel(session: Session, conversation: Conversation) -> str:
    """E-mail when an agent closed it or it came from another channel and we know the customer's address."""
    there = conversation.closed_by == "customer" and conversation.channel in ("widget", "web")
    if not there and conversation.customer_id is not None and email_of(session, conversation.customer_id):
        return "email"
    return IN_CHAT


def _anonymous(session: Session, conversation: Conversation) -> Customer:
    customer = upsert_customer(session, CustomerIn(identities=[IdentityIn(kind="device",
                                                                          value=f"chat:{conversation.id}")]),
                               origin=f"chat {conversation.id}")
    conversation.customer_id = customer.id
    note_on_timeline(session, conversation)
    return customer


def survey_link(session: Session, settings: Settings, conversation: Conversation,
                key: bytes | None = None) -> str | None:
    """The personal link of the survey offered in the conversation, while it waits for an answer."""
    if conversation.survey_invitation_id is None:
        return None
    invitation = session.get(Invitation, conversation.survey_invitation_id)
    if invitation is None or invitation.channel != IN_CHAT or invitation.answered_at is not None:
        return None
    signing = key or signing_key(session, settings.secret_key)
    token = survey_token(signing, KEY, invitation.customer_id, invitation.id, LINK_TTL_DAYS)
    return base_url(settings) + public_path(KEY, t=token, lang=conversation.language)
