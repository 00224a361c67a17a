"""Conversations from the customer's side: start one, hold its token, send messages, click answers.

**The token.** Starting a conversation returns a random token once; only its SHA-256 is
stored. The customer sends it as ``X-Chat-Token`` (the widget keeps it in sessionStorage,
the no-JS page in an HttpOnly cookie); it authorises that one conversation and nothing
else. A wrong token, a missing conversation and another's conversation all read "not
found". A start retried with the same ``start_key`` (a random value of at least 16
characters the client chose) returns the same conversation *and the same token*: the token
is then an HMAC of the key under the installation's signing key, so no secret is stored.

**Who the customer is.** A conversation names a customer only when that is proven: a
signed visitor token (from the ideas portal's sign-in or a survey's thank-you link), or a
staff API caller who names one. An e-mail address typed into the chat is kept in
``contact_email`` for the agents to see, *unverified*, and never creates or matches a
customer by itself: anyone can type anyone's address. Anonymous visitors get an anonymous
customer only when the post-chat survey needs one (:mod:`centric.chat.survey`).

**Idempotency.** A customer message is stored once per ``client_key``; a retried send
returns that message and the bot's replies to it, and runs no second bot turn. Clicks
(yes/no, "talk to a person", end) carry keys of their own.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from centric.chat import bot, closing, handoff
from centric.chat.locale import say
from centric.chat.models import ChatMessage, Conversation
from centric.chat.schemas import StaffStartIn, StartIn
from centric.chat.timeline import note_on_timeline
from centric.chat.transcript import add_message
from centric.customers.service import get_customer, upsert_customer
from centric.customers.visitors import read_visitor_token
from centric.db import utcnow
from centric.errors import Conflict, Invalid, NotFound
from centric.loop.cases import record

START_PURPOSE = b"chat-start|"
MIN_START_KEY = 16
EMAIL = re.compile(r"^[^@\s<>\"']{1,64}@[^@\s<>\"']{1,190}\.[A-Za-z]{2,24}$")
HANDOFF_KEY = "handoff"


@dataclass(frozen=True)
class Turn:
    """What one call added to a conversation (the customer's message first, when there is one)."""

    conversation: Conversation
    messages: list[ChatMessage]


# --- starting and authorising --------------------------------------------------------------


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _token_for(key: bytes, start_key: str | None) -> str:
    if start_key is None:
        return secrets.token_urlsafe(32)
    return hmac.new(key, START_PURPOSE + start_key.encode(), hashlib.sha256).hexdigest()


def start_conversation(session: Session, key: bytes, data: StartIn, *, customer_id: int | None = None,
                       now: datetime | None = None) -> tuple[Conversation, str]:
    """A new conversation and its token, or the one ``data.start_key`` started before (same token).

    ``customer_id`` names a customer the caller vouches for (a staff API call); otherwise a
    valid ``visitor_token`` does, and an invalid one is refused (403).
    """
    if data.start_key is not None and len(data.start_key) < MIN_START_KEY:
        raise Invalid(f"start_key: use a random value of at least {MIN_START_KEY} characters", field="start_key")
    token = _token_for(key, data.start_key)
    if data.start_key is not None:
        existing = session.scalar(select(Conversation).where(Conversation.start_key == data.start_key))
        if existing is not None:
            if not hmac.compare_digest(existing.token_hash, token_hash(token)):
                raise Conflict("this start_key belongs to another conversation", field="start_key")
            return existing, token
    if customer_id is None and data.visitor_token:
        customer_id = read_visitor_token(key, data.visitor_token)  # Forbidden when tampered or expired
    if customer_id is not None:
        customer_id = get_customer(session, customer_id).id
    at = now or utcnow()
    conversation = Conversation(
        token_hash=token_hash(token), start_key=data.start_key, customer_id=customer_id, channel=data.channel,
        language=data.language or "en", status="bot", page_url=_page_url(data.page_url), started_at=at,
        last_message_at=at)
    session.add(conversation)
    session.flush()
    closing.keep_sweeping(session, at)
    return conversation, token


def _page_url(url: str) -> str:
    url = url.strip()
    return url if url.startswith(("http://", "https://", "/")) and not any(c.isspace() for c in url) else ""


def authorise(session: Session, conversation_id: int, token: str | None) -> Conversation:
    """The conversation this token opens; NotFound for a wrong token or none (the same answer
    whether the conversation exists or not). A missing token is refused before (401)."""
    conversation = session.get(Conversation, conversation_id) if 0 < conversation_id < 2**63 else None
    if conversation is None or not token or not hmac.compare_digest(conversation.token_hash,
                                                                     token_hash(token[:200])):
        raise NotFound("no such conversation")
    return conversation


def lock(session: Session, conversation: Conversation) -> Conversation:
    """Re-read the conversation for update (PostgreSQL): two sends at once take turns."""
    if session.get_bind().dialect.name == "postgresql":
        session.flush()  # a refresh drops changes not yet written
        session.refresh(conversation, with_for_update=True)
    return conversation


# --- the customer's messages -----------------------------------------------------------------


def send_message(session: Session, conversation: Conversation, text: str, client_key: str | None = None, *,
                 now: datetime | None = None) -> Turn:
    """Store the customer's message and run the bot's turn (while no person has taken over)."""
    text = text.strip()
    if not text:
        raise Invalid("write a message first", field="text")
    lock(session, conversation)
    replayed = _replay(session, conversation, client_key)
    if replayed is not None:
        return replayed
    _open(conversation)
    at = now or utcnow()
    pending = bot.pending(session, conversation)
    intent = bot.intent(text)
    message = add_message(session, conversation, "customer", text, client_key=client_key, at=at,
                          language=bot.language_of(text, conversation.language))
    note_on_timeline(session, conversation)
    if conversation.status != "bot":
        return Turn(conversation, [message])
    if intent == "handoff":
        reason = "abstained" if pending is not None and pending.abstained else "requested"
        return Turn(conversation, [message, *handoff.hand_off(session, conversation, reason, now=at)])
    if pending is not None and intent in ("yes", "no") and not (bot.is_sorry(pending) and intent == "yes"):
        return Turn(conversation, [message, *_feedback(session, conversation, pending, intent == "yes", at)])
    return Turn(conversation, [message, bot.answer(session, conversation, text, at)])


def mark_helpful(session: Session, conversation: Conversation, message_id: int, helpful: bool, *,
                 now: datetime | None = None) -> Turn:
    """The customer's yes/no on the answer that waits for it (a click; stored as their "Yes"/"No")."""
    lock(session, conversation)
    key = f"helpful:{message_id}"
    replayed = _replay(session, conversation, key)
    if replayed is not None:
        return replayed
    _open(conversation)
    pending = bot.pending(session, conversation)
    if pending is None or pending.id != message_id or not bot.is_answer(pending):
        raise Conflict("that answer is not waiting for a yes or no", field="message_id")
    at = now or utcnow()
    message = add_message(session, conversation, "customer", say(conversation.language, "yes" if helpful else "no"),
                          client_key=key, at=at)
    return Turn(conversation, [message, *_feedback(session, conversation, pending, helpful, at)])


def request_handoff(session: Session, conversation: Conversation, *, now: datetime | None = None) -> Turn:
    """The customer asks for a person (the "Talk to a person" button). Once per conversation."""
    lock(session, conversation)
    replayed = _replay(session, conversation, HANDOFF_KEY)
    if replayed is not None:
        return replayed
    _open(conversation)
    at = now or utcnow()
    pending = bot.pending(session, conversation)
    message = add_message(session, conversation, "customer", say(conversation.language, "talk_to_person"),
                          client_key=HANDOFF_KEY, at=at)
    if conversation.status != "bot":
        return Turn(conversation, [message])
    reason = "abstained" if pending is not None and pending.abstained else "requested"
    return Turn(conversation, [message, *handoff.hand_off(session, conversation, reason, now=at)])


def leave_email(session: Session, conversation: Conversation, email: str, *, now: datetime | None = None) -> Turn:
    """Keep an address the customer typed, for the agents (unverified: see the module's notes)."""
    address = email.strip()
    if len(address) > 320 or not EMAIL.match(address):
        raise Invalid("enter a valid e-mail address", field="email")
    lock(session, conversation)
    _open(conversation)
    if conversation.contact_email == address:
        return Turn(conversation, [])
    conversation.contact_email = address
    if conversation.case_id is not None:
        record(session, conversation.case_id, "note", body=f"E-mail left in the chat (not verified): {address}")
    notice = add_message(session, conversation, "system", say(conversation.language, "email_noted", email=address),
                         at=now or utcnow())
    return Turn(conversation, [notice])


def end_by_customer(session: Session, conversation: Conversation, *, now: datetime | None = None) -> Turn:
    """The customer ends the chat (a second call changes nothing)."""
    lock(session, conversation)
    if conversation.status == "closed":
        return Turn(conversation, [])
    return Turn(conversation, closing.close(session, conversation, "customer", now=now))


def _feedback(session: Session, conversation: Conversation, waiting: ChatMessage, helpful: bool,
              at: datetime) -> list[ChatMessage]:
    """Yes/no on an answer, on the offer of a person after an abstention, or on "ask another way"."""
    lang = conversation.language
    if waiting.abstained:
        if helpful:
            return handoff.hand_off(session, conversation, "abstained", now=at)
        return [add_message(session, conversation, "bot", say(lang, "offer_declined"), at=at,
                            client_key=f"bot:declined:{waiting.id}")]
    if bot.is_sorry(waiting):  # a second "no": the bot cannot help
        return handoff.hand_off(session, conversation, "unhelpful", now=at) if not helpful else []
    waiting.helpful = helpful
    if helpful:
        return [add_message(session, conversation, "bot", say(lang, "helped"), at=at,
                            client_key=f"bot:helped:{waiting.id}")]
    if bot.unhelpful_answers(session, conversation.id) >= bot.UNHELPFUL_BEFORE_HANDOFF:
        return handoff.hand_off(session, conversation, "unhelpful", now=at)
    return [add_message(session, conversation, "bot", say(lang, "not_helped"), at=at,
                        client_key=f"{bot.SORRY_KEY}{waiting.id}")]


def _open(conversation: Conversation) -> None:
    if conversation.status == "closed":
        raise Conflict("this conversation has ended; start a new one", field="conversation")


def _replay(session: Session, conversation: Conversation, client_key: str | None) -> Turn | None:
    """A retried call: the message stored under ``client_key`` and what answered it (no new turn)."""
    if client_key is None:
        return None
    first = session.scalar(select(ChatMessage).where(ChatMessage.conversation_id == conversation.id,
                                                     ChatMessage.client_key == client_key))
    if first is None:
        return None
    following = session.scalars(select(ChatMessage).where(
        ChatMessage.conversation_id == conversation.id, ChatMessage.id > first.id).order_by(ChatMessage.id)).all()
    replies = []
    for message in following:
        if message.author == "customer":
            break
        replies.append(message)
    return Turn(conversation, [first, *replies])


def start_for_customer(session: Session, key: bytes, data: StaffStartIn, user_id: int | None = None, *,
                       may_merge: bool = False, now: datetime | None = None) -> tuple[Conversation, str]:
    """A staff API caller starts a conversation for a customer it names (by id or by identities)."""
    customer_id = data.customer_id
    if data.customer is not None:
        if customer_id is not None:
            raise Invalid("give customer_id or customer, not both", field="customer")
        customer_id = upsert_customer(session, data.customer, user_id, may_merge=may_merge,
                                      origin=f"chat {data.channel}").id
    started = StartIn(channel=data.channel, language=data.language, page_url=data.page_url,
                      start_key=data.start_key)
    return start_conversation(session, key, started, customer_id=customer_id, now=now)
