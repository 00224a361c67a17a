"""Pydantic shapes of the honest resolution metrics (aggregates only: no customer's words or ids)."""

from __future__ import annotations

from pydantic import BaseModel

from centric.db import UtcDatetime


class Rate(BaseModel):
    """``count`` of ``n`` in percent with its 95% Wilson interval; ``None`` where ``n`` is 0."""

    count: int
    n: int
    value: float | None
    low: float | None
    high: float | None


class Mean(BaseModel):
    """A mean with its 95% Student t interval (none below two answers)."""

    n: int
    value: float | None
    low: float | None
    high: float | None


class Difference(BaseModel):
    """Bot-only minus human-handled, with its 95% interval and a test of no difference."""

    difference: float | None
    low: float | None
    high: float | None
    p_value: float | None
    n_bot: int
    n_human: int
    method: str


class Handoffs(BaseModel):
    """Hand-offs to a person by reason, each as a share of the conversations with an outcome."""

    requested: Rate
    abstained: Rate
    unhelpful: Rate


class ResolutionSlice(BaseModel):
    """The figures of one slice: all conversations, one language or one channel.

    ``confirmed``, ``assumed``, ``handed_off``, ``abandoned``, ``handoffs`` and
    ``unknown_customer`` are shares of the conversations with an outcome (``with_outcome``);
    ``answer_rate``/``abstention_rate`` of the bot's replies to questions;
    ``recontact_after_*`` of the checkable confirmed/assumed conversations; the honest
    figures ``confirmed_without_recontact``, ``assumed_without_recontact`` and
    ``deflection`` of the ``checkable`` conversations (known customer, 7 days over).
    """

    key: str
    conversations: int
    open: int
    with_outcome: int
    confirmed: Rate
    assumed: Rate
    handed_off: Rate
    abandoned: Rate
    handoffs: Handoffs
    answer_rate: Rate
    abstention_rate: Rate
    unknown_customer: Rate
    window_open: int
    checkable: int
    recontact_after_confirmed: Rate
    recontact_after_assumed: Rate
    confirmed_without_recontact: Rate
    assumed_without_recontact: Rate
    deflection: Rate
    surveyed: int  # conversations sent a post-chat survey (never auto-closed ones)


class Satisfaction(BaseModel):
    """Post-chat CSAT (share answering 4–5 of 5) and CES (mean of 1–7) of bot-only and human chats."""

    csat_bot: Rate
    csat_human: Rate
    csat_difference: Difference
    ces_bot: Mean
    ces_human: Mean
    ces_difference: Difference
    caveat: str


class ResolutionMetrics(BaseModel):
    """Chat resolution for conversations started from ``since`` (inclusive) to ``until`` (exclusive)."""

    since: UtcDatetime
    until: UtcDatetime
    as_of: UtcDatetime
    language: str | None
    channel: str | None
    recontact_days: int
    recontact_channels: list[str]  # what counts as coming back: a chat, feedback of these channels, a case
    overall: ResolutionSlice
    by_language: list[ResolutionSlice]
    by_channel: list[ResolutionSlice]
    satisfaction: Satisfaction


class ArticleHelpfulness(BaseModel):
    """What customers said of one article's answers: "did this answer your question?"."""

    article_id: int
    slug: str
    title: str
    language: str
    answers: int  # times the bot answered with it
    helpful: int
    unhelpful: int
    helpful_share: Rate
