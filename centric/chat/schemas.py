"""What the chat API takes and gives: the customer's side (public, token) and the staff's side."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from centric.customers.schemas import CustomerIn
from centric.db import UtcDatetime

Channel = Literal["widget", "web", "api", "email", "messenger", "other"]
Language = Literal["en", "zh"]
Status = Literal["bot", "waiting", "agent", "closed"]
Resolution = Literal["confirmed", "assumed", "handed_off", "abandoned"]
Author = Literal["customer", "bot", "agent", "system"]
#: What a message is, for the widget: a question or reply, an answer, an abstention, a notice, the survey.
Kind = Literal["text", "answer", "abstained", "handoff", "closed", "survey", "notice"]
MAX_MESSAGE = 2000  # characters of one customer message
MAX_REPLY = 5000  # characters of one agent reply
KEY = r"^[A-Za-z0-9_.:-]{1,80}$"


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- the customer's side -------------------------------------------------------------------


class StartIn(_In):
    """Start a conversation; retried with the same ``start_key`` it returns the same one."""

    channel: Channel = "widget"
    language: Language | None = Field(default=None, description="the page's language; the bot follows the "
                                                                "language each question is written in")
    page_url: str = Field(default="", max_length=500, description="the page the chat was opened on")
    start_key: str | None = Field(default=None, pattern=KEY, description="idempotency key of this start")
    visitor_token: str | None = Field(default=None, max_length=2000,
                                      description="a signed visitor token (ideas portal, survey thank-you page) "
                                                  "naming a known customer")


class MessageIn(_In):
    text: str = Field(min_length=1, max_length=MAX_MESSAGE)
    client_key: str | None = Field(default=None, pattern=KEY, description="idempotency key: a retried send is "
                                                                          "stored once")


class HelpfulIn(_In):
    """The customer's "did this answer your question?" on one of the bot's answers."""

    message_id: int = Field(ge=1, le=2**63 - 1)
    helpful: bool


class ContactIn(_In):
    """An e-mail address the customer leaves (kept on the conversation, not verified)."""

    email: str = Field(min_length=3, max_length=320)


class ArticleLink(BaseModel):
    title: str
    url: str


class MessageOut(BaseModel):
    """One message as the customer sees it."""

    id: int
    author: Author
    author_name: str = ""
    kind: Kind
    body: str
    created_at: UtcDatetime
    article: ArticleLink | None = None
    alternatives: list[ArticleLink] = Field(default_factory=list)
    asks_helpful: bool = Field(default=False, description="the bot waits for yes/no on this answer")
    helpful: bool | None = None
    offers_handoff: bool = Field(default=False, description="the bot offers a person (after an abstention)")
    prompt: str = Field(default="", description="the question shown under an answer or an abstention")
    link: str | None = Field(default=None, description="the post-chat survey's personal link")


class ConversationOut(BaseModel):
    """A conversation as its customer sees it, with its messages after ``after``."""

    id: int
    status: Status
    language: str
    channel: str
    started_at: UtcDatetime
    closed_at: UtcDatetime | None
    messages: list[MessageOut]


class StartOut(BaseModel):
    """The started conversation and its token: send it as ``X-Chat-Token`` (shown once)."""

    conversation: ConversationOut
    token: str


class TurnOut(BaseModel):
    """What a send (or a click) did: the conversation's status and the messages it added."""

    status: Status
    messages: list[MessageOut]


# --- the staff's side ----------------------------------------------------------------------


class StaffStartIn(_In):
    """Start a conversation for a known customer from another channel (a messenger bridge)."""

    channel: Channel = "api"
    language: Language | None = None
    customer_id: int | None = Field(default=None, ge=1, le=2**63 - 1)
    customer: CustomerIn | None = None
    page_url: str = Field(default="", max_length=500)
    start_key: str | None = Field(default=None, pattern=KEY)


class CandidateOut(BaseModel):
    article_id: int
    slug: str = ""
    title: str
    score: float


class StaffMessageOut(BaseModel):
    """One message with what the bot weighed: its candidates, confidence and abstention."""

    id: int
    author: Author
    author_name: str = ""
    user_id: int | None
    body: str
    language: str
    created_at: UtcDatetime
    article_id: int | None
    confidence: float | None
    abstained: bool
    helpful: bool | None
    candidates: list[CandidateOut]


class ChatOut(BaseModel):
    """A conversation in the staff's list."""

    id: int
    channel: str
    language: str
    status: Status
    resolution: Resolution | None
    handoff_reason: str | None
    closed_by: str | None
    customer_id: int | None
    customer_name: str | None = None
    contact_email: str | None
    case_id: int | None
    page_url: str
    question: str = Field(description="the customer's first message")
    messages: int
    started_at: UtcDatetime
    last_message_at: UtcDatetime
    handed_off_at: UtcDatetime | None
    closed_at: UtcDatetime | None
    survey_invitation_id: int | None
    survey_sent_at: UtcDatetime | None
    survey_skip_reason: str | None
    feedback_id: int | None


class SurveyAnswersOut(BaseModel):
    """The post-chat survey's answers, when the customer gave them."""

    csat: float | None = None
    ces: float | None = None
    comment: str | None = None
    answered_at: UtcDatetime | None = None


class ChatDetailOut(ChatOut):
    transcript: list[StaffMessageOut]
    survey: SurveyAnswersOut | None = None


class ReplyIn(_In):
    text: str = Field(min_length=1, max_length=MAX_REPLY)
    client_key: str | None = Field(default=None, pattern=KEY)
