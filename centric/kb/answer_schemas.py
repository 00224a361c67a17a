"""Request and answer of the FAQ bot's JSON route (``POST /api/v1/kb/ask``)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from centric.kb.answering import BotAnswer
from centric.text.answers import MAX_QUESTION_CHARS


class AskIn(BaseModel):
    """A question for the bot; ``language`` ("en" or "zh") is detected when left out."""

    model_config = ConfigDict(extra="forbid")

    question: str = Field(min_length=1, max_length=MAX_QUESTION_CHARS)
    language: Literal["en", "zh"] | None = None
    k: int = Field(default=3, ge=0, le=10, description="alternatives wanted")


class CandidateOut(BaseModel):
    article_id: int
    slug: str
    title: str
    language: str
    score: float


class BotAnswerOut(BaseModel):
    """:class:`centric.kb.answering.BotAnswer` as JSON."""

    question: str
    language: str
    abstained: bool
    confidence: float
    threshold: float
    cross_lingual: bool
    best: CandidateOut | None
    alternatives: list[CandidateOut]


def bot_answer_out(answer: BotAnswer) -> BotAnswerOut:
    def out(c: object) -> CandidateOut:
        return CandidateOut.model_validate(c, from_attributes=True)

    return BotAnswerOut(question=answer.question, language=answer.language, abstained=answer.abstained,
                        confidence=answer.confidence, threshold=answer.threshold, cross_lingual=answer.cross_lingual,
                        best=out(answer.best) if answer.best is not None else None,
                        alternatives=[out(c) for c in answer.alternatives])
