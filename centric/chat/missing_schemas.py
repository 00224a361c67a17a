"""Pydantic shapes of the missing-answers queue (customers' words: ``kb:write`` only)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from centric.db import UtcDatetime

#: Most questions one dismissal may name (a whole group is sent at once).
MAX_DISMISS = 5000


class MissingQuestion(BaseModel):
    """One customer question the bot abstained on, whose answer was rated unhelpful, or before a hand-off request."""

    message_id: int
    conversation_id: int
    text: str
    language: str
    asked_at: UtcDatetime
    reasons: list[str]  # abstained | unhelpful | handoff


class WriteLink(BaseModel):
    """Where to write the missing article in one language, with the group's questions as its variants."""

    language: str
    url: str


class MissingGroup(BaseModel):
    """Questions asking the same thing, with no good answer in the knowledge base yet."""

    key: str  # "q<id>" of its first question: stable while the group keeps that question
    label: str
    size: int
    languages: list[str]
    reasons: dict[str, int]  # questions per reason
    first_seen: UtcDatetime
    last_seen: UtcDatetime
    examples: list[MissingQuestion]  # the most central, up to three per language
    message_ids: list[int]  # every question of the group, for a dismissal
    write: list[WriteLink]


class DismissIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    message_ids: list[Annotated[int, Field(ge=1, le=2**31 - 1)]] = Field(min_length=1, max_length=MAX_DISMISS,
                                   description="customer messages to take off the queue (e.g. a group's message_ids)")


class DismissOut(BaseModel):
    dismissed: int  # newly dismissed (already dismissed ones are not counted again)
    restored: int = 0
